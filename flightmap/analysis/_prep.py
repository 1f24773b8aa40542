"""Turn a canonical track frame into sorted numpy arrays, once, for the vectorised rules.

Rows are ordered by flight, then time (stable), so every flight is one contiguous block and
"the previous row" is a shift by one. Optional columns that are absent become all-NaN (or
all-False) arrays, so synthetic frames need only ``flight_id``, ``time``, ``lat`` and ``lon``.

Three columns are read when present, and assumed absent otherwise: ``position_time`` (when the
position was measured, :data:`flightmap.schema.POSITION_TIME`; ``time`` where it is NA),
``category`` (the ADS-B emitter category, :data:`flightmap.schema.CATEGORY`: DO-260B text, or
the OpenSky REST number) and ``source`` (the reader, to know which readers already
carry NIC and NACp forward, :data:`CARRIED_BY_READER`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from flightmap import schema as s
from flightmap.errors import InputError

F8 = NDArray[np.float64]
I8 = NDArray[np.int64]
B1 = NDArray[np.bool_]

NS = 1_000_000_000  # nanoseconds per second

CARRIED_BY_READER: Final = frozenset({"readsb_trace"})
"""Readers (``source``) that carry NIC and NACp forward themselves, over the rows that have no
aircraft object; a NA they leave means the aircraft object said nothing: "no longer known", and
the analysis does not fill it. Limitations: no column says which rows carried an integrity
report, so for the other sources (a generic CSV) a NA may be either, and the analysis carries
values forward for at most ``integrity_max_age_s``; and the readsb reader's own carry has no age
limit."""

# Category classes (Prepared.category).
CAT_UNKNOWN, CAT_AIRLINER, CAT_SMALL, CAT_EXEMPT = 0, 1, 2, 3


@cache
def geod() -> Any:
    """The WGS84 :class:`pyproj.Geod`, created once."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


@dataclass(frozen=True)
class Prepared:
    """Arrays of one track, sorted by (flight, time); ``order[k]`` is the input row of row ``k``."""

    order: I8
    flight: I8  # flight code per row, non-decreasing
    flight_ids: list[str]  # flight_id by code
    starts: I8  # first row of each flight (by code)
    ends: I8  # one past the last row of each flight
    t: I8  # nanoseconds since the epoch, UTC
    tp: I8  # when the position was measured, ns (``t`` where not given)
    lat: F8
    lon: F8
    gs: F8
    track: F8  # reported track over ground, degrees (NaN: unknown)
    alt_baro: F8
    alt_geom: F8
    nic: F8
    nacp: F8
    stale: B1
    on_ground: B1
    category: NDArray[np.int8]  # CAT_* class of the emitter category
    carry: B1  # NIC/NACp may be carried forward onto this row
    in_order: bool = False  # the input rows were already sorted: ``order`` is the identity

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.t)

    def flights_slice(self, f0: int, f1: int) -> Prepared:
        """The rows of flights ``f0`` to ``f1 - 1`` (codes re-based to 0), as views."""
        r0, r1 = int(self.starts[f0]), int(self.ends[f1 - 1]) if f1 > f0 else int(self.starts[f0])
        sl = slice(r0, r1)
        t = self.t[sl]
        return Prepared(
            order=self.order[sl],
            flight=self.flight[sl] - f0,
            flight_ids=self.flight_ids[f0:f1],
            starts=self.starts[f0:f1] - r0,
            ends=self.ends[f0:f1] - r0,
            t=t,
            tp=t if self.tp is self.t else self.tp[sl],  # the same array when not given
            lat=self.lat[sl],
            lon=self.lon[sl],
            gs=self.gs[sl],
            track=self.track[sl],
            alt_baro=self.alt_baro[sl],
            alt_geom=self.alt_geom[sl],
            nic=self.nic[sl],
            nacp=self.nacp[sl],
            stale=self.stale[sl],
            on_ground=self.on_ground[sl],
            category=self.category[sl],
            carry=self.carry[sl],
            in_order=self.in_order,
        )

    def chunks(self, max_rows: int) -> list[tuple[int, int]]:
        """Ranges of whole flights ``(f0, f1)`` holding at most ``max_rows`` rows each (a longer
        flight is a chunk of its own). Working chunk by chunk keeps the arrays in cache.

        >>> p = prepare(pd.DataFrame({"flight_id": ["a", "a", "b", "c"], "lat": 0.0, "lon": 0.0,
        ...     "time": pd.to_datetime([0, 1, 2, 3], unit="s", utc=True)}))
        >>> p.chunks(2), p.chunks(3), p.chunks(10)
        ([(0, 1), (1, 3)], [(0, 2), (2, 3)], [(0, 3)])
        """
        out: list[tuple[int, int]] = []
        f0, n_f = 0, len(self.flight_ids)
        while f0 < n_f:
            limit = self.starts[f0] + max_rows
            f1 = int(np.searchsorted(self.ends, limit, side="right"))
            f1 = max(f1, f0 + 1)
            out.append((f0, f1))
            f0 = f1
        return out


