"""From files to a map page: read track files, analyse them, build the map, render the page.

The command line and the Python API (:mod:`flightmap.api`) both call these, so a command stays
a few lines (parse, call, write, report) and a notebook draws exactly what the CLI writes.
Nothing here builds HTML: :mod:`flightmap.render` does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.geo import Case
from flightmap.grid import read_grid

if TYPE_CHECKING:
    import folium

    from flightmap.analysis import IntegrityParams, TrackAnalysis
    from flightmap.grid import GridCell
    from flightmap.readers import TrackRead

__all__ = [
    "MapPage",
    "gather",
    "integrity_params",
    "map_of",
    "page_manifest",
    "read_tracks",
    "render_page",
]


def read_tracks(
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
    on_read: Callable[[TrackRead], object] | None = None,
) -> pd.DataFrame:
    """Read one or more track files into one canonical frame.

    Flight ids stay as the readers made them; when two files yield the same id, the ids of the
    later file get the suffix ``@<file name>`` so flights never merge across files.
    ``on_read``, if given, is called with each file's :class:`~flightmap.readers.TrackRead`
    (its flags say which lines or records were bad), as soon as the file is read.
    """
    if not paths:
        # A case-only render: no reader to import (about 0.05 s of start-up).
        return pd.DataFrame(columns=list(s.DTYPES))
    from flightmap.readers import read_track

    named = []
    for path in paths:
        result = read_track(Path(path), format, mapping=mapping, tz=tz, progress=progress)
        if on_read is not None:
            on_read(result)
        named.append((Path(path).name, result.track))
    return gather(named)


def gather(tracks: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One frame of several named tracks (file names, say), in order.

    Flight ids stay as they are, except that when a track holds an id that an earlier track
    already used, all of its ids get the suffix ``@<name>``: flights never merge across tracks.
    """
    frames: list[pd.DataFrame] = []
    seen: set[str] = set()
    for name, track in tracks:
        ids = set(track[s.FLIGHT_ID].dropna().unique())
        if ids & seen:
            track = track.assign(**{s.FLIGHT_ID: track[s.FLIGHT_ID] + f"@{name}"})
            ids = set(track[s.FLIGHT_ID].dropna().unique())
        seen |= ids
        frames.append(track)
    if not frames:
        return pd.DataFrame(columns=list(s.DTYPES))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def page_manifest(
    case: Case | None,
    track_paths: Sequence[str | os.PathLike[str]] = (),
    grid_paths: Sequence[str | os.PathLike[str]] = (),
    *,
    tiles: str = "OpenStreetMap",
    max_error_m: float = 25.0,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    aircraft: str = "any",
    max_speed_kt: float | None = None,
    local_tz: str | None = None,
) -> dict[str, Any]:
    """The manifest embedded in a map page: the SHA-256 of every input file and every option
    that shaped the map (:func:`flightmap.manifest.build_manifest`), so the same inputs and
    options always give the same bytes, from the command line or from Python."""
    from flightmap.manifest import build_manifest

    return build_manifest(
        case=case,
        tracks=[Path(p) for p in track_paths],
        grids=[Path(p) for p in grid_paths],
        parameters={
            "tiles": tiles,
            "max_error_m": max_error_m,
            "track_format": format,
            "mapping": mapping,
            "tz": tz,
            "aircraft": aircraft,
            "max_speed_kt": integrity_params(aircraft, max_speed_kt).max_speed_kt,
            **({"local_time": local_tz} if local_tz is not None else {}),
        },
    )


@dataclass(frozen=True)
class MapPage:
    """A rendered map: the HTML page and the manifest embedded in it."""

    html: str
    manifest: dict[str, Any] = field(default_factory=dict)


def integrity_params(aircraft: str = "any", max_speed_kt: float | None = None) -> IntegrityParams:
    """:meth:`flightmap.analysis.IntegrityParams.for_aircraft`, with a bad value reported as an
    :class:`InputError` naming the option (``--aircraft``, ``--max-speed-kt``)."""
    from flightmap.analysis import IntegrityParams

    if max_speed_kt is not None and not max_speed_kt > 0:
        raise InputError(f"{max_speed_kt} is not a speed > 0 (kt)", field="--max-speed-kt")
    try:
        return IntegrityParams.for_aircraft(aircraft, max_speed_kt)
    except ValueError as exc:
        raise InputError(str(exc), field="--aircraft") from None


