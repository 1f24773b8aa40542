"""The canonical track schema: one long DataFrame, one row per received report.

Every reader in :mod:`flightmap.readers` returns a frame with exactly the columns below, in
this order and with these dtypes; the rest of flightmap (tracks, render, analysis) relies on them.
Code and tests refer to columns through the constants of this module, never by literal names.

Columns (name : dtype, unit -- meaning):

flight_id : str
    Flight the report belongs to, ``<key>-<n>``: key is the ICAO address (else the callsign),
    n counts that aircraft's flights from 1 in time order.
time : datetime64[ns, UTC]
    When the report was received (tz-aware, UTC).
lat, lon : float64, degrees
    Position, WGS84, north and east positive.
alt_baro_ft : float64, ft
    Barometric (pressure) altitude.
alt_geom_ft : float64, ft
    Geometric (GNSS) altitude.
gs_kt : float64, kt
    Ground speed.
track_deg : float64, degrees
    Track over ground, true, [0, 360].
vrate_fpm : float64, ft/min
    Vertical rate, barometric or not stated by the source.
vrate_geom_fpm : float64, ft/min
    Vertical rate, geometric (readsb only).
callsign : str
    Flight identification, stripped of spaces, e.g. ``AHY8243``.
icao24 : str
    24-bit ICAO address, 6 lower-case hex digits (readsb prefixes ``~`` to non-ICAO ones).
squawk : str
    Mode A code, 4 octal digits kept as text (``0123``).
category : str
    ADS-B emitter category (DO-260B), as readsb writes it: the set letter and the code,
    ``A0`` to ``D7`` upper-case (``A3`` large aircraft, ``A7`` rotorcraft, ``B1`` glider, ``B2``
    lighter-than-air...); NA where unknown. readsb: the aircraft object's ``category``, carried
    forward; OpenSky REST: the number ``states[17]`` converted by :data:`OPENSKY_CATEGORIES`. NA
    throughout for the formats without it (FR24, the OpenSky bulk CSV).
on_ground : boolean
    Reported on the ground.
nic, nac_p, sil : Int8
    Navigation Integrity Category (0-11), Navigation Accuracy Category for position (0-11),
    Source Integrity Level (0-3).
rc_m : float64, m
    Radius of containment derived from NIC. NA where unknown: readsb writes ``rc`` 0 (with
    NIC 0) for "unknown", which is never a radius of 0 m.
position_source : str
    How the position was obtained, one of :data:`POSITION_SOURCES`: ``adsb``, ``adsr``,
    ``tisb``, ``mlat``, ``mode_s``, ``adsc``, ``asterix``, ``flarm``, ``other``.
stale : boolean
    The position was not refreshed for this report: it repeats an older fix (OpenSky: position
    older than the report by more than 15 s). Stale positions are not drawn as observed fixes.
    readsb trace points are new positions (false); NA where the row has no position or the
    format does not say (FR24).
pos_gap_before : boolean
    The source says no position was received for a while before this one (readsb flags bit 0:
    20 s in its ``README-json.md``, 15 s in ``track.c``). The position itself is fresh; the
    line is not drawn across the silence before it (:func:`flightmap.flights.position_runs`).
    NA for formats that do not say.
position_time : datetime64[ns, UTC]
    When the position (``lat``/``lon``) was measured, where the format gives it apart from the
    report time (OpenSky ``lastposupdate`` / REST ``time_position``): a position can be older
    than its report. NA where the format gives one time only (FR24, readsb; a generic CSV
    without a ``position_time`` column) -- then ``time`` applies -- and where the row has no
    position. Speeds derived from positions divide by differences of :func:`position_times`
    (this column, else ``time``).
new_leg : boolean
    The source marks the start of a new leg (readsb flag bit 1).
flag : str
    Codes of the quality flags raised on this row, comma-separated (see :data:`FLAG_CODES`);
    NA if none.
source : str
    Reader that produced the row: a format name of :mod:`flightmap.readers` (``fr24_csv``...).
record : int64
    1-based number of the input line (CSV formats) or record (trace entry, OpenSky state, KML
    fix) the row came from.

Missing quantities are NA (``NaN`` in float columns, ``<NA>`` in nullable ones), never 0. Rows
without a position (altitude-only reports) are kept, with ``lat`` and ``lon`` both NA. A row's
``lat`` and ``lon`` are either both present or both NA.

Integrity fields (``nic``, ``nac_p``, ``sil``, ``rc_m``) exist only in readsb trace files, where
they are carried forward from the last aircraft object (see :mod:`flightmap.readers.readsb`), as
are ``callsign``, ``squawk`` and ``category`` there.

Flags raised while reading are listed, one per problem, in a second frame with the columns
:data:`FLAG_COLUMNS` (see :func:`empty_flags`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap.errors import InputError

__all__ = [
    "ALT_BARO_FT",
    "ALT_GEOM_FT",
    "CALLSIGN",
    "CATEGORY",
    "CATEGORY_PATTERN",
    "COLUMNS",
    "DEGRADED",
    "DTYPES",
    "FLAG",
    "FLAG_CODES",
    "FLAG_COLUMNS",
    "FLIGHT_ID",
    "GS_KT",
    "ICAO24",
    "INTEGRITY_STATES",
    "LAT",
    "LAT_RANGE",
    "LON",
    "LON_RANGE",
    "NAC_P",
    "NEW_LEG",
    "NIC",
    "NOMINAL",
    "ON_GROUND",
    "OPENSKY_CATEGORIES",
    "POSITION_LOST",
    "POSITION_SOURCE",
    "POSITION_SOURCES",
    "POSITION_TIME",
    "POS_GAP_BEFORE",
    "RC_M",
    "RECORD",
    "SIL",
    "SOURCE",
    "SPOOFED",
    "SQUAWK",
    "STALE",
    "STR_DTYPE",
    "TIME",
    "TIME_DTYPE",
    "TRACK_DEG",
    "VRATE_FPM",
    "VRATE_GEOM_FPM",
    "Column",
    "as_str",
    "conform",
    "empty_flags",
    "epoch_ns",
    "position_times",
    "validate",
]

FLIGHT_ID: Final = "flight_id"
TIME: Final = "time"
POSITION_TIME: Final = "position_time"
LAT: Final = "lat"
LON: Final = "lon"
ALT_BARO_FT: Final = "alt_baro_ft"
ALT_GEOM_FT: Final = "alt_geom_ft"
GS_KT: Final = "gs_kt"
TRACK_DEG: Final = "track_deg"
VRATE_FPM: Final = "vrate_fpm"
VRATE_GEOM_FPM: Final = "vrate_geom_fpm"
CALLSIGN: Final = "callsign"
ICAO24: Final = "icao24"
SQUAWK: Final = "squawk"
CATEGORY: Final = "category"
ON_GROUND: Final = "on_ground"
NIC: Final = "nic"
NAC_P: Final = "nac_p"
SIL: Final = "sil"
RC_M: Final = "rc_m"
POSITION_SOURCE: Final = "position_source"
STALE: Final = "stale"
POS_GAP_BEFORE: Final = "pos_gap_before"
NEW_LEG: Final = "new_leg"
FLAG: Final = "flag"
SOURCE: Final = "source"
RECORD: Final = "record"

TIME_DTYPE: Final = pd.DatetimeTZDtype("ns", "UTC")
"""dtype of ``time``: nanoseconds, tz-aware, UTC."""
STR_DTYPE: Final = pd.StringDtype(na_value=np.nan)
"""dtype of the text columns: pandas 3's default ``str`` (Arrow-backed, NaN for missing)."""


