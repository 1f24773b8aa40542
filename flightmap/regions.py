"""Areas on the ellipsoid as shapely polygons in ``(lon, lat)`` order: disks and corridors.

Zones whose outline nobody published (a reported jamming area, a restricted airspace) are drawn
from a small *construction* that says exactly how, e.g. ``{"type": "disk", "center": "URMG",
"radius_km": 25}``; :func:`from_construction` turns it into a polygon, so the outline in a case
file can always be rebuilt and checked. Distances are geodesic (WGS84), never degrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flightmap.errors import InputError
from flightmap.geodesy import LatLon, geodesic_circle, geodesic_line, lonlat

__all__ = ["corridor", "disk", "from_construction"]


def disk(center: tuple[float, float], radius_m: float, n: int = 72) -> Any:
    """The geodesic disk of ``radius_m`` metres around ``center`` (``(lat, lon)``).

    >>> round(disk((0.0, 0.0), 111_319.49, n=360).bounds[2], 3)  # reaches 1° east
    1.0
    """
    from shapely.geometry import Polygon

    return Polygon([lonlat(p) for p in geodesic_circle(center, radius_m, n)])


def corridor(
    a: tuple[float, float], b: tuple[float, float], half_width_m: float, step_m: float = 2000.0
) -> Any:
    """Points within ``half_width_m`` metres of the geodesic from ``a`` to ``b``.

    Built as the union of geodesic disks centred every ``step_m`` metres along the geodesic,
    so the edge is within ``half_width_m * (1 - cos(asin(step_m / 2 / half_width_m)))`` of the
    true boundary (about 12 m for the defaults and a 40 km half width).
    """
    from shapely.ops import unary_union

    centres = geodesic_line(a, b, step_m)
    return unary_union([disk(c, half_width_m, 72) for c in centres]).simplify(0.0)


def from_construction(spec: Mapping[str, Any], waypoints: Mapping[str, Any]) -> Any:
    """Build the polygon a zone's ``construction`` describes.

    Parameters
    ----------
    spec : mapping
        ``{"type": "disk", "center": WAYPOINT_ID, "radius_km": R}`` or
        ``{"type": "corridor", "from": ID, "to": ID, "half_width_km": W}``.
    waypoints : mapping
        Waypoint id to an object with ``lat`` and ``lon`` attributes (degrees).
    """

    def point(key: str) -> LatLon:
        ident = str(spec.get(key))
        if ident not in waypoints:
            raise InputError(f"unknown waypoint {ident!r}", field=f"construction.{key}")
        w = waypoints[ident]
        return LatLon(float(w.lat), float(w.lon))

    def km(key: str) -> float:
        value = spec.get(key)
        if not isinstance(value, int | float) or not 0 < value < 5000:
            raise InputError(
                f"expected a distance in km, got {value!r}", field=f"construction.{key}"
            )
        return float(value) * 1000.0

    kind = spec.get("type")
    if kind == "disk":
        return disk(point("center"), km("radius_km"))
    if kind == "corridor":
        return corridor(point("from"), point("to"), km("half_width_km"))
    raise InputError(
        f"unknown construction type {kind!r} (expected disk or corridor)", field="construction.type"
    )
