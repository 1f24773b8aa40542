"""Area context: the share of aircraft with degraded or lost GNSS per grid cell and time window.

One aircraft with bad NIC may have faulty equipment; many aircraft in the same place and hour
point to interference (FR24's caveat). Like gpsjam.org, this module counts aircraft, not
reports, per cell: an aircraft (a flight) is *bad* in a cell and window when at least
``bad_share`` of its reports there are not ``nominal``, and is then counted under its most
frequent bad state. The grid is H3 (resolution 4 by default, as gpsjam.org) when the ``h3``
package is installed, else (or with ``grid="latlon"``) an equal-area latitude/longitude grid:
bands of ``cell_deg`` degrees of latitude, each cut into cells of the same width in kilometres
(``cell_deg`` degrees at the equator, wider in degrees towards the poles).

Reports without a trustworthy position (position lost, spoofed) are placed where the aircraft
most likely was: inside a gap bounded by fixes on both sides at most :data:`MAX_INTERP_S` apart,
on the geodesic between those fixes at the report's time (counted apart as ``interpolated``);
otherwise (no fix after, or a longer gap) at the last fix, for at most ``max_carry_s``. Placing
them all at the last fix made a round jammer show as a ring of high cells at its radius with
its inside empty. To stay fast on millions of rows, each flight is thinned to one representative
position per ``sample_s`` seconds (10 s: under 3 km at airliner speeds, a tenth of an H3
resolution-4 cell edge) before cells are looked up; the state counts keep every report.

The work is in two stages so that engines (:mod:`flightmap.jamming`) can run the first one on
batches of whole aircraft and the second once: :func:`aircraft_cells` (per flight, cell and
window: report counts by state) and :func:`grid_from_aircraft_cells` (per cell and window).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis._prep import I8, NS, Prepared, bfill_within, ffill_within, geod, prepare
from flightmap.analysis.integrity import FIX, STATE, STATES, TrackAnalysis
from flightmap.errors import InputError

__all__ = [
    "AIRCRAFT_CELL_COLUMNS",
    "GRID_COLUMNS",
    "LEVELS",
    "MAX_INTERP_S",
    "WINDOW_CELL_COLUMNS",
    "aircraft_cells",
    "cell_names",
    "grid_from_aircraft_cells",
    "grid_from_window_cells",
    "h3_available",
    "jamming_geojson",
    "jamming_grid",
    "window_cell_counts",
]

GRID_COLUMNS: Final = (
    "cell",
    "window_start",
    "window_end",
    "aircraft",
    "bad_aircraft",
    *s.INTEGRITY_STATES[1:],
    "share_bad",
    "level",
    "reports",
    "interpolated",
    "geometry",
)
"""Columns of :func:`jamming_grid`: the cell id, the UTC window, counts of aircraft (all, bad,
and bad by state), ``share_bad`` = bad / all, the ``level`` (:data:`LEVELS`), the number of
reports, of which ``interpolated`` were placed by interpolation inside a gap, and the cell
polygon (shapely, ``(lon, lat)``)."""

AIRCRAFT_CELL_COLUMNS: Final = (
    "window",
    "cell",
    s.FLIGHT_ID,
    *s.INTEGRITY_STATES,
    "interpolated",
)
"""Columns of :func:`aircraft_cells`: the window number (start // window length, ns since the
epoch), the cell id, the flight, its reports there by state and how many were interpolated."""

WINDOW_CELL_COLUMNS: Final = (
    "window",
    "cell",
    "aircraft",
    "bad_aircraft",
    *s.INTEGRITY_STATES[1:],
    "reports",
    "interpolated",
)
"""Columns of :func:`window_cell_counts`: the window number, the cell id (an integer,
:func:`cell_names`), the flights there, the bad ones by state, their reports and how many were
interpolated; the results of batches of whole flights add up."""

MAX_INTERP_S: Final = 1800.0
"""Longest gap between two fixes (s) across which positionless reports are placed on the
geodesic between them. The jammed areas mapped by gpsjam.org (Kaliningrad, the eastern
Mediterranean, the Baltic) are a few hundred km across: an airliner at 450 kt crosses 400 km in
about 29 min. Over longer silences the aircraft may have turned, so a straight line says less;
such reports are carried from the last fix for at most ``max_carry_s`` instead."""

LEVELS: Final = ((0.02, "low"), (0.10, "medium"), (math.inf, "high"))
"""Share of bad aircraft below 2 %: ``low``; 2-10 %: ``medium``; above: ``high`` (gpsjam.org's
green / yellow / red, as described by thejetfinder.com). Cells with fewer than ``min_aircraft``
aircraft are ``few``."""


def h3_available() -> bool:
    """Whether the optional ``h3`` package can be imported."""
    try:
        import h3  # noqa: F401
    except ImportError:
        return False
    return True


def _latlon_cells(lat: Any, lon: Any, cell_deg: float) -> tuple[Any, Any]:
    """Band and column of each point in the equal-area lat/lon grid (vectorised)."""
    n_bands = math.ceil(180.0 / cell_deg)
    band = np.clip(np.floor((lat + 90.0) / cell_deg), 0, n_bands - 1).astype("int64")
    mid = -90.0 + (band + 0.5) * cell_deg
    cols = np.maximum(np.round(360.0 * np.cos(np.radians(mid)) / cell_deg), 1).astype("int64")
    col = np.floor((lon + 180.0) % 360.0 / 360.0 * cols).astype("int64")
    return band, np.minimum(col, cols - 1)


def _latlon_polygon(band: int, col: int, cell_deg: float) -> Any:
    from shapely.geometry import box

    lat0 = -90.0 + band * cell_deg
    mid = lat0 + cell_deg / 2
    cols = max(round(360.0 * math.cos(math.radians(mid)) / cell_deg), 1)
    width = 360.0 / cols
    return box(-180.0 + col * width, lat0, -180.0 + (col + 1) * width, min(lat0 + cell_deg, 90.0))


def _h3_polygon(cell: str) -> Any:
    import h3
    from shapely.geometry import Polygon

    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _check_grid(grid: str | None) -> str:
    grid = grid or ("h3" if h3_available() else "latlon")
    if grid not in ("h3", "latlon"):
        raise InputError(f"unknown grid {grid!r}; expected h3 or latlon", field="grid")
    if grid == "h3" and not h3_available():
        raise InputError("the h3 package is not installed; use the latlon grid", field="grid")
    return grid


def _window_ns(window: pd.Timedelta | str) -> int:
    window_ns = int(pd.Timedelta(window).value)
    if window_ns <= 0:
        raise InputError(f"window must be positive, got {window}", field="window")
    return window_ns


def _cell_ids(lat: Any, lon: Any, grid: str, resolution: int, cell_deg: float) -> I8:
    """Integer id of the cell of each point: the H3 index (its 64 bits as int64), or the
    ``latlon`` band and column packed as ``band << 32 | column`` (vectorised)."""
    if grid == "h3":
        try:
            from h3ronpy.vector import coordinates_to_cells
        except ImportError:  # the C library, one call per point: the same cells, slower
            import h3

            points = zip(lat.tolist(), lon.tolist(), strict=True)
            ids = [h3.str_to_int(h3.latlng_to_cell(a, b, resolution)) for a, b in points]
            return np.asarray(ids, dtype="uint64").view("int64")
        if len(lat) == 0:
            return np.zeros(0, dtype="int64")
        cells = coordinates_to_cells(
            np.ascontiguousarray(lat, dtype="float64"),
            np.ascontiguousarray(lon, dtype="float64"),
            resolution,
        )
        return np.asarray(cells, dtype="uint64").view("int64")
    band, col = _latlon_cells(lat, lon, cell_deg)
    return np.asarray((band << 32) | col, dtype="int64")


def _cell_names(ids: I8, grid: str) -> list[str]:
    """The cell ids of :func:`_cell_ids` as text: H3's hexadecimal form, or ``"band:column"``."""
    if grid == "h3":
        import h3

        return [h3.int_to_str(int(v)) for v in ids.view("uint64")]
    return [f"{v >> 32}:{v & 0xFFFFFFFF}" for v in ids.tolist()]


