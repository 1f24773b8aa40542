"""The offline basemap: Natural Earth land and borders, and the place names to write on it.

``data/basemap/`` holds regional extracts of Natural Earth for the case region (1:10m land,
1:50m countries, used for calculations such as coastline crossings), the whole world at 1:110m
and 1:50m in 10-degree tiles (land, lakes, land borders; encoded polylines), and a table of
places (seas, countries, GeoNames cities, airports). ``scripts/build_basemap.py`` rebuilds them
and ``data/basemap/README.md`` records their provenance. This module loads them and selects
what a map of given bounds needs (:func:`world_tiles`, :func:`places_for`). It never draws
anything; :mod:`flightmap.render._basemap` does.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from flightmap.geodesy import LatLon, geodesic_line
from flightmap.resources import data_dir

__all__ = [
    "Place",
    "coast_crossings",
    "countries_geojson",
    "detail_box",
    "focus_cities",
    "land",
    "land_meta",
    "places",
    "places_for",
    "world_tiles",
]

#: (south, west), (north, east) in degrees: the (lat, lon) corners of a map's data.
Bounds = tuple[tuple[float, float], tuple[float, float]]


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


# --------------------------------------------------------------------------- world layers

#: Side of the world tiles, degrees (``tile_deg`` in the files).
TILE_DEG = 10
#: Margin around the data drawn at 1:50m (and searched for places), degrees: the larger of
#: this and the data's own span, so zooming out a few levels still shows the detail.
DETAIL_MARGIN_DEG = 10.0
#: Past this many 1:50m tiles (a page spanning continents) only the data's own tiles are 1:50m,
#: and none when the data's own tiles are more (the whole 1:50m world is 400 KB).
MAX_DETAIL_TILES = 60
#: Margin around the data drawn with 1:10m land, degrees, and the most 1:10m tiles a page
#: takes (a page whose data spans more is read at zooms where 1:50m is as good).
CLOSE_MARGIN_DEG = 2.0
MAX_CLOSE_TILES = 9


def detail_box(bounds: Bounds, margin_deg: float = DETAIL_MARGIN_DEG) -> Bounds:
    """``bounds`` widened by ``max(margin_deg, span)`` on each side, clamped to the world.

    Bounds across the antimeridian have ``east`` above 180 (longitudes in [0, 360), as a page
    of data there is drawn): their box is not clamped in longitude, at most 360 degrees wide.

    >>> detail_box(((40.0, 45.0), (44.0, 52.0)))
    ((30.0, 35.0), (54.0, 62.0))
    >>> detail_box(((-18.0, 177.0), (-16.0, 183.0)))
    ((-28.0, 167.0), (-6.0, 193.0))
    """
    (south, west), (north, east) = bounds
    dlat = max(margin_deg, north - south)
    dlon = max(margin_deg, east - west)
    if east > 180.0:
        half = max(0.0, (360.0 - (east - west)) / 2)
        dlon = min(dlon, half)
        return (
            (max(-90.0, south - dlat), west - dlon),
            (min(90.0, north + dlat), east + dlon),
        )
    return (
        (max(-90.0, south - dlat), max(-180.0, west - dlon)),
        (min(90.0, north + dlat), min(180.0, east + dlon)),
    )


def _tile_keys(bounds: Bounds) -> list[str]:
    """Keys (``"west,south"``) of the tiles that ``bounds`` touches, sorted.

    >>> _tile_keys(((40.3, 45.6), (43.9, 51.2)))
    ['40,40', '50,40']
    """
    (south, west), (north, east) = bounds
    if east > 180.0:  # across the antimeridian: tiles on both sides, keyed as stored
        lat0 = max(-90, math.floor(south / TILE_DEG) * TILE_DEG)
        lat1 = min(90, math.floor(north / TILE_DEG) * TILE_DEG)
        xs = range(
            math.floor(west / TILE_DEG) * TILE_DEG, math.ceil(east / TILE_DEG) * TILE_DEG, TILE_DEG
        )
        return sorted(
            {
                f"{(x + 180) % 360 - 180},{y}"
                for x in xs
                for y in range(lat0, lat1 + 1, TILE_DEG)
                if y < 90
            }
        )
    lon0 = max(-180, math.floor(west / TILE_DEG) * TILE_DEG)
    lat0 = max(-90, math.floor(south / TILE_DEG) * TILE_DEG)
    lon1 = min(180, math.floor(east / TILE_DEG) * TILE_DEG)
    lat1 = min(90, math.floor(north / TILE_DEG) * TILE_DEG)
    return sorted(
        f"{x},{y}"
        for x in range(lon0, lon1 + 1, TILE_DEG)
        for y in range(lat0, lat1 + 1, TILE_DEG)
        if x < 180 and y < 90
    )


@cache
def _world(name: str) -> dict[str, Any]:
    return _read(f"world-{name}.json")


def _tiles_10m(keys: list[str]) -> dict[str, Any]:
    """The 1:10m tiles of ``keys``, reading only the half files (west/east of 0 deg) needed."""
    out: dict[str, Any] = {}
    for half in sorted({"west" if int(k.split(",")[0]) < 0 else "east" for k in keys}):
        tiles = _world(f"10m-{half}")["tiles"]
        out.update({k: tiles[k] for k in keys if k in tiles})
    return out


def world_tiles(bounds: Bounds) -> list[tuple[int, dict[str, Any]]]:
    """The world layer tiles a map of ``bounds`` needs, as ``(decimals, tile)`` pairs.

    Each 10-degree tile comes once, at the finest scale its distance from the data calls for:
    1:10m land (with 1:50m lakes and borders) within ``CLOSE_MARGIN_DEG`` of the data, 1:50m
    within :func:`detail_box`, 1:110m for the rest of the world. Each tile holds ``land`` and
    ``lakes`` (polygons as lists of encoded rings) and ``borders`` (encoded lines); see
    ``data/basemap/README.md``. The order is fixed (finest first, then by key), so a page is
    the same at every run.

    Parameters
    ----------
    bounds : ((float, float), (float, float))
        South-west and north-east ``(lat, lon)`` corners of the data, degrees.
    """
    close = _tile_keys(detail_box(bounds, CLOSE_MARGIN_DEG))
    close = close if len(close) <= MAX_CLOSE_TILES else []
    detail = _tile_keys(detail_box(bounds))
    if len(detail) > MAX_DETAIL_TILES:
        detail = _tile_keys(bounds)
    if len(detail) > MAX_DETAIL_TILES:  # data across continents: read at 1:110m zooms
        detail = []
    fine, coarse = _world("50m"), _world("110m")
    out: list[tuple[int, dict[str, Any]]] = []
    taken: set[str] = set()
    for decimals, tiles, keys in (
        (int(fine["decimals"]), _tiles_10m(close), close),
        (int(fine["decimals"]), fine["tiles"], detail),
        (int(coarse["decimals"]), coarse["tiles"], sorted(coarse["tiles"])),
    ):
        for k in keys:
            if k not in taken and k in tiles:
                out.append((decimals, tiles[k]))
            taken.add(k)
    return out


# --------------------------------------------------------------------------- places


class Place(NamedTuple):
    """A name to write on the map (a named tuple, not a dataclass: 20,000 are read at once,
    and a tuple is built in a fraction of the time).

    Attributes
    ----------
    kind : str
        ``sea``, ``country``, ``city`` or ``airport``.
    name : str
        The text: English name, or the IATA code of an airport.
    code : str
        Country code (ISO 3166 alpha-2) of a city, ICAO code of an airport, ISO numeric code of
        a country, empty for a sea.
    lat, lon : float
        Label point, degrees WGS84.
    rank : float
        Population of a city (or of the city an airport serves), area in square degrees of a
        country's largest polygon, 0 for a sea; larger first within a kind.
    minzoom, maxzoom : int
        Leaflet zoom levels between which the label is offered.
    """

    kind: str
    name: str
    code: str
    lat: float
    lon: float
    rank: float
    minzoom: int
    maxzoom: int


@cache
def places() -> tuple[Place, ...]:
    """Every place of ``data/basemap/places.csv``, in the file's order."""
    return _as_places(_place_table(), slice(None))


