"""Operations on canonical track frames: cleaning, flight splitting, summaries.

Position runs (what a map or an export joins by a line) are in :mod:`flightmap.flights`.

Every function takes a frame in the :mod:`flightmap.schema` layout (or the part of it it
needs) and returns new objects; inputs are never modified. Nothing here reads files.

Cleaning is visible, never silent: :func:`clean` sorts and drops exact duplicates but reports
each dropped row, and only *flags* suspicious rows (times going backwards, two different
positions at the same time).
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap import schema as s

__all__ = [
    "FLIGHT_GAP",
    "clean",
    "clean_and_split",
    "mark_flags",
    "report",
    "split_flights",
    "summarize",
]

FLIGHT_GAP: Final = pd.Timedelta(minutes=60)
"""A silence longer than this between two reports of one aircraft starts a new flight. Long
enough not to cut a flight at an ordinary coverage hole over sea or desert (a cut would hide the
hole inside two flights), short enough to separate most turnarounds; callsign changes and readsb's
new-leg flag separate the rest."""

# Columns compared to decide that two rows are the same report.
_DATA_COLUMNS: Final = tuple(
    c.name for c in s.COLUMNS if c.name not in (s.FLIGHT_ID, s.FLAG, s.SOURCE, s.RECORD)
)


def _time_ns(df: pd.DataFrame) -> np.ndarray:
    return s.epoch_ns(df[s.TIME])


def _small_codes(codes: np.ndarray) -> np.ndarray:
    # numpy's stable sort is a radix sort for 16-bit integers: much faster on millions of rows.
    return codes.astype("int16") if codes.size and codes.max() < 2**15 else codes


class _Aircraft(NamedTuple):
    """The rows of a frame by aircraft."""

    codes: np.ndarray
    """One code per row (int16 when there are fewer than 32,768 aircraft)."""
    labels: list[str]
    """The aircraft of each code: its icao24, else its callsign."""
    perm: np.ndarray
    """The rows sorted by code, stably (time order kept within an aircraft)."""
    borrowed: bool
    """Some rows had neither icao24 nor callsign and took a neighbour row's aircraft."""


def _by_aircraft(df: pd.DataFrame, rows: np.ndarray | None = None) -> _Aircraft:
    """The rows of ``df`` by aircraft; ``perm`` sorts ``rows`` (a row order) if given.

    Rows with neither icao24 nor callsign take the aircraft of the nearest earlier row (else
    later row): files without icao24 hold one aircraft whose callsign is sometimes blank.
    """
    n = len(df)
    if s.ICAO24 in df.columns:
        key = df[s.ICAO24]
    elif s.CALLSIGN in df.columns:
        key = df[s.CALLSIGN]  # what filling an all-NA icao24 from it gives, without a copy
    else:
        key = pd.Series(pd.NA, index=df.index)
    if s.ICAO24 in df.columns and s.CALLSIGN in df.columns and key.isna().any():
        if isinstance(key.dtype, pd.CategoricalDtype):
            key = s.as_str(key)
        key = key.fillna(s.as_str(df[s.CALLSIGN]))
    # Readers hand over text columns as Categoricals: this factorises integers, not strings.
    found, uniques = pd.factorize(key, use_na_sentinel=True)
    codes = _small_codes(np.asarray(found, dtype="int64"))
    labels = [str(v) for v in uniques]
    borrowed = bool((codes < 0).any())
    if borrowed:
        if (codes < 0).all():
            codes, labels = np.zeros(n, dtype="int16"), ["unknown"]
        else:
            known = codes >= 0
            last = np.maximum.accumulate(np.where(known, np.arange(n), -1))
            first_known = int(np.flatnonzero(known)[0])
            codes = np.where(last >= 0, codes[np.maximum(last, 0)], codes[first_known])
    base = np.arange(n) if rows is None else rows
    perm = base[np.argsort(codes[base], kind="stable")]
    return _Aircraft(codes, labels, perm, borrowed)


