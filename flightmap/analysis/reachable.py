"""Where could the aircraft have been: reachable regions between known positions, geodesically.

Between a fix A at ``t0`` and a fix B at ``t1``, an aircraft flying at most ``v`` can only have
passed through points P with ``d(A, P) + d(P, B) <= v (t1 - t0)``: an ellipse-like region with
foci A and B (:func:`reachable_region`). With one end unknown it is a disk. At one instant ``t``
inside the gap it is the intersection of the disk it could reach from A by ``t`` and the disk from
which it could still reach B (:func:`region_at`). An endpoint known only to within ``r`` (a hit
"near Grozny") grows the region: P belongs to it if it can be reached from *some* point within
``r`` of A and reach some point within ``r`` of B, i.e. ``max(0, d(A, P) - r_A) + max(0, d(P, B)
- r_B) <= budget``.

Distances are WGS84 geodesics (:class:`pyproj.Geod`). The boundary is found exactly, to 1 cm, on
``n`` rays from an interior point (every region here is convex, so each ray crosses the boundary
once), so no projection and no planar approximation is involved. Polygons are shapely, in
``(lon, lat)`` order; longitudes are kept continuous around the region (they may leave
[-180, 180] near the antimeridian); a region reaching a pole is not supported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from flightmap.analysis._prep import geod
from flightmap.geodesy import KT_MS
from flightmap.regions import disk

__all__ = [
    "ellipse_region",
    "ellipse_regions",
    "geodesic_area_m2",
    "lens_region",
    "lens_regions",
    "reach_m",
    "reachable_region",
    "region_at",
]

F8 = NDArray[np.float64]
I8 = NDArray[np.int64]
LatLonPt = tuple[float, float]

_TOLERANCE_M = 0.01
_MAX_RANGE_M = 19_000_000.0  # less than half a meridian: a geodesic ray stays a shortest path


def _empty() -> Any:
    from shapely.geometry import Polygon

    return Polygon()


def geodesic_area_m2(geom: Any) -> float:
    """Area in square metres of a shapely polygon in ``(lon, lat)`` degrees, on WGS84.

    >>> from flightmap.regions import disk
    >>> round(geodesic_area_m2(disk((0.0, 0.0), 10_000.0, n=720)) / 1e6, 1)  # pi * 10 km ** 2
    314.2
    """
    if geom.is_empty:
        return 0.0
    area, _ = geod().geometry_area_perimeter(geom)
    return abs(float(area))


def reach_m(max_speed_kt: float, seconds: float) -> float:
    """Distance in metres flown in ``seconds`` at ``max_speed_kt``.

    >>> round(reach_m(360.0, 3600.0), 6)  # 360 NM
    666720.0
    """
    if not max_speed_kt > 0:
        raise ValueError(f"maximum speed must be positive, got {max_speed_kt!r} kt")
    return float(max_speed_kt) * KT_MS * abs(float(seconds))


def _dist(lat: F8, lon: F8, lat0: F8, lon0: F8) -> F8:
    _, _, d = geod().inv(lon0, lat0, lon, lat)
    return np.asarray(d, dtype="float64")


def _arrays(*values: Any) -> list[F8]:
    return [np.atleast_1d(np.asarray(v, dtype="float64")) for v in np.broadcast_arrays(*values)]


def _bisect(
    a: tuple[F8, F8],
    b: tuple[F8, F8],
    centre_r: tuple[F8, F8],
    reach: F8,
    excess: Callable[[F8, F8, I8], F8],
    n: int,
) -> list[Any]:
    """Boundaries of G convex regions around points A and B, found on ``n`` rays each.

    The rays of region k start at the point of segment AB at ``clip((r1 + d - r2) / 2, 0, d)``
    from A, with ``(r1, r2) = centre_r[k]``: for both region kinds that point minimises the
    region function along AB, so it is inside whenever the region is not empty. No point of
    the region is further than ``reach[k]`` from A. ``excess(lat, lon, k)`` is the region
    function of points of the regions ``k`` (one value per ray), in metres: <= 0 inside,
    growing continuously outwards along a ray.

    Each ray's boundary is bracketed and the bracket narrowed by the Illinois variant of
    regula falsi (a secant step, with the stale end's value halved when the same end is kept
    twice), which needs about a third of the steps of plain bisection; a step never lands
    within 1 mm of a bracket end. It stops, as bisection did, when the bracket is 1 cm wide,
    and returns its inner end.
    """
    from shapely.geometry import Polygon

    if n < 8:
        raise ValueError(f"need at least 8 boundary points, got {n}")
    g = geod()
    (a_lat, a_lon), (b_lat, b_lon) = a, b
    az_ab, _, d = g.inv(a_lon, a_lat, b_lon, b_lat)
    x = np.clip((centre_r[0] + d - centre_r[1]) / 2.0, 0.0, d)
    c_lon, c_lat, _ = g.fwd(a_lon, a_lat, az_ab, x)
    c_lat, c_lon = np.where(x > 0, c_lat, a_lat), np.where(x > 0, c_lon, a_lon)
    k = np.repeat(np.arange(d.size), n)
    clat, clon = c_lat[k], c_lon[k]
    az = np.tile(np.linspace(0.0, 360.0, n, endpoint=False), d.size)

    def f(rays: I8, dist: F8) -> F8:
        lon, lat, _ = g.fwd(clon[rays], clat[rays], az[rays], dist)
        return np.asarray(excess(np.asarray(lat), np.asarray(lon), k[rays]), dtype="float64")

    every = np.arange(k.size)
    lo, hi = np.zeros(k.size), np.minimum(x + reach, _MAX_RANGE_M)[k]
    f_lo, f_hi = np.minimum(f(every, lo), 0.0), f(every, hi)
    lo = np.where(f_hi <= 0, hi, lo)  # the region reaches the end of the ray
    kept = np.zeros(k.size, dtype="int8")  # +1: lo was kept last time, -1: hi was
    for _ in range(80):
        rays = np.flatnonzero(hi - lo > _TOLERANCE_M)
        if not rays.size:
            break
        a0, a1, fa, fb = lo[rays], hi[rays], f_lo[rays], f_hi[rays]
        with np.errstate(divide="ignore", invalid="ignore"):
            s = a1 - fb * (a1 - a0) / (fb - fa)
        guard = _TOLERANCE_M / 10.0
        s = np.clip(np.where(np.isfinite(s), s, (a0 + a1) / 2.0), a0 + guard, a1 - guard)
        fs = f(rays, s)
        inside = fs <= 0
        lo[rays] = np.where(inside, s, a0)
        f_lo[rays] = np.where(inside, fs, np.where(kept[rays] == 1, fa / 2.0, fa))
        hi[rays] = np.where(inside, a1, s)
        f_hi[rays] = np.where(inside, np.where(kept[rays] == -1, fb / 2.0, fb), fs)
        kept[rays] = np.where(inside, 1, -1)
    lon, lat, _ = g.fwd(clon, clat, az, lo)
    lon = clon + (np.asarray(lon) - clon + 180.0) % 360.0 - 180.0
    xy = np.column_stack([lon, np.asarray(lat)]).reshape(d.size, n, 2)
    return [Polygon(ring) for ring in xy]


def ellipse_regions(
    a_lat: Any,
    a_lon: Any,
    b_lat: Any,
    b_lon: Any,
    budget_m: Any,
    r_a_m: Any = 0.0,
    r_b_m: Any = 0.0,
    n: int = 360,
) -> list[Any]:
    """:func:`ellipse_region` for many regions at once (array arguments broadcast together).

    One bisection runs on the rays of all regions, so a hundred gaps cost little more than one.
    Returns one polygon per region (empty when the region is empty).
    """
    a_lat, a_lon, b_lat, b_lon, budget, ra, rb = _arrays(
        a_lat, a_lon, b_lat, b_lon, budget_m, r_a_m, r_b_m
    )
    if np.any(budget < 0) or np.any(ra < 0) or np.any(rb < 0):
        raise ValueError("budget and radii must not be negative")
    ok = np.flatnonzero(_dist(b_lat, b_lon, a_lat, a_lon) - ra - rb <= budget)
    out = [_empty() for _ in range(budget.size)]
    if ok.size:
        pa, pb = (a_lat[ok], a_lon[ok]), (b_lat[ok], b_lon[ok])
        r1, r2, length = ra[ok], rb[ok], budget[ok]

        def excess(lat: F8, lon: F8, k: I8) -> F8:
            da = np.maximum(_dist(lat, lon, pa[0][k], pa[1][k]) - r1[k], 0.0)
            db = np.maximum(_dist(lat, lon, pb[0][k], pb[1][k]) - r2[k], 0.0)
            return np.asarray(da + db - length[k])

        regions = _bisect(pa, pb, (r1, r2), length + r1, excess, n)
        for i, poly in zip(ok, regions, strict=True):
            out[int(i)] = poly
    return out


def lens_regions(
    a_lat: Any, a_lon: Any, reach_a_m: Any, b_lat: Any, b_lon: Any, reach_b_m: Any, n: int = 360
) -> list[Any]:
    """:func:`lens_region` for many regions at once (array arguments broadcast together)."""
    a_lat, a_lon, r1_all, b_lat, b_lon, r2_all = _arrays(
        a_lat, a_lon, reach_a_m, b_lat, b_lon, reach_b_m
    )
    if np.any(r1_all < 0) or np.any(r2_all < 0):
        raise ValueError("reaches must not be negative")
    ok = np.flatnonzero(_dist(b_lat, b_lon, a_lat, a_lon) <= r1_all + r2_all)
    out = [_empty() for _ in range(r1_all.size)]
    if ok.size:
        pa, pb = (a_lat[ok], a_lon[ok]), (b_lat[ok], b_lon[ok])
        r1, r2 = r1_all[ok], r2_all[ok]

        def excess(lat: F8, lon: F8, k: I8) -> F8:
            return np.maximum(
                _dist(lat, lon, pa[0][k], pa[1][k]) - r1[k],
                _dist(lat, lon, pb[0][k], pb[1][k]) - r2[k],
            )

        for i, poly in zip(ok, _bisect(pa, pb, (r1, r2), r1, excess, n), strict=True):
            out[int(i)] = poly
    return out


def ellipse_region(
    a: LatLonPt,
    b: LatLonPt,
    budget_m: float,
    *,
    r_a_m: float = 0.0,
    r_b_m: float = 0.0,
    n: int = 360,
) -> Any:
    """Points P with ``max(0, d(A,P) - r_a) + max(0, d(P,B) - r_b) <= budget_m`` (metres).

    With ``r_a_m = r_b_m = 0`` this is the geodesic ellipse with foci ``a`` and ``b``
    (``(lat, lon)`` degrees) and major axis ``budget_m``. Empty when even the shortest path
    between the endpoint disks is longer than the budget.

    >>> e = ellipse_region((0.0, 0.0), (0.0, 1.0), 2 * 111_319.49)
    >>> [round(v, 6) for v in (e.bounds[0], e.bounds[2])]  # 0.5 degree beyond each focus
    [-0.5, 1.5]
    """
    return ellipse_regions(a[0], a[1], b[0], b[1], budget_m, r_a_m, r_b_m, n)[0]


def lens_region(a: LatLonPt, reach_a_m: float, b: LatLonPt, reach_b_m: float, n: int = 360) -> Any:
    """Points within ``reach_a_m`` metres of ``a`` and within ``reach_b_m`` of ``b``.

    >>> lens = lens_region((0.0, 0.0), 111_319.49, (0.0, 1.0), 55_659.75)
    >>> [round(v, 6) for v in (lens.bounds[0], lens.bounds[2])]  # from 0.5 to 1.0 degree east
    [0.5, 1.0]
    """
    return lens_regions(a[0], a[1], reach_a_m, b[0], b[1], reach_b_m, n)[0]


def _seconds(t0: datetime | pd.Timestamp, t1: datetime | pd.Timestamp) -> float:
    a, b = pd.Timestamp(t0), pd.Timestamp(t1)
    if a.tzinfo is None or b.tzinfo is None:
        raise ValueError("times must be timezone-aware (UTC)")
    return float((b - a).total_seconds())


def reachable_region(
    a: LatLonPt | None,
    t0: datetime | pd.Timestamp,
    b: LatLonPt | None,
    t1: datetime | pd.Timestamp,
    max_speed_kt: float,
    *,
    r_a_m: float = 0.0,
    r_b_m: float = 0.0,
    n: int = 360,
) -> Any:
    """Everywhere the aircraft could have passed between ``a`` at ``t0`` and ``b`` at ``t1``.

    Parameters
    ----------
    a, b : (lat, lon) or None
        Known positions in degrees; None for an unknown end (the region is then a disk around
        the other end).
    t0, t1 : datetime
        Timezone-aware times of ``a`` and ``b``, ``t0 <= t1``.
    max_speed_kt : float
        Maximum ground speed in knots (see :mod:`flightmap.analysis.speeds`).
    r_a_m, r_b_m : float
        Uncertainty radii of ``a`` and ``b`` in metres.
    n : int
        Number of boundary points.

    Returns
    -------
    shapely.geometry.Polygon
        In ``(lon, lat)`` order; empty when the flight is impossible at that speed.
    """
    seconds = _seconds(t0, t1)
    if seconds < 0:
        raise ValueError(f"t1 ({t1}) is before t0 ({t0})")
    budget = reach_m(max_speed_kt, seconds)
    if a is not None and b is not None:
        return ellipse_region(a, b, budget, r_a_m=r_a_m, r_b_m=r_b_m, n=n)
    if a is not None:
        return disk(a, budget + r_a_m, n)
    if b is not None:
        return disk(b, budget + r_b_m, n)
    raise ValueError("at least one end of the gap must be known")


def region_at(
    t: datetime | pd.Timestamp,
    a: LatLonPt | None,
    t0: datetime | pd.Timestamp,
    b: LatLonPt | None,
    t1: datetime | pd.Timestamp,
    max_speed_kt: float,
    *,
    r_a_m: float = 0.0,
    r_b_m: float = 0.0,
    t_uncertainty_s: float = 0.0,
    n: int = 360,
) -> Any:
    """Where the aircraft could have been at instant ``t``, knowing ``a`` at ``t0`` and ``b`` at
    ``t1``: the intersection of the disk reachable from ``a`` by ``t`` and the disk from which
    ``b`` could still be reached by ``t1`` (a single disk when one end is unknown).

    ``t_uncertainty_s`` widens both disks by the distance flown in that time, so the region
    holds for any instant within ``t`` plus or minus that many seconds.

    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-12-25T05:00:00Z")
    >>> r = region_at(t0 + pd.Timedelta(minutes=10), (0.0, 0.0), t0, None, t0, 360.0)
    >>> round(r.bounds[2] * 111_319.49 / 1852)  # 10 min at 360 kt = 60 NM east of A
    60
    """
    ra = reach_m(max_speed_kt, abs(_seconds(t0, t)) + t_uncertainty_s) + r_a_m
    rb = reach_m(max_speed_kt, abs(_seconds(t, t1)) + t_uncertainty_s) + r_b_m
    if a is not None and b is not None:
        return lens_region(a, ra, b, rb, n)
    if a is not None:
        return disk(a, ra, n)
    if b is not None:
        return disk(b, rb, n)
    raise ValueError("at least one known position is needed")
