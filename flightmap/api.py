"""The Python API: from a file to a map in a notebook, in the same steps the command line takes::

    import flightmap

    track = flightmap.read_track("flight.csv")
    result = flightmap.analyse(track, aircraft="e190")
    flightmap.build_map(flightmap.load_case("j2-8243"), [result])
    flightmap.explore("flight.csv")  # the same in one line

Every function here is also reachable as ``flightmap.<name>``; ``import flightmap`` imports
none of this (nor pandas or folium) until a name is used. The command ``flightmap render``
calls the same functions (:mod:`flightmap.pipeline`), so a notebook draws what the CLI writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from flightmap import schema as s
from flightmap.analysis import TrackAnalysis
from flightmap.geo import Case
from flightmap.readers import TrackRead as Track

if TYPE_CHECKING:
    import folium

    from flightmap.grid import GridCell

__all__ = ["Track", "analyse", "build_map", "explore", "load_case", "read_track"]

#: What :func:`analyse`, :func:`build_map` and :func:`explore` accept as a track.
TrackLike = Track | TrackAnalysis | pd.DataFrame | str | os.PathLike[str]


def read_track(source: str | os.PathLike[str], format: str | None = None, **options: Any) -> Track:
    """Read a flight-tracker file into the canonical track (:mod:`flightmap.schema`).

    Parameters
    ----------
    source : str or path-like
        The file: Flightradar24 CSV or KML, readsb / ADS-B Exchange trace JSON, OpenSky
        state-vector CSV or REST JSON, a generic CSV, gzip-compressed or not.
    format : str, optional
        One of :data:`flightmap.readers.FORMATS`; detected from the content when omitted.
    **options
        ``mapping`` (schema column -> input column, for a generic CSV), ``tz`` (zone of
        zone-less times), ``progress``, ``max_gap`` (see :func:`flightmap.readers.read_track`).

    Returns
    -------
    Track
        ``.track`` (the frame, UTC times, degrees, feet, knots), ``.flags`` (every problem
        found, with its line or record), ``.format`` (the format read), ``.path``.

    Raises
    ------
    flightmap.errors.InputError
        The file cannot be read; the message names the file, the line and the field.
    """
    from flightmap.readers import read_track as read

    return read(Path(source), format, **options)


def analyse(
    track: TrackLike, *, aircraft: str = "any", max_speed_kt: float | None = None
) -> TrackAnalysis:
    """Gaps and GNSS integrity of a track, each interval with the rules that fired.

    Parameters
    ----------
    track : Track, DataFrame (track schema), path, or TrackAnalysis
        A path is read with :func:`read_track`; an analysis is analysed again with these
        parameters.
    aircraft : str
        ``"any"`` or ``"e190"``: the category whose maximum speed bounds what is reachable.
    max_speed_kt : float, optional
        Maximum ground speed, knots, instead of the category's.

    Returns
    -------
    TrackAnalysis
        ``.track`` (each report with its state), ``.gaps``, ``.intervals``, ``.flights``.
    """
    from flightmap.analysis import analyse as run
    from flightmap.pipeline import integrity_params

    return run(_frame(track), integrity_params(aircraft, max_speed_kt))


def load_case(id_or_path: str | os.PathLike[str] = "j2-8243") -> Case:
    """Load and validate an incident case by id (``"j2-8243"``) or folder path.

    Raises
    ------
    flightmap.errors.InputError
        Unknown case, or a file in it is invalid (the message names the file, line, field).
    """
    from flightmap.geo import load_case as load

    return load(Path(id_or_path) if isinstance(id_or_path, os.PathLike) else id_or_path)


def build_map(
    case: Case | str | os.PathLike[str] | None = None,
    tracks: Iterable[TrackLike] = (),
    *,
    jamming_grid: str | os.PathLike[str] | Sequence[GridCell] | None = None,
    max_error_m: float = 25.0,
    tiles: str = "OpenStreetMap",
    aircraft: str = "any",
    max_speed_kt: float | None = None,
    local_tz: str | None = None,
) -> folium.Map:
    """The interactive map of a case and tracks, as ``flightmap render`` draws it.

    Parameters
    ----------
    case : Case, case id or folder, optional
        The incident: waypoints, legs, events, zones, claims with their sources.
    tracks : iterable of Track, TrackAnalysis, DataFrame or path
        Tracks to draw. One :class:`TrackAnalysis` is drawn as it is; anything else is
        gathered into one frame (a flight id already used by an earlier track gets the suffix
        ``@<n>``) and analysed with ``aircraft`` / ``max_speed_kt``.
    jamming_grid : path or sequence of GridCell, optional
        A ``flightmap jamming`` GeoJSON file (:func:`flightmap.grid.read_grid`).
    max_error_m : float
        Largest distance, metres, between a received position and the drawn line.
    tiles : str
        Online base layer shown first: ``"OpenStreetMap"`` or ``"Esri.WorldImagery"``.
    aircraft, max_speed_kt
        As in :func:`analyse`.
    local_tz : str, optional
        An IANA time zone (``"Asia/Baku"``) whose local time the slider shows beside UTC.

    Returns
    -------
    folium.Map
        Shown inline by Jupyter; ``flightmap.render.render_html(m)`` gives the page.
    """
    from flightmap.errors import InputError
    from flightmap.grid import read_grid
    from flightmap.pipeline import map_of, page_manifest, read_tracks

    if not max_error_m >= 0:
        raise InputError(f"{max_error_m} is not a distance >= 0 (metres)", field="max_error_m")
    if case is not None and not isinstance(case, Case):
        case = load_case(case)
    items = list(tracks)
    if case is not None and case.tracks and not any(isinstance(i, TrackAnalysis) for i in items):
        items = [*(ct.path for ct in case.tracks), *items]  # the case's own track files
    paths = [i for i in items if isinstance(i, str | os.PathLike)]
    grid_paths = [jamming_grid] if isinstance(jamming_grid, str | os.PathLike) else []
    analysis: TrackAnalysis | None = None
    if len(items) == 1 and isinstance(items[0], TrackAnalysis):
        analysis = items[0]
    elif items:
        # Files are read as the command line reads them (ids made unique by file name).
        frame = read_tracks(paths) if len(paths) == len(items) else _gathered(items)
        analysis = analyse(frame, aircraft=aircraft, max_speed_kt=max_speed_kt)
    grid: list[GridCell] | None = None
    if isinstance(jamming_grid, str | os.PathLike):
        grid = read_grid(jamming_grid)
    elif jamming_grid is not None:
        grid = list(jamming_grid)
    if case is None and analysis is None and not grid:
        raise ValueError("nothing to draw: give a case, a track, a jamming grid, or several")
    manifest = None
    if len(paths) == len(items) and (jamming_grid is None or grid_paths):
        # Every input is a file: the page records their SHA-256, as the command line's does.
        manifest = page_manifest(
            case,
            paths,
            grid_paths,
            tiles=tiles,
            max_error_m=max_error_m,
            aircraft=aircraft,
            max_speed_kt=max_speed_kt,
            local_tz=local_tz,
        )
    return map_of(
        case,
        analysis,
        grid=grid,
        tiles=tiles,
        max_error_m=max_error_m,
        manifest=manifest,
        local_tz=local_tz,
    )


def explore(obj: TrackLike | Case, **options: Any) -> folium.Map:
    """A map of anything flightmap reads, in one call (like movingpandas' ``explore()``).

    Parameters
    ----------
    obj : path, Track, DataFrame (track schema), TrackAnalysis, Case, or a case id
        A string that is not an existing file is taken as a case id (``"j2-8243"``).
    **options
        Passed to :func:`build_map` (``max_error_m``, ``tiles``, ``aircraft``, ...).

    Returns
    -------
    folium.Map
        Displayed inline when it is the last value of a notebook cell.
    """
    if isinstance(obj, Case):
        return build_map(obj, **options)
    if isinstance(obj, str) and not Path(obj).exists():
        return build_map(obj, **options)
    return build_map(None, [obj], **options)


def _frame(track: TrackLike) -> pd.DataFrame:
    """The canonical frame of any track-like value (only the schema's columns)."""
    if isinstance(track, str | os.PathLike):
        track = read_track(track)
    if isinstance(track, Track | TrackAnalysis):
        frame = track.track
    elif isinstance(track, pd.DataFrame):
        frame = track
    else:
        raise TypeError(
            "expected a Track, TrackAnalysis, DataFrame or path, got " + type(track).__name__
        )
    return frame[[c for c in frame.columns if c in s.DTYPES]]


def _gathered(items: Sequence[TrackLike]) -> pd.DataFrame:
    """One frame of several tracks; flight ids of a later track that an earlier one already
    used get the suffix ``@<n>`` (n = the track's position, from 1), so flights never merge."""
    from flightmap.pipeline import gather

    return gather([(str(n), _frame(item)) for n, item in enumerate(items, 1)])
