"""The interactive HTML map: the only package that imports folium.

:func:`build_map` turns a :class:`~flightmap.geo.Case` into a :class:`folium.Map` with named
layers (an offline world basemap with place names, route legs styled by evidence class,
waypoints, events, zones), popups that cite their sources, a legend, a title panel with
"Methods and sources", and a time slider with a step-through. :func:`render_html` returns the
page as text, byte-identical for identical inputs, and :func:`write_html` writes it
atomically.

Every text that comes from a file (titles, notes, source names, URLs, callsigns) goes through
:func:`esc` before it reaches HTML or JavaScript. Coordinates are converted to folium's
``(lat, lon)`` order here, from named fields, never by position.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import pandas as pd
import xyzservices
from branca.element import Element, Figure

from flightmap import basemap
from flightmap import schema as s
from flightmap.atomic import write_text
from flightmap.flights import Flights, flights_of
from flightmap.geo import Case
from flightmap.render import _plugins as plugins
from flightmap.render._antimeridian import Lon360, pacific_span
from flightmap.render._basemap import basemap_layers
from flightmap.render._case import (
    AIRCRAFT_PANE,
    AREAS_PANE,
    LABELS_PANE,
    case_profile_spec,
    grid_features,
    grid_layer,
    legs_layer,
    placements_layer,
    replay,
    replay_features,
    zones_layer,
)
from flightmap.render._html import esc, safe_json
from flightmap.render._integrity import interval_notes, shaded_intervals, state_codes
from flightmap.render._marks import marks_layer
from flightmap.render._page import PAGE_CSS, PageScript, slider_ticks
from flightmap.render._panels import title_panel
from flightmap.render._plugins import load_alone as load_plugins_alone
from flightmap.render._profile import ProfilePanel, profile_spec
from flightmap.render._regions import (
    DrawnRegion,
    case_region_items,
    gap_region_items,
    regions_layer,
)
from flightmap.render._slider import slider_features
from flightmap.render._tracklayer import (
    Colouring,
    altitude_band,
    track_group,
    track_vertices,
)
from flightmap.render._verbatim import VerbatimElement, verbatim_elements
from flightmap.style import ALTITUDE_BANDS, EVIDENCE_STYLE, INTEGRITY_PALETTE

if TYPE_CHECKING:
    from flightmap.analysis import TrackAnalysis
    from flightmap.grid import GridCell

__all__ = [
    "EVIDENCE_STYLE",
    "build_map",
    "esc",
    "load_plugins_alone",
    "render_html",
    "story_of",
    "write_html",
]

# --------------------------------------------------------------------------- assembly


BASE_LAYERS = {
    "OpenStreetMap": "Street map (OpenStreetMap)",
    "Esri.WorldImagery": "Satellite (Esri World Imagery)",
}
# The xyzservices provider of each base layer, picked by attribute: folium's lookup by name
# (TileLayer("OpenStreetMap")) first flattens every provider xyzservices knows (~10 ms).
_PROVIDERS = {
    "OpenStreetMap": xyzservices.providers.OpenStreetMap.Mapnik,
    "Esri.WorldImagery": xyzservices.providers.Esri.WorldImagery,
}


#: What the pointer-position control says while the pointer is off the map.
POINTER_HINT = "lat , lon: point at the map"


def build_map(
    case: Case | None = None,
    analysis: TrackAnalysis | None = None,
    *,
    tiles: str = "OpenStreetMap",
    max_error_m: float = 25.0,
    case_regions: pd.DataFrame | None = None,
    gap_regions: pd.DataFrame | None = None,
    grid: Sequence[GridCell] | None = None,
    placements: pd.DataFrame | None = None,
    manifest: Mapping[str, Any] | None = None,
    local_tz: str | None = None,
) -> folium.Map:
    """Build the interactive map of a case, of analysed tracks, or of both.

    Parameters
    ----------
    case : Case, optional
        A validated case from :func:`flightmap.geo.load_case`.
    analysis : TrackAnalysis, optional
        Analysed tracks (:func:`flightmap.analysis.analyse`), one or more flights: drawn by
        altitude, and by GNSS integrity state with the rules that fired, with the aircraft on
        the time slider and the altitude/speed profile with the non-nominal intervals shaded.
    tiles : str
        Base layer shown first: ``"OpenStreetMap"`` or ``"Esri.WorldImagery"``.
    max_error_m : float
        Maximum distance, metres, between any track point and the drawn line (simplification).
    case_regions : DataFrame, optional
        The case's where-could-it-have-been regions (:func:`flightmap.analysis.case_regions`).
    gap_regions : DataFrame, optional
        Where the aircraft could have been in the track's gaps
        (:func:`flightmap.analysis.gap_regions`); the largest are drawn.
    grid : sequence of GridCell, optional
        GNSS-interference grid cells (:func:`flightmap.grid.read_grid`): a layer by level, and
        each cell on the time slider during its window.
    placements : DataFrame, optional
        The case's events placed on the track (:func:`flightmap.analysis.place_events`):
        interpolated points with their uncertainty circle, or the region at that instant
        inside a gap (dotted, inferred). Needs ``case``.
    manifest : mapping, optional
        Embedded in the page as JSON (``<script id="flightmap-manifest">``).
    local_tz : str, optional
        An IANA time zone (``"Asia/Baku"``) whose local time the slider shows beside UTC.

    Returns
    -------
    folium.Map
        The map with its layer control, panels and time slider, fitted to the data.
    """
    track = analysis.track if analysis is not None else None
    regions: list[DrawnRegion] = []
    if case_regions is not None:
        regions += case_region_items(case_regions)
    if gap_regions is not None:
        regions += gap_region_items(gap_regions)
    if case is None and (track is None or track.empty) and not grid:
        raise ValueError("nothing to draw: give a case, a track, a grid, or several")
    if tiles not in BASE_LAYERS:
        raise ValueError(f"unknown tiles {tiles!r}: expected one of {', '.join(BASE_LAYERS)}")
    has_track = track is not None and not track.empty
    flights = None
    if track is not None and has_track:
        track = track.reset_index(drop=True)
        flights = flights_of(track)  # once, for both track layers, the slider and the profile
    (south, west), (north, east) = _bounds(case, track, grid)
    pacific = pacific_span(_lons(case, track, grid))  # drawn in [0, 360) when not None

    def drawn(lon: float) -> float:
        return lon + 360.0 if pacific is not None and lon < 0 else lon

    if pacific is not None:
        west, east = pacific
    # The towns where the story happens are named first, and the first view includes them.
    offered = basemap.places_for(((south, west), (north, east)))
    towns = basemap.focus_cities(offered, _focus(case, track, flights))
    view = [
        [min([south, *(p.lat for p in towns)]), min([west, *(drawn(p.lon) for p in towns)])],
        [max([north, *(p.lat for p in towns)]), max([east, *(drawn(p.lon) for p in towns)])],
    ]
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        zoom_control="bottomright",
    )
    if pacific is not None:
        Lon360().add_to(m)  # first: every layer after it is moved as it is added
    folium.map.CustomPane(AREAS_PANE, z_index=350, pointer_events=True).add_to(m)
    folium.map.CustomPane(AIRCRAFT_PANE, z_index=450, pointer_events=False).add_to(m)
    folium.map.CustomPane(LABELS_PANE, z_index=550, pointer_events=False).add_to(m)
    for name in sorted(BASE_LAYERS, key=lambda n: n != tiles):
        folium.TileLayer(_PROVIDERS[name], name=BASE_LAYERS[name], show=name == tiles).add_to(m)
    for layer in basemap_layers(((south, west), (north, east)), towns, offered):
        layer.add_to(m)
    replay_feats: list[dict[str, Any]] = []
    if case is not None:
        zones_layer(case).add_to(m)
        legs_layer(case).add_to(m)
        # The case's own aircraft ring only without a track: a track knows where it was.
        replay_feats += replay_features(case, aircraft=not has_track)
    if regions:
        regions_layer(regions).add_to(m)
    if grid:
        grid_layer(grid).add_to(m)
        replay_feats += grid_features(grid)
    if track is not None and flights is not None:
        keep = _event_rows(track, case)
        alt = track[s.ALT_BARO_FT].to_numpy(dtype="float64", na_value=np.nan)
        by_alt = Colouring("Track: altitude", [c for _, c in ALTITUDE_BANDS], altitude_band(alt))
        assert analysis is not None
        by_state = Colouring(
            "Track: GNSS integrity",
            list(INTEGRITY_PALETTE),
            state_codes(analysis),
            notes=interval_notes(analysis),
        )
        # One simplified line for both layers (only the colours differ): half the work.
        vertices = track_vertices(
            track,
            flights,
            [by_alt.categories, by_state.categories],
            max_error_m=max_error_m,
            keep=keep,
        )
        for colouring, css, show in (
            (by_alt, "fm-track fm-track-alt", True),
            (by_state, "fm-track fm-track-integrity", False),
        ):
            track_group(
                track,
                colouring,
                max_error_m=max_error_m,
                keep=keep,
                class_name=css,
                show=show,
                flights=flights,
                vertices=vertices,
            )[0].add_to(m)
        replay_feats += slider_features(track, flights)
        events = [(pd.Timestamp(e.time), e.title) for e in case.events] if case else []
        shaded = shaded_intervals(analysis)
        ProfilePanel(profile_spec(track, events=events, shaded=shaded, flights=flights)).add_to(m)
    if case is not None and (track is None or track.empty):
        spec = case_profile_spec(case)
        if spec is not None:
            ProfilePanel(
                spec, title="Profile: altitude and speed stated by sources (UTC)", open=False
            ).add_to(m)
    if case is not None and placements is not None and len(placements):
        placements_layer(case, placements).add_to(m)
    marks = marks_layer(case) if case is not None else None
    if marks is not None:
        marks.add_to(m)
    story = story_of(case) if case is not None else []
    events_ms = (story[0]["t"], story[-1]["t"] + 60_000) if story else None
    slider = replay(m, replay_feats, local_tz=local_tz, span_ms=events_ms)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    plugins.Fullscreen(position="bottomright").add_to(m)
    plugins.MeasureControl(position="bottomright", primary_length_unit="kilometers").add_to(m)
    plugins.MousePosition(
        position="bottomright",
        separator=" , ",
        prefix="lat , lon:",
        empty_string=POINTER_HINT,  # folium's default, "Unavailable", reads as an error
        # In [-180, 180) also where a page is drawn in [0, 360) (_antimeridian.py).
        lng_formatter="function (x) { return ((x % 360 + 540) % 360 - 180).toFixed(5); }",
    ).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(VerbatimElement(PAGE_CSS), name="fm_css")
    panel = title_panel(
        case,
        track,
        max_error_m=max_error_m,
        states=analysis is not None,
        regions=regions,
        grid=bool(grid),
        tracks_table=(
            _tracks_table(analysis, track, flights)
            if analysis is not None and track is not None and flights is not None
            else None
        ),
    )
    root.html.add_child(VerbatimElement(panel), name="fm_title")
    if manifest is not None:
        root.html.add_child(VerbatimElement(manifest_script(manifest)), name="fm_manifest")
    ticks = []
    if slider is not None:
        ticks = slider_ticks(slider.options["start"], slider.options["end"])  # type: ignore[arg-type]  # ints set by replay
    PageScript(
        bounds=view,
        slider=slider,
        marks=marks,
        story=story,
        ticks=ticks,
    ).add_to(m)
    return m


def _tracks_table(analysis: TrackAnalysis, track: pd.DataFrame, flights: Flights) -> pd.DataFrame:
    """The title panel's tracks table from what the analysis counted per flight (no second
    pass over the rows by flight id): ``flight_id``, ``callsign`` (the most frequent),
    ``first``, ``last``, ``with_position``, ``reports``, sorted by first time, then id."""
    per = analysis.flights
    has_pos = track[s.LAT].notna().to_numpy(dtype=bool) & (flights.row_code >= 0)
    counted = pd.Series(
        np.bincount(flights.row_code[has_pos], minlength=flights.count), index=flights.ids
    )
    out = pd.DataFrame(
        {
            s.FLIGHT_ID: per[s.FLIGHT_ID],
            s.CALLSIGN: per[s.CALLSIGN],
            "first": per["start"],
            "last": per["end"],
            "with_position": counted.reindex(per[s.FLIGHT_ID].astype(str)).to_numpy(),
            "reports": per["points"],
        }
    )
    return out.sort_values(["first", s.FLIGHT_ID], kind="stable", ignore_index=True)


def story_of(case: Case) -> list[dict[str, Any]]:
    """The case's events in time order for the step-through: id, time (ms since the epoch),
    a plain-text label, and ``placed``: whether the marks layer draws it (otherwise its popup
    is a card copied from the title panel's timeline, saying the sources give no place)."""
    return [
        {
            "id": ev.id,  # read by the script as text, never parsed as HTML
            "t": round(ev.time.timestamp() * 1000),
            "label": f"{ev.time:%H:%M:%S} UTC · {ev.title}",
            "placed": case.event_position(ev) is not None,
        }
        for ev in sorted(case.events, key=lambda e: e.time)
    ]


def _focus(
    case: Case | None, track: pd.DataFrame | None, flights: Flights | None = None
) -> list[tuple[float, float]]:
    """Where the story happens, ``(lat, lon)``: the case's airports, bases and crash site, and
    each flight's first and last position; their towns are named first on the map."""
    out: list[tuple[float, float]] = []
    if case is not None:
        out += [
            (w.lat, w.lon)
            for w in case.waypoints.values()
            if w.kind in ("airport", "air_base", "crash_site")
        ]
    if track is not None and not track.empty and flights is not None:
        lat = track[s.LAT].to_numpy(dtype="float64", na_value=np.nan)
        lon = track[s.LON].to_numpy(dtype="float64", na_value=np.nan)
        # Each flight's first and last row with a position (flight after flight, rows in
        # track order within a flight).
        rows = flights.order[~np.isnan(lat[flights.order]) & ~np.isnan(lon[flights.order])]
        code = flights.row_code[rows]
        ends = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(rows) else rows
        lasts = np.r_[ends[1:] - 1, len(rows) - 1] if len(rows) else rows
        for a, b in zip(rows[ends], rows[lasts], strict=True):
            out += [(float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b]))]
    return out


