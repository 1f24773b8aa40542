"""Column conversions shared by the readers, with every dropped or changed value reported.

Each helper takes a raw column (strings or numbers, one value per input record), the record
numbers, and a :class:`Problems` collector; it returns clean values in schema units and records a
flag for each value it could not use. All helpers are vectorised.
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap import schema
from flightmap.errors import InputError

# Unit conversions. 1 ft = 0.3048 m exactly and 1 NM = 1852 m exactly (international
# yard and pound agreement, 1959; International Hydrographic Conference, 1929).
M_PER_FT: Final = 0.3048
M_PER_NM: Final = 1852.0
FT_PER_M: Final = 1.0 / M_PER_FT  # 3.280839895...
KT_PER_MS: Final = 3600.0 / M_PER_NM  # 1.943844492...
FPM_PER_MS: Final = 60.0 / M_PER_FT  # 196.850393...

# Unix times accepted as real report times: 1970-01-01 to 2100-01-01. A value outside is most
# often milliseconds or a typo, and is reported rather than turned into a date far away.
EPOCH_MIN_S: Final = 0.0
EPOCH_MAX_S: Final = 4102444800.0

# Text read as "no value" (pyarrow's CSV defaults, used by the slow path too).
NULL_TOKENS: Final = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "n/a",
        "nan",
        "null",
        "None",
    }
)

LAT_ALONE: Final = "latitude without a usable longitude"
"""Flag text for a latitude removed because its longitude was unusable."""

NUMBER: Final = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
ISO_WITH_ZONE: Final = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)"
# A zone after a time of day ("04:26:16Z", "07:02+03:00") or a trailing "UTC"/"GMT"; a date
# alone ("2024-12-25") has none.
_TZ_SUFFIX = r"(?:\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)|\b(?:UTC|GMT))\s*$"
_UTC_WORD = r"\s*(?:UTC|GMT)\s*$"


@dataclass
class Problems:
    """Collects quality flags, in vectorised chunks, for the flags frame of a read."""

    record_kind: str
    path: Path
    _parts: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        records: np.ndarray | pd.Series,
        field_name: str | None,
        values: np.ndarray | pd.Series | list[str] | list[str | None] | None,
        code: str,
        problem: str | np.ndarray | pd.Series,
        action: str,
    ) -> None:
        """Record one flag per element of ``records`` (``values``: raw text, same length)."""
        rec = np.asarray(records, dtype="int64")
        if rec.size == 0:
            return
        n = rec.size
        vals = (
            pd.Series([None] * n, dtype=schema.STR_DTYPE)
            if values is None
            else _text_series(np.asarray(values, dtype=object))
        )
        prob = (
            pd.Series([problem] * n, dtype=schema.STR_DTYPE)
            if isinstance(problem, str)
            else pd.Series(np.asarray(problem, dtype=object), dtype=schema.STR_DTYPE)
        )
        self._parts.append(
            pd.DataFrame(
                {
                    schema.RECORD: rec,
                    "field": pd.Series([field_name] * n, dtype=schema.STR_DTYPE),
                    "value": vals,
                    "code": pd.Series([code] * n, dtype=schema.STR_DTYPE),
                    "problem": prob,
                    "action": pd.Series([action] * n, dtype=schema.STR_DTYPE),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """All flags so far, sorted by record (stable), as a new frame."""
        if not self._parts:
            return schema.empty_flags()
        out = pd.concat(self._parts, ignore_index=True)
        return out.sort_values(schema.RECORD, kind="stable", ignore_index=True)

    def where(self, record: int) -> str:
        """``"line 12"`` or ``"record 12"``, for messages."""
        return f"{self.record_kind} {record}"


def _text_series(values: np.ndarray) -> pd.Series:
    try:
        return pd.Series(values, dtype=schema.STR_DTYPE)
    except UnicodeEncodeError:  # lone surrogates, from JSON
        return pd.Series([_no_surrogates(v) for v in values], dtype=schema.STR_DTYPE)


def as_text(values: pd.Series) -> pd.Series:
    """Return ``values`` as the schema's string dtype (numbers formatted, NA kept)."""
    if values.dtype == schema.STR_DTYPE:
        return values
    return values.astype(schema.STR_DTYPE)