def render_page(
    case: Case | None,
    track_paths: Sequence[str | Path] = (),
    *,
    tiles: str = "OpenStreetMap",
    max_error_m: float = 25.0,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
    grid_path: str | Path | None = None,
    on_read: Callable[[TrackRead], object] | None = None,
    aircraft: str = "any",
    max_speed_kt: float | None = None,
    local_tz: str | None = None,
    plugins_alone: bool = False,
) -> MapPage:
    """Read the tracks, analyse them, build the map of the case and tracks, and render it.

    Tracks are analysed with :func:`flightmap.analysis.analyse` (gaps and GNSS integrity) with
    the parameters of ``aircraft`` (``any``, ``e190``) and ``max_speed_kt`` (the category's
    speed when None; see :meth:`flightmap.analysis.IntegrityParams.for_aircraft`): the map gets
    a layer coloured by integrity state, the gap regions at that speed and shaded intervals on
    the profile. A case with tracks gets its events placed on them at that speed
    (:func:`flightmap.analysis.place_events`: the "Events on the track" layer). A case with a
    ``[regions]`` table gets its where-could-it-have-been regions. The manifest records the
    SHA-256 of every input and every parameter given here, so the same inputs and options
    always give the same bytes. A case's own track files (``case.tracks``) are drawn too.
    ``plugins_alone`` loads only the folium plugins the map uses
    (:func:`flightmap.render.load_plugins_alone`: for a process that renders one page and
    exits, such as the command line); the renderer is imported after the tracks are read, so
    a caller may import it in another thread meanwhile.
    """
    if not max_error_m >= 0:
        raise InputError(f"{max_error_m} is not a distance >= 0 (metres)", field="--max-error-m")
    params = integrity_params(aircraft, max_speed_kt)
    # A case's own track files (case.toml [[tracks]], checked against their SHA-256) come
    # first, read as found; the files given come next, with the options given.
    own = [ct.path for ct in case.tracks] if case is not None else []
    # The inputs' SHA-256 are computed in another thread while the tracks are read (hashlib
    # releases the GIL): the manifest then costs no wall time.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flightmap-manifest")
    manifest_soon = hashing.submit(
        page_manifest,
        case,
        [*own, *track_paths],
        [grid_path] if grid_path is not None else [],
        tiles=tiles,
        max_error_m=max_error_m,
        format=format,
        mapping=mapping,
        tz=tz,
        aircraft=aircraft,
        max_speed_kt=max_speed_kt,
        local_tz=local_tz,
    )
    hashing.shutdown(wait=False)
    track = read_tracks(
        track_paths, format=format, mapping=mapping, tz=tz, progress=progress, on_read=on_read
    )
    if own:
        mine = read_tracks(own, progress=progress, on_read=on_read)
        track = gather([("case", mine), ("track", track)]) if len(track) else mine
    grid = read_grid(grid_path) if grid_path is not None else None
    manifest = manifest_soon.result()
    from flightmap import render

    if plugins_alone:
        render.load_plugins_alone()
    analysis = None
    if len(track):
        from flightmap.analysis import analyse

        analysis = analyse(track, params)
    m = map_of(
        case,
        analysis,
        grid=grid,
        tiles=tiles,
        max_error_m=max_error_m,
        manifest=manifest,
        local_tz=local_tz,
    )
    return MapPage(html=render.render_html(m), manifest=manifest)


def map_of(
    case: Case | None,
    analysis: TrackAnalysis | None,
    *,
    grid: Sequence[GridCell] | None = None,
    tiles: str = "OpenStreetMap",
    max_error_m: float = 25.0,
    manifest: Mapping[str, Any] | None = None,
    local_tz: str | None = None,
) -> folium.Map:
    """The map of a case and analysed tracks, with everything derived from them on the way.

    The case's where-could-it-have-been regions (from the on-disk cache when the same case and
    code made them before: :func:`flightmap.analysis.cached_regions.case_regions_cached`), the
    regions of the track's gaps at the analysis' maximum speed, and the case's events placed
    on the track (:func:`flightmap.analysis.place_events`), drawn by
    :func:`flightmap.render.build_map`.
    """
    from flightmap import render

    case_regions = None
    if case is not None and case.regions:
        from flightmap.analysis.cached_regions import case_regions_cached

        case_regions = case_regions_cached(case)
    gap_regions = placements = None
    if analysis is not None and len(analysis.track):
        from flightmap.analysis import case_events, place_events
        from flightmap.analysis import gap_regions as regions_of

        gap_regions = regions_of(analysis)
        if case is not None:
            placements = place_events(
                analysis, case_events(case), max_speed_kt=analysis.params.max_speed_kt
            )
    return render.build_map(
        case,
        analysis if analysis is not None and len(analysis.track) else None,
        tiles=tiles,
        max_error_m=max_error_m,
        case_regions=case_regions,
        gap_regions=gap_regions,
        grid=grid,
        placements=placements,
        manifest=manifest,
        local_tz=check_zone(local_tz),
    )


def check_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone (``Asia/Baku``); an :class:`InputError` otherwise."""
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {name!r} (expected an IANA name such as Asia/Baku)",
            field="--local-time",
        ) from None
    return name
