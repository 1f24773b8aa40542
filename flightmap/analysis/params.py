"""Thresholds of the gap and integrity rules, with their units and where each comes from.

The ADS-B quality indicators are defined in RTCA DO-260B (1090 MHz Extended Squitter MOPS):

- NIC (Navigation Integrity Category) states a containment radius Rc: the aircraft's navigation
  system guarantees, at the integrity level SIL, that the true position is within Rc of the
  reported one. NIC 0 means "Rc unknown".
- NACp (Navigation Accuracy Category for position) states the 95 % estimated position
  uncertainty (EPU). NACp 0 means "EPU 10 NM or more, or unknown".

:data:`NIC_RC_M` and :data:`NACP_EPU_M` give the upper bound of each category (the same tables as
``pyModeS/decoder/uncertainty.py``). 14 CFR 91.227(c)(1) (the US ADS-B Out performance rule)
requires NACp "less than 0.05 nautical miles" (NACp 8 or more) and NIC "less than 0.2 nautical
miles" (NIC 7 or more): values below those are *degraded* here. gpsjam.org (through ADS-B
Exchange) counts NACp of 2 or less as bad GPS: those are *position lost* here, together with
NIC 0. As FR24 warns, low values on one aircraft can also be an equipment problem; the area view
(:mod:`flightmap.analysis.area`) tells a local jammer from a faulty aircraft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from flightmap.analysis.speeds import MAX_SPEED_KT
from flightmap.geodesy import NM_M

__all__ = ["NACP_EPU_M", "NIC_RC_M", "IntegrityParams"]

#: NIC -> upper bound of the containment radius Rc in metres (DO-260B; NIC 6 without supplement
#: bits is < 0.6 NM). NIC 0: unknown.
NIC_RC_M: Final[dict[int, float]] = {
    1: 20 * NM_M,
    2: 8 * NM_M,
    3: 4 * NM_M,
    4: 2 * NM_M,
    5: 1 * NM_M,
    6: 0.6 * NM_M,
    7: 0.2 * NM_M,
    8: 0.1 * NM_M,
    9: 75.0,
    10: 25.0,
    11: 7.5,
}

#: NACp -> upper bound of the 95 % estimated position uncertainty (EPU) in metres (DO-260B).
#: NACp 0: 10 NM or more, or unknown.
NACP_EPU_M: Final[dict[int, float]] = {
    1: 10 * NM_M,
    2: 4 * NM_M,
    3: 2 * NM_M,
    4: 1 * NM_M,
    5: 0.5 * NM_M,
    6: 0.3 * NM_M,
    7: 0.1 * NM_M,
    8: 0.05 * NM_M,
    9: 30.0,
    10: 10.0,
    11: 3.0,
}


@dataclass(frozen=True)
class IntegrityParams:
    """Thresholds of the rules; every default is documented with its unit and source.

    Attributes
    ----------
    max_speed_kt : float, kt
        Fastest ground speed the aircraft can fly. Faster position jumps are impossible
        (spoofing). Default 1,166 kt: the 600 m/s jump rule of eugenepik/Opensky_ADS-B_GPS_
        anomalies, safe for any airliner; :data:`flightmap.analysis.speeds.MAX_SPEED_KT` has
        per-category values (585.6 kt for an E190).
    min_jump_m : float, m
        A jump must also be longer than this: 2 km, as in eugenepik's rule (so position noise
        between close reports is not a jump).
    min_gap_s : float, s
        Shortest gap: 60 s, eugenepik's gap rule (positions null for 60 s or more).
    gap_cadence_factor : float
        The gap threshold of a flight is ``max(min_gap_s, factor * median time between its
        fixes)``, so sparse tracks (a Flightradar24 CSV with a fix a minute) do not show a gap
        at every fix. Default 4 (our choice).
    frozen_min_s : float, s
        A position repeated unchanged for at least this long while the aircraft moves is
        frozen. Default 30 s (our choice: at 250 kt an aircraft moves 3.9 km in 30 s, while
        repeated coordinates can only mean the position was not refreshed).
    moving_gs_kt : float, kt
        The frozen rule applies only off the ground and with a reported ground speed of at
        least this (or none): 50 kt (our choice), so a parked or taxiing aircraft is never
        frozen.
    integrity_max_age_s : float, s
        NIC and NACp are carried forward to the next reports of the flight (sparse in readsb
        traces) for at most this long: 600 s (our choice).
    nic_min, nacp_min : int
        Values below these are degraded: NIC 7 (Rc < 0.2 NM) and NACp 8 (EPU < 0.05 NM), the
        minimums of 14 CFR 91.227(c)(1).
    nic_lost, nacp_lost : int
        Values at or below these mean the GNSS position is lost: NIC 0 (Rc unknown, DO-260B)
        and NACp 2 (the gpsjam.org / ADS-B Exchange "bad GPS" limit).
    mismatch_kt, mismatch_frac : float (kt, fraction)
        Position-derived speed and reported ground speed disagree when they differ by more than
        ``max(mismatch_kt, mismatch_frac * ground speed)``: 100 kt or 50 % (our choice, well
        above the error of 1 s time stamps on legs of 10 s or more).
    mismatch_min_leg_s, mismatch_max_leg_s : float, s
        The comparison uses legs between consecutive fixes lasting 10 to 30 s: shorter legs
        suffer from time-stamp rounding, longer ones from turns (a chord is shorter than the
        arc flown).
    slow_gs_kt, slow_alt_ft : float (kt, ft)
        A reported ground speed under 100 kt at or above 10,000 ft (barometric) is impossible
        for an airliner (our choice: minimum clean speeds there exceed 200 kt true airspeed,
        and headwinds of 100 kt or more at those levels are exceptional), so the GNSS velocity
        is false: FR24 saw 52 kt at 14,025 ft on J2-8243.
    alt_divergence_ft, alt_divergence_frac : float (ft, fraction)
        Geometric (GNSS) and barometric altitude diverge when they differ by more than
        ``alt_divergence_ft + alt_divergence_frac * |barometric altitude|``: 2,000 ft + 10 %
        (our choice: non-standard temperature and pressure make the two differ by up to about
        7-9 % of the altitude plus about 1,000 ft near the ground in normal operation).
    """

    max_speed_kt: float = MAX_SPEED_KT["any"]
    min_jump_m: float = 2000.0
    min_gap_s: float = 60.0
    gap_cadence_factor: float = 4.0
    frozen_min_s: float = 30.0
    moving_gs_kt: float = 50.0
    integrity_max_age_s: float = 600.0
    nic_min: int = 7
    nacp_min: int = 8
    nic_lost: int = 0
    nacp_lost: int = 2
    mismatch_kt: float = 100.0
    mismatch_frac: float = 0.5
    mismatch_min_leg_s: float = 10.0
    mismatch_max_leg_s: float = 30.0
    slow_gs_kt: float = 100.0
    slow_alt_ft: float = 10_000.0
    alt_divergence_ft: float = 2000.0
    alt_divergence_frac: float = 0.10

    def __post_init__(self) -> None:
        for name in (
            "max_speed_kt",
            "min_gap_s",
            "gap_cadence_factor",
            "mismatch_max_leg_s",
        ):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
