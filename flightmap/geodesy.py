"""Geodesy on the WGS84 ellipsoid: distances, bearings, destinations, geodesic lines and circles.

Points are ``(lat, lon)`` in decimal degrees unless a name says otherwise; distances are metres,
bearings degrees clockwise from true north. Scalar helpers use geographiclib (Karney's
algorithm, which geopy's ``geodesic`` wraps); array helpers use :class:`pyproj.Geod` on numpy
arrays, so thousands of legs cost microseconds, not a Python loop. Both use the same ellipsoid,
so they agree to well under a millimetre.

The two coordinate orders meet here: folium wants ``(lat, lon)``, shapely and GeoJSON want
``(lon, lat)``. Convert only with :func:`lonlat` / :func:`latlon` (or column names), never by
position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FT_M",
    "KT_MS",
    "NM_M",
    "LatLon",
    "bearing_deg",
    "chain_haversine_m",
    "destination",
    "distance_m",
    "distances_m",
    "geodesic_circle",
    "geodesic_line",
    "haversine_m",
    "latlon",
    "lonlat",
    "midpoint",
    "path_length_m",
]

#: International nautical mile in metres (exact, by definition; BIPM SI brochure).
NM_M = 1852.0
#: International foot in metres (exact, 1959 agreement).
FT_M = 0.3048
#: One knot in metres per second (1 NM per hour).
KT_MS = NM_M / 3600.0


class LatLon(NamedTuple):
    """A point as latitude and longitude in decimal degrees (WGS84)."""

    lat: float
    lon: float


def lonlat(point: tuple[float, float]) -> tuple[float, float]:
    """Return a ``(lat, lon)`` point as ``(lon, lat)``, the order of GeoJSON and shapely.

    >>> lonlat((43.3883, 45.6986))
    (45.6986, 43.3883)
    """
    lat, lon = point
    return (float(lon), float(lat))


def latlon(point: tuple[float, float]) -> LatLon:
    """Return a ``(lon, lat)`` point (GeoJSON / shapely order) as a :class:`LatLon`.

    >>> latlon((45.6986, 43.3883))
    LatLon(lat=43.3883, lon=45.6986)
    """
    lon, lat = point
    return LatLon(float(lat), float(lon))


@cache
def _geod() -> object:
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _check(point: tuple[float, float]) -> tuple[float, float]:
    lat, lon = float(point[0]), float(point[1])
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise ValueError(f"point ({lat}, {lon}) is not finite")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} out of range [-90, 90]")
    if not -180.0 <= lon <= 360.0:
        raise ValueError(f"longitude {lon} out of range [-180, 360]")
    return lat, lon


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two ``(lat, lon)`` points on WGS84.

    >>> round(distance_m((0.0, 0.0), (0.0, 1.0)))  # one degree of longitude on the equator
    111319
    """
    # geographiclib directly: the algorithm geopy's ``geodesic`` wraps (Karney 2013), without
    # importing geopy (0.2 s, most of it its geocoders), which start-up time notices.
    from geographiclib.geodesic import Geodesic

    (lat1, lon1), (lat2, lon2) = _check(a), _check(b)
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"])


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial bearing in degrees [0, 360) of the geodesic from ``a`` to ``b``.

    >>> round(bearing_deg((0.0, 0.0), (1.0, 0.0)), 6)
    0.0
    >>> round(bearing_deg((0.0, 0.0), (0.0, 1.0)), 6)
    90.0
    """
    from geographiclib.geodesic import Geodesic

    (lat1, lon1), (lat2, lon2) = _check(a), _check(b)
    azi = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["azi1"]
    return float(azi) % 360.0


def destination(start: tuple[float, float], bearing: float, dist_m: float) -> LatLon:
    """The point reached from ``start`` after ``dist_m`` metres on initial ``bearing`` degrees.

    >>> p = destination((0.0, 0.0), 90.0, 111319.49)
    >>> round(p.lat, 6), round(p.lon, 4)
    (0.0, 1.0)
    """
    from geographiclib.geodesic import Geodesic

    lat, lon = _check(start)
    r = Geodesic.WGS84.Direct(lat, lon, float(bearing), float(dist_m))
    return LatLon(float(r["lat2"]), _wrap_lon(float(r["lon2"])))


def midpoint(a: tuple[float, float], b: tuple[float, float]) -> LatLon:
    """The point halfway along the geodesic from ``a`` to ``b``.

    >>> p = midpoint((0.0, 0.0), (0.0, 2.0))
    >>> round(p.lat, 9), round(p.lon, 9)
    (0.0, 1.0)
    """
    from geographiclib.geodesic import Geodesic

    (lat1, lon1), (lat2, lon2) = _check(a), _check(b)
    line = Geodesic.WGS84.InverseLine(lat1, lon1, lat2, lon2)
    r = line.Position(line.s13 / 2.0)
    return LatLon(float(r["lat2"]), _wrap_lon(float(r["lon2"])))


def _wrap_lon(lon: float) -> float:
    return ((lon + 180.0) % 360.0) - 180.0


def distances_m(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """Vectorised geodesic distances in metres between arrays of points (pyproj ``Geod.inv``).

    NaN in any input gives NaN in the output instead of an error.

    >>> distances_m([0.0, 0.0], [0.0, 179.9], [0.0, 0.0], [1.0, -179.9]).round()
    array([111319.,  22264.])
    """
    arrays = [np.asarray(x, dtype="float64") for x in (lat1, lon1, lat2, lon2)]
    a1, o1, a2, o2 = np.broadcast_arrays(*arrays)
    out = np.full(a1.shape, np.nan)
    ok = np.isfinite(a1) & np.isfinite(o1) & np.isfinite(a2) & np.isfinite(o2)
    if ok.any():
        _, _, d = _geod().inv(o1[ok], a1[ok], o2[ok], a2[ok])  # type: ignore[attr-defined]
        out[ok] = d
    return out


#: Mean Earth radius in metres (IUGG R1 = (2a + b) / 3 for WGS84), for spherical formulas.
EARTH_MEAN_RADIUS_M = 6_371_008.8


def haversine_m(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """Great-circle distances in metres on a sphere of the mean Earth radius (numpy).

    Faster than :func:`distances_m` but off by up to about 0.5 % against the ellipsoid; use it
    only where that is stated and good enough.

    >>> haversine_m([0.0], [0.0], [0.0], [1.0]).round()
    array([111195.])
    """
    la1, lo1, la2, lo2 = (
        np.radians(np.asarray(x, dtype="float64")) for x in (lat1, lon1, lat2, lon2)
    )
    return _haversine(la1, lo1, la2, lo2, np.cos(la1), np.cos(la2))


def chain_haversine_m(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.float64]:
    """:func:`haversine_m` of the legs between consecutive points (one fewer than the points),
    the same values, with each point's radians and cosine of latitude computed once.

    >>> lat, lon = np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0])
    >>> legs = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    >>> bool((chain_haversine_m(lat, lon) == legs).all())
    True
    """
    la = np.radians(np.asarray(lat, dtype="float64"))
    lo = np.radians(np.asarray(lon, dtype="float64"))
    cos_la = np.cos(la)
    return _haversine(la[:-1], lo[:-1], la[1:], lo[1:], cos_la[:-1], cos_la[1:])


def _haversine(
    la1: NDArray[np.float64],
    lo1: NDArray[np.float64],
    la2: NDArray[np.float64],
    lo2: NDArray[np.float64],
    cos1: NDArray[np.float64],
    cos2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The haversine formula on radians, with the cosines of the latitudes given."""
    h = np.sin((la2 - la1) / 2) ** 2 + cos1 * cos2 * np.sin((lo2 - lo1) / 2) ** 2
    return np.asarray(2 * EARTH_MEAN_RADIUS_M * np.arcsin(np.sqrt(h)), dtype="float64")


