"""Per-flight GNSS integrity: a state for every report, and intervals with the rules in words.

States, from least to most severe: ``nominal``, ``degraded`` (the position is there but its quality
is low or inconsistent), ``position_lost`` (no usable GNSS position: gaps, frozen positions, NIC 0
or NACp of 2 or less) and ``spoofed`` (the position or velocity is physically impossible, or the
two disagree over minutes: :mod:`flightmap.analysis.motion`). Rules that compare noisy values need
a minimum support (``IntegrityParams.support_reports``) before they count, so single outliers make
no interval. A report takes the most severe state among the rules it fires (:data:`RULES`);
consecutive reports in the same state form an interval, which lists every rule that fired in it as
a sentence a journalist can quote. Gaps open a ``position_lost`` interval at the last fix before
them, so silences with no report at all appear too (with 0 points; their rule is ``no_reports``:
out of coverage or a silent transponder, not evidence of GNSS loss). Flickers (a dip to a less
severe state for a report or two between two reports in the more severe one) join the interval
around them (``IntegrityParams.flicker_reports``, ``flicker_s``), so a NIC alternating at every
report gives one interval, not one per report; a spoofing episode is one interval however its
pieces alternate (hysteresis, ``episode_join_s``); the per-report states are left as they are.

The rules themselves are in :mod:`flightmap.analysis.rules`, the gaps in
:mod:`flightmap.analysis.gaps`; this module runs them flight by flight, in chunks of whole
flights (no loop over rows), and builds the intervals. It never reads files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from flightmap import schema as s
from flightmap.analysis._prep import B1, F8, I8, NS, Prepared, prepare
from flightmap.analysis.flight_table import flight_table
from flightmap.analysis.gaps import gap_thresholds, locate_gaps
from flightmap.analysis.motion import reappear
from flightmap.analysis.params import IntegrityParams
from flightmap.analysis.rules import (
    BIT,
    POSITION_LOST,
    RULES,
    SEVERITY,
    SPOOFED,
    STATES,
    RowRules,
    Rule,
    _altitude,
    row_rules,
    rule_codes,
    speed_limit_kt,
    states,
)
from flightmap.analysis.wording import rule_sentence

__all__ = [
    "FIX",
    "GAP_ID",
    "INTERVAL_COLUMNS",
    "INTERVAL_ID",
    "NAC_P_CF",
    "NIC_CF",
    "POSITION_SPEED_KT",
    "RULES",
    "RULE_BITS",
    "STATE",
    "STATES",
    "Rule",
    "TrackAnalysis",
    "analyse",
    "rule_codes",
]

# Columns added to the track by analyse().
STATE: Final = "state"
"""Integrity state of the report (categorical, one of :data:`STATES`)."""
RULE_BITS: Final = "rule_bits"
"""The rules the report fired, as bits (``1 << i`` for ``RULES[i]``); see :func:`rule_codes`."""
FIX: Final = "fix"
"""The report is a fix: a fresh, trusted position (see :mod:`flightmap.analysis.gaps`)."""
GAP_ID: Final = "gap_id"
"""Row of the gaps frame the report lies in (NA: none)."""
POSITION_SPEED_KT: Final = "position_speed_kt"
"""Speed in kt from the previous distinct fresh position: distance over the time between when
the two positions were measured (NaN: none, or the row repeats the previous position)."""
NIC_CF: Final = "nic_cf"
NAC_P_CF: Final = "nac_p_cf"
"""NIC and NACp carried forward over the flight (at most ``integrity_max_age_s``)."""
INTERVAL_ID: Final = "interval_id"
"""Row of the intervals frame the report belongs to (each report is in exactly one)."""

INTERVAL_COLUMNS: Final = (
    s.FLIGHT_ID,
    "start",
    "end",
    "duration_s",
    "state",
    "points",
    "rule_codes",
    "rules",
)
"""Columns of the intervals frame: ``start`` is the first report in the state (or the last fix
before a gap), ``end`` the start of the next interval (the last report for the last one);
``points`` counts the reports; ``rule_codes`` and ``rules`` are lists of codes and sentences."""


@dataclass(frozen=True)
class TrackAnalysis:
    """The result of :func:`analyse`.

    Attributes
    ----------
    track : pandas.DataFrame
        The input rows, same order and index, with the columns :data:`STATE`,
        :data:`RULE_BITS`, :data:`FIX`, :data:`GAP_ID`, :data:`INTERVAL_ID`,
        :data:`POSITION_SPEED_KT`, :data:`NIC_CF` and :data:`NAC_P_CF` added.
    gaps : pandas.DataFrame
        One row per gap (:data:`flightmap.analysis.gaps.GAP_COLUMNS`).
    intervals : pandas.DataFrame
        One row per integrity interval (:data:`INTERVAL_COLUMNS`).
    flights : pandas.DataFrame
        One row per flight: ``flight_id``, ``callsign``, ``icao24``, ``start``, ``end``,
        ``points``, ``fixes``, ``cadence_s`` (median time between fixes) and ``threshold_s``
        (its gap threshold).
    params : IntegrityParams
        The thresholds used.
    """

    track: pd.DataFrame
    gaps: pd.DataFrame
    intervals: pd.DataFrame
    flights: pd.DataFrame
    params: IntegrityParams = field(default_factory=IntegrityParams)


def analyse(track: pd.DataFrame, params: IntegrityParams | None = None) -> TrackAnalysis:
    """Gaps, per-report integrity states and integrity intervals of every flight in ``track``.

    Parameters
    ----------
    track : pandas.DataFrame
        Canonical track (:mod:`flightmap.schema`). ``flight_id``, ``time`` (tz-aware UTC),
        ``lat`` and ``lon`` are required; ``gs_kt``, ``alt_baro_ft``, ``alt_geom_ft``, ``nic``,
        ``nac_p``, ``stale``, ``on_ground``, ``callsign`` and ``icao24`` are used when present.
        Not modified.
    params : IntegrityParams, optional
        Thresholds; the documented defaults when omitted.

    Returns
    -------
    TrackAnalysis
        The classified track, the gaps, the intervals and a per-flight summary.

    Raises
    ------
    InputError
        A required column is missing, or times are naive or missing.

    Examples
    --------
    >>> t = pd.to_datetime([0, 10, 20, 30], unit="s", utc=True)
    >>> df = pd.DataFrame({"flight_id": "a-1", "time": t, "lat": 0.0,
    ...                    "lon": [0.0, 0.02, 0.04, 0.06], "nac_p": [9, 2, None, 9]})
    >>> a = analyse(df)
    >>> a.track["state"].tolist()
    ['nominal', 'position_lost', 'position_lost', 'nominal']
    >>> a.intervals[["state", "points"]].values.tolist()
    [['nominal', 1], ['position_lost', 2], ['nominal', 1]]
    """
    params = params or IntegrityParams()
    full = prepare(track)
    parts = [_analyse_chunk(full.flights_slice(f0, f1), params) for f0, f1 in full.chunks(CHUNK)]
    if not parts:
        parts = [_analyse_chunk(full, params)]  # an empty track
    n = full.n

    def gather(name: str) -> Any:
        values = np.concatenate([getattr(c, name) for c in parts])
        if full.in_order:
            return values
        res = np.empty(n, dtype=values.dtype)
        res[full.order] = values
        return res

    offsets = np.cumsum([0] + [len(c.gaps) for c in parts])
    for c, off in zip(parts, offsets, strict=False):
        c.gap_id[c.gap_id >= 0] += off
    offsets = np.cumsum([0] + [len(c.intervals) for c in parts])
    for c, off in zip(parts, offsets, strict=False):
        c.interval_id += off
    out = track.copy(deep=False)  # copy-on-write: adding columns leaves ``track`` unchanged

    def column(values: Any) -> pd.Series:
        # The new arrays are ours: a Series over them, so that pandas does not copy them again.
        return pd.Series(values, index=out.index, copy=False)

    out[STATE] = _categorical(gather("state"))
    out[RULE_BITS] = column(gather("bits"))
    out[FIX] = column(gather("fix"))
    gap_id = gather("gap_id")
    out[GAP_ID] = pd.arrays.IntegerArray(np.where(gap_id >= 0, gap_id, 0), gap_id < 0)
    out[INTERVAL_ID] = column(gather("interval_id"))
    out[POSITION_SPEED_KT] = column(gather("speed_kt"))
    out[NIC_CF] = column(gather("nic"))
    out[NAC_P_CF] = column(gather("nacp"))

    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    fix_sorted = np.concatenate([c.fix for c in parts])
    cadence = np.concatenate([c.cadence for c in parts])
    thr = np.concatenate([c.threshold for c in parts])
    return TrackAnalysis(
        track=out,
        gaps=concat([c.gaps for c in parts]),
        intervals=concat([c.intervals for c in parts]),
        flights=flight_table(track, full, fix_sorted, cadence, thr),
        params=params,
    )


#: Rows analysed at a time (whole flights): arrays of this size stay in the processor caches and
#: reuse heap memory, which makes a 5M-row track about twice as fast as one pass.
CHUNK: Final = 250_000


@dataclass
class _Chunk:
    state: NDArray[np.int8]
    bits: NDArray[np.uint16]
    fix: B1
    gap_id: I8
    interval_id: I8
    speed_kt: F8
    nic: F8
    nacp: F8
    gaps: pd.DataFrame
    intervals: pd.DataFrame
    cadence: F8
    threshold: F8


@dataclass
class ChunkStates:
    """The per-report half of the analysis of sorted rows (:func:`chunk_states`): every rule's
    masks and figures, the trusted fixes, the gaps and the states."""

    rows: RowRules
    fix: B1
    cadence: F8
    threshold: F8
    gaps: pd.DataFrame
    gap_id: I8
    gap_rows: Any
    state: NDArray[np.int8]
    bits: NDArray[np.uint16]


def chunk_states(p: Prepared, params: IntegrityParams) -> ChunkStates:
    """Every rule, the trusted fixes, the gaps and the state of each row of ``p`` (sorted by
    flight, then time): the one composition of the rules, used by :func:`analyse` (which adds
    the intervals) and :func:`flightmap.analysis.report_states.report_states` (the area grid's
    states, without intervals)."""
    rows = row_rules(p, params)
    has_pos = np.isfinite(p.lat) & np.isfinite(p.lon)
    spoof = rows.masks["jump"] | rows.masks["teleport"]
    spoof |= rows.masks["slow_at_altitude"] | rows.masks["too_fast"]
    untrusted = spoof & has_pos
    fix = rows.fresh & ~untrusted
    cadence, thr = gap_thresholds(p, fix, params)

    def limit(at: I8) -> F8:
        return speed_limit_kt(params, _altitude(p, at))

    # From the last trusted fix to the next fresh position, trusted or not: a spoofed one
    # reappearing is what the rule looks for.
    rows.stats["reappear_deg"] = reappear(p, params, fix, rows.fresh & has_pos, thr, limit)
    rows.masks["reappear"] = np.isfinite(rows.stats["reappear_deg"])
    gaps, gap_id, gap_rows = locate_gaps(p, fix, rows.frozen, untrusted, thr)
    rows.masks["gap"] = gap_id >= 0
    state, bits = states(rows.masks, p.n)
    return ChunkStates(rows, fix, cadence, thr, gaps, gap_id, gap_rows, state, bits)


def _analyse_chunk(p: Prepared, params: IntegrityParams) -> _Chunk:
    c = chunk_states(p, params)
    rows = c.rows
    intervals, iid = _intervals(p, rows, c.state, c.bits, c.gap_id, c.gap_rows, c.gaps, params)
    return _Chunk(
        c.state,
        c.bits,
        c.fix,
        c.gap_id,
        iid,
        rows.speed_kt,
        rows.nic,
        rows.nacp,
        c.gaps,
        intervals,
        c.cadence,
        c.threshold,
    )


def _categorical(codes: NDArray[np.int8]) -> Any:
    return pd.Categorical.from_codes(np.asarray(codes, dtype="int64"), categories=pd.Index(STATES))


def _smoothed(
    el_flight: I8, el_state: NDArray[np.int8], el_t: I8, el_row: I8, params: IntegrityParams
) -> NDArray[np.int8]:
    """The states of the elements (reports and gap markers) with flickers smoothed out.

    For each level (degraded, position lost, spoofed), a dip below it between two elements at
    or above it in the same flight, of 1 to ``flicker_reports`` reports lasting at most
    ``flicker_s`` (until the state is back), is raised to it: a closing, level by level. States
    only rise, and only between two elements already at the level, so a single report in a
    more severe state is never widened, and a NIC alternating at every report reads as one
    degraded interval. At the spoofed level any dip lasting at most ``episode_join_s`` joins
    (hysteresis: frozen spoofed positions or a few true-looking velocities inside a spoofing
    episode do not cut it). Worked on the runs of equal state, not on the elements.
    """
    m = el_t.size
    brk = np.ones(m, dtype=bool)
    brk[1:] = (el_flight[1:] != el_flight[:-1]) | (el_state[1:] != el_state[:-1])
    rs = np.flatnonzero(brk)
    if rs.size < 3 or params.flicker_reports < 1:
        return el_state
    r_fl, r_t, r_state = el_flight[rs], el_t[rs], el_state[rs]
    r_reports = np.add.reduceat(el_row, rs)
    r_out = r_state.copy()
    for level in range(1, len(STATES)):
        at = r_state >= level
        sb = np.ones(rs.size, dtype=bool)  # runs of runs on the same side of the level
        sb[1:] = (r_fl[1:] != r_fl[:-1]) | (at[1:] != at[:-1])
        ss = np.flatnonzero(sb)
        s_fl = r_fl[ss]
        inside = np.r_[False, s_fl[1:] == s_fl[:-1]] & np.r_[s_fl[1:] == s_fl[:-1], False]
        dip = inside & ~at[ss]  # sides alternate within a flight: both neighbours at level
        if not dip.any():
            continue
        reports = np.add.reduceat(r_reports, ss)
        back = np.append(r_t[ss[1:]], 0)  # when the state is back at the level
        lasting = back - r_t[ss]
        flicker = (reports >= 1) & (reports <= params.flicker_reports)
        flicker &= lasting <= params.flicker_s * NS
        if level == SEVERITY[SPOOFED]:  # hysteresis: one spoofing episode, one interval
            flicker |= lasting <= params.episode_join_s * NS
        dip &= flicker
        up = dip[np.cumsum(sb) - 1]
        r_out[up] = np.maximum(r_out[up], level)
    if np.array_equal(r_out, r_state):
        return el_state
    return np.asarray(r_out[np.cumsum(brk) - 1], dtype="int8")


def _intervals(
    p: Prepared,
    rows: RowRules,
    state: Any,
    bits: Any,
    gap_id: I8,
    g_rows: I8,
    gaps: pd.DataFrame,
    params: IntegrityParams,
) -> tuple[pd.DataFrame, I8]:
    # Gap markers: one pseudo-report per gap, at the gap's start, inserted before the first
    # report inside it, so the position_lost interval starts at the last fix. A gap without
    # any report is ``no_reports`` (coverage or transponder), not ``gap``.
    g_start = gaps["start"].to_numpy(dtype="datetime64[ns]").view("int64")
    g_flight = p.flight[np.minimum(g_rows, p.n - 1)] if p.n else g_rows
    g_silent = (gaps["reports"].to_numpy() == 0) if len(gaps) else np.zeros(0, dtype=bool)

    def ins(values: Any, marker: Any) -> Any:
        return np.insert(values, g_rows, marker) if len(gaps) else values

    # A gap filled with spoofed positions starts where they do: the spoofed interval, which
    # lists the gap, then begins at the first false position, not at the last true one.
    inside = np.minimum(g_rows, max(p.n - 1, 0))
    g_spoofed = (
        (gaps["kind"].to_numpy(dtype=object) == "spoofed") & (state[inside] == SEVERITY[SPOOFED])
        if len(gaps)
        else np.zeros(0, dtype=bool)
    )
    g_start = np.where(g_spoofed, p.t[inside] if p.n else g_start, g_start)
    marker_state = np.where(g_spoofed, SEVERITY[SPOOFED], SEVERITY[POSITION_LOST])
    el_flight = ins(p.flight, g_flight)
    el_t = ins(p.t, g_start)
    el_state = ins(state, marker_state.astype("int8"))
    marker_bits = np.where(g_silent, BIT["no_reports"], BIT["gap"]).astype("uint16")
    el_bits = ins(bits, marker_bits)
    el_row = ins(np.ones(p.n, dtype="int64"), np.zeros(len(gaps), dtype="int64"))
    el_gap = ins(gap_id, np.arange(len(gaps)))
    m = len(el_t)
    if m == 0:
        return pd.DataFrame({c: [] for c in INTERVAL_COLUMNS}), np.zeros(0, dtype="int64")
    el_state = _smoothed(el_flight, el_state, el_t, el_row, params)
    brk = np.ones(m, dtype=bool)
    brk[1:] = (el_flight[1:] != el_flight[:-1]) | (el_state[1:] != el_state[:-1])
    si = np.flatnonzero(brk)
    ei = np.append(si[1:], m)
    same_next = np.append(el_flight[si[1:]] == el_flight[si[:-1]], False)
    start = el_t[si]
    end = np.where(same_next, np.append(start[1:], 0), el_t[ei - 1])
    points = np.add.reduceat(el_row, si)
    ibits = np.bitwise_or.reduceat(el_bits, si)

    iid = np.cumsum(brk) - 1  # interval of every element, then of every report (sorted order)
    if len(gaps):
        iid = iid[el_row == 1]
    per_rule = _rule_stats(p, rows, bits, iid, si.size)
    if len(gaps):
        g_lo = np.fmin.reduceat(np.where(el_gap >= 0, el_gap, np.nan), si)
        g_hi = np.fmax.reduceat(np.where(el_gap >= 0, el_gap, np.nan), si)
    else:
        g_lo = g_hi = np.full(si.size, np.nan)
    codes_out, sentences = _sentences(ibits, per_rule, gaps, g_lo, g_hi, params)
    frame = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.Series(
                np.asarray(p.flight_ids, dtype=object)[el_flight[si]], dtype=s.STR_DTYPE
            ),
            "start": pd.to_datetime(start, unit="ns", utc=True),
            "end": pd.to_datetime(end, unit="ns", utc=True),
            "duration_s": (end - start) / NS,
            "state": _categorical(el_state[si]),
            "points": points,
            "rule_codes": codes_out,
            "rules": sentences,
        }
    )
    return frame, np.asarray(iid, dtype="int64")


_NAN_KEY = -1.0e300  # stands for NaN when statistics are compared (NaN != NaN)


def _sentences(
    ibits: NDArray[np.uint16],
    per_rule: dict[str, dict[str, F8]],
    gaps: pd.DataFrame,
    g_lo: F8,
    g_hi: F8,
    params: IntegrityParams,
) -> tuple[list[list[str]], list[list[str]]]:
    """Per interval, the codes of the rules that fired and their sentences.

    Each distinct combination of a rule's statistics is put in words once, so the cost grows
    with the number of different sentences, not of intervals (200,000 one-report flickers of
    NIC 4 share one sentence); gap sentences are one per interval with gaps.
    """
    n_int = ibits.size
    ubits, inv = np.unique(ibits, return_inverse=True)
    code_lists = [rule_codes(int(b)) for b in ubits]
    codes_out = [list(code_lists[i]) for i in inv.ravel()]
    gap_records = gaps.to_dict(orient="records") if len(gaps) else []
    silent = gaps["reports"].to_numpy() == 0 if len(gaps) else np.zeros(0, dtype=bool)
    ks_parts, text_parts = [], []
    for rule in RULES:
        ks = np.flatnonzero(ibits & BIT[rule.code])
        if not ks.size:
            continue
        if rule.code in ("gap", "no_reports"):
            texts = np.empty(ks.size, dtype=object)
            for j, k in enumerate(ks):  # one per interval with gaps (bounded by the gaps)
                lo, hi = int(g_lo[k]), int(g_hi[k]) + 1
                want = silent[lo:hi] if rule.code == "no_reports" else ~silent[lo:hi]
                chosen = [g for g, ok in zip(gap_records[lo:hi], want, strict=True) if ok]
                texts[j] = rule_sentence(rule.code, {}, params, chosen or gap_records[lo:hi])
        else:
            st = per_rule[rule.code]
            names = sorted(st)
            mat = np.column_stack([st[name][ks] for name in names])
            mat = np.where(np.isnan(mat), _NAN_KEY, mat)
            uniq, back = np.unique(mat, axis=0, return_inverse=True)
            words = [
                rule_sentence(
                    rule.code,
                    {
                        n: (math.nan if v == _NAN_KEY else v)
                        for n, v in zip(names, row, strict=True)
                    },
                    params,
                )
                for row in uniq.tolist()
            ]
            texts = np.asarray(words, dtype=object)[back.ravel()]
        ks_parts.append(ks)
        text_parts.append(texts)
    out: list[list[str]] = [[] for _ in range(n_int)]
    if ks_parts:
        ks_all = np.concatenate(ks_parts)
        texts_all = np.concatenate(text_parts)
        order = np.argsort(ks_all, kind="stable")  # by interval, then in the order of RULES
        for k, text in zip(ks_all[order].tolist(), texts_all[order].tolist(), strict=True):
            out[k].append(text)
    return codes_out, out


def _rule_stats(
    p: Prepared, rows: RowRules, bits: NDArray[np.uint16], iid: I8, n_int: int
) -> dict[str, dict[str, F8]]:
    """Per interval and rule: how many reports fired it and the values the sentences quote.

    Only the reports that fired some rule are looked at, so this costs little on clean tracks.
    """
    fired = np.flatnonzero(bits != 0)
    sub_iid = iid[fired]

    def agg(mask: B1, values: F8 | None = None, *, at_fired: bool = False) -> dict[str, F8]:
        """``values``: per row (``at_fired``: per fired row only)."""
        m = mask[fired]
        ii = sub_iid[m]
        if values is None:
            vv = np.zeros(ii.size)
        else:
            vv = (values if at_fired else values[fired])[m]
        lo, hi = np.full(n_int, np.nan), np.full(n_int, np.nan)
        np.fmin.at(lo, ii, vv)
        np.fmax.at(hi, ii, vv)
        return {"count": np.bincount(ii, minlength=n_int).astype("float64"), "min": lo, "max": hi}

    m = rows.masks
    out: dict[str, dict[str, F8]] = {}
    out["nic_lost"] = agg(m["nic_lost"], rows.nic)
    out["nic_low"] = agg(m["nic_low"], rows.nic)
    out["nacp_lost"] = agg(m["nacp_lost"], rows.nacp)
    out["nacp_low"] = agg(m["nacp_low"], rows.nacp)
    out["speed_mismatch"] = agg(m["speed_mismatch"], rows.stats["mismatch_kt"])
    out["alt_divergence"] = agg(
        m["alt_divergence"], np.abs(p.alt_geom[fired] - p.alt_baro[fired]), at_fired=True
    )
    out["jump"] = agg(m["jump"], rows.stats["leg_m"])
    out["jump"]["speed"] = agg(m["jump"], rows.speed_kt)["max"]
    out["teleport"] = agg(m["teleport"], rows.stats["leg_m"])
    out["slow_at_altitude"] = agg(m["slow_at_altitude"], p.gs)
    out["slow_at_altitude"]["alt"] = agg(m["slow_at_altitude"], p.alt_baro)["max"]
    out["slow_at_altitude"]["limit"] = agg(m["slow_at_altitude"], rows.stats["slow_limit_kt"])[
        "max"
    ]
    out["too_fast"] = agg(m["too_fast"], p.gs)
    st = rows.stats
    vm = m["velocity_mismatch"]
    out["velocity_mismatch"] = agg(vm, st["speed_diff_kt"])
    out["velocity_mismatch"]["turn"] = agg(vm, st["track_diff_deg"])["max"]
    pos = agg(vm, st["window_speed_kt"])
    out["velocity_mismatch"]["pos_lo"], out["velocity_mismatch"]["pos_hi"] = pos["min"], pos["max"]
    gs = agg(vm, st["window_gs_kt"])
    out["velocity_mismatch"]["gs_lo"], out["velocity_mismatch"]["gs_hi"] = gs["min"], gs["max"]
    out["slow_drift"] = agg(m["slow_drift"], st["slow_drift"])
    out["slow_drift"]["alt"] = agg(m["slow_drift"], _altitude(p, fired), at_fired=True)["max"]
    out["slow_drift"]["gs"] = agg(m["slow_drift"], st["window_gs_kt"])["max"]
    out["reappear"] = agg(m["reappear"], st["reappear_deg"])
    frozen = agg(m["frozen"], p.t[fired].astype("float64"), at_fired=True)
    first = agg(m["frozen"], fired.astype("float64"), at_fired=True)["min"]
    idx = np.where(np.isnan(first), 0, first).astype("int64")
    out["frozen"] = {
        "count": frozen["count"],
        "t0": agg(m["frozen"], rows.stats["frozen_since"])["min"],
        "t1": frozen["max"],
        "lat": p.lat[idx] if p.n else first,
        "lon": p.lon[idx] if p.n else first,
    }
    return out
