"""Maximum speeds used to bound where an aircraft could have been, with their derivation.

A maximum *ground* speed is the aircraft's highest true airspeed plus the strongest wind it could
have had behind it. The true airspeed comes from the certified limits Vmo (maximum operating
calibrated airspeed) and Mmo (maximum operating Mach number) through the ICAO Standard Atmosphere
(ISA): below the crossover altitude Vmo limits and the true airspeed grows with altitude; above it
Mmo limits and the true airspeed falls with the speed of sound (or stays constant in the
stratosphere), so the maximum is at the crossover altitude.

Every figure here is a parameter of the functions that use it; nothing in flightmap hides a speed.
"""

from __future__ import annotations

import math
from typing import Final

from flightmap.geodesy import KT_MS

__all__ = [
    "E190_MAX_SPEED_KT",
    "E190_MAX_TAS_KT",
    "E190_MMO",
    "E190_VMO_KCAS",
    "EUGENEPIK_JUMP_KT",
    "JET_AIRCRAFT",
    "JET_STREAM_KT",
    "MAX_SPEED_KT",
    "WIND_ALLOWANCE_KT",
    "crossover_altitude_m",
    "max_tas_kt",
]

# ICAO Standard Atmosphere (ICAO Doc 7488), troposphere and lower stratosphere.
_T0_K: Final = 288.15  # sea-level temperature
_P0_PA: Final = 101_325.0  # sea-level pressure
_LAPSE_K_M: Final = 0.0065  # temperature lapse rate up to 11,000 m
_T_TROPOPAUSE_K: Final = 216.65
_R_J_KG_K: Final = 287.05287  # specific gas constant of dry air
_GAMMA: Final = 1.4
_G0: Final = 9.80665
_A0_KT: Final = math.sqrt(_GAMMA * _R_J_KG_K * _T0_K) / KT_MS  # 661.48 kt
_P_EXPONENT: Final = _G0 / (_LAPSE_K_M * _R_J_KG_K)  # 5.2559

#: Embraer E190 (ERJ 190-100) maximum operating speed, knots calibrated airspeed, and maximum
#: operating Mach number. The E-Jet family limits as printed in ANAC type-certificate data sheet
#: 2003T05 (ERJ 170): Vmo 320 kt from 3,048 m to 8,805 m, Mmo 0.82 from 8,805 m to 12,497 m; the
#: ERJ 190 data sheet (EASA.IM.A.071) lists the same pair. The 8,805 m switch altitude is the ISA
#: crossover of 320 kt and M 0.82, which :func:`crossover_altitude_m` reproduces to about 10 m.
E190_VMO_KCAS: Final = 320.0
E190_MMO: Final = 0.82


def crossover_altitude_m(vmo_kcas: float, mmo: float) -> float:
    """Pressure altitude in metres (ISA) where ``vmo_kcas`` knots CAS equals Mach ``mmo``.

    >>> round(crossover_altitude_m(320.0, 0.82))
    8796
    """
    # Impact pressure of the calibrated airspeed (subsonic St Venant formula), then the static
    # pressure at which that impact pressure corresponds to the Mach number.
    qc_over_p0 = (1.0 + 0.2 * (vmo_kcas / _A0_KT) ** 2) ** 3.5 - 1.0
    qc_over_p = (1.0 + 0.2 * mmo**2) ** 3.5 - 1.0
    p = _P0_PA * qc_over_p0 / qc_over_p
    t = float(_T0_K * (p / _P0_PA) ** (1.0 / _P_EXPONENT))
    if t >= _T_TROPOPAUSE_K:
        return (_T0_K - t) / _LAPSE_K_M
    # Isothermal stratosphere above 11,000 m.
    p11 = _P0_PA * (_T_TROPOPAUSE_K / _T0_K) ** _P_EXPONENT
    return 11_000.0 + _R_J_KG_K * _T_TROPOPAUSE_K / _G0 * math.log(p11 / p)


def max_tas_kt(vmo_kcas: float, mmo: float) -> float:
    """Highest true airspeed in knots allowed by ``vmo_kcas`` and ``mmo`` in the ISA.

    It is reached at the crossover altitude (see the module docstring).

    >>> round(max_tas_kt(320.0, 0.82), 1)
    485.6
    """
    h = crossover_altitude_m(vmo_kcas, mmo)
    t = max(_T0_K - _LAPSE_K_M * min(h, 11_000.0), _T_TROPOPAUSE_K)
    return mmo * math.sqrt(_GAMMA * _R_J_KG_K * t) / KT_MS


#: Highest E190 true airspeed, knots: 485.6 kt at the crossover altitude (about FL289).
E190_MAX_TAS_KT: Final = max_tas_kt(E190_VMO_KCAS, E190_MMO)

#: Tailwind allowance added to the true airspeed, knots. Our choice, not a published figure: winds
#: of 100 kt are rare below FL150, where J2-8243 flew after the hit; at cruise levels jet streams
#: can be stronger, so pass a larger maximum speed there.
WIND_ALLOWANCE_KT: Final = 100.0

#: Maximum ground speed used for an E190, knots: :data:`E190_MAX_TAS_KT` +
#: :data:`WIND_ALLOWANCE_KT` = 585.6 kt (301 m/s).
E190_MAX_SPEED_KT: Final = E190_MAX_TAS_KT + WIND_ALLOWANCE_KT

#: The jump threshold of the eugenepik/Opensky_ADS-B_GPS_anomalies analysis (600 m/s), in knots:
#: faster than any airliner's ground speed, so it suits tracks of unknown aircraft type.
EUGENEPIK_JUMP_KT: Final = 600.0 / KT_MS

#: Maximum ground speed by aircraft category, knots (``--aircraft`` on the command line).
MAX_SPEED_KT: Final[dict[str, float]] = {
    "any": EUGENEPIK_JUMP_KT,
    "e190": E190_MAX_SPEED_KT,
}

#: The ``--aircraft`` categories that are jet airliners: the "too slow at altitude" rule applies
#: to their reports even when the track does not give an emitter category.
JET_AIRCRAFT: Final = frozenset({"e190"})

#: Strongest tailwind allowed at cruise levels, knots. Our choice: jet-stream cores of 200 kt
#: and more are documented at cruise levels in winter (e.g. over the North Atlantic and Japan,
#: where airliners have been reported at ground speeds above 700 kt); 250 kt keeps a margin.
#: :data:`WIND_ALLOWANCE_KT` (100 kt) is already in the maximum speeds above, so the rules
#: allow ``JET_STREAM_KT - WIND_ALLOWANCE_KT`` = 150 kt more at altitude
#: (:class:`flightmap.analysis.IntegrityParams` ``wind_aloft_kt``).
JET_STREAM_KT: Final = 250.0