@dataclass(frozen=True)
class Column:
    """One column of the track schema.

    Parameters
    ----------
    name : str
        Column name.
    dtype : str
        pandas dtype name, as ``str(series.dtype)`` prints it.
    unit : str
        Unit, or ``""`` for none.
    description : str
        Meaning, in a few words.
    """

    name: str
    dtype: str
    unit: str
    description: str


COLUMNS: Final[tuple[Column, ...]] = (
    Column(FLIGHT_ID, "str", "", "flight: <icao24 or callsign>-<n>"),
    Column(TIME, "datetime64[ns, UTC]", "", "time of the report, UTC"),
    Column(LAT, "float64", "deg", "latitude, WGS84"),
    Column(LON, "float64", "deg", "longitude, WGS84"),
    Column(ALT_BARO_FT, "float64", "ft", "barometric altitude"),
    Column(ALT_GEOM_FT, "float64", "ft", "geometric altitude"),
    Column(GS_KT, "float64", "kt", "ground speed"),
    Column(TRACK_DEG, "float64", "deg", "track over ground, true"),
    Column(VRATE_FPM, "float64", "ft/min", "vertical rate (barometric or unstated)"),
    Column(VRATE_GEOM_FPM, "float64", "ft/min", "vertical rate, geometric"),
    Column(CALLSIGN, "str", "", "flight identification"),
    Column(ICAO24, "str", "", "ICAO 24-bit address, lower-case hex"),
    Column(SQUAWK, "str", "", "Mode A code"),
    Column(CATEGORY, "str", "", "ADS-B emitter category, A0 to D7 (DO-260B)"),
    Column(ON_GROUND, "boolean", "", "reported on the ground"),
    Column(NIC, "Int8", "", "Navigation Integrity Category"),
    Column(NAC_P, "Int8", "", "Navigation Accuracy Category, position"),
    Column(SIL, "Int8", "", "Source Integrity Level"),
    Column(RC_M, "float64", "m", "radius of containment"),
    Column(
        POSITION_SOURCE, "str", "", "adsb, adsr, tisb, mlat, mode_s, adsc, asterix, flarm, other"
    ),
    Column(STALE, "boolean", "", "position not refreshed for this report"),
    Column(POS_GAP_BEFORE, "boolean", "", "no position received for a while before this one"),
    Column(POSITION_TIME, "datetime64[ns, UTC]", "", "time of the position, UTC, if apart"),
    Column(NEW_LEG, "boolean", "", "source marks the start of a new leg"),
    Column(FLAG, "str", "", "quality flag codes raised on this row"),
    Column(SOURCE, "str", "", "reader that produced the row"),
    Column(RECORD, "int64", "", "input line or record number, 1-based"),
)