def _float(df: pd.DataFrame, col: str) -> F8:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    if df[col].dtype != np.float64 and not df[col].notna().any():  # nullable, all missing
        return np.full(len(df), np.nan)
    return np.asarray(df[col].to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _bool(df: pd.DataFrame, col: str) -> B1:
    if col not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return np.asarray(df[col].to_numpy(dtype=bool, na_value=False), dtype=bool)


def category_classes(values: pd.Series) -> NDArray[np.int8]:
    """Class of each emitter category: ``CAT_AIRLINER`` (A3 to A6), ``CAT_EXEMPT`` (gliders,
    balloons, drones, ground vehicles...), ``CAT_SMALL`` (A1, A2, A7) or ``CAT_UNKNOWN``.

    >>> category_classes(pd.Series(["A3", "a7", None, "B1", "A0", 4])).tolist()
    [1, 2, 0, 3, 0, 1]
    """
    from flightmap.analysis.params import EXEMPT_CATEGORIES, SLOW_RULE_CATEGORIES

    if not values.notna().any():  # the formats without a category: skip the hashing
        return np.zeros(len(values), dtype="int8")
    codes, uniques = pd.factorize(values)  # few distinct values: classify those only
    classes = np.zeros(len(uniques) + 1, dtype="int8")  # the last one for NA (code -1)
    for k, raw in enumerate(uniques):
        if isinstance(raw, int | float | np.integer | np.floating) and not isinstance(raw, bool):
            text = s.OPENSKY_CATEGORIES.get(int(raw), "") if float(raw).is_integer() else ""
        else:
            text = str(raw).strip().upper()
        if text in SLOW_RULE_CATEGORIES:
            classes[k] = CAT_AIRLINER
        elif text in EXEMPT_CATEGORIES:
            classes[k] = CAT_EXEMPT
        elif text in ("A1", "A2", "A7"):
            classes[k] = CAT_SMALL
    return np.asarray(classes[np.asarray(codes)], dtype="int8")


def _time_ns(series: pd.Series) -> I8:
    values = series.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
    return np.asarray(values.view("int64"), dtype="int64")


def position_times_ns(df: pd.DataFrame, t_ns: I8) -> I8:
    """When each row's position was measured, ns: ``position_time``, else ``time`` (``t_ns``).

    Mirrors :func:`flightmap.schema.position_times` on arrays.
    """
    if s.POSITION_TIME not in df.columns:
        return t_ns
    col = df[s.POSITION_TIME]
    if not isinstance(col.dtype, pd.DatetimeTZDtype):
        raise InputError(
            "times must be tz-aware (UTC), got " + str(col.dtype), field=s.POSITION_TIME
        )
    missing = col.isna().to_numpy()
    if missing.all():
        return t_ns
    return np.where(missing, t_ns, _time_ns(col))


def at_rows(rows: I8, n: int, *columns: NDArray[Any]) -> list[NDArray[Any]]:
    """``columns`` (``n`` rows each) at ``rows`` (ascending row positions, as ``flatnonzero``
    gives them); when ``rows`` holds all ``n`` rows, the arrays themselves, not copies (most
    tracks: every row a fix).

    >>> a = np.arange(4.0)
    >>> at_rows(np.array([1, 3]), 4, a)[0].tolist(), at_rows(np.arange(4), 4, a)[0] is a
    ([1.0, 3.0], True)
    """
    if rows.size == n:
        return list(columns)
    return [c[rows] for c in columns]


def string_runs(values: pd.Series) -> I8 | None:
    """The rows where a run of equal values starts (a missing value: a run of its own) in an
    Arrow-backed string column, found by comparing neighbours (cheaper than hashing every
    row); None for other storage, or when a sample shows runs too short to be worth it.

    >>> string_runs(pd.Series(["a", "a", None, "b", "b"], dtype="string[pyarrow]")).tolist()
    [0, 2, 3]
    """
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or len(values) < 2:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.array)  # the column's own Arrow data, not a copy

    def breaks(a: Any) -> B1:
        ne = pc.fill_null(pc.not_equal(a[1:], a[:-1]), True)
        out = np.ones(len(a), dtype=bool)
        out[1:] = ne.to_numpy(zero_copy_only=False)
        return out

    if np.count_nonzero(breaks(arr[:4096])) > 256:  # interleaved values: hash instead
        return None
    return np.flatnonzero(breaks(arr))


