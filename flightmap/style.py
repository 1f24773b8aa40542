"""Colours and line styles of the map and the KML export, in one place (no folium: the KML
export and anything else may import it without loading the renderer)."""

from __future__ import annotations

from typing import Any

#: How each evidence class is drawn: solid for observed, dashed for reported, dotted for
#: inferred (Leaflet ``dashArray`` values, in pixels).
EVIDENCE_STYLE: dict[str, dict[str, Any]] = {
    "observed": {"dash_array": None, "opacity": 0.95, "label": "observed (measured, e.g. ADS-B)"},
    "reported": {"dash_array": "10 6", "opacity": 0.9, "label": "reported (stated by a source)"},
    "inferred": {"dash_array": "2 7", "opacity": 0.85, "label": "inferred (derived here)"},
}

# Colours tell categories apart for readers with any colour vision: the Okabe-Ito palette
# (Okabe & Ito, "Color Universal Design", 2008), plus Paul Tol's wine for a ninth class.
CATEGORY_COLOR: dict[str, str] = {
    "flight": "#0072B2",  # blue
    "approach": "#56B4E9",  # sky blue
    "atc": "#CC79A7",  # reddish purple
    "adsb": "#009E73",  # bluish green
    "gnss": "#E69F00",  # orange
    "damage": "#D55E00",  # vermillion
    "systems": "#000000",  # black
    "military": "#882255",  # wine
    "context": "#999999",  # grey
}
#: What each event category means, in the legend's plain words.
CATEGORY_WORDS: dict[str, str] = {
    "flight": "flight (take-off, route, landing)",
    "approach": "approach to land",
    "atc": "air traffic control",
    "adsb": "ADS-B (the aircraft's broadcast)",
    "gnss": "GPS / GNSS interference",
    "damage": "damage to the aircraft",
    "systems": "aircraft systems failure",
    "military": "military activity",
    "context": "background",
}
WAYPOINT_COLOR: dict[str, str] = {
    "airport": "#0072B2",
    "air_base": "#882255",
    "crash_site": "#000000",
}
ZONE_STYLE: dict[str, dict[str, Any]] = {
    "gnss_interference": {"color": "#E69F00", "fillColor": "#F0E442", "fillOpacity": 0.16},
    "airspace_closure": {"color": "#882255", "fillColor": "#CC79A7", "fillOpacity": 0.08},
}
#: What each zone kind means, in plain words.
ZONE_WORDS: dict[str, str] = {
    "gnss_interference": "reported GPS jamming area",
    "airspace_closure": "airspace closed",
}
DEFAULT_COLOR = "#555555"
LEG_COLOR = "#0072B2"

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
INTEGRITY_PALETTE: tuple[str, ...] = ("#009E73", "#E69F00", "#D55E00", "#CC79A7")
#: Levels of a jamming grid: gpsjam.org's green / yellow / red, as its readers know them;
#: grey where too few aircraft were seen to tell.
GRID_COLORS: dict[str, str] = {
    "low": "#1a9850",
    "medium": "#fee08b",
    "high": "#d73027",
    "few": "#bbbbbb",
}