def _event_rows(track: pd.DataFrame, case: Case | None) -> np.ndarray:
    """Rows to keep as vertices: for each case event, the positioned row nearest in time."""
    keep = np.zeros(len(track), dtype=bool)
    if case is None:
        return keep
    pos = np.flatnonzero(track[s.LAT].notna().to_numpy())
    if len(pos) == 0:
        return keep
    t = s.epoch_ns(track[s.TIME])[pos]
    order = np.argsort(t, kind="stable")
    ts = t[order]
    for ev in case.events:
        ns = pd.Timestamp(ev.time).value
        if ns < ts[0] or ns > ts[-1]:
            continue
        i = int(np.clip(np.searchsorted(ts, ns), 1, len(ts) - 1))
        j = i if abs(ts[i] - ns) < abs(ns - ts[i - 1]) else i - 1
        keep[pos[order[j]]] = True
    return keep


def _lons(
    case: Case | None, track: pd.DataFrame | None, grid: Sequence[GridCell] | None
) -> np.ndarray:
    """Every longitude the page's data has (degrees): waypoints, grid cells' edges, track."""
    parts = [np.array([w.lon for w in case.waypoints.values()] if case is not None else [])]
    parts += [np.array(cell["geometry"].bounds)[[0, 2]] for cell in grid or ()]
    if track is not None:
        parts.append(track[s.LON].to_numpy(dtype="float64", na_value=np.nan))
    return np.concatenate(parts) if parts else np.array([])


