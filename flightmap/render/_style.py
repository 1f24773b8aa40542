"""Colours and line styles of the map, in one place."""

from __future__ import annotations

from typing import Any

#: How each evidence class is drawn: solid for observed, dashed for reported, dotted for
#: inferred (Leaflet ``dashArray`` values, in pixels).
EVIDENCE_STYLE: dict[str, dict[str, Any]] = {
    "observed": {"dash_array": None, "opacity": 0.95, "label": "observed (measured, e.g. ADS-B)"},
    "reported": {"dash_array": "10 6", "opacity": 0.9, "label": "reported (stated by a source)"},
    "inferred": {"dash_array": "2 7", "opacity": 0.85, "label": "inferred (derived here)"},
}

CATEGORY_COLOR: dict[str, str] = {
    "flight": "#1f4e9c",
    "approach": "#2a7fba",
    "atc": "#6a3d9a",
    "adsb": "#0f8b8d",
    "gnss": "#e08a00",
    "damage": "#c0151b",
    "systems": "#d7301f",
    "military": "#7f0000",
    "context": "#777777",
}
WAYPOINT_COLOR: dict[str, str] = {
    "airport": "#1f4e9c",
    "air_base": "#7f0000",
    "crash_site": "#000000",
}
ZONE_STYLE: dict[str, dict[str, Any]] = {
    "gnss_interference": {"color": "#e08a00", "fillColor": "#f5b942", "fillOpacity": 0.18},
    "airspace_closure": {"color": "#c0151b", "fillColor": "#c0151b", "fillOpacity": 0.07},
}
DEFAULT_COLOR = "#555555"
LEG_COLOR = "#1f4e9c"

#: Altitude bands (feet, lower bounds) and their colours (ColorBrewer-like, low = warm).
ALTITUDE_BANDS: tuple[tuple[float, str], ...] = (
    (float("-inf"), "#b2182b"),
    (2_000, "#d6604d"),
    (5_000, "#f4a582"),
    (10_000, "#92c5de"),
    (20_000, "#4393c3"),
    (30_000, "#2166ac"),
    (38_000, "#053061"),
)
NO_ALTITUDE_COLOR = "#888888"
#: Colours of the integrity states, in the order of :data:`flightmap.analysis.STATES` (an
#: analysis' state codes index this tuple).
INTEGRITY_PALETTE: tuple[str, ...] = ("#1a9850", "#fdae61", "#d73027", "#7b3294")