DTYPES: Final[dict[str, str]] = {c.name: c.dtype for c in COLUMNS}

POSITION_SOURCES: Final = frozenset(
    {"adsb", "adsr", "tisb", "mlat", "mode_s", "adsc", "asterix", "flarm", "other"}
)

CATEGORY_PATTERN: Final = r"^[A-D][0-7]$"
"""The values of ``category``: a DO-260B emitter category set (A to D) and code (0 to 7)."""

OPENSKY_CATEGORIES: Final[dict[int, str]] = {
    2: "A1", 3: "A2", 4: "A3", 5: "A4", 6: "A5", 7: "A6", 8: "A7",
    9: "B1", 10: "B2", 11: "B3", 12: "B4", 13: "B5", 14: "B6", 15: "B7",
    16: "C1", 17: "C2", 18: "C3", 19: "C4", 20: "C5",
}  # fmt: skip
"""OpenSky's number for the emitter category (REST ``states[17]``) -> ``category``.

OpenSky numbers the DO-260B categories from 2 (light, ``A1``) to 20 (line obstacle, ``C5``), 13
being set B's reserved code 5. 0 ("no information at all") and 1 ("no ADS-B emitter category
information") are not in the table: ``category`` is NA for them."""

FLAG_COLUMNS: Final = (RECORD, "field", "value", "code", "problem", "action")
"""Columns of the flags frame: input record, field at fault (or NA), the raw value as text (or
NA), a short code from :data:`FLAG_CODES`, a sentence, and what was done about it."""

FLAG_CODES: Final[dict[str, str]] = {
    "bad_value": "value not readable as the column's type, or half a position; set to NA",
    "out_of_range": "value outside its physical (lat/lon: position removed) or plausible range",
    "bad_time": "time missing or unreadable; row dropped",
    "bad_row": "record of the wrong shape (field count, type); row dropped",
    "duplicate": "exact duplicate of an earlier report; row dropped",
    "time_backwards": "time earlier than the previous report of the same aircraft",
    "duplicate_time": "same aircraft and time as another report, different position",
}

# Physical ranges checked by validate() (hard) and by the readers' cleaning (flags).
LAT_RANGE: Final = (-90.0, 90.0)
LON_RANGE: Final = (-180.0, 180.0)


#: GNSS integrity states of an analysed report (:mod:`flightmap.analysis`), in increasing
#: severity: the one table analysis, render and export use. ``nominal``: the position is good;
#: ``degraded``: present but low quality or inconsistent; ``position_lost``: no usable GNSS
#: position; ``spoofed``: a position that contradicts the aircraft's own motion.
NOMINAL: Final = "nominal"
DEGRADED: Final = "degraded"
POSITION_LOST: Final = "position_lost"
SPOOFED: Final = "spoofed"
INTEGRITY_STATES: Final = (NOMINAL, DEGRADED, POSITION_LOST, SPOOFED)


