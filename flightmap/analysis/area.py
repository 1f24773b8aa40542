"""Area context: the share of aircraft with degraded or lost GNSS per grid cell and time window.

One aircraft with bad NIC may have faulty equipment; many aircraft in the same place and hour
point to interference (FR24's caveat). Like gpsjam.org, this module counts aircraft, not
reports, per cell: an aircraft (a flight) is *bad* in a cell and window when at least
``bad_share`` of its reports there are not ``nominal``, and is then counted under its most
frequent bad state. The grid is H3 (resolution 4 by default, as gpsjam.org) when the ``h3``
package is installed, else (or with ``grid="latlon"``) an equal-area latitude/longitude grid:
bands of ``cell_deg`` degrees of latitude, each cut into cells of the same width in kilometres
(``cell_deg`` degrees at the equator, wider in degrees towards the poles).

Reports without a trustworthy position (position lost, spoofed) are attributed to the aircraft's
last fix, for at most ``max_carry_s``. To stay fast on millions of rows, each flight is thinned
to one representative position per ``sample_s`` seconds (10 s: under 3 km at airliner speeds, a
tenth of an H3 resolution-4 cell edge) before cells are looked up; the state counts keep every
report.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis._prep import NS, ffill_within, prepare
from flightmap.analysis.integrity import FIX, STATE, STATES, TrackAnalysis
from flightmap.errors import InputError

__all__ = ["GRID_COLUMNS", "LEVELS", "h3_available", "jamming_geojson", "jamming_grid"]

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
    "geometry",
)
"""Columns of :func:`jamming_grid`: the cell id, the UTC window, counts of aircraft (all, bad,
and bad by state), ``share_bad`` = bad / all, the ``level`` (:data:`LEVELS`), the number of
reports and the cell polygon (shapely, ``(lon, lat)``)."""

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
        Reports without a fix are placed at the flight's last fix up to this long after it;
        later ones are left out.
    min_aircraft : int
        Cells with fewer aircraft get the level ``few``.

    Returns
    -------
    pandas.DataFrame
        One row per cell and window with at least one aircraft, columns :data:`GRID_COLUMNS`,
        sorted by window and cell.
    """
    df = track.track if isinstance(track, TrackAnalysis) else track
    for col in (STATE, FIX):
        if col not in df.columns:
            raise InputError("run flightmap.analysis.analyse on the track first", field=col)
    grid = grid or ("h3" if h3_available() else "latlon")
    if grid not in ("h3", "latlon"):
        raise InputError(f"unknown grid {grid!r}; expected h3 or latlon", field="grid")
    if grid == "h3" and not h3_available():
        raise InputError("the h3 package is not installed; use the latlon grid", field="grid")
    window_ns = pd.Timedelta(window).value
    if window_ns <= 0:
        raise InputError(f"window must be positive, got {window}", field="window")

    p = prepare(df)
    state = df[STATE].cat.codes.to_numpy()[p.order].astype("int64")
    fix = df[FIX].to_numpy(dtype=bool)[p.order]
    src = ffill_within(fix, p.flight, p.t, int(max_carry_s * NS))
    ok = src >= 0
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return pd.DataFrame({c: [] for c in GRID_COLUMNS})
    fl, t, st, at = p.flight[rows], p.t[rows], state[rows], src[rows]
    win = np.floor_divide(t, window_ns)
    bucket = np.floor_divide(t, int(sample_s * NS))
    # Runs of (flight, bucket): rows are sorted by flight and time, so each run is contiguous.
    new = np.ones(rows.size, dtype=bool)
    new[1:] = (fl[1:] != fl[:-1]) | (bucket[1:] != bucket[:-1]) | (win[1:] != win[:-1])
    first = np.flatnonzero(new)
    counts = np.zeros((first.size, len(STATES)), dtype="int64")
    for k in range(len(STATES)):
        counts[:, k] = np.add.reduceat((st == k).astype("int64"), first)
    lat, lon = p.lat[at[first]], p.lon[at[first]]
    if grid == "h3":
        import h3

        points = zip(lat.tolist(), lon.tolist(), strict=True)
        cells = np.array([h3.latlng_to_cell(a, b, resolution) for a, b in points], dtype=object)
    else:
        band, col = _latlon_cells(lat, lon, cell_deg)
        cells = np.char.add(np.char.add(band.astype(str), ":"), col.astype(str)).astype(object)
    per = pd.DataFrame(
        {
            "flight": fl[first],
            "window": win[first],
            "cell": cells,
            **{name: counts[:, k] for k, name in enumerate(STATES)},
        }
    )
    per = per.groupby(["window", "cell", "flight"], sort=False).sum().reset_index()
    reports = per[list(STATES)].sum(axis=1)
    bad_counts = per[list(STATES[1:])]
    per["bad"] = bad_counts.sum(axis=1) >= bad_share * reports
    worst = bad_counts.to_numpy().argmax(axis=1)
    for k, name in enumerate(STATES[1:]):
        per[f"is_{name}"] = per["bad"] & (worst == k)
    per["reports"] = reports
    agg = per.groupby(["window", "cell"], sort=True).agg(
        aircraft=("flight", "size"),
        bad_aircraft=("bad", "sum"),
        degraded=("is_degraded", "sum"),
        position_lost=("is_position_lost", "sum"),
        spoofed=("is_spoofed", "sum"),
        reports=("reports", "sum"),
    )
    out = agg.reset_index()
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
    for col in ("aircraft", "bad_aircraft", *s.INTEGRITY_STATES[1:], "reports"):
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
        for k in ("aircraft", "bad_aircraft", *s.INTEGRITY_STATES[1:], "reports"):
            props[k] = int(props[k])
        props["share_bad"] = round(float(props["share_bad"]), 4)
        props["cell"], props["level"] = str(props["cell"]), str(props["level"])
        features.append(
            {"type": "Feature", "properties": props, "geometry": mapping(row["geometry"])}
        )
    return {"type": "FeatureCollection", "features": features}
