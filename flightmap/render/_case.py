"""The case layers: waypoints, route legs, events, zones, the offline basemap, the replay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import folium
from folium.utilities import JsCode

from flightmap.geo import Case
from flightmap.geodesy import bearing_deg
from flightmap.render import _plugins as plugins
from flightmap.render._html import (
    esc,
    evidence_html,
    fmt_time,
    leg_popup,
    popup,
)
from flightmap.render._profile import GS_Y, UTC_WHEN, UTC_X
from flightmap.render._script import script_json
from flightmap.style import (
    CATEGORY_COLOR,
    DEFAULT_COLOR,
    EVIDENCE_STYLE,
    GRID_COLORS,
    LEG_COLOR,
    ZONE_STYLE,
)

# --------------------------------------------------------------------------- layers


def legs_layer(case: Case) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Route legs (line style = evidence)", show=True)
    for leg in case.legs:
        a, b = case.waypoints[leg.start].latlon, case.waypoints[leg.end].latlon
        km = case.leg_length_m(leg) / 1000.0
        brg = bearing_deg(a, b)
        style = EVIDENCE_STYLE[leg.evidence]
        folium.PolyLine(
            locations=[[p.lat, p.lon] for p in case.leg_points(leg)],
            color=LEG_COLOR,
            weight=3,
            opacity=style["opacity"],
            dash_array=style["dash_array"],
            popup=popup(leg_popup(case, leg, km, brg)),
            tooltip=folium.Tooltip(
                esc(f"{km:.0f} km · {brg:03.0f}°"),
                permanent=True,
                direction="center",
                class_name="fm-leg-label",
                pane=LABELS_PANE,
            ),
            class_name=f"fm-leg fm-ev-{leg.evidence}",
        ).add_to(layer)
    return layer


def zones_layer(case: Case) -> folium.FeatureGroup:
    """The case's zones as areas in the pane beneath everything. They take no click (a zone
    around an airport would lie under its events): each zone's popup, with its sources, opens
    from its entry in the legend (render/_panels.py)."""
    layer = folium.FeatureGroup(name="Reported zones (GNSS jamming, airspace closures)", show=True)
    for z in case.zones:
        style = dict(ZONE_STYLE.get(z.kind, {"color": DEFAULT_COLOR, "fillOpacity": 0.1}))
        style.update(
            weight=2,
            dashArray=EVIDENCE_STYLE[z.evidence]["dash_array"],
            className=f"fm-zone fm-zone-{z.id}",
        )
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": rounded_geojson(z.geometry)},
            name=z.name,
            style_function=constant_style(style),
            highlight_function=None,
            pane=AREAS_PANE,
            interactive=False,
        ).add_to(layer)
    return layer


#: The pane of zones, regions and grid cells: above the tiles and the basemap, below every line
#: and mark, so an area never covers something a reader wants to click.
AREAS_PANE = "fm-areas"
#: The pane of the moving aircraft: above the lines, below the marks; it takes no click.
AIRCRAFT_PANE = "fm-aircraft"
#: The pane of the legs' distance labels: above the lines, below the marks, so a label never
#: hides an event.
LABELS_PANE = "fm-leglabels"


def constant_style(style: Mapping[str, Any]) -> Any:
    return lambda _feature: dict(style)


def _ms(when: datetime) -> int:
    """Milliseconds since the Unix epoch, the time unit of Leaflet.timeline."""
    return round(when.timestamp() * 1000)


#: The style of a track's aircraft on the slider (render/_slider.py): one for all its positions,
#: so the page states it once and each position says only ``"replay": "track"``.
TRACK_AIRCRAFT = {
    "radius": 7,
    "color": "#000000",
    "fill": "#ffd400",
    "className": "fm-replay-aircraft fm-replay-track",
    "pane": AIRCRAFT_PANE,
}

# JavaScript for the replay layer. Feature properties hold pre-escaped HTML (see esc()).
# Nothing on the replay takes a click: the marks beneath it answer (render/_marks.py).
# Leaflet's GeoJSON layer styles every layer it makes with the style function too (points
# included), so both functions read a track position's properties the same way.
_REPLAY_PROPERTIES = (
    """var p = feature.properties;
    if (p.replay === "track") { p = """
    + script_json(TRACK_AIRCRAFT)
    + """; }"""
)
_REPLAY_POINT = JsCode(
    """function (feature, latlng) {
    """
    + _REPLAY_PROPERTIES
    + """
    return L.circleMarker(latlng, {radius: p.radius, color: p.color, weight: 2,
        fillColor: p.fill, fillOpacity: 0.9, className: p.className, interactive: false,
        pane: p.pane});
}"""
)
_REPLAY_STYLE = JsCode(
    """function (feature) {
    """
    + _REPLAY_PROPERTIES
    + """
    return {color: p.color, fillColor: p.fill, fillOpacity: 0.12, weight: 1, opacity: 0.6,
        dashArray: p.dashArray, className: p.className, interactive: false};
}"""
)


def _utc_label(local_tz: str | None) -> JsCode:
    """The slider's time read-out: ``2024-12-25 05:13:32 UTC``, and the time in ``local_tz``
    (an IANA zone, formatted by the browser) when given."""
    local = ""
    if local_tz is not None:
        zone = script_json(local_tz)
        local = (
            f" + ' · ' + new Intl.DateTimeFormat('en-GB', {{timeZone: {zone}, hour: '2-digit',"
            " minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short'})"
            f".format(new Date(ms)) + ' (' + {zone} + ')'"
        )
    # On a narrow screen the date is left out: the title panel says it.
    return JsCode(
        "function (ms) {\n"
        "    var iso = new Date(ms).toISOString().replace('T', ' ').slice(0, 19);\n"
        "    return (window.innerWidth < 640 ? iso.slice(11) : iso) + ' UTC'"
        f"{local};\n}}"
    )


def replay_features(case: Case, *, aircraft: bool = True) -> list[dict[str, Any]]:
    """GeoJSON features with ``start``/``end`` in ms for the time slider.

    Zones are tinted while a source shows them in effect (:meth:`flightmap.geo.Zone.status_at`);
    a zone without a stated end is outlined as "status unknown" after the last time a source
    attests it. With ``aircraft`` (a case drawn without a track), a ring marks the last place
    an event puts the aircraft, from that event to the next placed one. Intervals are
    half-open (``endExclusive``), so exactly one ring shows at any time.
    """
    if not case.events:
        return []
    end = _ms(case.events[-1].time) + 60_000
    feats: list[dict[str, Any]] = []
    for z in case.zones:
        style = ZONE_STYLE.get(z.kind, {"color": DEFAULT_COLOR, "fillColor": DEFAULT_COLOR})
        # In effect from its start to its stated end; without one, only as long as a source
        # attests it, then drawn as "status unknown" (an outline, no tint) to the end.
        known_until = z.valid_to or z.last_attested or z.valid_from
        spans: list[tuple[datetime, datetime | None, str]] = [
            (z.valid_from, known_until, f"fm-replay-zone fm-replay-zone-{esc(z.id)}")
        ]
        if z.valid_to is None:
            spans.append((known_until, None, f"fm-replay-unknown fm-replay-unknown-{esc(z.id)}"))
        for start, stop, cls in spans:
            stop_ms = _ms(stop) if stop is not None else end
            unknown = stop is None
            # In effect up to and including the last attested instant (05:21:42 for a plan
            # announced then); unknown strictly after it.
            if stop_ms < _ms(start) or (unknown and stop_ms <= _ms(start)):
                continue
            feats.append(
                {
                    "type": "Feature",
                    "geometry": rounded_geojson(z.geometry),
                    "properties": {
                        "start": _ms(start),
                        "end": stop_ms,
                        "startExclusive": unknown,
                        "endExclusive": False,
                        "color": style["color"],
                        "fill": "none" if unknown else style["fillColor"],
                        "dashArray": "1 6" if unknown else EVIDENCE_STYLE[z.evidence]["dash_array"],
                        "className": cls,
                    },
                }
            )
    placed = [ev for ev in case.events if ev.waypoint] if aircraft else []
    for ev, nxt in zip(placed, [*placed[1:], None][: len(placed)], strict=True):
        pos = case.event_position(ev)
        assert pos is not None
        until = _ms(nxt.time) if nxt else end
        if until <= _ms(ev.time):
            continue  # the next placed event happens at the same instant: it takes over
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [pos.lon, pos.lat]},
                "properties": {
                    "start": _ms(ev.time),
                    "end": until,
                    "endExclusive": True,
                    "radius": 11,
                    "color": "#000000",
                    "fill": "#ffd400",
                    "pane": AIRCRAFT_PANE,
                    "className": "fm-replay-aircraft",
                },
            }
        )
    return feats


def replay(
    m: folium.Map,
    feats: list[dict[str, Any]],
    *,
    local_tz: str | None = None,
    span_ms: tuple[int, int] | None = None,
) -> plugins.TimelineSlider | None:
    """Add the replay layer (Leaflet.timeline) and its UTC time slider for ``feats``.

    Each feature has ``start``/``end`` in ms and the style properties the JavaScript above
    reads (``color``, ``fill``, ``radius``, ``className``, ``pane``); ``span_ms`` widens the
    slider to cover it (ms since the epoch). The arrow keys are left to the step-through
    (render/_page.py), which moves the slider from event to event.
    """
    if not feats:
        return None
    timeline = plugins.Timeline(
        {"type": "FeatureCollection", "features": feats},
        point_to_layer=_REPLAY_POINT,
        style=_REPLAY_STYLE,
    )
    timeline.options["pane"] = AREAS_PANE  # zone tints; points name their own pane
    # Timeline passes only the data to GeoJson, so set the layer-control attributes here.
    timeline.layer_name = "Replay: aircraft and zones at the slider's time"
    timeline.show = True
    timeline.add_to(m)
    start = min(f["properties"]["start"] for f in feats)
    end = max(f["properties"]["end"] for f in feats)
    if span_ms is not None:  # the slider reaches every event, placed on the map or not
        start, end = min(start, span_ms[0]), max(end, span_ms[1])
    slider = plugins.TimelineSlider(
        start=start,
        end=end,
        auto_play=False,
        show_ticks=True,
        enable_keyboard_controls=False,
        playback_duration=30_000,
        steps=max((end - start) // 10_000, 1),  # one step per 10 s of flight time
    )
    slider.options["format_output"] = _utc_label(local_tz)  # type: ignore[assignment]  # folium types it narrowly
    slider.add_timelines(timeline).add_to(m)
    return slider


def rounded_geojson(geom: Any, digits: int = 5) -> Any:
    """GeoJSON geometry of ``geom`` with coordinates rounded to ``digits`` decimals of a degree
    (5: about 1 m, far below any region's uncertainty), to keep the page small."""
    import numpy as np
    import shapely

    return shapely.transform(geom, lambda xy: np.round(xy, digits)).__geo_interface__


def _grid_popup(cell: Mapping[str, Any]) -> str:
    return (
        f"<div class='fm-popup'><h4>GNSS interference: {esc(cell['level'])}</h4>"
        f"<p>{cell['bad_aircraft']} of {cell['aircraft']} aircraft with degraded, lost or "
        f"spoofed positions ({cell['share_bad']:.0%}) from {cell['window_start']:%Y-%m-%d %H:%M} "
        f"to {cell['window_end']:%H:%M} UTC.</p><p><b>Evidence:</b> inferred from the tracks "
        "(flightmap jamming): a cell where many aircraft lose integrity points to a local "
        "jammer; a single aircraft, to its own equipment.</p></div>"
    )


def grid_layer(grid: Sequence[Mapping[str, Any]]) -> folium.FeatureGroup:
    """Cells of a ``flightmap jamming`` grid, each at its worst window, coloured by level."""
    layer = folium.FeatureGroup(name="GNSS interference grid (from tracks)", show=True)
    worst: dict[str, Mapping[str, Any]] = {}
    for cell in grid:
        key = cell["geometry"].wkb_hex
        if key not in worst or cell["share_bad"] > worst[key]["share_bad"]:
            worst[key] = cell
    for cell in worst.values():
        color = GRID_COLORS[cell["level"]]
        gj = folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": cell["geometry"].__geo_interface__},
            style_function=constant_style(
                {
                    "color": color,
                    "weight": 1,
                    "fillColor": color,
                    "fillOpacity": 0.35,
                    "className": f"fm-grid fm-grid-{cell['level']}",
                }
            ),
            pane=AREAS_PANE,
        )
        popup(_grid_popup(cell)).add_to(gj)
        gj.add_to(layer)
    return layer


