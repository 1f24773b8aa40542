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
Exchange) counts NACp of 2 or less as bad GPS: those are *position lost* here. NIC 0 means
"containment radius unknown" (DO-260B): many older transponders send it all the time, so it is
not low integrity by itself; only a fall to 0 after the flight reported a bounded radius is
(a GNSS receiver that loses its fix stops bounding its error). As FR24 warns, low values on one
aircraft can also be an equipment problem; the area view (:mod:`flightmap.analysis.area`) tells
a local jammer from a faulty aircraft.

The emitter category (DO-260B, as readsb writes it: ``A0`` to ``C7``) says what kind of aircraft
sent a report: :data:`SLOW_RULE_CATEGORIES` are the airliners and fast jets for which 100 kt at
10,000 ft is impossible, :data:`EXEMPT_CATEGORIES` the gliders, balloons, parachutists,
ultralights, drones, space vehicles and ground vehicles or obstacles, which may hover anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from flightmap.analysis.speeds import (
    JET_AIRCRAFT,
    JET_STREAM_KT,
    MAX_SPEED_KT,
    WIND_ALLOWANCE_KT,
)
from flightmap.geodesy import NM_M

__all__ = [
    "EXEMPT_CATEGORIES",
    "NACP_EPU_M",
    "NIC_RC_M",
    "SLOW_RULE_CATEGORIES",
    "IntegrityParams",
]

#: Emitter categories (DO-260B) of aircraft that cannot fly under 100 kt at 10,000 ft: A3 large
#: (75,000 to 300,000 lb), A4 high-vortex large (B757), A5 heavy (over 300,000 lb), A6 high
#: performance (over 5 g and 400 kt).
SLOW_RULE_CATEGORIES: Final = frozenset({"A3", "A4", "A5", "A6"})

