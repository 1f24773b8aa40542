"""Analysis of flight tracks: gaps, GNSS integrity, where-could-it-have-been regions, events.

Pure functions over canonical track frames (:mod:`flightmap.schema`): they return new
DataFrames and shapely geometries (``(lon, lat)`` order) and never read or write files.

- :func:`analyse` -> :class:`TrackAnalysis`: every report's integrity state (``nominal``,
  ``degraded``, ``position_lost``, ``spoofed``), the gaps, and the integrity intervals with the
  rules that fired in words (:mod:`.integrity`, :mod:`.gaps`, position against velocity over
  windows in :mod:`.motion`, thresholds in :class:`IntegrityParams`).
- :func:`reachable_region`, :func:`region_at`: where the aircraft could have been across a gap
  and at an instant inside it (:mod:`.reachable`); :func:`gap_regions` for every gap.
- :func:`place_events`, :func:`leg_speeds`, :func:`case_regions`: case events on the track,
  plausibility of the case's own legs, and the case regions without a track (:mod:`.placement`,
  :mod:`.case_reach`).
- :func:`jamming_grid`: share of aircraft with degraded or lost GNSS per cell and time window
  (:mod:`.area`).
- :func:`analysis_report`, :func:`analysis_text`: what ``flightmap analyse`` prints
  (:mod:`.summary`).
- :mod:`.speeds`: maximum speeds (E190 derived from Vmo/Mmo) used as defaults.
"""

from flightmap.analysis.area import (
    GRID_COLUMNS,
    MAX_INTERP_S,
    aircraft_cells,
    grid_from_aircraft_cells,
    h3_available,
    jamming_geojson,
    jamming_grid,
)
from flightmap.analysis.case_reach import EVENT_COLUMNS, case_events, case_regions, leg_speeds
from flightmap.analysis.gaps import GAP_COLUMNS, GAP_KINDS, find_gaps
from flightmap.analysis.integrity import (
    FIX,
    GAP_ID,
    INTERVAL_COLUMNS,
    INTERVAL_ID,
    NAC_P_CF,
    NIC_CF,
    POSITION_SPEED_KT,
    RULE_BITS,
    RULES,
    STATE,
    STATES,
    Rule,
    TrackAnalysis,
    analyse,
    rule_codes,
)
from flightmap.analysis.params import NACP_EPU_M, NIC_RC_M, IntegrityParams
from flightmap.analysis.placement import PLACEMENT_COLUMNS, place_events, region_size
from flightmap.analysis.reachable import (
    ellipse_region,
    ellipse_regions,
    geodesic_area_m2,
    lens_region,
    lens_regions,
    reach_m,
    reachable_region,
    region_at,
)
from flightmap.analysis.speeds import (
    E190_MAX_SPEED_KT,
    E190_MAX_TAS_KT,
    JET_AIRCRAFT,
    MAX_SPEED_KT,
    max_tas_kt,
)
from flightmap.analysis.summary import (
    analysis_report,
    analysis_text,
    gap_regions,
    gap_regions_geojson,
)

__all__ = [
    "E190_MAX_SPEED_KT",
    "E190_MAX_TAS_KT",
    "EVENT_COLUMNS",
    "FIX",
    "GAP_COLUMNS",
    "GAP_ID",
    "GAP_KINDS",
    "GRID_COLUMNS",
    "INTERVAL_COLUMNS",
    "INTERVAL_ID",
    "JET_AIRCRAFT",
    "MAX_INTERP_S",
    "MAX_SPEED_KT",
    "NACP_EPU_M",
    "NAC_P_CF",
    "NIC_CF",
    "NIC_RC_M",
    "PLACEMENT_COLUMNS",
    "POSITION_SPEED_KT",
    "RULES",
    "RULE_BITS",
    "STATE",
    "STATES",
    "IntegrityParams",
    "Rule",
    "TrackAnalysis",
    "aircraft_cells",
    "analyse",
    "analysis_report",
    "analysis_text",
    "case_events",
    "case_regions",
    "ellipse_region",
    "ellipse_regions",
    "find_gaps",
    "gap_regions",
    "gap_regions_geojson",
    "geodesic_area_m2",
    "grid_from_aircraft_cells",
    "h3_available",
    "jamming_geojson",
    "jamming_grid",
    "leg_speeds",
    "lens_region",
    "lens_regions",
    "max_tas_kt",
    "place_events",
    "reach_m",
    "reachable_region",
    "region_at",
    "region_size",
    "rule_codes",
]