def _on_geodesic(
    lat0: Any, lon0: Any, lat1: Any, lon1: Any, frac: Any
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Points at fraction ``frac`` (0 to 1) of the WGS84 geodesics from (lat0, lon0) to (lat1,
    lon1), degrees (vectorised)."""
    if len(frac) == 0:
        return np.zeros(0), np.zeros(0)
    az, _, dist = geod().inv(lon0, lat0, lon1, lat1)
    lon, lat, _ = geod().fwd(lon0, lat0, az, np.asarray(dist) * frac)
    return np.asarray(lat, dtype="float64"), np.asarray(lon, dtype="float64")


@dataclass(frozen=True)
class _FlightCells:
    """Per flight, window and cell (one row each, in flight order): the reports by state."""

    flight: I8  # flight code (Prepared.flight)
    window: I8  # window number
    cell: I8  # cell id (_cell_ids)
    counts: I8  # reports by state, shape (rows, len(STATES))
    interpolated: I8  # of which placed by interpolation


def _flight_cells(
    p: Prepared,
    state: Any,
    fix: Any,
    *,
    window_ns: int,
    grid: str,
    resolution: int,
    cell_deg: float,
    sample_s: float,
    max_carry_s: float,
    max_interp_s: float,
) -> _FlightCells:
    """Place the reports of the sorted arrays ``p`` (``state`` codes and ``fix`` flags in the
    same order) and count them per flight, window and cell."""
    before = ffill_within(fix, p.flight, p.t, None)
    after = bfill_within(fix, p.flight)
    inside = ~fix & (before >= 0) & (after >= 0)
    span = p.t[np.maximum(after, 0)] - p.t[np.maximum(before, 0)]
    interp = inside & (span <= int(max_interp_s * NS))
    carried = ffill_within(fix, p.flight, p.t, int(max_carry_s * NS))
    rows = np.flatnonzero(interp | (carried >= 0))
    fl, t, st, it = p.flight[rows], p.t[rows], state[rows], interp[rows]
    win = np.floor_divide(t, window_ns)
    bucket = np.floor_divide(t, int(sample_s * NS))
    # Runs of (flight, bucket): rows are sorted by flight and time, so each run is contiguous.
    new = np.ones(rows.size, dtype=bool)
    new[1:] = (fl[1:] != fl[:-1]) | (bucket[1:] != bucket[:-1]) | (win[1:] != win[:-1])
    first = np.flatnonzero(new)
    rep = rows[first]  # the representative report of each run
    lat, lon = p.lat[carried[rep]], p.lon[carried[rep]]
    on_line = np.flatnonzero(interp[rep])
    if on_line.size:
        r = rep[on_line]
        a, b = before[r], after[r]
        frac = (p.t[r] - p.t[a]) / np.maximum(p.t[b] - p.t[a], 1)
        lat[on_line], lon[on_line] = _on_geodesic(p.lat[a], p.lon[a], p.lat[b], p.lon[b], frac)
    cell = _cell_ids(lat, lon, grid, resolution, cell_deg)
    # Consecutive runs in the same flight, window and cell are one group (a flight stays in a
    # cell for minutes): counting over these spans leaves few rows for the grouping below.
    r_fl, r_win = fl[first], win[first]
    span_start = np.ones(first.size, dtype=bool)
    span_start[1:] = (r_fl[1:] != r_fl[:-1]) | (r_win[1:] != r_win[:-1]) | (cell[1:] != cell[:-1])
    starts = first[np.flatnonzero(span_start)]
    counts = np.zeros((starts.size, len(STATES)), dtype="int64")
    for k in range(len(STATES)):
        counts[:, k] = np.add.reduceat((st == k).astype("int64"), starts) if starts.size else 0
    n_interp = np.add.reduceat(it.astype("int64"), starts) if starts.size else starts
    keep = np.flatnonzero(span_start)
    f_fl, f_win, f_cell = r_fl[keep], r_win[keep], cell[keep]
    # A flight back in a cell it left within the same window: merge its spans there.
    again = np.zeros(keep.size, dtype=bool)
    if keep.size > 1:
        key = pd.MultiIndex.from_arrays([f_fl, f_win, f_cell])
        again = key.duplicated()
    if again.any():
        frame = pd.DataFrame(
            {"f": f_fl, "w": f_win, "c": f_cell, "i": n_interp}
            | {str(k): counts[:, k] for k in range(len(STATES))}
        )
        frame = frame.groupby(["f", "w", "c"], sort=False).sum().reset_index()
        f_fl, f_win, f_cell = (frame[c].to_numpy() for c in ("f", "w", "c"))
        counts = frame[[str(k) for k in range(len(STATES))]].to_numpy()
        n_interp = frame["i"].to_numpy()
    return _FlightCells(f_fl, f_win, f_cell, counts, n_interp)


def aircraft_cells(
    track: pd.DataFrame | TrackAnalysis,
    *,
    window: pd.Timedelta | str = "1h",
    grid: str | None = None,
    resolution: int = 4,
    cell_deg: float = 0.4,
    sample_s: float = 10.0,
    max_carry_s: float = 600.0,
    max_interp_s: float = MAX_INTERP_S,
) -> pd.DataFrame:
    """First stage of :func:`jamming_grid`: per flight, cell and window, its reports by state.

    Each flight is handled on its own, so the result of a track is the concatenation of the
    results of any split of it into whole flights. Parameters as :func:`jamming_grid`;
    ``max_interp_s`` = 0 turns interpolation off (every positionless report carried).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AIRCRAFT_CELL_COLUMNS`, one row per flight, cell and window where the
        flight has placed reports (unsorted).
    """
    p, state, fix = _analysed_arrays(track)
    grid = _check_grid(grid)
    fc = _flight_cells(
        p,
        state,
        fix,
        window_ns=_window_ns(window),
        grid=grid,
        resolution=resolution,
        cell_deg=cell_deg,
        sample_s=sample_s,
        max_carry_s=max_carry_s,
        max_interp_s=max_interp_s,
    )
    if fc.flight.size == 0:
        return pd.DataFrame({c: [] for c in AIRCRAFT_CELL_COLUMNS})
    uniq, inverse = np.unique(fc.cell, return_inverse=True)
    per = pd.DataFrame(
        {
            "window": fc.window,
            "cell": np.asarray(_cell_names(uniq, grid), dtype=object)[inverse],
            s.FLIGHT_ID: np.asarray(p.flight_ids, dtype=object)[fc.flight],
            **{name: fc.counts[:, k] for k, name in enumerate(STATES)},
            "interpolated": fc.interpolated,
        }
    )
    return per[list(AIRCRAFT_CELL_COLUMNS)]


def _analysed_arrays(track: pd.DataFrame | TrackAnalysis) -> tuple[Prepared, I8, Any]:
    """The sorted arrays of an analysed track, its state codes and fix flags in their order."""
    df = track.track if isinstance(track, TrackAnalysis) else track
    for col in (STATE, FIX):
        if col not in df.columns:
            raise InputError("run flightmap.analysis.analyse on the track first", field=col)
    p = prepare(df)
    state = df[STATE].cat.codes.to_numpy()[p.order].astype("int64")
    fix = df[FIX].to_numpy(dtype=bool)[p.order]
    return p, state, fix


def grid_from_aircraft_cells(
    per: pd.DataFrame,
    *,
    window: pd.Timedelta | str = "1h",
    grid: str | None = None,
    cell_deg: float = 0.4,
    bad_share: float = 0.5,
    min_aircraft: int = 3,
) -> pd.DataFrame:
    """Second stage of :func:`jamming_grid`: aircraft, bad aircraft and level per cell and window.

    ``per`` is the result of :func:`aircraft_cells`, or the concatenation of its results on
    batches of whole flights (a flight in two batches would be counted twice). Parameters as
    :func:`jamming_grid`.
    """
    if len(per) == 0:
        return grid_from_window_cells(per, window=window, grid=grid, cell_deg=cell_deg)
    keys = ["window", "cell", s.FLIGHT_ID]
    per = per.groupby(keys, sort=False)[list(AIRCRAFT_CELL_COLUMNS[3:])].sum().reset_index()
    counts = _verdicts(
        per["window"],
        per["cell"].to_numpy(dtype=object),
        per[list(STATES)].to_numpy(),
        per["interpolated"],
        bad_share,
    )
    return grid_from_window_cells(
        counts, window=window, grid=grid, cell_deg=cell_deg, min_aircraft=min_aircraft
    )


_COUNTS: Final = ("aircraft", "bad_aircraft", *s.INTEGRITY_STATES[1:], "reports", "interpolated")


def jamming_grid(
    track: pd.DataFrame | TrackAnalysis,
    *,
    window: pd.Timedelta | str = "1h",
    grid: str | None = None,
    resolution: int = 4,
    cell_deg: float = 0.4,
    sample_s: float = 10.0,
    bad_share: float = 0.5,
    max_carry_s: float = 600.0,
    max_interp_s: float = MAX_INTERP_S,
    min_aircraft: int = 3,
) -> pd.DataFrame:
    """Aggregate analysed tracks of many aircraft to grid cells and time windows.

    Parameters
    ----------
    track : pandas.DataFrame or TrackAnalysis
        An analysed track (``TrackAnalysis.track``, with the ``state`` and ``fix`` columns),
        or the analysis itself.
    window : pandas.Timedelta or str
        Length of the time windows, aligned on the Unix epoch (1 hour; gpsjam.org uses a day).
    grid : {"h3", "latlon"}, optional
        The grid; H3 if the ``h3`` package is installed, else ``latlon``.
    resolution : int
        H3 resolution (4: cells of about 1,770 km², edge about 26 km, as gpsjam.org).
    cell_deg : float, degrees
        Height of a ``latlon`` cell (0.4 degree: about 1,980 km², close to H3 resolution 4).
    sample_s : float, s
        One position per flight per ``sample_s`` is looked up (see the module docstring).
    bad_share : float
        Fraction of an aircraft's reports in a cell and window that must be non-nominal for
        the aircraft to count as bad there (0.5).
    max_carry_s : float, s
        Reports without a fix that cannot be interpolated are placed at the flight's last fix
        up to this long after it; later ones are left out.
    max_interp_s : float, s
        Longest gap between fixes across which reports are interpolated (:data:`MAX_INTERP_S`;
        0: never).
    min_aircraft : int
        Cells with fewer aircraft get the level ``few``.

    Returns
    -------
    pandas.DataFrame
        One row per cell and window with at least one aircraft, columns :data:`GRID_COLUMNS`,
        sorted by window and cell.
    """
    p, state, fix = _analysed_arrays(track)
    counts = window_cell_counts(
        p,
        state,
        fix,
        window=window,
        grid=grid,
        resolution=resolution,
        cell_deg=cell_deg,
        sample_s=sample_s,
        bad_share=bad_share,
        max_carry_s=max_carry_s,
        max_interp_s=max_interp_s,
    )
    return grid_from_window_cells(
        counts, window=window, grid=grid, cell_deg=cell_deg, min_aircraft=min_aircraft
    )


def _verdicts(
    window: Any, cell: Any, counts: Any, interpolated: Any, bad_share: float
) -> pd.DataFrame:
    """Per window and cell, the aircraft (flights), bad aircraft by state, reports and
    interpolated reports, from one row per flight, window and cell (each flight once)."""
    counts = np.asarray(counts, dtype="int64").reshape(-1, len(STATES))
    reports = counts.sum(axis=1)
    bad_counts = counts[:, 1:]
    bad = bad_counts.sum(axis=1) >= bad_share * reports
    worst = bad_counts.argmax(axis=1)
    frame = pd.DataFrame(
        {
            "window": np.asarray(window, dtype="int64"),
            "cell": cell,
            "aircraft": np.ones(len(reports), dtype="int64"),
            "bad_aircraft": bad.astype("int64"),
            **{name: (bad & (worst == k)).astype("int64") for k, name in enumerate(STATES[1:])},
            "reports": reports,
            "interpolated": np.asarray(interpolated, dtype="int64"),
        }
    )
    out: pd.DataFrame = frame.groupby(["window", "cell"], sort=False).sum().reset_index()
    return out


def window_cell_counts(
    p: Prepared,
    state: Any,
    fix: Any,
    *,
    window: pd.Timedelta | str = "1h",
    grid: str | None = None,
    resolution: int = 4,
    cell_deg: float = 0.4,
    sample_s: float = 10.0,
    bad_share: float = 0.5,
    max_carry_s: float = 600.0,
    max_interp_s: float = MAX_INTERP_S,
) -> pd.DataFrame:
    """The engines' stage: per window and cell, the counts of :func:`jamming_grid` for the
    flights of the sorted arrays ``p`` (``state`` codes and ``fix`` flags in ``p``'s order, as
    :func:`flightmap.analysis.report_states.report_states` returns them).

    Every flight must be whole in ``p``: the results of batches of whole flights then add up
    (:func:`grid_from_window_cells`) to the grid of all of them.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WINDOW_CELL_COLUMNS`; ``cell`` is an integer id (:func:`cell_names`).
    """
    grid = _check_grid(grid)
    fc = _flight_cells(
        p,
        np.asarray(state, dtype="int64"),
        np.asarray(fix, dtype=bool),
        window_ns=_window_ns(window),
        grid=grid,
        resolution=resolution,
        cell_deg=cell_deg,
        sample_s=sample_s,
        max_carry_s=max_carry_s,
        max_interp_s=max_interp_s,
    )
    return _verdicts(fc.window, fc.cell, fc.counts, fc.interpolated, bad_share)


def cell_names(ids: Any, grid: str) -> list[str]:
    """The integer cell ids of :func:`window_cell_counts` as the grid's text ids (H3's
    hexadecimal form, ``"band:column"`` for ``latlon``).

    >>> cell_names([(250 << 32) | 886], "latlon")
    ['250:886']
    """
    return _cell_names(np.asarray(ids, dtype="int64"), grid)


def grid_from_window_cells(
    counts: pd.DataFrame,
    *,
    window: pd.Timedelta | str = "1h",
    grid: str | None = None,
    cell_deg: float = 0.4,
    min_aircraft: int = 3,
) -> pd.DataFrame:
    """The grid (:data:`GRID_COLUMNS`) from the concatenated results of
    :func:`window_cell_counts` on batches of whole flights."""
    grid = _check_grid(grid)
    window_ns = _window_ns(window)
    if len(counts) == 0:
        return pd.DataFrame({c: [] for c in GRID_COLUMNS})
    agg = counts.groupby(["window", "cell"], sort=False)[list(WINDOW_CELL_COLUMNS[2:])].sum()
    out = agg.reset_index()
    if out["cell"].dtype.kind in "iu":
        ids = out["cell"].to_numpy(dtype="int64")
        uniq, inverse = np.unique(ids, return_inverse=True)
        out["cell"] = np.asarray(_cell_names(uniq, grid), dtype=object)[inverse]
    out = out.sort_values(["window", "cell"], kind="stable", ignore_index=True)
    out["window_start"] = pd.to_datetime(out["window"] * window_ns, unit="ns", utc=True)
    out["window_end"] = out["window_start"] + pd.Timedelta(window_ns, unit="ns")
    out["share_bad"] = out["bad_aircraft"] / out["aircraft"]
    level = np.select(
        [out["share_bad"] < LEVELS[0][0], out["share_bad"] <= LEVELS[1][0]],
        [LEVELS[0][1], LEVELS[1][1]],
        default=LEVELS[2][1],
    )
    out["level"] = np.where(out["aircraft"] < min_aircraft, "few", level)
    polygons: dict[str, Any] = {}
    for cell in out["cell"].unique():
        if grid == "h3":
            polygons[cell] = _h3_polygon(cell)
        else:
            b, c = (int(x) for x in str(cell).split(":"))
            polygons[cell] = _latlon_polygon(b, c, cell_deg)
    out["geometry"] = out["cell"].map(polygons)
    out["cell"] = out["cell"].astype(s.STR_DTYPE)
    out["level"] = out["level"].astype(s.STR_DTYPE)
    for col in _COUNTS:
        out[col] = out[col].astype("int64")
    return out[list(GRID_COLUMNS)]


def jamming_geojson(grid: pd.DataFrame) -> dict[str, Any]:
    """The grid of :func:`jamming_grid` as a GeoJSON FeatureCollection (times ISO 8601 UTC)."""
    from shapely.geometry import mapping

    features = []
    for row in grid.to_dict(orient="records"):
        props = {
            k: (v.isoformat() if isinstance(v, pd.Timestamp) else v)
            for k, v in row.items()
            if k != "geometry"
        }
        for k in _COUNTS:
            props[k] = int(props[k])
        props["share_bad"] = round(float(props["share_bad"]), 4)
        props["cell"], props["level"] = str(props["cell"]), str(props["level"])
        features.append(
            {"type": "Feature", "properties": props, "geometry": mapping(row["geometry"])}
        )
    return {"type": "FeatureCollection", "features": features}
