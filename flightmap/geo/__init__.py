"""The case geography: load and validate a case (waypoints, events, claims, zones, sources).

A *case* is a folder of human-editable files (``data/cases/<case>/``, described field by field in
``data/README.md``): ``case.toml``, ``sources.csv``, ``waypoints.csv``, ``events.csv``,
``claims.csv``, ``legs.csv``, ``conflicts.csv`` and ``zones.geojson``. :func:`load_case` reads
them into frozen records, checks every field, resolves relative times and links conflicting
claims both ways. Anything wrong raises :class:`~flightmap.errors.InputError` naming the file,
the line or feature and the field.

Every waypoint, event, claim, leg and zone carries an evidence class (``observed``: measured
by a sensor; ``reported``: stated by a source; ``inferred``: derived here, with the method in
``basis``), a confidence (high / medium / low) and source ids that resolve to ``sources.csv``.

The records are in :mod:`flightmap.geo.model`, loading in :mod:`flightmap.geo.loader` (with
one module per file kind beside it: :mod:`~flightmap.geo.meta`, :mod:`~flightmap.geo.tables`,
:mod:`~flightmap.geo.zones`; the checks across files in :mod:`~flightmap.geo.references`), the
timeline's text and JSON forms in :mod:`flightmap.geo.timeline`. Geodesic helpers live in
:mod:`flightmap.geodesy` and are re-exported here for convenience. Nothing here draws anything
or imports folium.
"""

from __future__ import annotations

from flightmap.geo.fields import parse_utc
from flightmap.geo.folders import CaseFolder, case_dirs, find_cases, list_cases
from flightmap.geo.loader import load_case
from flightmap.geo.model import (
    CONFIDENCE,
    DEFAULT_CASE,
    EVIDENCE,
    SOURCE_KINDS,
    Case,
    CaseTrack,
    Claim,
    Conflict,
    Event,
    Leg,
    Placement,
    Source,
    Waypoint,
    Zone,
)
from flightmap.geodesy import (
    FT_M,
    KT_MS,
    NM_M,
    LatLon,
    bearing_deg,
    destination,
    distance_m,
    distances_m,
    geodesic_circle,
    geodesic_line,
    latlon,
    lonlat,
    path_length_m,
)

__all__ = [
    "CONFIDENCE",
    "DEFAULT_CASE",
    "EVIDENCE",
    "FT_M",
    "KT_MS",
    "NM_M",
    "SOURCE_KINDS",
    "Case",
    "CaseFolder",
    "CaseTrack",
    "Claim",
    "Conflict",
    "Event",
    "LatLon",
    "Leg",
    "Placement",
    "Source",
    "Waypoint",
    "Zone",
    "bearing_deg",
    "case_dirs",
    "destination",
    "distance_m",
    "distances_m",
    "find_cases",
    "geodesic_circle",
    "geodesic_line",
    "latlon",
    "list_cases",
    "load_case",
    "lonlat",
    "parse_utc",
    "path_length_m",
]
