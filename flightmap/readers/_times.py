"""Time columns of the readers: Unix seconds, ISO 8601 and other text, tz-aware datetimes.

Every helper returns ``datetime64[ns]`` in UTC (numpy has no zone; :func:`time_series` makes
the schema's tz-aware column), NaT where a time is missing or unusable, and flags each such value
in a :class:`~flightmap.readers._problems.Problems` collector. Times outside 1970-2100 are
reported, not turned into dates far away. Zone-less text is refused unless a zone is given
(:func:`parse_tz`).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap import schema
from flightmap.errors import InputError
from flightmap.readers._numbers import text_numbers, to_float
from flightmap.readers._problems import Problems
from flightmap.readers._text import clean_text

# Unix times accepted as real report times: 1970-01-01 to 2100-01-01. A value outside is most
# often milliseconds or a typo, and is reported rather than turned into a date far away.
EPOCH_MIN_S: Final = 0.0
EPOCH_MAX_S: Final = 4102444800.0

ISO_WITH_ZONE: Final = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)"
# A zone after a time of day ("04:26:16Z", "07:02+03:00") or a trailing "UTC"/"GMT"; a date
# alone ("2024-12-25") has none.
_TZ_SUFFIX = r"(?:\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)|\b(?:UTC|GMT))\s*$"
_UTC_WORD = r"\s*(?:UTC|GMT)\s*$"
# ISO 8601 with seconds and a zone, as trackers write it ("2024-12-25T03:00:00Z",
# "...:00.5+00:00"): such text has a zone by _TZ_SUFFIX and no "UTC" word, so it skips those two
# regular expressions (Python's, value by value); tested in Arrow (RE2), ASCII classes only.
_STRICT_ISO = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)


def epoch_to_time(
    seconds: np.ndarray, records: np.ndarray, field_name: str, problems: Problems
) -> np.ndarray:
    """Unix seconds (float) to ``datetime64[ns]`` (UTC, as numpy has no zone); NaT where bad.

    Rounded to the microsecond: a float64 of Unix seconds in this century resolves about
    0.24 us, so finer digits are float noise (``1738703622.619`` would otherwise read as
    ``...42.619000064``); no tracker format gives more than microseconds.
    Values missing or outside 1970-2100 are flagged ``bad_time`` (the row will be dropped).

    >>> from pathlib import Path
    >>> p = Problems("line", Path("t.csv"))
    >>> str(epoch_to_time(np.array([1738703622.619]), np.array([1]), "t", p)[0])
    '2025-02-04T21:13:42.619000000'
    """
    # In place where it can be: each pass over millions of values costs, temporaries more so.
    with np.errstate(invalid="ignore", over="ignore"):
        ok = seconds >= EPOCH_MIN_S
        ok &= seconds < EPOCH_MAX_S  # NaN fails both
        whole = np.floor(seconds)
        micro = np.subtract(seconds, whole)  # exact: the fraction of a second
    bad = ~ok
    any_bad = bool(bad.any())
    if any_bad:
        whole[bad] = 0.0
        micro[bad] = 0.0
    total = whole.astype("int64")
    total *= 1_000_000_000
    if micro.any():  # whole seconds (OpenSky's ``time``) need nothing more
        micro *= 1e6
        np.rint(micro, out=micro)
        frac = micro.astype("int64")
        frac *= 1000
        total += frac
    ns: np.ndarray = total.view("M8[ns]")
    if any_bad:
        ns[bad] = np.datetime64("NaT")
        raw = seconds[bad]
        shown = raw.astype(str).astype(object)
        shown[np.isnan(raw)] = None
        problems.add(
            records[bad],
            field_name,
            shown,
            "bad_time",
            np.where(
                np.isnan(raw), "time missing", "not a Unix time in seconds between 1970 and 2100"
            ),
            "row dropped",
        )
    return ns


def parse_tz(tz: str | None) -> dt.tzinfo | None:
    """``"UTC"``, an IANA name (``"Asia/Baku"``) or a fixed offset (``"+04:00"``) to tzinfo.

    >>> parse_tz("+04:00")
    datetime.timezone(datetime.timedelta(seconds=14400))
    """
    if tz is None:
        return None
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", tz.strip())
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return dt.timezone(sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    if tz.strip().upper() in ("UTC", "Z", "GMT"):
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(tz.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {tz!r}; use UTC, an IANA name such as Asia/Baku, or +04:00",
            field="--tz",
        ) from None


def text_to_time(
    values: pd.Series,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    tz: dt.tzinfo | None,
) -> np.ndarray:
    """ISO-8601-like text to ``datetime64[ns]`` UTC; NaT (and a ``bad_time`` flag) where bad.

    Text with a zone (``Z``, ``+02:00``, ``UTC``) is converted to UTC. Text without one is
    refused (:class:`InputError`) unless ``tz`` says what it is. Purely numeric text is read as
    Unix seconds.
    """
    text = clean_text(values)
    local_hint = " (or not a valid local time)" if tz is not None else ""
    present = text.notna().to_numpy()
    numeric, shaped = text_numbers(text)
    is_num = present & shaped
    if is_num.sum() * 2 > present.sum():
        # Mostly numbers: Unix seconds; the few others are unreadable times.
        out = np.full(len(text), np.datetime64("NaT"), dtype="M8[ns]")
        out[is_num] = epoch_to_time(numeric[is_num], records[is_num], field_name, problems)
        other = present & ~is_num
        if other.any():
            problems.add(
                records[other],
                field_name,
                text[other].to_numpy(),
                "bad_time",
                "not a Unix time in seconds",
                "row dropped",
            )
        if (~present).any():
            problems.add(
                records[~present], field_name, None, "bad_time", "time missing", "row dropped"
            )
        return out
    strict = _matches(text, _STRICT_ISO)
    has_zone = strict.copy()
    rest = present & ~strict
    if rest.any():
        has_zone[rest] = text[rest].str.contains(_TZ_SUFFIX, regex=True).to_numpy(dtype=bool)
    naive = present & ~has_zone
    if naive.any() and tz is None:
        # Refuse zone-less times, but only real ones: words like "noon" are unreadable times.
        looks = _parse_iso(text[naive], dt.UTC)
        if not np.isnat(looks).all():
            i = int(np.flatnonzero(naive)[np.flatnonzero(~np.isnat(looks))[0]])
            raise InputError(
                f"time {text.iloc[i]!r} has no time zone; say which with --tz (e.g. --tz UTC)",
                path=problems.path,
                where=problems.where(int(records[i])),
                field=field_name,
            )
        tz = dt.UTC  # nothing readable is zone-less: the naive values are all flagged below
    out = np.full(len(text), np.datetime64("NaT"), dtype="M8[ns]")
    far = np.zeros(len(text), dtype=bool)
    aware = present & has_zone
    if aware.any():
        s = text[aware]
        odd = ~strict[aware]
        if odd.any():
            s = s.copy()
            s[odd] = s[odd].str.replace(_UTC_WORD, "+00:00", regex=True).to_numpy()
        out[aware], far[aware] = _parse_iso_checked(s, None)
    if naive.any():
        out[naive], far[naive] = _parse_iso_checked(text[naive], tz)
    if far.any():
        problems.add(
            records[far],
            field_name,
            text[far].to_numpy(),
            "bad_time",
            "time outside 1970-2100",
            "row dropped",
        )
    bad = present & np.isnat(out) & ~far
    missing = ~present
    if bad.any():
        problems.add(
            records[bad],
            field_name,
            text[bad].to_numpy(),
            "bad_time",
            "unreadable time" + local_hint,
            "row dropped",
        )
    if missing.any():
        problems.add(records[missing], field_name, None, "bad_time", "time missing", "row dropped")
    return out


def _matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Mask of the values matching ``pattern`` (RE2, in Arrow); False for NA."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    return np.asarray(pc.fill_null(pc.match_substring_regex(arr, pattern), False), dtype=bool)


TIME_MIN: Final = np.datetime64(int(EPOCH_MIN_S), "s")
TIME_MAX: Final = np.datetime64(int(EPOCH_MAX_S), "s")


def in_time_range(values: np.ndarray) -> np.ndarray:
    """Mask of the datetime64 values (any unit, UTC) from 1970 up to 2100; False for NaT."""
    return np.asarray((values >= TIME_MIN) & (values < TIME_MAX), dtype=bool)


def _parse_iso_checked(s: pd.Series, tz: dt.tzinfo | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_parse_iso`, and the mask of the times read but outside 1970-2100 (NaT too)."""
    parsed = _parse_iso(s, tz)
    ok = in_time_range(parsed)
    out = np.full(len(parsed), np.datetime64("NaT"), dtype="M8[ns]")
    # pandas may read text at a coarser unit than ns (years 1 and 9999 fit in microseconds):
    # cast only what is in range, or the cast to ns wraps around silently.
    out[ok] = parsed[ok].astype("M8[ns]")
    return out, ~ok & ~np.isnat(parsed)


