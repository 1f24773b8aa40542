"""Positions of the readers: latitude and longitude checked together, and the error for a
file where no report has a usable position.

A position with a coordinate out of range or missing is removed whole (both NaN) and flagged in
a :class:`~flightmap.readers._problems.Problems` collector.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from flightmap import schema
from flightmap.errors import InputError
from flightmap.readers._problems import Problems

LAT_ALONE: Final = "latitude without a usable longitude"
"""Flag text for a latitude removed because its longitude was unusable."""


def check_positions(
    lat: np.ndarray,
    lon: np.ndarray,
    records: np.ndarray,
    problems: Problems,
    lat_field: str,
    lon_field: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (lat, lon) with out-of-range or half-missing positions removed (both NaN), flagged.

    Whether any usable position is left is checked later, by :func:`no_position_error`,
    once rows without a time are gone.
    """
    lo_lat, hi_lat = schema.LAT_RANGE
    lo_lon, hi_lon = schema.LON_RANGE
    with np.errstate(invalid="ignore"):
        lat_bad = (lat < lo_lat) | (lat > hi_lat)
        lon_bad = (lon < lo_lon) | (lon > hi_lon)
    if lat_bad.any():
        problems.add(
            records[lat_bad],
            lat_field,
            lat[lat_bad].astype(str),
            "out_of_range",
            "latitude outside [-90, 90]",
            "position removed",
        )
    if lon_bad.any():
        problems.add(
            records[lon_bad],
            lon_field,
            lon[lon_bad].astype(str),
            "out_of_range",
            "longitude outside [-180, 180]",
            "position removed",
        )
    lat_ok = ~np.isnan(lat) & ~lat_bad
    lon_ok = ~np.isnan(lon) & ~lon_bad
    half = lat_ok != lon_ok
    if half.any():
        # A position with only one usable coordinate is no position: remove the other half too.
        only_lat = half & lat_ok
        only_lon = half & lon_ok
        problems.add(
            records[only_lat],
            lat_field,
            lat[only_lat].astype(str),
            "bad_value",
            LAT_ALONE,
            "position removed",
        )
        problems.add(
            records[only_lon],
            lon_field,
            lon[only_lon].astype(str),
            "bad_value",
            "longitude without a usable latitude",
            "position removed",
        )
    if not (half.any() or lat_bad.any() or lon_bad.any()):
        return lat, lon  # both present or both NaN already: no copies
    ok = lat_ok & lon_ok
    return np.where(ok, lat, np.nan), np.where(ok, lon, np.nan)


def no_position_error(
    flags: pd.DataFrame,
    records: np.ndarray,
    problems: Problems,
    lat_field: str,
    lon_field: str,
    *,
    lat_seen: bool,
) -> InputError:
    """The error for a file where no report has a usable position, naming the first bad one.

    ``lat_seen``: some latitudes were usable (so the longitudes are at fault).
    """
    label, name = ("longitude", lon_field) if lat_seen else ("latitude", lat_field)
    mine = flags[(flags["field"] == name) & (flags["code"] != "bad_time")]
    if len(mine):
        first = mine.iloc[0]
        value = first["value"]
        shown = "" if pd.isna(value) else f" (first: {value!r}, {first['problem']})"
        return InputError(
            f"no usable position: every {label} is missing, unreadable or out of range{shown}",
            path=problems.path,
            where=problems.where(int(first[schema.RECORD])),
            field=name,
        )
    return InputError(
        f"no usable position: every {label} is missing",
        path=problems.path,
        where=problems.where(int(records[0])) if len(records) else None,
        field=name,
    )