def geodesic_line(
    a: tuple[float, float], b: tuple[float, float], spacing_m: float = 5000.0
) -> list[LatLon]:
    """Points along the geodesic from ``a`` to ``b``, both ends included, about ``spacing_m`` apart.

    Leaflet draws straight segments in Web Mercator; densifying makes the drawn line follow the
    geodesic to within a few metres at the default spacing over a few hundred kilometres.

    >>> pts = geodesic_line((0.0, 0.0), (0.0, 1.0), spacing_m=50000.0)
    >>> len(pts), pts[0], pts[-1]
    (4, LatLon(lat=0.0, lon=0.0), LatLon(lat=0.0, lon=1.0))
    """
    # geographiclib, not pyproj: a few hundred points at most, and a case map without a track
    # then never imports pyproj (0.05-0.1 s of start-up). The points are those of pyproj's
    # ``Geod.npts`` (the same algorithm): n equal steps of s13 / (n + 1) along the geodesic.
    from geographiclib.geodesic import Geodesic

    (lat1, lon1), (lat2, lon2) = _check(a), _check(b)
    line = Geodesic.WGS84.InverseLine(lat1, lon1, lat2, lon2)
    n_inner = max(int(line.s13 // spacing_m), 0)
    step = line.s13 / (n_inner + 1)
    pts = [LatLon(lat1, lon1)]
    for i in range(1, n_inner + 1):
        r = line.Position(i * step, Geodesic.LATITUDE | Geodesic.LONGITUDE)
        pts.append(LatLon(float(r["lat2"]), _wrap_lon(float(r["lon2"]))))
    pts.append(LatLon(lat2, lon2))
    return pts


def geodesic_circle(center: tuple[float, float], radius_m: float, n: int = 72) -> list[LatLon]:
    """A closed ring of ``n`` points at geodesic distance ``radius_m`` around ``center``.

    The first point (due north) is repeated at the end, as GeoJSON rings require.

    >>> ring = geodesic_circle((43.0, 45.0), 10000.0, n=4)
    >>> len(ring), ring[0] == ring[-1]
    (5, True)
    """
    lat, lon = _check(center)
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = _geod().fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_m))  # type: ignore[attr-defined]
    ring = [LatLon(float(a), float(o)) for a, o in zip(lats, lons, strict=True)]
    ring.append(ring[0])
    return ring


def path_length_m(points: Sequence[tuple[float, float]] | Iterable[tuple[float, float]]) -> float:
    """Total geodesic length in metres of a path of ``(lat, lon)`` points.

    >>> round(path_length_m([(0.0, 0.0), (0.0, 1.0), (0.0, 2.0)]))
    222639
    """
    arr = np.asarray(list(points), dtype="float64").reshape(-1, 2)
    if len(arr) < 2:
        return 0.0
    return float(np.nansum(distances_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])))
