"""A generated day of traffic around a round jammer, for the area-jamming tests.

Aircraft fly straight geodesics at :data:`SPEED_KT` through a region of radius
:data:`REGION_KM` around the jammer's centre, one report every :data:`CADENCE_S` (OpenSky's
bulk cadence). While the jammer is on (``Jammer.hours``, UTC), reports from inside its radius
keep their time, altitude and identity but lose the position, NIC and NACp (0): GNSS lost, the
transponder still heard, as in the Baltic and around Kaliningrad. Everything else is clean
(NIC 8, NACp 9). Seeded: the same arguments give the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from flightmap import schema as s

DAY = pd.Timestamp("2024-12-25T00:00:00Z")
SPEED_KT = 450.0
CADENCE_S = 10
REGION_KM = 400.0
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Jammer:
    """A round jammer: centre (degrees), radius (km), active hours [start, end) of :data:`DAY`."""

    lat: float = 54.5
    lon: float = 19.5
    radius_km: float = 150.0
    hours: tuple[int, int] = (1, 2)


def generate_day(
    jammer: Jammer = Jammer(),
    *,
    hours: int = 3,
    per_hour: int = 60,
    seed: int = 8243,
) -> pd.DataFrame:
    """Canonical track (:mod:`flightmap.schema`) of ``per_hour`` aircraft entering per hour,
    for ``hours`` hours from :data:`DAY`, sorted by time."""
    rng = np.random.default_rng(seed)
    n = hours * per_hour
    # Entry on the region's edge, heading through a point within 250 km of the centre.
    bearing_in = rng.uniform(0, 360, n)
    lon0, lat0, _ = _GEOD.fwd(
        np.full(n, jammer.lon), np.full(n, jammer.lat), bearing_in, np.full(n, REGION_KM * 1e3)
    )
    aim_lon, aim_lat, _ = _GEOD.fwd(
        np.full(n, jammer.lon),
        np.full(n, jammer.lat),
        rng.uniform(0, 360, n),
        rng.uniform(0, 250e3, n),
    )
    az, _, _ = _GEOD.inv(lon0, lat0, aim_lon, aim_lat)
    start_s = np.arange(n) // per_hour * 3600 + rng.integers(0, 3600, n) // CADENCE_S * CADENCE_S
    speed_ms = SPEED_KT * 1852.0 / 3600.0
    n_reports = int(2 * REGION_KM * 1e3 / speed_ms / CADENCE_S)
    k = np.arange(n_reports)
    frames = []
    for i in range(n):
        lon, lat, _ = _GEOD.fwd(
            np.full(n_reports, lon0[i]),
            np.full(n_reports, lat0[i]),
            np.full(n_reports, az[i]),
            k * CADENCE_S * speed_ms,
        )
        t = DAY + pd.to_timedelta(start_s[i] + k * CADENCE_S, unit="s")
        _, _, from_centre = _GEOD.inv(
            np.full(n_reports, jammer.lon), np.full(n_reports, jammer.lat), lon, lat
        )
        hour = (t - DAY) // pd.Timedelta(hours=1)
        jammed = (
            (from_centre < jammer.radius_km * 1e3)
            & (hour >= jammer.hours[0])
            & (hour < jammer.hours[1])
        )
        icao = f"{0x4B0000 + i:06x}"
        frames.append(
            pd.DataFrame(
                {
                    s.TIME: t,
                    s.ICAO24: icao,
                    s.CALLSIGN: f"GEN{i:04d}",
                    s.FLIGHT_ID: f"{icao}-1",
                    s.LAT: np.where(jammed, np.nan, lat),
                    s.LON: np.where(jammed, np.nan, lon),
                    s.ALT_BARO_FT: 36000.0,
                    s.GS_KT: np.where(jammed, np.nan, SPEED_KT),
                    s.NIC: np.where(jammed, 0, 8),
                    s.NAC_P: np.where(jammed, 0, 9),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True).sort_values(s.TIME, kind="stable", ignore_index=True)
    df[s.NIC] = df[s.NIC].astype("Int8")
    df[s.NAC_P] = df[s.NAC_P].astype("Int8")
    for col in (s.ICAO24, s.CALLSIGN, s.FLIGHT_ID):
        df[col] = df[col].astype(s.STR_DTYPE)
    return df


def distance_km(jammer: Jammer, lat: float, lon: float) -> float:
    """Geodesic distance from the jammer's centre, km."""
    return float(_GEOD.inv(jammer.lon, jammer.lat, lon, lat)[2]) / 1e3


def write_hourly_parquet(df: pd.DataFrame, folder: Path) -> list[Path]:
    """One Parquet file per hour of ``df`` in ``folder`` (flightmap's schema), as ``convert``
    would write them; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    hour = (df[s.TIME] - DAY) // pd.Timedelta(hours=1)
    for h, part in df.groupby(hour, sort=True):
        path = folder / f"states_{int(h):02d}.parquet"
        part.to_parquet(path, index=False)
        out.append(path)
    return out


OPENSKY_HEADER = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact"
)


def write_opensky_csv(df: pd.DataFrame, path: Path) -> Path:
    """``df`` as an OpenSky state-vector CSV (gzip if ``path`` ends in .gz), the bulk layout:
    SI units, epoch seconds, empty fields for missing values. OpenSky has no NIC or NACp: a
    jammed report is a vector without a position."""
    t = (df[s.TIME] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    has_pos = df[s.LAT].notna()
    out = pd.DataFrame(
        {
            "time": t,
            "icao24": df[s.ICAO24],
            "lat": df[s.LAT],
            "lon": df[s.LON],
            "velocity": df[s.GS_KT] * 1852.0 / 3600.0,
            "heading": np.nan,  # the true track is not generated: unknown, not wrong
            "vertrate": 0.0,
            "callsign": df[s.CALLSIGN],
            "onground": False,
            "alert": False,
            "spi": False,
            "squawk": "",
            "baroaltitude": df[s.ALT_BARO_FT] * 0.3048,
            "geoaltitude": (df[s.ALT_BARO_FT] * 0.3048).where(has_pos),
            "lastposupdate": t.astype("float64").where(has_pos),
            "lastcontact": t.astype("float64"),
        }
    )
    out.to_csv(path, index=False, compression="gzip" if path.suffix == ".gz" else None)
    return path