class _PlaceTable(NamedTuple):
    """``places.csv`` as columns (numpy arrays, one item per place, in the file's order): a
    map needs about 2,000 of its 20,000 places, and only those become :class:`Place` tuples."""

    kind: np.ndarray
    name: np.ndarray
    code: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    rank: np.ndarray
    minzoom: np.ndarray
    maxzoom: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[Place]) -> _PlaceTable:
        """The table of ``rows`` (tests give a map places of their own with it)."""
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(Place._fields)
        types = ["object"] * 3 + ["float64"] * 3 + ["int64"] * 2
        return cls(*(np.array(c, dtype=t) for c, t in zip(cols, types, strict=True)))


@cache
def _place_table() -> _PlaceTable:
    import pandas as pd  # the renderer's process has it already; not every import needs it

    path = data_dir() / "basemap" / "places.csv"
    with path.open(encoding="utf-8", newline="") as f:
        if next(csv.reader(f), None) != list(Place._fields):
            raise ValueError(f"{path}: header is not {','.join(Place._fields)}")
    types = {"kind": "object", "name": "object", "code": "object", "lat": "float64"}
    types |= {"lon": "float64", "rank": "float64", "minzoom": "int64", "maxzoom": "int64"}
    # No NA parsing: "NA" is Namibia's country code, an empty code is "" (as the csv module).
    frame = pd.read_csv(path, dtype=types, na_filter=False)
    return _PlaceTable(*(frame[c].to_numpy() for c in Place._fields))