def on_uniques(
    values: pd.Series, fn: Callable[[pd.Series], pd.Series], *, codes: bool = False
) -> pd.Series:
    """Apply a text transformation to each distinct value once, then spread the results.

    Aircraft addresses, callsigns and squawks repeat over millions of rows but take few
    distinct values: dictionary-encoding first makes the string work nearly free.

    With ``codes``, the result is a pandas ``Categorical`` of the transformed values (NA where
    ``fn`` gives NA), not text: the track's code (:func:`flightmap.tracks.clean`,
    :func:`flightmap.tracks.split_flights`) then compares and groups integers instead of hashing
    millions of strings again, and :func:`flightmap.schema.conform` turns it into text.
    """
    rows: np.ndarray | None = None  # index of each row's value in ``uniques``, -1 for NA
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques, rows = _categories_in_order(values)
        take_at: pa.Array | pa.ChunkedArray = pa.array(rows, mask=rows < 0)
    else:
        arr = pa.chunked_array(
            [pa.array(as_text(values), type=pa.large_string(), from_pandas=True)]
            if not isinstance(values.array, pd.arrays.ArrowStringArray)
            else pa.array(values, type=pa.large_string())
        )
        if len(arr) == 0:
            out = fn(as_text(values).reset_index(drop=True))
            return (
                out.astype(pd.CategoricalDtype(pd.Index([], dtype=schema.STR_DTYPE)))
                if codes
                else out
            )
        enc = arr.dictionary_encode().unify_dictionaries()
        take_at = pa.chunked_array([c.indices for c in enc.chunks], type=enc.type.index_type)
        uniques = pd.Series(enc.chunk(0).dictionary, dtype=schema.STR_DTYPE)
    if codes:
        if rows is None:
            rows = pc.fill_null(take_at, -1).to_numpy()
        # Transformed values may coincide ("ABC" and "abc ") or be NA: number them again.
        new, categories = pd.factorize(fn(uniques), use_na_sentinel=True)
        remap = np.append(np.asarray(new, dtype="int32"), np.int32(-1))  # index -1: null
        return pd.Series(
            pd.Categorical.from_codes(
                remap[rows], categories=pd.Index(np.asarray(categories), dtype=schema.STR_DTYPE)
            )
        )
    mapped = pa.array(fn(uniques), type=pa.large_string(), from_pandas=True)
    return pd.Series(pc.take(mapped, take_at), dtype=schema.STR_DTYPE)


