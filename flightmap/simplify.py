"""Track simplification with a stated maximum deviation, and compact polyline encoding.

Leaflet draws straight segments between vertices in Web Mercator, so the deviation a reader
sees is measured there. :func:`simplify_indices` runs Douglas-Peucker (GEOS, via shapely) in
Web Mercator with the tolerance scaled by ``1 / cos(latitude)``, which keeps every dropped
point within ``max_error_m`` metres (on the ground) of the drawn line; the bound is checked by
:func:`max_deviation_m`. Points the caller must keep (events, gap boundaries, integrity
changes) split the line, so they always stay.

:func:`encode_polyline` is Google's encoded polyline algorithm (integers, delta, zigzag, 5-bit
chunks); at 5 decimals it costs about 4 bytes per point instead of 20+ for JSON numbers.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MERCATOR_R",
    "encode_ints",
    "encode_polyline",
    "max_deviation_m",
    "mercator",
    "simplify_indices",
]

#: Web Mercator sphere radius (EPSG:3857), metres: the WGS84 semi-major axis.
MERCATOR_R = 6_378_137.0
#: Latitude limit of Web Mercator, degrees.
_MAX_LAT = 85.05112878


def mercator(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Web Mercator ``(x, y)`` in metres for degrees ``lat``, ``lon`` (closed form, numpy).

    >>> x, y = mercator([0.0], [1.0])
    >>> round(float(x[0]), 2), round(float(y[0]), 6)
    (111319.49, -0.0)
    """
    la = np.clip(np.asarray(lat, dtype="float64"), -_MAX_LAT, _MAX_LAT)
    lo = np.asarray(lon, dtype="float64")
    x = MERCATOR_R * np.radians(lo)
    y = MERCATOR_R * np.log(np.tan(np.pi / 4 + np.radians(la) / 2))
    return x, y


def _dp(x: NDArray[np.float64], y: NDArray[np.float64], tol: float) -> NDArray[np.intp]:
    """Indices kept by Douglas-Peucker on one piece (first and last always kept)."""
    import shapely

    n = len(x)
    if n <= 2 or tol <= 0:
        return np.arange(n)
    line = shapely.linestrings(np.column_stack([x, y]))
    kept = shapely.get_coordinates(shapely.simplify(line, tol, preserve_topology=False))
    # The simplified vertices are a subsequence of the input; find them by value. Repeated
    # coordinates are all kept, which only adds zero-length segments.
    z = x + 1j * y
    zk = kept[:, 0] + 1j * kept[:, 1]
    idx = np.flatnonzero(np.isin(z, zk))
    return np.unique(np.concatenate([[0], idx, [n - 1]]))


def simplify_indices(
    lat: ArrayLike,
    lon: ArrayLike,
    max_error_m: float = 25.0,
    keep: ArrayLike | None = None,
) -> NDArray[np.intp]:
    """Indices of the points to draw so that no point is farther than ``max_error_m`` from the line.

    Parameters
    ----------
    lat, lon : array_like
        One run of positions, degrees WGS84, in time order, no NaN.
    max_error_m : float
        Maximum distance in metres on the ground between any input point and the drawn line
        (Leaflet's straight Web Mercator segments). 0 keeps every point.
    keep : array_like of bool, optional
        Points that must be kept (events, gap boundaries, integrity changes).

    Returns
    -------
    numpy.ndarray
        Sorted indices into the input, always including the first and last point.

    Examples
    --------
    >>> lat = [0.0, 0.0001, 0.0, 0.0]  # the middle bump is about 11 m high
    >>> simplify_indices(lat, [0.0, 0.01, 0.02, 0.03], max_error_m=25.0).tolist()
    [0, 3]
    >>> simplify_indices(lat, [0.0, 0.01, 0.02, 0.03], max_error_m=5.0).tolist()
    [0, 1, 2, 3]
    """
    la = np.asarray(lat, dtype="float64")
    lo = np.asarray(lon, dtype="float64")
    n = len(la)
    if n <= 2:
        return np.arange(n)
    x, y = mercator(la, lo)
    must = np.zeros(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool).copy()
    must[[0, -1]] = True
    cuts = np.flatnonzero(must)
    out = [cuts]
    for a, b in itertools.pairwise(cuts):
        if b - a < 2:
            continue
        piece = slice(a, b + 1)
        # Ground distance = Mercator distance * cos(lat): the scale is largest where |lat| is
        # smallest, so dividing by the largest cos keeps the bound true across the piece.
        tol = max_error_m / float(np.cos(np.radians(np.abs(la[piece]).min())))
        out.append(a + _dp(x[piece], y[piece], tol))
    return np.unique(np.concatenate(out))


def max_deviation_m(lat: ArrayLike, lon: ArrayLike, kept: ArrayLike) -> float:
    """The largest ground distance in metres from any point to the drawn (kept) polyline.

    Each point is measured against the Web Mercator segment between the kept vertices around
    it, scaled to the ground by ``cos(latitude)`` at the point: what a reader sees on the map.

    >>> max_deviation_m([0.0, 0.0001, 0.0], [0.0, 0.01, 0.02], [0, 2]) < 11.2
    True
    """
    la = np.asarray(lat, dtype="float64")
    x, y = mercator(la, lon)
    k = np.asarray(kept, dtype=np.intp)
    seg = np.clip(np.searchsorted(k, np.arange(len(la)), side="right") - 1, 0, len(k) - 2)
    ax, ay = x[k[seg]], y[k[seg]]
    bx, by = x[k[seg + 1]], y[k[seg + 1]]
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(len2 > 0, ((x - ax) * dx + (y - ay) * dy) / len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    d = np.hypot(x - (ax + t * dx), y - (ay + t * dy)) * np.cos(np.radians(la))
    return float(d.max()) if len(d) else 0.0


def encode_ints(values: ArrayLike) -> str:
    """Encode integers with the polyline scheme (delta, zigzag, 5-bit chunks + 63).

    >>> encode_ints([0, 1, -1])  # deltas 0, 1, -2 -> zigzag 0, 2, 3 -> chr(63 + v)
    '?AB'
    """
    v = np.asarray(values, dtype=np.int64)
    return _encode_deltas(np.diff(v, prepend=np.int64(0)).astype(np.int64))


def _encode_deltas(deltas: NDArray[np.int64]) -> str:
    zig = np.where(deltas < 0, ~(deltas << 1), deltas << 1).astype(np.int64)
    out: list[str] = []
    for z in zig.tolist():
        while z >= 0x20:
            out.append(chr((0x20 | (z & 0x1F)) + 63))
            z >>= 5
        out.append(chr(z + 63))
    return "".join(out)


def encode_polyline(lat: ArrayLike, lon: ArrayLike, precision: int = 5) -> str:
    """Google's encoded polyline of ``(lat, lon)`` points in degrees.

    >>> encode_polyline([38.5, 40.7, 43.252], [-120.2, -120.95, -126.453])
    '_p~iF~ps|U_ulLnnqC_mqNvxq`@'
    """
    factor = 10**precision
    la = np.rint(np.asarray(lat, dtype="float64") * factor).astype(np.int64)
    lo = np.rint(np.asarray(lon, dtype="float64") * factor).astype(np.int64)
    # Interleave lat and lon, each delta-encoded against its own previous value.
    dla = np.diff(la, prepend=0)
    dlo = np.diff(lo, prepend=0)
    inter = np.empty(2 * len(la), dtype=np.int64)
    inter[0::2], inter[1::2] = dla, dlo
    return _encode_deltas(inter)
