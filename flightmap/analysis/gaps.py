"""Gaps: intervals of a flight without a fresh position.

A *fix* is a report with a position that is fresh (not flagged stale, not a frozen repeat) and
trusted (not shown impossible by the spoofing rules, when those are passed in). A gap is the time
between two consecutive fixes of a flight that lasts at least the flight's gap threshold, plus the
stretch before the first fix and after the last one when as long, and a whole flight without any
fix. The threshold adapts to the track's own cadence (:class:`IntegrityParams`).

Each gap has a ``kind`` saying what filled it: ``no_data`` (no report at all), ``no_position``
(reports without position), ``stale``, ``frozen``, or ``spoofed`` (positions shown impossible),
the most telling one winning when several occur.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from flightmap import schema as s
from flightmap.analysis._prep import B1, F8, I8, NS, Prepared, at_rows, prepare
from flightmap.analysis.params import IntegrityParams
from flightmap.geodesy import KT_MS, distances_m

__all__ = [
    "GAP_COLUMNS",
    "GAP_KINDS",
    "find_gaps",
    "frozen_mask",
    "frozen_runs",
    "gap_thresholds",
    "locate_gaps",
]

GAP_KINDS: Final = ("no_data", "no_position", "stale", "frozen", "spoofed")

GAP_COLUMNS: Final = (
    s.FLIGHT_ID,
    "start",
    "end",
    "duration_s",
    "kind",
    "reports",
    "without_position",
    "stale",
    "frozen",
    "spoofed",
    "threshold_s",
    "lat_before",
    "lon_before",
    "alt_before_ft",
    "lat_after",
    "lon_after",
    "alt_after_ft",
    "distance_m",
    "implied_speed_kt",
    "row_before",
    "row_after",
    "span_s",
)
"""Columns of the gaps frame. ``start``/``end`` (UTC) are the times of the fixes either side (the
first / last report of the flight for a gap at its start / end); ``reports`` counts the reports
inside, split into ``without_position``, ``stale``, ``frozen`` and ``spoofed``; ``*_before`` and
``*_after`` describe the fixes (NaN at the ends of a flight), ``distance_m`` is the geodesic
between them and ``implied_speed_kt`` the average speed it implies; ``row_before`` and
``row_after`` are the fixes' positions (``iloc``) in the input frame (NA at the ends).
``span_s`` is the time between the fixes' *positions* (``position_time`` where the format gives
it, as OpenSky does, else the report times: then equal to ``duration_s``); the implied speed
and the where-could-it-have-been regions use it."""


def frozen_mask(p: Prepared, params: IntegrityParams) -> B1:
    """Rows repeating the previous position unchanged while the aircraft moves.

    A run of identical coordinates (same flight, positions not flagged stale, off the ground,
    ground speed unknown or at least ``params.moving_gs_kt``) that lasts ``params.frozen_min_s``
    or longer (from its first row until the position changes, when that comes without a
    silence of ``min_gap_s``) is frozen from its second row on; the first row is the genuine
    fix.
    """
    return frozen_runs(p, params)[0]


def frozen_runs(p: Prepared, params: IntegrityParams) -> tuple[B1, F8]:
    """:func:`frozen_mask` and, on frozen rows, the time (ns) of the fix that froze (else NaN)."""
    out = np.zeros(p.n, dtype=bool)
    since = np.full(p.n, np.nan)
    ok = np.isfinite(p.lat) & np.isfinite(p.lon) & ~p.stale
    every = bool(ok.all())  # every row a candidate: the arrays themselves
    cand = np.arange(p.n) if every else np.flatnonzero(ok)
    if cand.size < 2:
        return out, since
    lat, lon, fl = at_rows(cand, p.n, p.lat, p.lon, p.flight)
    same = (lat[1:] == lat[:-1]) & (lon[1:] == lon[:-1]) & (fl[1:] == fl[:-1])
    if not same.any():  # no position repeated: nothing frozen
        return out, since
    t = p.t[cand]
    moving = ~p.on_ground[cand] & ~(p.gs[cand] < params.moving_gs_kt)
    rep = np.zeros(cand.size, dtype=bool)
    rep[1:] = same & moving[1:]
    first = np.flatnonzero(~rep)
    run = np.cumsum(~rep) - 1
    last = np.append(first[1:], cand.size) - 1
    # A run lasts until the position changes: the next run's first row, same flight, unless a
    # silence of min_gap_s or more comes first (a silence is a gap, not a freeze); else its own
    # last row.
    nxt = np.minimum(last + 1, cand.size - 1)
    changes = (last + 1 < cand.size) & (fl[nxt] == fl[last])
    changes &= (t[nxt] - t[last]) < params.min_gap_s * NS
    until = np.where(changes, t[nxt], t[last])
    long_run = (until - t[first]) >= params.frozen_min_s * NS
    frozen = rep & long_run[run]
    out[cand[frozen]] = True
    since[cand[frozen]] = t[first][run[frozen]].astype("float64")
    return out, since


def gap_thresholds(p: Prepared, fix: B1, params: IntegrityParams) -> tuple[F8, F8]:
    """Per flight (by code): the median time between fixes and the gap threshold, in seconds.

    The median is NaN for a flight with fewer than two fixes, whose threshold is then
    ``params.min_gap_s``.
    """
    n_flights = len(p.flight_ids)
    fi = np.flatnonzero(fix)
    median = np.full(n_flights, np.nan)
    if fi.size >= 2:
        fl, t = at_rows(fi, p.n, p.flight, p.t)
        same = fl[1:] == fl[:-1]
        dt_ns, group = (t[1:] - t[:-1])[same], fl[1:][same]
        found = _group_medians(dt_ns, group)
        if found is not None:
            median[found[0]] = found[1]
        elif dt_ns.size:
            med = pd.Series(dt_ns / NS).groupby(group).median()
            median[med.index.to_numpy()] = med.to_numpy()
    threshold = np.fmax(params.min_gap_s, params.gap_cadence_factor * median)
    return median, threshold


def _group_medians(dt_ns: I8, group: I8) -> tuple[I8, F8] | None:
    """The groups and the medians of their ``dt_ns / NS`` (s), for non-negative ``dt_ns`` in
    contiguous groups of ascending codes: the values of ``pandas`` ``groupby().median()``
    (the middle value, or the mean of the two middle ones), found with one sort of (group,
    value) keys packed in 63 bits. None when the keys do not fit (then use pandas).

    >>> _group_medians(np.array([4, 2, 9, 7, 5]) * NS, np.array([0, 0, 0, 3, 3]))
    (array([0, 3]), array([4., 6.]))
    """
    if not dt_ns.size:
        return None
    bits = 63 - max(int(group[-1]).bit_length(), 1)
    if group[0] < 0 or dt_ns.min() < 0 or dt_ns.max() >= 1 << bits:
        return None
    key = (group << bits) | dt_ns
    key.sort()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    count = np.diff(np.append(starts, group.size))
    low = (key[starts + (count - 1) // 2] & ((1 << bits) - 1)) / NS
    high = (key[starts + count // 2] & ((1 << bits) - 1)) / NS
    return group[starts], np.where(count % 2 == 1, high, (high + low) / 2)


def _count(indicator: B1, start: I8, end: I8) -> I8:
    cs = np.concatenate(([0], np.cumsum(indicator, dtype="int64")))
    return np.asarray(cs[end] - cs[start], dtype="int64")


def locate_gaps(
    p: Prepared,
    fix: B1,
    frozen: B1,
    untrusted: B1,
    threshold_s: F8,
) -> tuple[pd.DataFrame, I8, I8]:
    """The gaps of every flight and, per row (sorted order), the gap it lies in (-1: none).

    Returns the gaps frame (:data:`GAP_COLUMNS`) sorted by flight and time (gap ``k`` is row
    ``k`` of that frame), the gap id of every sorted row, and for every gap the sorted row where
    it begins: its first report inside, or the fix ending it when nothing arrived in between.
    The fixes either side of a gap are not inside it.
    """
    thr_ns = (threshold_s * NS).astype("int64")
    fi = np.flatnonzero(fix)
    fl_fi, t_fi = at_rows(fi, p.n, p.flight, p.t)
    parts: list[tuple[I8, I8, I8, I8]] = []  # (first row inside, end row excl., before, after)
    if fi.size >= 2:
        a, b = fi[:-1], fi[1:]
        dt = t_fi[1:] - t_fi[:-1]
        # Only the intervals as long as the lowest threshold can be gaps: look at those.
        k = np.flatnonzero(dt >= thr_ns.min())
        fl_a = fl_fi[k]
        k = k[(fl_fi[k + 1] == fl_a) & (dt[k] >= thr_ns[fl_a])]
        parts.append((a[k] + 1, b[k], a[k], b[k]))
    codes = np.arange(len(p.flight_ids))
    lo = np.searchsorted(fl_fi, codes, side="left")
    hi = np.searchsorted(fl_fi, codes, side="right")
    has = hi > lo
    first_fix = fi[np.minimum(lo, max(fi.size - 1, 0))] if fi.size else np.zeros_like(lo)
    last_fix = fi[np.maximum(hi - 1, 0)] if fi.size else np.zeros_like(hi)
    f_start, f_end = p.starts, p.ends
    lead = has & ((p.t[first_fix] - p.t[f_start]) >= thr_ns)
    none = np.full(int(lead.sum()), -1, dtype="int64")
    parts.append((f_start[lead], first_fix[lead], none, first_fix[lead]))
    trail = has & ((p.t[f_end - 1] - p.t[last_fix]) >= thr_ns)
    none = np.full(int(trail.sum()), -1, dtype="int64")
    parts.append((last_fix[trail] + 1, f_end[trail], last_fix[trail], none))
    empty = ~has & (f_end > f_start)
    none = np.full(int(empty.sum()), -1, dtype="int64")
    parts.append((f_start[empty], f_end[empty], none, none))

    start_row, end_row, before, after = (np.concatenate([q[i] for q in parts]) for i in range(4))
    sort = np.argsort(start_row, kind="stable")
    start_row, end_row, before, after = (x[sort] for x in (start_row, end_row, before, after))

    reports = end_row - start_row
    if start_row.size:
        has_pos = np.isfinite(p.lat) & np.isfinite(p.lon)
        without = _count(~has_pos, start_row, end_row)
        stale = _count(has_pos & p.stale, start_row, end_row)
        n_frozen = _count(frozen, start_row, end_row)
        spoofed = _count(untrusted, start_row, end_row)
    else:  # no gap: nothing to count
        without = stale = n_frozen = spoofed = np.zeros(0, dtype="int64")

    fl = p.flight[start_row]
    t_start = np.where(before >= 0, p.t[np.maximum(before, 0)], p.t[start_row])
    t_end = np.where(after >= 0, p.t[np.maximum(after, 0)], p.t[np.maximum(end_row - 1, 0)])
    tp_start = np.where(before >= 0, p.tp[np.maximum(before, 0)], t_start)
    tp_end = np.where(after >= 0, p.tp[np.maximum(after, 0)], t_end)

    def at(rows: I8, values: F8) -> F8:
        return np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)

    lat_b, lon_b, lat_a, lon_a = (
        at(before, p.lat),
        at(before, p.lon),
        at(after, p.lat),
        at(after, p.lon),
    )
    dist = distances_m(lat_b, lon_b, lat_a, lon_a)
    duration = (t_end - t_start) / NS
    span = np.fmax((tp_end - tp_start) / NS, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(span > 0, dist / span / KT_MS, np.nan)
    kind = np.select(
        [spoofed > 0, n_frozen > 0, stale > 0, without > 0],
        ["spoofed", "frozen", "stale", "no_position"],
        default="no_data",
    )

    def rows_in_input(rows: I8) -> pd.Series:
        values = np.where(rows >= 0, p.order[np.maximum(rows, 0)], 0)
        return pd.Series(pd.array(values, dtype="Int64")).mask(pd.Series(rows < 0))

    frame = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.Series(
                np.asarray(p.flight_ids, dtype=object)[fl] if fl.size else [],
                dtype=s.STR_DTYPE,
            ),
            "start": pd.to_datetime(t_start, unit="ns", utc=True),
            "end": pd.to_datetime(t_end, unit="ns", utc=True),
            "duration_s": duration,
            "kind": pd.Series(kind, dtype=s.STR_DTYPE),
            "reports": reports,
            "without_position": without,
            "stale": stale,
            "frozen": n_frozen,
            "spoofed": spoofed,
            "threshold_s": threshold_s[fl],
            "lat_before": lat_b,
            "lon_before": lon_b,
            "alt_before_ft": at(before, p.alt_baro),
            "lat_after": lat_a,
            "lon_after": lon_a,
            "alt_after_ft": at(after, p.alt_baro),
            "distance_m": dist,
            "implied_speed_kt": speed,
            "row_before": rows_in_input(before),
            "row_after": rows_in_input(after),
            "span_s": span,
        }
    )
    gap_id = np.full(p.n, -1, dtype="int64")
    if start_row.size:
        pos = np.arange(p.n)
        k = np.searchsorted(start_row, pos, side="right") - 1
        inside = (k >= 0) & (pos < end_row[np.maximum(k, 0)])
        gap_id[inside] = k[inside]
    return frame, gap_id, start_row


def find_gaps(
    track: pd.DataFrame,
    params: IntegrityParams | None = None,
    *,
    untrusted: pd.Series | NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """Gaps in the positions of every flight of ``track``.

    Parameters
    ----------
    track : pandas.DataFrame
        Canonical track (:mod:`flightmap.schema`); needs ``flight_id``, ``time`` (UTC),
        ``lat``, ``lon``; uses ``stale``, ``on_ground`` and ``gs_kt`` when present.
    params : IntegrityParams, optional
        Thresholds (``min_gap_s``, ``gap_cadence_factor``, ``frozen_min_s``, ``moving_gs_kt``).
    untrusted : boolean array or Series, optional
        Rows (aligned with ``track``) whose positions must not count as fixes, e.g. the spoofed
        ones found by :func:`flightmap.analysis.analyse`, which passes them itself.

    Returns
    -------
    pandas.DataFrame
        One row per gap, columns :data:`GAP_COLUMNS`, sorted by flight and start.

    Examples
    --------
    >>> t = pd.to_datetime([0, 10, 20, 200, 210], unit="s", utc=True)
    >>> df = pd.DataFrame({"flight_id": "a-1", "time": t, "lat": [0.0, 0.0, None, 0.0, 0.0],
    ...                    "lon": [0.0, 0.01, None, 0.05, 0.06]})
    >>> g = find_gaps(df)
    >>> g[["duration_s", "kind", "reports", "without_position"]].values.tolist()
    [[190.0, 'no_position', 1, 1]]
    """
    params = params or IntegrityParams()
    p = prepare(track)
    frozen = frozen_mask(p, params)
    bad = np.zeros(p.n, dtype=bool)
    if untrusted is not None:
        bad = np.asarray(untrusted, dtype=bool)[p.order]
    fix = np.isfinite(p.lat) & np.isfinite(p.lon) & ~p.stale & ~frozen & ~bad
    _, threshold = gap_thresholds(p, fix, params)
    return locate_gaps(p, fix, frozen, bad & np.isfinite(p.lat), threshold)[0]