def _without(aircraft: _Aircraft, drop: np.ndarray) -> _Aircraft | None:
    """``aircraft`` of the rows left once ``drop`` (a mask) is removed, or None if it cannot be
    derived (a row that borrowed its aircraft might borrow another one)."""
    if aircraft.borrowed:
        return None
    keep = ~drop
    new_pos = np.cumsum(keep) - 1
    perm = new_pos[aircraft.perm[keep[aircraft.perm]]]
    return _Aircraft(aircraft.codes[keep], aircraft.labels, perm, False)


def _time_order(t: np.ndarray) -> np.ndarray | None:
    """Stable argsort of times, or None when already sorted."""
    if t.size < 2 or bool(np.all(t[1:] >= t[:-1])):
        return None
    return np.argsort(t, kind="stable")


def _str_column(values: str | pa.Array | None, n: int) -> pd.Series:
    """A text column: ``values`` repeated ``n`` times (or NA), or an Arrow array as it is; built
    without a Python object per row."""
    if isinstance(values, pa.Array):
        arr = values
    elif values is None:
        arr = pa.nulls(n, pa.large_string())
    else:
        arr = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, dtype="int32")), pa.array([values], pa.large_string())
        ).cast(pa.large_string())
    return pd.Series(arr, dtype=s.STR_DTYPE)


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _numbered(prefix: str, numbers: np.ndarray) -> pa.Array:
    """``prefix`` followed by each number, as Arrow text: each distinct number is written once,
    in Arrow (duplicates of one report all name the same first record)."""
    uniq, inv = np.unique(np.asarray(numbers, dtype="int64"), return_inverse=True)
    digits = pc.cast(pa.array(uniq), pa.large_string())
    texts = pc.binary_join_element_wise(_large(prefix), digits, _large(""))
    return pc.take(texts, pa.array(inv.astype("int64", copy=False)))


def _flags(
    records: np.ndarray,
    field: str | None,
    code: str,
    problem: str | pa.Array,
    action: str,
) -> pd.DataFrame:
    n = len(records)
    return pd.DataFrame(
        {
            s.RECORD: np.asarray(records, dtype="int64"),
            "field": _str_column(field, n),
            "value": _str_column(None, n),
            "code": _str_column(code, n),
            "problem": _str_column(problem, n),
            "action": _str_column(action, n),
        }
    )