def _as_places(table: _PlaceTable, rows: slice | np.ndarray) -> tuple[Place, ...]:
    """The places of ``rows`` of the table, as :class:`Place` tuples with Python values."""
    cols = [col[rows].tolist() for col in table]
    return tuple(map(Place._make, zip(*cols, strict=True)))


#: Cities of at least this many people are kept worldwide (they read at low zoom).
WORLD_CITY_POPULATION = 1_000_000
#: At most this many cities and airports around the data (largest first).
MAX_LOCAL_CITIES = 800
MAX_LOCAL_AIRPORTS = 300
#: Margin around the data searched for cities and airports, degrees (see detail_box).
PLACES_MARGIN_DEG = 5.0


def priority(p: Place) -> tuple[int, float, str, str]:
    """Sort key: seas, cities of 1M+, countries, airports of 1M+ cities, cities of 200k+,
    small countries, other airports, other cities; the larger first within each, then by name.

    Earlier places win when two labels would overlap on the page, so Nice (342,000 people)
    is written and Monaco (under 0.1 square degree) is not, and Dubai's airport (DXB) before
    the districts around it.

    >>> kinds = ["city", "airport", "country", "sea"]
    >>> sorted(kinds, key=lambda k: priority(Place(k, "", "", 0, 0, 1e6, 0, 0)))
    ['sea', 'city', 'country', 'airport']
    """
    big = p.rank >= WORLD_CITY_POPULATION
    if p.kind == "sea":
        tier = 0
    elif p.kind == "country":
        tier = 2 if p.rank >= 1.0 else 5
    elif p.kind == "airport":
        tier = 3 if big else 6
    elif big:
        tier = 1
    else:
        tier = 4 if p.rank >= 200_000 else 7
    return (tier, -p.rank, p.name, p.code)


#: The largest city this close to a focus point (degrees of latitude, about 39 km) names it;
#: else the nearest city within FOCUS_RADIUS_DEG (about 55 km).
FOCUS_CITY_DEG = 0.35
FOCUS_RADIUS_DEG = 0.5


