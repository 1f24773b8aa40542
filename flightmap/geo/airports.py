"""Airports by code and the airport nearest to a point, from the airport list flightmap ships
(``data/basemap/places.csv``: airportsdata 20261103, airports with both an IATA and an ICAO
code, coordinates to 0.001 degree, no names or elevations; provenance in
``data/basemap/README.md``).

A case's ``waypoints.csv`` may give an airport by its ``icao`` code with ``lat`` and ``lon``
left empty (:func:`flightmap.geo.tables.read_waypoints` fills them from here);
``flightmap new-case --from-track`` adds the airport nearest to each end of a track.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["AIRPORTS_SOURCE", "AIRPORTS_VERSION", "airport", "nearest_airport"]

AIRPORTS_VERSION = "airportsdata 20261103"
"""The data set and version behind :func:`airport` and :func:`nearest_airport`."""

AIRPORTS_SOURCE = {
    "id": "airportsdata",
    "title": "airports.csv of the airportsdata package (airports with IATA and ICAO codes), as "
    "shipped in flightmap's data/basemap/places.csv",
    "publisher": "Mike Borsetti (airportsdata, MIT; data from mwgg/Airports, MIT)",
    "date": "2026-11-03",
    "url": "https://pypi.org/project/airportsdata/20261103/",
    "kind": "dataset",
    "note": "Version 20261103 (data/basemap/README.md gives the wheel and its SHA-256); "
    "coordinates rounded to 0.001 degree (about 100 m) in places.csv; no names or elevations",
}
"""A ``sources.csv`` row citing that data set."""

ROUNDING_KM = 0.1
"""Radius (km) covering the rounding of the shipped coordinates to 0.001 degree (at most
about 0.08 km)."""


@cache
def _airports() -> tuple[Any, ...]:
    from flightmap.basemap import places

    return tuple(p for p in places() if p.kind == "airport")


def airport(icao: str) -> Any | None:
    """The airport with this ICAO code (a :class:`flightmap.basemap.Place`: ``name`` is its
    IATA code, ``lat``/``lon`` degrees WGS84), or None.

    >>> p = airport("URMG")
    >>> p.name, p.lat, p.lon
    ('GRV', 43.388, 45.699)
    """
    code = icao.strip().upper()
    return next((p for p in _airports() if p.code == code), None)


def nearest_airport(lat: float, lon: float) -> tuple[Any, float]:
    """The airport nearest to ``(lat, lon)`` (degrees WGS84) and its geodesic distance, metres.

    >>> place, d = nearest_airport(40.467, 50.047)
    >>> place.name, place.code, round(d / 1000, 1)
    ('GYD', 'UBBB', 0.1)
    """
    import numpy as np

    from flightmap.geodesy import distances_m

    airports = _airports()
    d = distances_m(
        lat, lon, np.array([p.lat for p in airports]), np.array([p.lon for p in airports])
    )
    i = int(np.nanargmin(d))
    return airports[i], float(d[i])