def _carry(df: pd.DataFrame, order: I8 | None) -> B1:
    """Rows onto which NIC and NACp may be carried forward (sorted order; ``order`` None: the
    rows are in order)."""
    if s.SOURCE not in df.columns or not df[s.SOURCE].notna().any():
        return np.ones(len(df), dtype=bool)
    by_reader = np.zeros(len(df), dtype=bool)
    for reader in sorted(CARRIED_BY_READER):  # one comparison each: cheaper than isin's hashing
        by_reader |= (df[s.SOURCE] == reader).to_numpy(dtype=bool, na_value=False)
    if not by_reader.any():
        return np.ones(len(df), dtype=bool)
    return np.asarray(~(by_reader if order is None else by_reader[order]), dtype=bool)


def utc_times(df: pd.DataFrame) -> pd.Series:
    """The ``time`` column as tz-aware UTC; :class:`InputError` if missing or naive."""
    if s.TIME not in df.columns:
        raise InputError("column missing from the track", field=s.TIME)
    t = df[s.TIME]
    if not isinstance(t.dtype, pd.DatetimeTZDtype):
        raise InputError("times must be tz-aware (UTC), got " + str(t.dtype), field=s.TIME)
    if t.isna().any():
        raise InputError("time is missing (NaT)", field=s.TIME)
    out: pd.Series = t.dt.tz_convert("UTC")
    return out