def epoch_ns(times: pd.Series) -> np.ndarray:
    """Nanoseconds since the Unix epoch (int64) of a tz-aware time column, vectorised.

    The one conversion of times to integers used by readers' callers, analysis and render.

    >>> epoch_ns(pd.Series(pd.to_datetime(["1970-01-01T00:00:01Z"], utc=True))).tolist()
    [1000000000]
    """
    return np.asarray(times.to_numpy(dtype="datetime64[ns]").view("int64"), dtype="int64")


def empty_flags() -> pd.DataFrame:
    """Return an empty flags frame with the columns :data:`FLAG_COLUMNS`.

    >>> list(empty_flags().columns)
    ['record', 'field', 'value', 'code', 'problem', 'action']
    """
    return pd.DataFrame(
        {
            RECORD: pd.Series(dtype="int64"),
            "field": pd.Series(dtype=STR_DTYPE),
            "value": pd.Series(dtype=STR_DTYPE),
            "code": pd.Series(dtype=STR_DTYPE),
            "problem": pd.Series(dtype=STR_DTYPE),
            "action": pd.Series(dtype=STR_DTYPE),
        }
    )


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return a new frame with the schema's columns, order and dtypes.

    Columns missing from ``df`` are added as all-NA (``record`` as 1..n); columns not in the
    schema are dropped. Values are cast, not checked: call :func:`validate` afterwards.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame using (some of) the schema's column names.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``df`` is not modified.

    Examples
    --------
    >>> out = conform(pd.DataFrame({"lat": [1.5]}))
    >>> list(out.columns) == [c.name for c in COLUMNS], str(out["nic"].dtype)
    (True, 'Int8')
    """
    n = len(df)
    out = df.copy(deep=False)  # copy-on-write: columns are shared until written
    for col in COLUMNS:
        if col.name not in out.columns:
            out[col.name] = _missing(n, col, df.index)
        elif str(out[col.name].dtype) != col.dtype:
            out[col.name] = _cast(out[col.name], col)
    return out[[c.name for c in COLUMNS]]


def _is_time(col: Column) -> bool:
    return col.dtype == "datetime64[ns, UTC]"


def _dtype(col: Column) -> object:
    if _is_time(col):
        return TIME_DTYPE
    if col.dtype == "str":
        return STR_DTYPE
    return col.dtype


def _missing(n: int, col: Column, index: pd.Index) -> pd.Series:
    """An all-NA column (``record``: 1..n), built without Python objects and without copies
    (the Series constructor copies an array it is given unless told not to: 16 missing
    columns of a 5M-row read were 0.6 GB of copies, seconds of fresh memory on a busy
    machine)."""
    values: Any
    if col.name == RECORD:
        values = np.arange(1, n + 1, dtype="int64")
    elif _is_time(col):
        # With a tz-aware dtype, pandas reads naive datetime64 values as UTC: no tz_localize.
        nat = np.full(n, np.datetime64("NaT"), dtype="M8[ns]")
        return pd.Series(nat, index=index, dtype=TIME_DTYPE, copy=False)
    elif col.dtype == "float64":
        values = np.full(n, np.nan)
    elif col.dtype == "Int8":
        values = pd.arrays.IntegerArray(np.zeros(n, "int8"), np.ones(n, bool))
    elif col.dtype == "boolean":
        values = pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool))
    else:
        return pd.Series(pa.nulls(n, pa.large_string()), dtype=STR_DTYPE, index=index)
    return pd.Series(values, index=index, copy=False)


def as_str(s: pd.Series) -> pd.Series:
    """A text column as the schema's ``str`` dtype; a ``Categorical`` of text (as the readers
    build them, see :func:`flightmap.readers._text.on_uniques`) is decoded in Arrow, without
    a Python object per row.

    >>> as_str(pd.Series(pd.Categorical(["b", None, "a", "b"]))).tolist()
    ['b', nan, 'a', 'b']
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s if s.dtype == STR_DTYPE else s.astype(STR_DTYPE)
    codes = s.cat.codes.to_numpy()
    categories = pa.array(s.cat.categories.astype(STR_DTYPE), type=pa.large_string())
    text = pc.take(categories, pa.array(codes, mask=codes < 0))
    return pd.Series(text, dtype=STR_DTYPE, index=s.index, name=s.name)


def _cast(s: pd.Series, col: Column) -> pd.Series:
    if _is_time(col):
        return pd.to_datetime(s, utc=True).astype(TIME_DTYPE)
    if col.dtype == "str":
        return as_str(s)
    out: pd.Series = s.astype(_dtype(col))  # type: ignore[call-overload]
    return out