def clean(
    df: pd.DataFrame, *, time_field: str = s.TIME, record_kind: str = "record"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sort by time, drop exact duplicates, flag times going backwards and clashing positions.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports in schema columns, in input order, with no missing ``time``.
    time_field : str
        Name of the time field in the input, for the flags.
    record_kind : str
        ``"line"`` or ``"record"``, for the flag texts.

    Returns
    -------
    track : pandas.DataFrame
        Sorted by time (stable: ties keep input order), exact duplicates removed, new index.
    flags : pandas.DataFrame
        One row per problem, columns :data:`flightmap.schema.FLAG_COLUMNS`: ``duplicate``
        (dropped), ``time_backwards`` and ``duplicate_time`` (kept).

    Examples
    --------
    >>> t = pd.to_datetime([2, 1, 1], unit="s", utc=True)
    >>> df = pd.DataFrame({"time": t, "icao24": "abc123", "lat": [1.0, 0.0, 0.0],
    ...                    "lon": 0.0, "record": [2, 3, 4]})
    >>> track, flags = clean(df)
    >>> track["record"].tolist(), flags["code"].tolist()
    ([3, 2], ['time_backwards', 'duplicate'])
    """
    out, flags, _ = _clean(df, time_field=time_field, record_kind=record_kind)
    return out, flags


def _clean(
    df: pd.DataFrame, *, time_field: str, record_kind: str
) -> tuple[pd.DataFrame, pd.DataFrame, _Aircraft | None]:
    """:func:`clean`, and the rows of its result by aircraft (None if not known for sure)."""
    t_in = _time_ns(df)
    rec_in = df[s.RECORD].to_numpy(dtype="int64")
    parts: list[pd.DataFrame] = []

    order = _time_order(t_in)
    if order is not None:
        # Times go backwards somewhere: find where, per aircraft, in input order.
        by_input = _by_aircraft(df)
        perm = by_input.perm
        c, tt, rr = by_input.codes[perm], t_in[perm], rec_in[perm]
        back = np.r_[False, (c[1:] == c[:-1]) & (tt[1:] < tt[:-1])]
        if back.any():
            prev = np.r_[0, rr[:-1]][back]
            problem = pc.binary_join_element_wise(
                _numbered(f"earlier than the previous report ({record_kind} ", prev),
                _large(")"),
                _large(""),
            )
            parts.append(
                _flags(rr[back], time_field, "time_backwards", problem, "kept, sorted by time")
            )
        out = df.take(order).reset_index(drop=True)
        if by_input.borrowed:  # which neighbour a row borrows from depends on the order
            aircraft = _by_aircraft(out)
        else:
            codes = by_input.codes[order]
            perm = np.argsort(codes, kind="stable")
            aircraft = _Aircraft(codes, by_input.labels, perm, False)
    else:
        out = df.reset_index(drop=True)
        aircraft = _by_aircraft(out)

    t = _time_ns(out)
    codes, perm = aircraft.codes, aircraft.perm
    c, tt = codes[perm], t[perm]
    same_time = np.r_[False, (c[1:] == c[:-1]) & (tt[1:] == tt[:-1])]
    if same_time.any():
        in_block = same_time | np.r_[same_time[1:], False]
        block = np.cumsum(~same_time)[in_block]
        rows = perm[in_block]
        cols = [col for col in _DATA_COLUMNS if col in out.columns]
        sub = out.iloc[rows][cols].assign(_block=block, _row=rows, _rec=out[s.RECORD].iloc[rows])
        for col in cols:
            if isinstance(sub[col].dtype, pd.CategoricalDtype):
                sub[col] = sub[col].cat.codes  # same groups, far faster to group (-1: NA)
        # Groups of identical rows, numbered in order of first appearance: a row is the first
        # of its group where its number exceeds every earlier one; the others are duplicates.
        group = sub.groupby([*cols, "_block"], dropna=False, sort=False).ngroup().to_numpy()
        first = group > np.maximum.accumulate(np.r_[-1, group[:-1]])
        dup = ~first
        if dup.any():
            first_rec = sub["_rec"].to_numpy()[first][group]
            parts.append(
                _flags(
                    sub["_rec"].to_numpy()[dup],
                    None,
                    "duplicate",
                    _numbered(f"exact duplicate of {record_kind} ", first_rec[dup]),
                    "row dropped",
                )
            )
        kept = sub[~dup]
        pos = kept[kept[s.LAT].notna()] if s.LAT in kept.columns else kept.iloc[0:0]
        if len(pos):
            n_pos = pos.groupby("_block")[[s.LAT, s.LON]].nunique()
            clash = n_pos[(n_pos[s.LAT] > 1) | (n_pos[s.LON] > 1)].index
            hit = pos[pos["_block"].isin(clash)]
            if len(hit):
                parts.append(
                    _flags(
                        hit["_rec"].to_numpy(),
                        time_field,
                        "duplicate_time",
                        "same aircraft and time as another report, different position",
                        "kept",
                    )
                )
        if dup.any():
            drop = np.zeros(len(out), dtype=bool)
            drop[sub["_row"].to_numpy()[dup]] = True
            out = out[~drop].reset_index(drop=True)
            left = _without(aircraft, drop)
            return out, _concat(parts), left

    return out, _concat(parts), aircraft


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else s.empty_flags()


def clean_and_split(
    df: pd.DataFrame,
    *,
    time_field: str = s.TIME,
    record_kind: str = "record",
    max_gap: pd.Timedelta = FLIGHT_GAP,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`clean`, then :func:`split_flights` of the result: the same output, but the rows
    are sorted by aircraft once, not twice.

    Examples
    --------
    >>> t = pd.to_datetime([0, 60, 60, 7200], unit="s", utc=True)
    >>> df = pd.DataFrame({"time": t, "icao24": "abc123", "record": [2, 3, 4, 5]})
    >>> track, flags = clean_and_split(df)
    >>> track["flight_id"].tolist(), flags["problem"].tolist()
    (['abc123-1', 'abc123-1', 'abc123-2'], ['exact duplicate of record 3'])
    """
    out, flags, aircraft = _clean(df, time_field=time_field, record_kind=record_kind)
    return _split(out, max_gap, aircraft), flags


def split_flights(df: pd.DataFrame, *, max_gap: pd.Timedelta = FLIGHT_GAP) -> pd.DataFrame:
    """Return a copy of ``df`` with ``flight_id`` set: one id per aircraft and flight.

    An aircraft is its ``icao24`` (else its ``callsign``). Its reports, in time order, start a
    new flight after a silence longer than ``max_gap``, where ``new_leg`` is true, and where the
    callsign changes to another non-missing value. Ids are ``<aircraft>-<n>``, n counting that
    aircraft's flights from 1.

    Examples
    --------
    >>> t = pd.to_datetime([0, 60, 7200], unit="s", utc=True)
    >>> df = pd.DataFrame({"time": t, "icao24": "abc123", "callsign": "AHY8243"})
    >>> split_flights(df)["flight_id"].tolist()
    ['abc123-1', 'abc123-1', 'abc123-2']
    """
    return _split(df, max_gap, None)


def _split(df: pd.DataFrame, max_gap: pd.Timedelta, aircraft: _Aircraft | None) -> pd.DataFrame:
    """:func:`split_flights`; ``aircraft``: the rows of ``df`` by aircraft, if known."""
    n = len(df)
    if n == 0:
        return df.assign(**{s.FLIGHT_ID: pd.Series([], dtype=s.STR_DTYPE)})
    t = _time_ns(df)
    order = _time_order(t)
    if aircraft is None or order is not None:
        aircraft = _by_aircraft(df, None if order is None else order)
    codes, labels, perm = aircraft.codes, aircraft.labels, aircraft.perm
    # Rows in aircraft order (time order within one). Few and small temporaries: on millions of
    # rows, each new array costs as much as the arithmetic.
    c = codes[perm]
    same = np.zeros(n, dtype=bool)  # same aircraft as the row before
    np.equal(c[1:], c[:-1], out=same[1:])
    new = ~same  # starts a flight
    new[1:] |= np.diff(t[perm]) > max_gap.value
    if s.NEW_LEG in df.columns:
        new |= df[s.NEW_LEG].fillna(False).to_numpy(dtype=bool)[perm]
    if s.CALLSIGN in df.columns:
        callsign = df[s.CALLSIGN]
        if isinstance(callsign.dtype, pd.CategoricalDtype):
            cs = callsign.cat.codes.to_numpy()[perm]  # already one integer per value, -1 for NA
        else:
            cs = np.asarray(pd.factorize(callsign)[0], dtype="int64")[perm]
        # The aircraft's last callsign so far (NA until its first one), then its changes.
        last = np.arange(n, dtype=np.intp)
        last[(cs < 0) & same & ~new] = -1
        np.maximum.accumulate(last, out=last)
        carried = cs[last]
        new[1:] |= same[1:] & (cs[1:] >= 0) & (carried[:-1] >= 0) & (cs[1:] != carried[:-1])
    starts = np.flatnonzero(new)
    # Flight k (the k-th start) is number k - k0 + 1 of its aircraft, k0 its aircraft's first.
    k = np.arange(len(starts))
    number = k - np.maximum.accumulate(np.where(same[starts], 0, k)) + 1
    names = [f"{labels[code]}-{m}" for code, m in zip(c[starts], number, strict=True)]
    flight = np.cumsum(new, dtype="int32")
    flight -= 1
    fid = np.empty(n, dtype="int32")
    fid[perm] = flight
    arr = pa.DictionaryArray.from_arrays(pa.array(fid), pa.array(names, pa.large_string()))
    out = df.copy(deep=False)  # copy-on-write: df is not modified
    out[s.FLIGHT_ID] = pd.Series(arr.cast(pa.large_string()), dtype=s.STR_DTYPE, index=df.index)
    return out


def mark_flags(df: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose ``flag`` column lists the codes of the flags on each row.

    Flags whose row was dropped are ignored. Codes are sorted and comma-separated; NA if none.
    """
    out = df.copy(deep=False)
    kept = flags[flags["action"] != "row dropped"] if len(flags) else flags
    if len(kept) == 0:
        out[s.FLAG] = pd.Series(
            pa.nulls(len(df), pa.large_string()), index=df.index, dtype=s.STR_DTYPE
        )
        return out
    # Vectorised: one bit per distinct code (in sorted order), OR-ed per record, then each
    # distinct bit mask turned into its text once; no Python call per flagged record.
    pairs = kept[[s.RECORD, "code"]].drop_duplicates()
    names = sorted(pairs["code"].astype(str).unique())
    if len(names) > 62:
        raise ValueError(f"too many distinct flag codes ({len(names)}): at most 62")
    bits = np.left_shift(
        np.int64(1), pd.Categorical(pairs["code"].astype(str), categories=names).codes
    ).astype(np.int64)
    mask = pd.Series(bits, index=pairs.index).groupby(pairs[s.RECORD].to_numpy()).sum()
    texts = {
        m: ",".join(n for i, n in enumerate(names) if m >> i & 1)
        for m in np.unique(mask.to_numpy())
    }
    joined = mask.map(texts)
    out[s.FLAG] = df[s.RECORD].map(joined).astype(s.STR_DTYPE)
    return out


def _most_frequent(fcode: np.ndarray, fids: Any, values: pd.Series | None) -> pd.Series:
    """Per flight (``fcode`` from :func:`pandas.factorize` of the flight ids ``fids``), its most
    frequent non-missing value, ties going to the first in sort order; NA where it has none.
    Counted on integer codes, without a Python call per flight."""
    if values is None:
        return pd.Series(pd.NA, index=pd.Index(fids), dtype=s.STR_DTYPE)
    vcode, vals = pd.factorize(values, sort=True)
    ok = (fcode >= 0) & (vcode >= 0)
    width = np.int64(len(vals) + 1)
    keys, counts = np.unique(fcode[ok].astype(np.int64) * width + vcode[ok], return_counts=True)
    f, v = keys // width, keys % width
    order = np.lexsort((v, -counts, f))
    first = order[np.r_[True, f[order][1:] != f[order][:-1]]] if len(order) else order
    top = pd.Series(np.asarray(vals)[v[first]], index=pd.Index(np.asarray(fids)[f[first]]))
    return top.astype(s.STR_DTYPE)


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """One row per flight: ids, first and last time, counts of reports with and without position.

    Columns: ``flight_id``, ``callsign`` (most frequent, NA if none), ``icao24``,
    ``category`` (the emitter category, most frequent, NA if none), ``first``, ``last`` (UTC),
    ``reports``, ``with_position``, ``without_position``, ``flagged`` (rows carrying a flag).
    Sorted by first time.

    Examples
    --------
    >>> t = pd.to_datetime([0, 60], unit="s", utc=True)
    >>> df = pd.DataFrame({"flight_id": "a-1", "time": t, "lat": [1.0, None], "lon": [2.0, None],
    ...                    "callsign": "X1", "icao24": "a", "flag": None})
    >>> summarize(df)[["reports", "with_position", "without_position"]].values.tolist()
    [[2, 1, 1]]
    """
    # Counted on the flights' integer codes (first appearance order), not grouped by text.
    fcode, fids = pd.factorize(df[s.FLIGHT_ID])
    ok = fcode >= 0
    code = fcode[ok]
    n_f = len(fids)

    def per_flight(mask: pd.Series) -> np.ndarray:
        return np.bincount(code[mask.to_numpy(dtype=bool)[ok]], minlength=n_f)

    times = df[s.TIME][ok].groupby(code, sort=True)
    out = pd.DataFrame(
        {
            "first": times.min().array,
            "last": times.max().array,
            "reports": np.bincount(code, minlength=n_f),
            "with_position": per_flight(df[s.LAT].notna()),
            "flagged": (
                per_flight(df[s.FLAG].notna()) if s.FLAG in df.columns else np.zeros(n_f, int)
            ),
        },
        index=pd.Index(fids, name=s.FLIGHT_ID),
    )
    out["without_position"] = out["reports"] - out["with_position"]
    for col in (s.CALLSIGN, s.ICAO24, s.CATEGORY):
        out[col] = _most_frequent(fcode, fids, df[col] if col in df.columns else None).reindex(
            out.index
        )
    out = out.reset_index().sort_values(["first", s.FLIGHT_ID], kind="stable", ignore_index=True)
    cols = [
        s.FLIGHT_ID,
        s.CALLSIGN,
        s.ICAO24,
        s.CATEGORY,
        "first",
        "last",
        "reports",
        "with_position",
        "without_position",
        "flagged",
    ]
    return out[cols].astype({c: "int64" for c in cols[6:]})


def _iso(t: pd.Timestamp) -> str:
    return t.tz_convert("UTC").isoformat().replace("+00:00", "Z")


def report(
    track: pd.DataFrame,
    flags: pd.DataFrame,
    *,
    fmt: str,
    path: object,
    record_kind: str,
    mapping: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A JSON-ready description of a read track, as ``flightmap inspect`` shows it.

    Keys: ``file``, ``format``, ``record_kind``, ``reports``, ``with_position``,
    ``without_position``, ``mapping``, ``flights`` (one dict per row of :func:`summarize`,
    times as ISO 8601 UTC) and ``flags`` (``total``, ``by_code`` counts, ``items``: every flag).
    """
    flights = summarize(track)
    items = [
        {k: (None if pd.isna(v) else (int(v) if k == s.RECORD else str(v))) for k, v in row.items()}
        for row in flags.to_dict(orient="records")
    ]
    with_pos = int(track[s.LAT].notna().sum())
    return {
        "file": str(path),
        "format": fmt,
        "record_kind": record_kind,
        "reports": len(track),
        "with_position": with_pos,
        "without_position": len(track) - with_pos,
        "mapping": dict(mapping or {}),
        "flights": [
            {
                "flight_id": str(r[s.FLIGHT_ID]),
                "callsign": None if pd.isna(r[s.CALLSIGN]) else str(r[s.CALLSIGN]),
                "icao24": None if pd.isna(r[s.ICAO24]) else str(r[s.ICAO24]),
                "category": None if pd.isna(r[s.CATEGORY]) else str(r[s.CATEGORY]),
                "first": _iso(r["first"]),
                "last": _iso(r["last"]),
                "reports": int(r["reports"]),
                "with_position": int(r["with_position"]),
                "without_position": int(r["without_position"]),
                "flagged": int(r["flagged"]),
            }
            for r in flights.to_dict(orient="records")
        ],
        "flags": {
            "total": len(flags),
            "by_code": {str(k): int(v) for k, v in flags["code"].value_counts().items()},
            "items": items,
        },
    }
