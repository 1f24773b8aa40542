"""The offline basemap: Natural Earth land and country outlines for the case region.

The files in ``data/basemap/`` are regional extracts of Natural Earth (1:10m land, 1:50m
countries) as packaged by the npm package ``world-atlas`` 2.0.2; ``scripts/build_basemap.py``
rebuilds them and ``data/basemap/README.md`` records their provenance. This module loads them
and answers geometric questions about them, such as where a geodesic crosses the coastline.
It never draws anything.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np

from flightmap.geodesy import LatLon, geodesic_line
from flightmap.resources import data_dir

__all__ = ["coast_crossings", "countries_geojson", "land", "land_meta"]


def _read(name: str) -> dict[str, Any]:
    ref = data_dir() / "basemap" / name
    doc: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return doc


@cache
def land() -> Any:
    """Natural Earth 1:10m land for the region as one shapely (Multi)Polygon, ``(lon, lat)``.

    The Caspian Sea is water in this layer: a hole in the source's Afro-Eurasian polygon, open
    to the southern edge of the regional extract. Lakes (Sevan, Mingachevir) count as land.
    world-atlas quantises coordinates to about 290 m (east-west) by 190 m here, so coastline
    positions are good to a few hundred metres at best.
    """
    from shapely.geometry import shape
    from shapely.ops import unary_union

    doc = _read("land-10m.geojson")
    return unary_union([shape(f["geometry"]) for f in doc["features"]])


def land_meta() -> dict[str, Any]:
    """Provenance members of the land file (source, version, SHA-256, bbox, licence)."""
    return {k: v for k, v in _read("land-10m.geojson").items() if k not in ("features", "type")}


@cache
def countries_geojson() -> dict[str, Any]:
    """Natural Earth 1:50m country outlines for the region, as a GeoJSON FeatureCollection."""
    return _read("countries-50m.geojson")


def coast_crossings(
    a: tuple[float, float], b: tuple[float, float], spacing_m: float = 50.0
) -> list[tuple[LatLon, str]]:
    """Where the geodesic from ``a`` to ``b`` (``(lat, lon)``) crosses the coastline.

    The geodesic is sampled every ``spacing_m`` metres; each crossing is reported as the
    midpoint of the two samples that straddle it (so it is within ``spacing_m / 2`` of the
    Natural Earth coastline), with ``"land_to_sea"`` or ``"sea_to_land"``.

    Returns
    -------
    list of (LatLon, str)
        Crossings in order from ``a`` to ``b``.
    """
    import shapely

    pts = geodesic_line(a, b, spacing_m)
    lats = np.array([p.lat for p in pts])
    lons = np.array([p.lon for p in pts])
    on_land = shapely.contains_xy(land(), lons, lats)
    change = np.flatnonzero(on_land[1:] != on_land[:-1])
    out = []
    for i in change:
        # Over spacing_m (tens of metres) the arithmetic mean is the geodesic midpoint to
        # well under a millimetre.
        p = LatLon(float(lats[i] + lats[i + 1]) / 2, float(lons[i] + lons[i + 1]) / 2)
        out.append((p, "land_to_sea" if on_land[i] else "sea_to_land"))
    return out