def _categories_in_order(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The distinct values of a Categorical (a text column the CSV parser dictionary-encoded)
    in order of first appearance, as ``dictionary_encode`` gives them for text, and each row's
    index among them (-1 for NA)."""
    codes = values.cat.codes.to_numpy()
    seen = pd.unique(codes)
    seen = seen[seen >= 0]
    position = np.full(len(values.cat.categories) + 1, -1, dtype="int64")  # index -1: NA
    position[seen] = np.arange(len(seen))
    uniques = as_text(pd.Series(values.cat.categories[seen])).reset_index(drop=True)
    return uniques, position[codes]


def clean_text(values: pd.Series, *, lower: bool = False, codes: bool = False) -> pd.Series:
    """Strip spaces; empty strings and null tokens become NA; optionally lower-case.

    ``codes``: return a ``Categorical``, see :func:`on_uniques`.

    >>> clean_text(pd.Series([" SWR123 ", "", "NaN", None, "ABC"]), lower=True).tolist()
    ['swr123', nan, nan, nan, 'abc']
    """

    def fix(u: pd.Series) -> pd.Series:
        u = u.str.strip()
        if lower:
            u = u.str.lower()
        return u.where(~u.isin(list(NULL_TOKENS)))

    return on_uniques(values, fix, codes=codes)


def to_float(
    values: pd.Series,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    *,
    scale: float = 1.0,
) -> np.ndarray:
    """Return ``values`` as float64 times ``scale``; unreadable values become NaN and a flag.

    Non-finite numbers (``inf``, ``1e400``) and numbers that overflow once scaled count as
    unreadable.
    """
    if values.dtype.kind in "fiub":
        raw = (
            values.to_numpy(copy=False)
            if values.dtype == "float64"
            else values.to_numpy(dtype="float64", na_value=np.nan)
        )
        shown: np.ndarray | None = None
    else:
        text = clean_text(values)
        raw, shaped = _text_numbers(text)
        shown = text.to_numpy()
        bad = text.notna().to_numpy() & ~shaped
        if bad.any():
            problems.add(
                records[bad], field_name, shown[bad], "bad_value", "not a number", "set to NA"
            )
    return _finite(raw, records, field_name, problems, scale=scale, shown=shown)


def _finite(
    raw: np.ndarray,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    *,
    scale: float = 1.0,
    shown: np.ndarray | None = None,
) -> np.ndarray:
    """``raw * scale`` with infinities (given, or from an overflow) set to NaN and flagged."""
    if scale != 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            out = raw * scale
    else:
        out = raw
    bad = np.isinf(out)
    if bad.any():
        values = shown[bad] if shown is not None else raw[bad].astype(str)
        problems.add(
            records[bad],
            field_name,
            values,
            "bad_value",
            np.where(np.isinf(raw[bad]), "not a finite number", "number too large"),
            "set to NA",
        )
        out = np.where(bad, np.nan, out)
    return out


def _text_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse text in Arrow: (float64 values, NaN where not a number; mask of number-shaped)."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    shaped = pc.fill_null(pc.match_substring_regex(arr, NUMBER), False)
    only = pc.if_else(shaped, arr, pa.scalar(None, pa.large_string()))
    num = np.asarray(pc.cast(only, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    return num, np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)


def to_bool(
    values: pd.Series, records: np.ndarray, field_name: str, problems: Problems
) -> pd.Series:
    """Return ``values`` as nullable booleans (true/false/1/0/yes/no, any case)."""
    if values.dtype == "bool" or values.dtype == "boolean":
        return values.astype("boolean").reset_index(drop=True)
    text = clean_text(values, lower=True)
    mapping = {
        "true": True,
        "1": True,
        "yes": True,
        "t": True,
        "1.0": True,
        "false": False,
        "0": False,
        "no": False,
        "f": False,
        "0.0": False,
    }
    mapped = text.map(mapping)
    out = pd.Series(pd.array(mapped.to_numpy(dtype=object), dtype="boolean"))
    bad = text.notna().to_numpy() & out.isna().to_numpy()
    if bad.any():
        problems.add(
            records[bad],
            field_name,
            text.to_numpy()[bad],
            "bad_value",
            "not true or false",
            "set to NA",
        )
    return out


def to_small_int(
    values: np.ndarray, records: np.ndarray, field_name: str, problems: Problems, lo: int, hi: int
) -> pd.Series:
    """Float codes to ``Int8``; values outside [lo, hi] or not whole are flagged and set to NA."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((values < lo) | (values > hi) | (values != np.round(values)))
    if bad.any():
        problems.add(
            records[bad],
            field_name,
            values[bad].astype(str),
            "out_of_range",
            f"not an integer in [{lo}, {hi}]",
            "set to NA",
        )
        values = np.where(bad, np.nan, values)
    return pd.Series(pd.array(values, dtype="Float64")).astype("Int8")


def squawk_text(values: pd.Series, *, codes: bool = False) -> pd.Series:
    """Mode A codes as 4-digit text: ``"7700"``; numbers read as ``1234.0`` lose the ``.0``;
    codes that lost leading zeros (``123``) get them back. ``codes``: see :func:`on_uniques`.

    >>> squawk_text(pd.Series(["7700", "123", "1234.0", None])).tolist()
    ['7700', '0123', '1234', nan]
    """

    def fix(u: pd.Series) -> pd.Series:
        u = u.str.strip()
        u = u.where(~u.isin(list(NULL_TOKENS))).str.replace(r"\.0+$", "", regex=True)
        short = u.str.fullmatch(r"\d{1,3}").fillna(False).to_numpy(dtype=bool)
        return u.where(~short, u.str.zfill(4))

    return on_uniques(values, fix, codes=codes)


def epoch_to_time(
    seconds: np.ndarray, records: np.ndarray, field_name: str, problems: Problems
) -> np.ndarray:
    """Unix seconds (float) to ``datetime64[ns]`` (UTC, as numpy has no zone); NaT where bad.

    Values missing or outside 1970-2100 are flagged ``bad_time`` (the row will be dropped).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~((seconds >= EPOCH_MIN_S) & (seconds < EPOCH_MAX_S))  # NaN too
        scaled = seconds * 1e9
        np.rint(scaled, out=scaled)  # what np.round does, without another temporary
    any_bad = bool(bad.any())
    if any_bad:
        scaled[bad] = 0.0
    ns = scaled.astype("int64").view("M8[ns]")
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


_NUMBER_TYPES: Final = frozenset({float, int, type(None)})


def object_numbers(
    values: tuple[object, ...] | list[object],
    rec: np.ndarray,
    field: str,
    problems: Problems,
    *,
    scale: float = 1.0,
) -> np.ndarray:
    """Numbers from JSON values (None -> NaN) times ``scale``.

    Anything else (text, even ``"40.5"``, booleans, lists, objects, ``NaN``/``Infinity``, ints
    too large for a float) is flagged and set to NA: a JSON number is a number, nothing else.
    """
    vals = values if isinstance(values, list) else list(values)
    n = len(vals)
    out: np.ndarray | None = None
    wrong = np.zeros(n, dtype=bool)
    if set(map(type, vals)) <= _NUMBER_TYPES:
        try:
            out = np.array(vals, dtype="float64")
        except OverflowError:
            out = None
    if out is None:
        out = np.full(n, np.nan)
        for i, v in enumerate(vals):
            kind = type(v)
            if kind is float or kind is int:
                try:
                    out[i] = float(v)  # type: ignore[arg-type]
                except OverflowError:
                    wrong[i] = True
            elif v is not None:
                wrong[i] = True
        _flag_json_values(problems, rec, field, vals, wrong, "not a number")
    nan = np.flatnonzero(np.isnan(out))
    if nan.size:
        # JSON has no NaN, but Python's parser reads one: a NaN that is not a null is flagged.
        real = np.array([i for i in nan if vals[i] is not None and not wrong[i]], dtype="int64")
        if real.size:
            problems.add(
                rec[real],
                field,
                ["NaN"] * real.size,
                "bad_value",
                "not a finite number",
                "set to NA",
            )
    return _finite(out, rec, field, problems, scale=scale)


def _flag_json_values(
    problems: Problems,
    rec: np.ndarray,
    field: str,
    vals: list[object],
    wrong: np.ndarray,
    problem: str,
) -> None:
    """Flag the JSON values where ``wrong`` (shown short) as ``bad_value``, set to NA."""
    if wrong.any():
        shown = [shown_value(vals[i]) for i in np.flatnonzero(wrong)]
        problems.add(rec[wrong], field, shown, "bad_value", problem, "set to NA")


def shown_value(value: object) -> str:
    """A JSON value (however long or deeply nested) as at most 60 characters, for a flag."""
    if isinstance(value, str):
        text = _no_surrogates(value) or ""
    elif value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    else:
        r = reprlib.Repr()
        r.maxlevel, r.maxstring, r.maxother, r.maxlist, r.maxdict = 3, 40, 40, 6, 4
        text = r.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def object_text(
    values: tuple[object, ...] | list[object], rec: np.ndarray, field: str, problems: Problems
) -> pd.Series:
    """Text from JSON values (None -> NA); anything else is flagged and set to NA."""
    vals = values if isinstance(values, list) else list(values)
    wrong = np.array([v is not None and not isinstance(v, str) for v in vals], dtype=bool)
    if wrong.any():
        _flag_json_values(problems, rec, field, vals, wrong, "not text")
        vals = [None if w else v for v, w in zip(vals, wrong, strict=True)]
    try:
        arr = pa.array(vals, type=pa.large_string())
    except UnicodeEncodeError:
        # JSON may hold lone surrogates ("\\ud800"), which no UTF-8 text can: U+FFFD instead.
        arr = pa.array([_no_surrogates(v) for v in vals], type=pa.large_string())
    return pd.Series(arr, dtype=schema.STR_DTYPE)


def _no_surrogates(value: object) -> str | None:
    """Text with lone surrogates replaced by U+FFFD (None for what is not text)."""
    if not isinstance(value, str):
        return None if pd.isna(value) else str(value)  # type: ignore[call-overload]
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


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
    numeric, shaped = _text_numbers(text)
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
                text.to_numpy()[other],
                "bad_time",
                "not a Unix time in seconds",
                "row dropped",
            )
        if (~present).any():
            problems.add(
                records[~present], field_name, None, "bad_time", "time missing", "row dropped"
            )
        return out
    has_zone = text.str.contains(_TZ_SUFFIX, regex=True).fillna(False).to_numpy(dtype=bool)
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
        s = text[aware].str.replace(_UTC_WORD, "+00:00", regex=True)
        out[aware], far[aware] = _parse_iso_checked(s, None)
    if naive.any():
        out[naive], far[naive] = _parse_iso_checked(text[naive], tz)
    if far.any():
        problems.add(
            records[far],
            field_name,
            text.to_numpy()[far],
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
            text.to_numpy()[bad],
            "bad_time",
            "unreadable time" + local_hint,
            "row dropped",
        )
    if missing.any():
        problems.add(records[missing], field_name, None, "bad_time", "time missing", "row dropped")
    return out


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
    """``datetime64[ns]`` UTC values to the schema's tz-aware time column."""
    return pd.Series(ns.astype("M8[ns]", copy=False)).dt.tz_localize("UTC")


def constant_str(value: str, n: int) -> pd.Series:
    """A string column holding ``value`` ``n`` times, built without Python objects."""
    return pd.Series(pa.repeat(pa.scalar(value, pa.large_string()), n), dtype=schema.STR_DTYPE)


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