def _parse_iso(s: pd.Series, tz: dt.tzinfo | None) -> np.ndarray:
    """Text to ``datetime64[us]`` UTC (NaT where unreadable): ISO 8601 first, vectorised, then
    other formats ("18 Mar 2016 18:20:47 UTC"). Times with a zone keep it; times without one
    are in ``tz`` (with ``tz=None``, only times with a zone are read).

    Microseconds, not nanoseconds: years 1 and 9999 must parse, to be reported as out of range
    rather than wrap around (see :func:`_parse_iso_checked`).
    """
    out = _to_utc_us(s, tz, "ISO8601")
    fails = np.isnat(out) & s.notna().to_numpy()
    if fails.any():
        out[fails] = _to_utc_us(s[fails], tz, "mixed")
    return out


def _to_utc_us(s: pd.Series, tz: dt.tzinfo | None, fmt: str) -> np.ndarray:
    try:
        parsed = pd.to_datetime(s, utc=tz is None, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        # Naive and zoned times mixed (a zone our patterns did not see): one by one.
        return np.array([_one_utc_us(v, tz, fmt) for v in s], dtype="M8[us]")
    if not isinstance(parsed.dtype, pd.DatetimeTZDtype):
        if parsed.dtype.kind != "M":  # object: pandas could not agree on one type
            return np.array([_one_utc_us(v, tz, fmt) for v in s], dtype="M8[us]")
        parsed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return np.array(  # a writable copy
        parsed.dt.tz_convert("UTC").dt.tz_localize(None).dt.as_unit("us").to_numpy(),
        dtype="M8[us]",
    )


def _one_utc_us(value: object, tz: dt.tzinfo | None, fmt: str) -> np.datetime64:
    nat = np.datetime64("NaT", "us")
    if not isinstance(value, str):
        return nat
    try:
        ts = pd.to_datetime(value, format=fmt, errors="coerce")
        if pd.isna(ts):
            return nat
        if ts.tzinfo is None:
            if tz is None:
                return nat
            ts = ts.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            if pd.isna(ts):
                return nat
        return np.datetime64(ts.tz_convert("UTC").tz_localize(None).as_unit("us").to_numpy())
    except (ValueError, TypeError, OverflowError):
        return nat


def to_time(
    values: pd.Series,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    tz: dt.tzinfo | None = None,
) -> np.ndarray:
    """A time column as read (tz-aware datetimes, Unix seconds, or text) to ``datetime64[ns]``
    UTC, NaT where unusable (flagged ``bad_time``). See :func:`text_to_time` for text."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        ns: np.ndarray = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="M8[ns]")
        missing = np.isnat(ns)
        if missing.any():
            problems.add(
                records[missing], field_name, None, "bad_time", "time missing", "row dropped"
            )
        far = ~missing & ~in_time_range(ns)
        if far.any():
            problems.add(
                records[far],
                field_name,
                np.datetime_as_string(ns[far], unit="s"),
                "bad_time",
                "time outside 1970-2100",
                "row dropped",
            )
            ns = np.where(far, np.datetime64("NaT"), ns)
        return ns
    if values.dtype.kind in "fiu":
        return epoch_to_time(
            to_float(values, records, field_name, problems), records, field_name, problems
        )
    return text_to_time(values, records, field_name, problems, tz)


def to_optional_time(
    values: pd.Series | np.ndarray,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    tz: dt.tzinfo | None = None,
) -> np.ndarray:
    """A secondary time (e.g. the time of a position), whose row stays when it is unusable.

    ``values`` as for :func:`to_time`, or float Unix seconds (NaN for none). Returns
    ``datetime64[ns]`` UTC: NaT where missing (no flag) or unusable (flagged ``bad_value``,
    ``set to NA``, with the reason :func:`to_time` gives).
    """
    scratch = Problems(problems.record_kind, problems.path)
    if not isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        values = to_float(values, records, field_name, scratch)  # as to_time does
    if isinstance(values, np.ndarray):
        # Only the values present: a missing one is no problem here, so not worth a flag.
        present = ~np.isnan(values)
        if present.all():
            out = epoch_to_time(values, records, field_name, scratch)
        else:
            out = np.full(len(values), np.datetime64("NaT"), dtype="M8[ns]")
            out[present] = epoch_to_time(values[present], records[present], field_name, scratch)
    else:
        out = to_time(values, records, field_name, scratch, tz)
    flags = scratch.frame()
    flags = flags[flags["problem"] != "time missing"]
    if len(flags):
        problems.add(
            flags[schema.RECORD].to_numpy(),
            field_name,
            flags["value"].to_numpy(),
            "bad_value",
            flags["problem"].to_numpy(),
            "set to NA",
        )
    return out


def time_series(ns: np.ndarray) -> pd.Series:
    """``datetime64[ns]`` UTC values to the schema's tz-aware time column, sharing their memory
    (``tz_localize`` would copy them, and walk them to convert a zone that is already UTC).

    >>> time_series(np.array(["2024-12-25T03:00", "NaT"], dtype="M8[ns]")).tolist()
    [Timestamp('2024-12-25 03:00:00+0000', tz='UTC'), NaT]
    """
    # With a tz-aware dtype, pandas reads naive datetime64 values as UTC.
    return pd.Series(ns.astype("M8[ns]", copy=False), dtype=schema.TIME_DTYPE, copy=False)