def prepare(df: pd.DataFrame) -> Prepared:
    """Check the columns analysis needs and return the sorted arrays.

    Raises
    ------
    InputError
        ``flight_id``, ``time``, ``lat`` or ``lon`` missing, naive or missing times, missing
        flight ids.
    """
    for col in (s.FLIGHT_ID, s.LAT, s.LON):
        if col not in df.columns:
            raise InputError("column missing from the track", field=col)
    t_ns = utc_times(df).to_numpy(dtype="datetime64[ns]").view("int64")
    tp_ns = position_times_ns(df, t_ns)
    fid = df[s.FLIGHT_ID]
    if fid.isna().any():
        raise InputError("flight_id is missing", field=s.FLIGHT_ID)
    # Codes in order of first appearance (hashing; sorting 5M strings would cost more), of
    # the runs' values only when the rows come flight by flight.
    runs = string_runs(fid)
    if runs is None:
        codes, uniques = pd.factorize(fid)
    else:
        run_codes, uniques = pd.factorize(fid.take(runs))
        codes = np.repeat(run_codes, np.diff(np.append(runs, len(fid))))
    codes = np.asarray(codes, dtype="int64")
    time_sorted = len(t_ns) < 2 or bool(np.all(t_ns[1:] >= t_ns[:-1]))
    in_order = time_sorted and (len(codes) < 2 or bool(np.all(codes[1:] >= codes[:-1])))
    if in_order:
        order = np.arange(len(codes), dtype="int64")  # one flight, or flights already grouped
    elif time_sorted:
        # In time order (what the readers produce): a stable sort on the code suffices. numpy
        # sorts 16-bit integers stably with a radix sort, several times faster than int64.
        small = codes.astype("int16") if len(uniques) <= np.iinfo(np.int16).max else codes
        order = np.argsort(small, kind="stable")
    else:
        order = np.lexsort((t_ns, codes))
    flight = codes if in_order else codes[order]
    n_flights = len(uniques)
    starts = np.searchsorted(flight, np.arange(n_flights), side="left").astype("int64")
    ends = np.searchsorted(flight, np.arange(n_flights), side="right").astype("int64")

    def take(a: Any) -> Any:
        # Already in order (what the readers produce): the columns' own arrays, not copies
        # (read-only views: nothing writes into a Prepared).
        return a if in_order else a[order]

    t_sorted = take(t_ns)
    return Prepared(
        order=np.asarray(order, dtype="int64"),
        flight=flight,
        flight_ids=[str(u) for u in uniques],
        starts=starts,
        ends=ends,
        t=t_sorted,
        tp=t_sorted if tp_ns is t_ns else take(tp_ns),
        lat=take(_float(df, s.LAT)),
        lon=take(_float(df, s.LON)),
        gs=take(_float(df, s.GS_KT)),
        track=take(_float(df, s.TRACK_DEG)),
        alt_baro=take(_float(df, s.ALT_BARO_FT)),
        alt_geom=take(_float(df, s.ALT_GEOM_FT)),
        nic=take(_float(df, s.NIC)),
        nacp=take(_float(df, s.NAC_P)),
        stale=take(_bool(df, s.STALE)),
        on_ground=take(_bool(df, s.ON_GROUND)),
        category=(
            take(category_classes(df[s.CATEGORY]))
            if s.CATEGORY in df.columns
            else np.zeros(len(df), dtype="int8")
        ),
        carry=_carry(df, None if in_order else order),
        in_order=in_order,
    )


def ffill_within(valid: B1, flight: I8, t: I8, max_age_ns: int | None) -> I8:
    """For each row, the index of the last row at or before it, in the same flight, where
    ``valid`` is true and not older than ``max_age_ns``; -1 where there is none.

    >>> ffill_within(np.array([True, False, False, True]), np.array([0, 0, 1, 1]),
    ...              np.array([0, 5, 6, 7]), None).tolist()
    [0, 0, -1, 3]
    """
    n = len(valid)
    idx = np.where(valid, np.arange(n), -1)
    np.maximum.accumulate(idx, out=idx)
    ok = idx >= 0
    src = np.where(ok, idx, 0)
    ok &= flight[src] == flight
    if max_age_ns is not None:
        ok &= (t - t[src]) <= max_age_ns
    return np.where(ok, idx, -1)


def bfill_within(valid: B1, flight: I8) -> I8:
    """For each row, the index of the first row at or after it, same flight, where ``valid``;
    -1 where there is none.

    >>> bfill_within(np.array([True, False, False, True]), np.array([0, 0, 1, 1])).tolist()
    [0, -1, 3, 3]
    """
    n = len(valid)
    big = np.iinfo(np.int64).max
    idx = np.where(valid, np.arange(n), big)
    idx = np.minimum.accumulate(idx[::-1])[::-1]
    ok = idx != big
    src = np.where(ok, idx, 0)
    ok &= flight[src] == flight
    return np.where(ok, idx, -1)


def run_starts(values: NDArray[Any], flight: I8) -> B1:
    """True where a run of equal ``values`` starts (or a new flight starts).

    >>> run_starts(np.array([1, 1, 2, 2]), np.array([0, 0, 0, 1])).tolist()
    [True, False, True, True]
    """
    n = len(values)
    out = np.ones(n, dtype=bool)
    if n > 1:
        out[1:] = (values[1:] != values[:-1]) | (flight[1:] != flight[:-1])
    return out