#: Emitter categories never held to a minimum speed: B1 glider, B2 lighter-than-air, B3
#: parachutist, B4 ultralight, B6 unmanned aerial vehicle, B7 space vehicle, and C1 to C7 (surface
#: vehicles and obstacles, a tethered balloon among them).
EXEMPT_CATEGORIES: Final = frozenset(
    {"B1", "B2", "B3", "B4", "B6", "B7", "C1", "C2", "C3", "C4", "C5", "C6", "C7"}
)

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
        Fastest ground speed the aircraft can fly (below ``wind_aloft_ft``). Faster position
        jumps and reported ground speeds are impossible (spoofing). Default 1,166 kt: the
        600 m/s jump rule of eugenepik/Opensky_ADS-B_GPS_anomalies, safe for any airliner;
        :data:`flightmap.analysis.speeds.MAX_SPEED_KT` has per-category values (585.6 kt for
        an E190, which includes 100 kt of wind).
    wind_aloft_kt, wind_aloft_ft : float (kt, ft)
        At or above ``wind_aloft_ft`` (barometric, else geometric altitude; and where the
        altitude is unknown) the limit is ``max_speed_kt + wind_aloft_kt``: jet streams at
        cruise levels are stronger than the 100 kt allowed in the per-category maximum speeds.
        Default 150 kt above 20,000 ft, i.e. 250 kt of tailwind in all
        (:data:`flightmap.analysis.speeds.JET_STREAM_KT`, our choice): an E190 is allowed
        735.6 kt there.
    jet : bool
        The track is known to be of a jet airliner (``--aircraft e190``): the "too slow at
        altitude" rule then holds reports without an emitter category to the airliner limits
        (``slow_gs_kt``, ``slow_alt_ft``) instead of the conservative ones. Default False.
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
        frozen. Default 60 s, as ``min_gap_s``: a repeated position is no fresher than a missing
        one, and shorter repeats are common where a track was resampled (a 10 s export of 1 s
        data repeats a position until the next one arrives, 20 to 50 s later over sparse
        coverage).
    moving_gs_kt : float, kt
        The frozen rule applies only off the ground and with a reported ground speed of at
        least this (or none): 50 kt (our choice), so a parked or taxiing aircraft is never
        frozen.
    integrity_max_age_s : float, s
        NIC and NACp are carried forward to the next reports of the flight that have none, for
        at most this long: 600 s (our choice). Not across the rows of readers that carry them
        forward themselves (:data:`flightmap.analysis._prep.CARRIED_BY_READER`, readsb
        traces), whose NA means "no longer known".
    nic_min, nacp_min : int
        Values below these are degraded: NIC 7 (Rc < 0.2 NM) and NACp 8 (EPU < 0.05 NM), the
        minimums of 14 CFR 91.227(c)(1).
    nic_lost, nacp_lost : int
        Values at or below these mean the GNSS position is lost: NIC 0 (Rc unknown, DO-260B),
        only after the flight reported a higher NIC (0 alone is "unknown", not low), and NACp
        2 (the gpsjam.org / ADS-B Exchange "bad GPS" limit).
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
        is false: FR24 saw 52 kt at 14,025 ft on J2-8243. Applies to the emitter categories
        :data:`SLOW_RULE_CATEGORIES`, and to reports without a category when ``jet``.
    slow_any_gs_kt, slow_any_alt_ft : float (kt, ft)
        The conservative limits for every other report (no category and not ``jet``; light
        aircraft A1, small A2, rotorcraft A7): under 80 kt at or above 30,000 ft (our choice:
        helicopters and piston aircraft cannot climb that high, and the slowest powered
        aircraft that can, pressurised single turboprops with a 30,000 ft ceiling, fly there at
        about 230 kt true airspeed or more; less the ``wind_aloft_kt`` allowance of 150 kt of
        headwind leaves 80 kt. Gliders and balloons, which can fly slower, are
        :data:`EXEMPT_CATEGORIES` and never held to a minimum speed). The limit is not strict
        to the knot: Flightradar24 rounds speeds to whole knots (a spoofed 50.4 kt reads 50).
    window_s, window_max_s : float, s
        The window rules (``velocity_mismatch``, ``slow_drift``) compare the motion of the
        positions over at least ``window_s`` (60 s, our choice: a minute smooths 1 s time-stamp
        jitter and integer speeds to under 2 %) with the velocity reported in the same window.
        A window spans from a fix to the last distinct fix at least ``window_s`` before it, and
        at most ``window_max_s`` (150 s): longer, it would cross a gap or a turn.
    track_mismatch_deg, track_min_kt : float (degrees, kt)
        Over a window, the bearing of the positions and the reported track disagree by more
        than 45 degrees (our choice: a standard-rate turn of 3 deg/s turns 180 degrees in a
        minute, but the chord of a turn stays within 90 degrees of the tracks at its ends, and
        the reported track is averaged over the window) where both speeds are at least 100 kt
        (below, bearings are noise).
    support_s, support_reports, support_span_s : float, int, float (s, reports, s)
        Minimum support of the rules that compare noisy values (``speed_mismatch``,
        ``alt_divergence``, ``slow_at_altitude``, ``velocity_mismatch``, ``slow_drift``): a
        report fires only in a cluster of at least ``support_reports`` (3) reports firing the
        same rule, each within ``support_s`` (60 s) of the previous one, the first and last at
        least ``support_span_s`` (20 s) apart, so a single outlier, a resampling artefact or a
        decoding error makes no interval, however dense the reports (our choice).
    episode_join_s : float, s
        Hysteresis of spoofing episodes: a stretch of up to 600 s (our choice) in a lower state
        between two spoofed reports of a flight joins the spoofed interval, so one episode is
        one interval even where the spoofed positions freeze or a few true-looking velocities
        come through. The per-report states are not changed.
    reappear_min_m, reappear_deg : float (m, degrees)
        ``reappear``: after a gap, the next fix lies more than 20 km away (our choice) on a
        bearing more than 45 degrees from both the track reported before the gap and the one
        reported after it, although the implied speed is possible (our choice: a flight that
        turned by up to 90 degrees during the gap arrives within 45 degrees of one of its two
        tracks; a larger turn inside a gap, such as a holding pattern, can fire it too).
    lead_outlier_fixes : int
        When a flight's first fixes are followed by an unpaired jump and then a consistent
        track at least as long, the first fixes are the bad ones (a bad first fix), not the fix
        the jump lands on: for at most this many leading fixes. Default 2 (our choice).
    flicker_reports, flicker_s : int, float (reports, s)
        Intervals smooth flickers: where the state dips below a level (degraded, position
        lost, spoofed) for at most ``flicker_reports`` reports lasting at most ``flicker_s``
        seconds (until it is back), between two reports at or above that level, the dip joins
        their interval, which keeps listing the rules of every report in it. States only rise,
        and only between two reports already at the level, so a single impossible report is
        never widened. Default 2 reports and 10 s (our choice); 0 reports turns smoothing off.
        The per-report states are not changed.
    """

    max_speed_kt: float = MAX_SPEED_KT["any"]
    wind_aloft_kt: float = JET_STREAM_KT - WIND_ALLOWANCE_KT
    wind_aloft_ft: float = 20_000.0
    jet: bool = False
    min_jump_m: float = 2000.0
    min_gap_s: float = 60.0
    gap_cadence_factor: float = 4.0
    frozen_min_s: float = 60.0
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
    slow_any_gs_kt: float = 80.0
    slow_any_alt_ft: float = 30_000.0
    window_s: float = 60.0
    window_max_s: float = 150.0
    track_mismatch_deg: float = 45.0
    track_min_kt: float = 100.0
    support_s: float = 60.0
    support_reports: int = 3
    support_span_s: float = 20.0
    episode_join_s: float = 600.0
    reappear_min_m: float = 20_000.0
    reappear_deg: float = 45.0
    alt_divergence_ft: float = 2000.0
    alt_divergence_frac: float = 0.10
    lead_outlier_fixes: int = 2
    flicker_reports: int = 2
    flicker_s: float = 10.0

    def __post_init__(self) -> None:
        for name in (
            "max_speed_kt",
            "min_gap_s",
            "gap_cadence_factor",
            "mismatch_max_leg_s",
            "window_s",
        ):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        for name in (
            "wind_aloft_kt",
            "flicker_reports",
            "flicker_s",
            "lead_outlier_fixes",
            "support_reports",
            "episode_join_s",
        ):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must not be negative, got {value!r}")
        if not self.window_max_s >= self.window_s:
            raise ValueError(
                f"window_max_s must be at least window_s ({self.window_s!r}), "
                f"got {self.window_max_s!r}"
            )

    @classmethod
    def for_aircraft(
        cls, aircraft: str = "any", max_speed_kt: float | None = None, **thresholds: Any
    ) -> IntegrityParams:
        """The parameters for an ``--aircraft`` category (:data:`MAX_SPEED_KT`).

        ``max_speed_kt`` replaces the category's maximum speed; ``thresholds`` set other fields.

        >>> p = IntegrityParams.for_aircraft("e190")
        >>> round(p.max_speed_kt, 1), p.jet, p.wind_aloft_kt
        (585.6, True, 150.0)

        Raises
        ------
        ValueError
            An unknown category (the message lists the known ones).
        """
        if aircraft not in MAX_SPEED_KT:
            raise ValueError(
                f"unknown aircraft category {aircraft!r}; expected one of {', '.join(MAX_SPEED_KT)}"
            )
        speed = max_speed_kt if max_speed_kt is not None else MAX_SPEED_KT[aircraft]
        return cls(max_speed_kt=speed, jet=aircraft in JET_AIRCRAFT, **thresholds)