def places_for(bounds: Bounds) -> list[Place]:
    """The places a map of ``bounds`` offers for labelling, in :func:`priority` order.

    Seas, countries and cities of a million or more people come from the whole world; other
    cities and airports from the data's bounds widened by :func:`detail_box` with a
    ``PLACES_MARGIN_DEG`` margin, the largest first (at most ``MAX_LOCAL_CITIES`` and
    ``MAX_LOCAL_AIRPORTS``). Deterministic: the same bounds give the same list.

    Parameters
    ----------
    bounds : ((float, float), (float, float))
        South-west and north-east ``(lat, lon)`` corners of the data, degrees.
    """
    (south, west), (north, east) = detail_box(bounds, PLACES_MARGIN_DEG)
    t = _place_table()
    is_world = (t.kind == "sea") | (t.kind == "country")
    is_world |= (t.kind == "city") & (t.rank >= WORLD_CITY_POPULATION)
    lon = np.where(t.lon < west, t.lon + 360.0, t.lon) if east > 180.0 else t.lon
    inside = (south <= t.lat) & (t.lat <= north) & (west <= lon) & (lon <= east)
    is_airport = t.kind == "airport"
    world = _as_places(t, np.flatnonzero(is_world))
    cities = _as_places(
        t, _first(t, np.flatnonzero(~is_world & inside & ~is_airport), MAX_LOCAL_CITIES)
    )
    airports = _as_places(
        t, _first(t, np.flatnonzero(~is_world & inside & is_airport), MAX_LOCAL_AIRPORTS)
    )
    return sorted([*world, *cities, *airports], key=priority)


def _first(t: _PlaceTable, rows: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` first of ``rows`` (table indices) in :func:`priority` order, sorted on the
    columns: a wide map has some 10,000 cities around its data, and only 800 become tuples."""
    if len(rows) <= n:
        return rows
    keys = zip(
        tiers(t.kind[rows], t.rank[rows]).tolist(),
        (-t.rank[rows]).tolist(),
        t.name[rows].tolist(),
        t.code[rows].tolist(),
        rows.tolist(),  # the file's order last, as a stable sort keeps it
        strict=True,
    )
    return np.array([key[-1] for key in sorted(keys)[:n]], dtype=np.intp)


def tiers(kind: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The first item of :func:`priority` for arrays of kinds and ranks (the same tiers)."""
    big = rank >= WORLD_CITY_POPULATION
    return np.select(
        [kind == "sea", kind == "country", kind == "airport"],
        [0, np.where(rank >= 1.0, 2, 5), np.where(big, 3, 6)],
        np.where(big, 1, np.where(rank >= 200_000, 4, 7)),
    )


def focus_cities(candidates: Sequence[Place], focus: Sequence[tuple[float, float]]) -> list[Place]:
    """The city of each focus point, once each, in the order of ``focus``: the largest of
    ``candidates`` within :data:`FOCUS_CITY_DEG` of it (an airport's city, not the suburb at
    its fence), else the nearest within :data:`FOCUS_RADIUS_DEG`.

    Focus points are where the story happens (a case's airports, a track's ends): their
    cities are named first on a map, so Grozny is written on a map of J2-8243 even where
    Makhachkala, a larger city, competes for the room.

    >>> baku = Place("city", "Baku", "AZ", 40.378, 49.892, 2.3e6, 4, 99)
    >>> suburb = Place("city", "Bakixanov", "AZ", 40.42, 49.96, 7e4, 8, 99)
    >>> [p.name for p in focus_cities([suburb, baku], [(40.467, 50.047), (0.0, 0.0)])]
    ['Baku']
    """
    cities = sorted((p for p in candidates if p.kind == "city"), key=priority)
    out: list[Place] = []
    if not cities or not focus:
        return out
    # Arrays over the cities in priority order: the first index in a mask is the largest city.
    lat = np.array([p.lat for p in cities])
    lon = np.array([p.lon for p in cities])
    for f_lat, f_lon in focus:
        scale = math.cos(math.radians(f_lat))
        dist = np.hypot(lat - f_lat, (lon - f_lon) * scale)
        close = np.flatnonzero(dist <= FOCUS_CITY_DEG)
        if close.size:
            pick = cities[int(close[0])]
        else:
            k = int(np.argmin(dist))
            if dist[k] > FOCUS_RADIUS_DEG:
                continue
            pick = cities[k]
        if pick not in out:
            out.append(pick)
    return out