def _bounds(
    case: Case | None, track: pd.DataFrame | None, grid: Sequence[GridCell] | None
) -> tuple[tuple[float, float], ...]:
    lats: list[float] = []
    lons: list[float] = []
    if case is not None:
        lats += [w.lat for w in case.waypoints.values()]
        lons += [w.lon for w in case.waypoints.values()]
    for cell in grid or ():
        west_, south_, east_, north_ = cell["geometry"].bounds
        lats += [south_, north_]
        lons += [west_, east_]
    if track is not None and track[s.LAT].notna().any():
        lats += [float(track[s.LAT].min()), float(track[s.LAT].max())]
        lons += [float(track[s.LON].min()), float(track[s.LON].max())]
    return (min(lats), min(lons)), (max(lats), max(lons))


def manifest_script(manifest: Mapping[str, Any]) -> str:
    """The manifest as a JSON ``<script>`` block that no input text can break out of."""
    return (
        '<script type="application/json" id="flightmap-manifest">\n'
        f"{safe_json(dict(manifest))}\n</script>"
    )


def _stable_ids(root: Element) -> None:
    """Give every element a sequential id, so the same map renders to the same bytes.

    folium names each element with 16 random bytes; the names end up in the page as JavaScript
    variable names. Renumbering in tree order (children, then elements held as attributes, such
    as a MiniMap's tile layer or a Figure's header) keeps them unique and reproducible.
    """
    counter = 0
    seen: set[int] = set()

    def walk(el: Element) -> None:
        nonlocal counter
        if id(el) in seen:
            return
        seen.add(id(el))
        children = list(el._children.values())
        held = [
            v
            for k, v in vars(el).items()
            if k != "_parent" and isinstance(v, Element) and v is not el and v not in children
        ]
        for child in [*children, *held]:
            if id(child) not in seen:
                child._id = f"{counter:04x}"
                counter += 1
        el._children = OrderedDict((c.get_name(), c) for c in children)
        for child in [*children, *held]:
            walk(child)

    walk(root)


def render_html(m: folium.Map) -> str:
    """The complete HTML page of ``m``, byte-identical for identical maps."""
    root = m.get_root()
    assert isinstance(root, Figure)
    _stable_ids(root)
    with verbatim_elements():
        return str(root.render())


def write_html(path: str | os.PathLike[str], page: str) -> Path:
    """Write ``page`` to ``path`` atomically (see :mod:`flightmap.atomic`).

    A failure at any point leaves a previous file at ``path`` untouched.
    """
    return write_text(path, page)
