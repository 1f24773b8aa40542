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
    "encode_many",
    "encode_polyline",
    "max_deviation_m",
    "mercator",
    "simplify_indices",
    "simplify_mask",
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


def simplify_mask(
    lat: ArrayLike,
    lon: ArrayLike,
    max_error_m: float = 25.0,
    keep: ArrayLike | None = None,
    starts: ArrayLike | None = None,
) -> NDArray[np.bool_]:
    """Which points to draw, for many runs at once; see :func:`simplify_indices`.

    ``starts`` marks the first point of each run (default: one run); runs are separate lines,
    so each keeps its first and last point. Points in ``keep`` split their run into pieces,
    and all pieces are simplified by GEOS in one vectorised call, each with its own tolerance;
    the input index of every point rides along as the Z coordinate, so the kept points are
    known exactly.

    >>> simplify_mask([0.0, 0.0001, 0.0, 0.0, 0.0], [0.0, 0.01, 0.02, 0.03, 0.04],
    ...               starts=[True, False, False, True, False]).tolist()
    [True, False, True, True, True]
    """
    la = np.asarray(lat, dtype="float64")
    lo = np.asarray(lon, dtype="float64")
    n = len(la)
    first: NDArray[np.bool_] = np.zeros(n, dtype=bool)
    if starts is not None:
        first = np.array(starts, dtype=bool)
    if n == 0:
        return first
    first[0] = True
    last = np.r_[first[1:], True]
    must = first | last
    if keep is not None:
        must |= np.asarray(keep, dtype=bool)
    if max_error_m <= 0:
        return np.ones(n, dtype=bool)
    cut = np.flatnonzero(must)
    # Pieces run from one kept point to the next inside a run (never from a run's last point
    # to the next run's first); pieces of one or two segments have nothing to drop.
    a, b = cut[:-1], cut[1:]
    sel = ~last[a] & (b - a >= 2)
    a, b = a[sel], b[sel]
    kept: NDArray[np.bool_] = must.copy()
    if len(a) == 0:
        return kept
    length = b - a + 1
    offsets = np.r_[0, np.cumsum(length)[:-1]]
    piece = np.repeat(np.arange(len(a)), length)
    idx = a[piece] + (np.arange(int(length.sum())) - offsets[piece])
    x, y = mercator(la[idx], lo[idx])
    # Ground distance = Mercator distance * cos(lat): the scale is largest where |lat| is
    # smallest, so dividing by the largest cos keeps the bound true across the piece.
    min_abs_lat = np.minimum.reduceat(np.abs(la[idx]), offsets)
    tol = max_error_m / np.cos(np.radians(np.minimum(min_abs_lat, _MAX_LAT)))
    kept[_dp(x, y, idx, piece, tol)] = True
    return kept


def _dp(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    idx: NDArray[np.intp],
    piece: NDArray[np.intp],
    tol: NDArray[np.float64],
) -> NDArray[np.intp]:
    """Indices kept by Douglas-Peucker (GEOS) on every piece, first and last always kept."""
    import shapely

    lines = shapely.linestrings(np.column_stack([x, y, idx.astype("float64")]), indices=piece)
    simple = shapely.simplify(lines, tol, preserve_topology=False)
    z = shapely.get_coordinates(simple, include_z=True)[:, 2]
    return np.asarray(np.rint(z), dtype=np.intp)


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
    return np.flatnonzero(simplify_mask(lat, lon, max_error_m, keep))


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
    return encode_many(np.asarray(values, dtype=np.int64), [0])[0]


def encode_many(values: ArrayLike, starts: ArrayLike, width: int = 1) -> list[str]:
    """Encode many integer sequences at once; one string per sequence.

    ``values`` holds the records of all sequences one after the other (``width`` integers per
    record, interleaved: ``[lat0, lon0, lat1, lon1, ...]`` for a polyline), ``starts`` the
    record index where each sequence begins. Each sequence is delta-encoded on its own, per
    component, as if encoded alone. Vectorised with numpy: the 5-bit groups of every value are
    written into one byte buffer, which is then cut at the sequence boundaries.

    >>> encode_many([0, 1, -1, 5, 5], [0, 3])
    ['?AB', 'I?']
    """
    v = np.asarray(values, dtype=np.int64).reshape(-1, width)
    first = np.asarray(starts, dtype=np.intp)
    if v.shape[0] == 0:
        return ["" for _ in first]
    d = np.diff(v, axis=0, prepend=np.zeros((1, width), dtype=np.int64))
    d[first] = v[first]
    z = np.where(d < 0, ~(d << 1), d << 1).ravel()
    # Number of 5-bit groups per value (at least one).
    groups = np.ones(z.size, dtype=np.int64)
    rest = z >> 5
    while rest.any():
        groups += rest > 0
        rest >>= 5
    begin = np.cumsum(groups) - groups
    buf = np.empty(int(groups.sum()), dtype=np.uint8)
    for j in range(int(groups.max())):
        sel = groups > j
        chunk = (z[sel] >> (5 * j)) & 0x1F
        more = np.where(groups[sel] > j + 1, 0x20, 0)
        buf[begin[sel] + j] = chunk | more
    buf += 63
    text = buf.tobytes().decode("ascii")
    bounds = np.r_[begin[first * width], buf.size].tolist()
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def encode_polyline(lat: ArrayLike, lon: ArrayLike, precision: int = 5) -> str:
    """Google's encoded polyline of ``(lat, lon)`` points in degrees.

    >>> encode_polyline([38.5, 40.7, 43.252], [-120.2, -120.95, -126.453])
    '_p~iF~ps|U_ulLnnqC_mqNvxq`@'
    """
    factor = 10**precision
    la = np.rint(np.asarray(lat, dtype="float64") * factor).astype(np.int64)
    lo = np.rint(np.asarray(lon, dtype="float64") * factor).astype(np.int64)
    return encode_many(np.column_stack([la, lo]).ravel(), [0], width=2)[0]
