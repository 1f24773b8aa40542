"""Cut Natural Earth polygons and lines that cross the antimeridian into parts on each side.

world-atlas stores the land and countries as ``geostitch`` leaves them, as spherical rings:
where a ring crosses the antimeridian its longitude jumps from about +180 to -180 between two
consecutive points (Chukotka and Wrangel Island in Russia, Vanua Levu, Taveuni and Rabi in Fiji).
Read as planar (shapely), such a ring runs the other way round, through 360 degrees of
longitude, and covers a band of ocean right round the globe. Used by
``scripts/build_world_basemap.py`` before cutting the layers into tiles and before placing
country labels; imports nothing from flightmap.

Why not the ``antimeridian`` package (PyPI, gadomski): its ``fix_polygon`` raises
``ValueError`` on a 1:10m Fiji island whose ring steps 180 -> -180 -> 180 on the meridian
(antimeridian issue #201, open), returns zero-area slivers for rings with points on the
meridian, and assumes valid, counter-clockwise input (issues #29, #182), which the quantized
world-atlas rings are not. Unwrapping and ``shapely.clip_by_rect`` (which accepts invalid
polygons, like the tile cutting) need neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.affinity import translate
from shapely.geometry import LineString, MultiLineString, Polygon

#: (west, east, shift) in degrees: the three 360-degree windows an unwrapped ring can reach,
#: and the shift that brings each back into -180..180.
WINDOWS = ((-540.0, -180.0, 360.0), (-180.0, 180.0, 0.0), (180.0, 540.0, -360.0))


def unwrap(coords: Iterable[Sequence[float]]) -> np.ndarray:
    """(lon, lat) positions with +-360 added wherever consecutive longitudes jump over 180 deg.

    The shift that most positions get is taken back off, so most stay bit for bit as given.

    >>> unwrap([(179.0, 0.0), (-179.0, 1.0), (-178.0, 2.0), (-177.0, 1.0), (179.0, 0.0)]).tolist()
    [[-181.0, 0.0], [-179.0, 1.0], [-178.0, 2.0], [-177.0, 1.0], [-181.0, 0.0]]
    """
    xy = np.array([tuple(p[:2]) for p in coords], dtype=float)
    if len(xy) < 2:
        return xy
    step = np.diff(xy[:, 0])
    turns = np.concatenate([[0], np.cumsum(np.where(step > 180, -1, 0) + (step < -180))])
    values, counts = np.unique(turns, return_counts=True)
    turns -= values[np.argmax(counts)]
    xy[:, 0] += 360.0 * turns
    return xy


def crosses(coords: Iterable[Sequence[float]]) -> bool:
    """Whether consecutive longitudes jump by more than 180 deg (an antimeridian crossing).

    >>> crosses([(179.0, 0.0), (-179.0, 1.0)]), crosses([(-180.0, 0.0), (-179.0, 1.0)])
    (True, False)
    """
    x = np.array([p[0] for p in coords], dtype=float)
    return bool((np.abs(np.diff(x)) > 180).any())


def _windows(geometry: Any) -> list[Any]:
    """The parts of an unwrapped geometry in each window, shifted back into -180..180."""
    out = []
    for west, east, shift in WINDOWS:
        piece = shapely.clip_by_rect(geometry, west, -90.0, east, 90.0)
        if not piece.is_empty:
            out.append(translate(piece, xoff=shift) if shift else piece)
    return out


def split_polygon(polygon: Polygon) -> list[Polygon]:
    """The polygon cut at the antimeridian, each part within -180..180 deg of longitude.

    A polygon without a crossing is returned as it is (the same object). So is one with a
    ring that goes right round a pole (Antarctica: its unwrapped ring ends 360 deg from its
    start), which a planar map already draws as the band it is. Holes are moved by 360 deg
    to where the exterior is; zero-area parts (edges along the meridian) are dropped. Parts
    are not repaired: validity is the caller's (``make_valid`` after clipping to a tile).

    >>> [p.bounds for p in split_polygon(Polygon([(179, 0), (-179, 0), (-179, 1), (179, 1)]))]
    [(179.0, 0.0, 180.0, 1.0), (-180.0, 0.0, -179.0, 1.0)]
    """
    rings = [polygon.exterior, *polygon.interiors]
    if not any(crosses(r.coords) for r in rings):
        return [polygon]
    unwrapped = [unwrap(r.coords) for r in rings]
    if any(abs(u[-1, 0] - u[0, 0]) > 180 for u in unwrapped):
        return [polygon]
    shell = unwrapped[0]
    west, east = shell[:, 0].min(), shell[:, 0].max()
    holes = []
    for hole in unwrapped[1:]:
        turns = round(((west + east) - (hole[:, 0].min() + hole[:, 0].max())) / 720.0)
        hole[:, 0] += 360.0 * turns
        if hole[:, 0].min() < west or hole[:, 0].max() > east:
            raise ValueError(f"a hole at {hole[0].tolist()} lies outside its polygon's span")
        holes.append(hole)
    whole = Polygon(shell, holes)
    return [part for piece in _windows(whole) for part in _polygon_parts(piece) if part.area > 0]


def split_line(line: LineString) -> list[LineString]:
    """A line cut at the antimeridian, each part within -180..180 deg (as is if none).

    >>> [list(p.coords) for p in split_line(LineString([(178, 0), (-178, 2)]))]
    [[(178.0, 0.0), (180.0, 1.0)], [(-180.0, 1.0), (-178.0, 2.0)]]
    """
    if not crosses(line.coords):
        return [line]
    out = []
    for piece in _windows(LineString(unwrap(line.coords))):
        parts = piece.geoms if isinstance(piece, MultiLineString) else [piece]
        out += [p for p in parts if isinstance(p, LineString) and p.length > 0]
    return out


def split_polygons(polygons: Iterable[Polygon]) -> list[Polygon]:
    """Every polygon of ``polygons`` cut at the antimeridian (:func:`split_polygon`), in order."""
    return [part for polygon in polygons for part in split_polygon(polygon)]


def _polygon_parts(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    return [p for part in getattr(geometry, "geoms", []) for p in _polygon_parts(part)]