def grid_features(grid: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Grid cells for the time slider, each shown during its window."""
    return [
        {
            "type": "Feature",
            "geometry": cell["geometry"].__geo_interface__,
            "properties": {
                "start": _ms(cell["window_start"]),
                "end": _ms(cell["window_end"]),
                "color": GRID_COLORS[cell["level"]],
                "fill": GRID_COLORS[cell["level"]],
                "endExclusive": True,
                "dashArray": None,
                "className": "fm-replay-grid",
            },
        }
        for cell in grid
    ]


_PLACEMENT_TEXT = {
    "interpolated": "interpolated along the geodesic between the received positions either "
    "side; the circle holds every point the aircraft could have reached from both at its "
    "reported speeds",
    "gap": "inside a gap in the positions: the region where the aircraft could have been at "
    "that instant (the intersection of what it could reach from the fix before and still "
    "reach the fix after, at the maximum speed)",
    "before_track": "before the first received position: everything within reach of it",
    "after_track": "after the last received position: everything within reach of it",
}


def placements_layer(case: Case, placements: Any) -> folium.FeatureGroup:
    """Case events placed on a track (:func:`flightmap.analysis.place_events`).

    An interpolated event is a marker with its uncertainty circle; an event inside a gap or
    beyond the track's ends is its reachable region, with a ring at its centre. Every such
    position is derived here (even between two observed fixes), so every ring is dotted and
    every popup says inferred. Events with no track in reach are left out (they stay in the
    timeline).
    """
    layer = folium.FeatureGroup(name="Events on the track", show=True)
    for row in placements.itertuples(index=False):
        if row.method not in _PLACEMENT_TEXT or row.geometry is None:
            continue
        ev = case.event(row.id)
        color = CATEGORY_COLOR.get(ev.category, DEFAULT_COLOR)
        dash = EVIDENCE_STYLE["inferred"]["dash_array"]
        fixes = " and ".join(
            f"{label} {t:%H:%M:%S} UTC"
            for label, t in (("fix before", row.fix_before), ("fix after", row.fix_after))
            if t is not None and t == t
        )
        html = (
            f"<div class='fm-popup'><h4>{esc(ev.title)} (on the track)</h4>"
            f"<table class='fm-times'>{fmt_time(ev.time, case.timezones, ev.uncertainty_s)}"
            "</table>"
            f"<p><b>Placed:</b> {esc(_PLACEMENT_TEXT[row.method])}.</p>"
            f"<p>Within {row.radius_m / 1000.0:,.1f} km of the point shown"
            f" ({row.area_km2:,.1f} km²){'; ' + esc(fixes) if fixes else ''}.</p>"
            + evidence_html("inferred", ev.confidence)
            + "</div>"
        )
        if row.method == "interpolated":
            folium.Circle(
                location=[row.lat, row.lon],
                radius=max(float(row.radius_m), 1.0),
                color=color,
                weight=1,
                fill=True,
                fill_opacity=0.08,
                interactive=False,
                class_name="fm-placed-radius",
            ).add_to(layer)
        else:
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": rounded_geojson(row.geometry)},
                style_function=constant_style(
                    {
                        "color": color,
                        "weight": 1.5,
                        "dashArray": dash,
                        "fillColor": color,
                        "fillOpacity": 0.05,
                        "className": "fm-placed-region",
                    }
                ),
                interactive=False,
                pane=AREAS_PANE,
            ).add_to(layer)
        folium.CircleMarker(
            location=[row.lat, row.lon],
            radius=5,
            color=color,
            weight=2,
            dash_array=dash,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.9,
            popup=popup(html),
            tooltip=folium.Tooltip(esc(f"{ev.time:%H:%M:%S} UTC · {ev.title} (on the track)")),
            class_name=f"fm-placed fm-placed-{row.id}",
        ).add_to(layer)
    return layer


def case_profile_spec(case: Case) -> dict[str, Any] | None:
    """A Vega-Lite chart of what the case's sources say of altitude and ground speed, for a map
    without a track: one point per stated value (not a line: there is no measured track between
    them), and a rule at the time of each event drawn on the map. None if no event states one.
    """
    stated = [ev for ev in case.events if ev.alt_ft is not None or ev.gs_kt is not None]
    if not stated:
        return None
    x, when = dict(UTC_X), dict(UTC_WHEN)

    def who(ev: Any) -> str:
        return "; ".join(case.sources[i].publisher for i in ev.sources)

    rows = [
        {
            "t": ev.time.isoformat(),
            "alt": ev.alt_ft,
            "gs": ev.gs_kt,
            "what": ev.title,
            "who": who(ev),
            "conf": ev.confidence,
        }
        for ev in stated
    ]
    tip = [{"field": "what", "title": "event"}, when, {"field": "who", "title": "source"}]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
        "height": 130,
        "datasets": {"stated": rows},
        "layer": [
            {
                "data": {
                    "values": [
                        {"t": ev.time.isoformat(), "title": ev.title}
                        for ev in case.events
                        if ev.waypoint
                    ]
                },
                "mark": {"type": "rule", "color": "#c0151b", "strokeWidth": 1, "opacity": 0.5},
                "encoding": {"x": x, "tooltip": [{"field": "title", "title": "event"}, when]},
            },
            {
                "data": {"name": "stated"},
                "transform": [{"filter": "datum.alt != null"}],
                "mark": {"type": "point", "filled": True, "size": 60, "color": "#1f4e9c"},
                "encoding": {
                    "x": x,
                    "y": {"field": "alt", "type": "quantitative", "title": "altitude (ft)"},
                    "tooltip": [*tip, {"field": "alt", "title": "altitude (ft)"}],
                },
            },
            {
                "data": {"name": "stated"},
                "transform": [{"filter": "datum.gs != null"}],
                "mark": {"type": "point", "shape": "diamond", "size": 60, "color": "#d95f02"},
                "encoding": {
                    "x": x,
                    "y": dict(GS_Y),
                    "tooltip": [*tip, {"field": "gs", "title": "ground speed (kt)"}],
                },
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}},
    }