def _where(df: pd.DataFrame, bad: np.ndarray) -> str:
    first = int(np.flatnonzero(bad)[0])
    if RECORD in df.columns and str(df[RECORD].dtype) == "int64":
        return f"record {int(df[RECORD].iloc[first])}"
    return f"row {first}"


def validate(df: pd.DataFrame, *, path: str | Path | None = None) -> None:
    """Check that ``df`` is a canonical track; raise :class:`InputError` naming what is wrong.

    Checks: every schema column present with its dtype; ``time`` and ``position_time`` tz-aware
    UTC; ``time`` never NaT; ``flight_id`` never NA; ``lat`` in [-90, 90] and ``lon`` in
    [-180, 180] where present, and both present or both NA; ``record`` >= 1.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to check (not modified).
    path : str or Path, optional
        File the frame came from, for the message.

    Raises
    ------
    InputError
        On the first problem found; ``field`` is the column, ``where`` the record (or row).

    Examples
    --------
    >>> t = pd.to_datetime([0], unit="s", utc=True)
    >>> df = conform(pd.DataFrame({"flight_id": "x-1", "time": t, "lat": [91.0], "lon": [0.0]}))
    >>> validate(df)
    Traceback (most recent call last):
    ...
    flightmap.errors.InputError: record 1: field lat: latitude 91.0 out of range [-90, 90]
    """
    for col in COLUMNS:
        if col.name not in df.columns:
            raise InputError("column missing from the track", path=path, field=col.name)
        actual = str(df[col.name].dtype)
        if actual != col.dtype:
            dtype = df[col.name].dtype
            if _is_time(col) and isinstance(dtype, pd.DatetimeTZDtype):
                if str(dtype.tz) != "UTC":
                    raise InputError(
                        f"time zone is {dtype.tz}, expected UTC", path=path, field=col.name
                    )
            elif _is_time(col) and actual.startswith("datetime64"):
                raise InputError(
                    "times are naive (no time zone), expected UTC", path=path, field=col.name
                )
            raise InputError(f"dtype is {actual}, expected {col.dtype}", path=path, field=col.name)
    if len(df) == 0:
        return
    time_na = df[TIME].isna().to_numpy()
    if time_na.any():
        raise InputError("time is missing (NaT)", path=path, where=_where(df, time_na), field=TIME)
    fid_na = df[FLIGHT_ID].isna().to_numpy()
    if fid_na.any():
        raise InputError(
            "flight_id is missing", path=path, where=_where(df, fid_na), field=FLIGHT_ID
        )
    lat = df[LAT].to_numpy()
    lon = df[LON].to_numpy()
    for name, values, (lo, hi), label in (
        (LAT, lat, LAT_RANGE, "latitude"),
        (LON, lon, LON_RANGE, "longitude"),
    ):
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(values) & ((values < lo) | (values > hi))
        if bad.any():
            v = values[np.flatnonzero(bad)[0]]
            raise InputError(
                f"{label} {v} out of range [{lo:g}, {hi:g}]",
                path=path,
                where=_where(df, bad),
                field=name,
            )
    half = np.isnan(lat) != np.isnan(lon)
    if half.any():
        raise InputError(
            "latitude and longitude must be both present or both missing",
            path=path,
            where=_where(df, half),
            field=LAT,
        )
    rec_bad = df[RECORD].to_numpy() < 1
    if rec_bad.any():
        raise InputError(
            "record numbers start at 1", path=path, where=_where(df, rec_bad), field=RECORD
        )


def position_times(df: pd.DataFrame) -> pd.Series:
    """When each row's position was measured: ``position_time``, else ``time``.

    Use these, not ``time``, for anything derived from positions (speeds between fixes): an
    OpenSky state vector may carry a position several seconds older than the vector itself.
    A frame without a ``position_time`` column gives ``time``.

    Parameters
    ----------
    df : pandas.DataFrame
        A track (at least ``time``); not modified.

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]``, same index as ``df``.

    Examples
    --------
    >>> t = pd.to_datetime([10, 20], unit="s", utc=True)
    >>> p = pd.to_datetime([8.5, None], unit="s", utc=True)
    >>> position_times(pd.DataFrame({"time": t, "position_time": p})).dt.second.tolist()
    [8, 20]
    """
    time = df[TIME]
    if POSITION_TIME not in df.columns:
        return time.rename(POSITION_TIME)
    pos = df[POSITION_TIME]
    return pos.where(pos.notna(), time).rename(POSITION_TIME)
