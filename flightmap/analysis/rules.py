"""The integrity rules, report by report: the catalogue and its vectorised evaluation.

Each rule has a code, the state it implies and a meaning (:data:`RULES`); :func:`row_rules`
evaluates all of them over the sorted arrays of a track (no loop over rows) and
:func:`states` turns the rules fired by each report into its state, the most severe one. The
thresholds are :class:`~flightmap.analysis.params.IntegrityParams`. Position-derived speeds use
the haversine formula, whose 0.5 % error is far below every threshold; the legs the sentences
quote (jumps) are re-measured on the ellipsoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from flightmap import schema as s
from flightmap.analysis._prep import (
    B1,
    F8,
    I8,
    NS,
    Prepared,
    at_rows,
    ffill_within,
)
from flightmap.analysis.gaps import frozen_runs
from flightmap.analysis.motion import min_speed_kt, supported, window_rules
from flightmap.analysis.params import IntegrityParams
from flightmap.geodesy import KT_MS, chain_haversine_m, distances_m, haversine_m

__all__ = [
    "DEGRADED",
    "NOMINAL",
    "POSITION_LOST",
    "RULES",
    "SPOOFED",
    "STATES",
    "RowRules",
    "Rule",
    "row_rules",
    "rule_codes",
    "speed_limit_kt",
    "states",
]

NOMINAL, DEGRADED, POSITION_LOST, SPOOFED = s.NOMINAL, s.DEGRADED, s.POSITION_LOST, s.SPOOFED
STATES: Final = s.INTEGRITY_STATES
"""The states, in increasing severity (:data:`flightmap.schema.INTEGRITY_STATES`)."""


@dataclass(frozen=True)
class Rule:
    """One integrity rule: its code, the state it implies and what it means."""

    code: str
    state: str
    meaning: str


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "gap",
        POSITION_LOST,
        "no fresh position for longer than the flight's gap threshold while reports arrived",
    ),
    Rule("frozen", POSITION_LOST, "position repeated unchanged while the aircraft moves"),
    Rule(
        "nic_lost",
        POSITION_LOST,
        "NIC fell to nic_lost (0: containment radius unknown) after the flight reported a "
        "bounded one; NIC 0 alone is 'unknown', not low",
    ),
    Rule("nacp_lost", POSITION_LOST, "NACp at or below nacp_lost: position error of 2 NM or more"),
    Rule("nic_low", DEGRADED, "NIC below nic_min (14 CFR 91.227)"),
    Rule("nacp_low", DEGRADED, "NACp below nacp_min (14 CFR 91.227)"),
    Rule(
        "speed_mismatch",
        DEGRADED,
        "position-derived speed far from reported ground speed (between distinct positions, "
        "timed by when they were measured)",
    ),
    Rule("alt_divergence", DEGRADED, "geometric and barometric altitude diverge"),
    Rule(
        "jump",
        SPOOFED,
        "position jump faster than the aircraft can fly (max_speed_kt; wind_aloft_kt more at or "
        "above wind_aloft_ft, for jet streams)",
    ),
    Rule("teleport", SPOOFED, "position jumps away and comes back (teleport-and-return)"),
    Rule(
        "slow_at_altitude",
        SPOOFED,
        "ground speed impossibly low at altitude: for airliners (emitter category A3 to A6, or "
        "none with a jet --aircraft) under slow_gs_kt at or above slow_alt_ft, for others under "
        "slow_any_gs_kt at or above slow_any_alt_ft; never for gliders, balloons or drones",
    ),
    Rule(
        "too_fast",
        SPOOFED,
        "ground speed faster than the aircraft can fly (max_speed_kt; wind_aloft_kt more at or "
        "above wind_aloft_ft, for jet streams)",
    ),
    Rule(
        "no_reports",
        POSITION_LOST,
        "no report at all received for longer than the gap threshold: out of receiver coverage "
        "or transponder silent, not evidence of GNSS loss",
    ),
    Rule(
        "velocity_mismatch",
        SPOOFED,
        "over a window of window_s or more, the positions move at a speed or on a bearing that "
        "the reported ground speed and track averaged over the same reports do not allow "
        "(mismatch_kt or mismatch_frac; track_mismatch_deg); support_reports in support_s",
    ),
    Rule(
        "slow_drift",
        SPOOFED,
        "over a window of window_s or more, the positions drift slower than the aircraft can fly "
        "at its altitude (the limits of slow_at_altitude); support_reports in support_s",
    ),
    Rule(
        "reappear",
        SPOOFED,
        "after a gap the position reappears at a reachable place, more than reappear_min_m "
        "away, on a bearing more than reappear_deg from the reported tracks before and after",
    ),
)
CODES: Final = tuple(r.code for r in RULES)
BIT: Final = {code: 1 << i for i, code in enumerate(CODES)}
SEVERITY: Final = {state: i for i, state in enumerate(STATES)}


def rule_codes(bits: int) -> list[str]:
    """The rule codes set in ``bits``.

    >>> rule_codes(1 | 1 << 8)
    ['gap', 'jump']
    """
    return [code for code in CODES if bits & BIT[code]]


@dataclass
class RowRules:
    """What :func:`row_rules` found: per rule a mask, plus the values the sentences quote."""

    masks: dict[str, B1]
    fresh: B1
    frozen: B1
    speed_kt: F8
    stats: dict[str, F8]
    nic: F8
    nacp: F8


def _greedy_pairs(ok: B1) -> B1:
    """Pick non-overlapping consecutive pairs: in each run of valid pairs, every other one."""
    idx = np.arange(ok.size)
    prev = np.concatenate(([False], ok[:-1]))
    run_start = np.maximum.accumulate(np.where(ok & ~prev, idx, 0))
    return np.asarray(ok & ((idx - run_start) % 2 == 0), dtype=bool)


def _ranges(starts: I8, lengths: I8) -> I8:
    """The concatenated ranges ``starts[k] .. starts[k] + lengths[k] - 1``.

    >>> _ranges(np.array([5, 10]), np.array([2, 3])).tolist()
    [5, 6, 10, 11, 12]
    """
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(offsets + np.arange(int(lengths.sum())), dtype="int64")


def _altitude(p: Prepared, rows: I8) -> F8:
    """Barometric altitude of ``rows``, else geometric, ft (NaN: unknown)."""
    baro = p.alt_baro[rows]
    return np.where(np.isnan(baro), p.alt_geom[rows], baro)


def speed_limit_kt(params: IntegrityParams, alt_ft: F8) -> F8:
    """The fastest plausible ground speed at ``alt_ft``: ``max_speed_kt``, plus ``wind_aloft_kt``
    at or above ``wind_aloft_ft`` or where the altitude is unknown (NaN).

    >>> speed_limit_kt(IntegrityParams(max_speed_kt=585.6), np.array([5e3, 35e3, np.nan]))
    array([585.6, 735.6, 735.6])
    """
    aloft = ~(alt_ft < params.wind_aloft_ft)
    return np.asarray(params.max_speed_kt + np.where(aloft, params.wind_aloft_kt, 0.0))


def _slow(p: Prepared, params: IntegrityParams) -> tuple[B1, F8]:
    """The ``slow_at_altitude`` mask and, on those rows, the minimum ground speed they were held
    to (NaN elsewhere). The category is looked at only where either limit could apply."""
    slow = np.zeros(p.n, dtype=bool)
    limit = np.full(p.n, np.nan)
    with np.errstate(invalid="ignore"):
        cand = (p.gs < max(params.slow_gs_kt, params.slow_any_gs_kt)) & (
            p.alt_baro >= min(params.slow_alt_ft, params.slow_any_alt_ft)
        )
    idx = np.flatnonzero(cand & ~p.on_ground)
    if not idx.size:
        return slow, limit
    lim = min_speed_kt(p, params, idx, p.alt_baro[idx])
    with np.errstate(invalid="ignore"):
        hit = p.gs[idx] < lim
    slow[idx[hit]] = True
    limit[idx[hit]] = lim[hit]
    return slow, limit


def _spikes(values: F8, flight: I8) -> F8:
    """How far each value stands from the mean of its neighbours in the same flight (the one
    neighbour there is at a flight's ends or next to a NaN; NaN without any)."""
    prev = np.r_[np.nan, values[:-1]]
    nxt = np.r_[values[1:], np.nan]
    prev[np.r_[True, flight[1:] != flight[:-1]]] = np.nan
    nxt[np.r_[flight[1:] != flight[:-1], True]] = np.nan
    with np.errstate(invalid="ignore"):
        ref = np.where(np.isnan(prev), nxt, np.where(np.isnan(nxt), prev, (prev + nxt) / 2))
    return np.asarray(np.abs(values - ref))


def _legs(
    lat: tuple[F8, F8],
    lon: tuple[F8, F8],
    t: tuple[I8, I8],
    tp: tuple[I8, I8] | None,
    d: F8 | None = None,
) -> tuple[F8, F8, F8]:
    """Distance (m), speed (kt) and duration (s) of legs given by the values at their two ends.

    The duration is between the times the positions were measured (``tp``), where they
    advance; else (or without ``tp``) between the report times ``t``. ``d``: the distances,
    when already known.
    """
    if d is None:
        d = haversine_m(lat[0], lon[0], lat[1], lon[1])
    dt_report = t[1] - t[0]
    if tp is None:  # one time per report
        dt = dt_report / NS
    else:
        dtp = tp[1] - tp[0]
        dt = np.where(dtp > 0, dtp, dt_report) / NS
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, d / dt, np.where(d > 0, np.inf, 0.0)) / KT_MS
    return d, v, dt


def _speed_kt(p: Prepared, a: I8, b: I8) -> tuple[F8, F8, F8]:
    """:func:`_legs` from rows ``a`` to rows ``b``."""
    tp = None if p.tp is p.t else (p.tp[a], p.tp[b])
    return _legs((p.lat[a], p.lat[b]), (p.lon[a], p.lon[b]), (p.t[a], p.t[b]), tp)


def _mark_jumps(p: Prepared, params: IntegrityParams, ui: I8, jumps: I8) -> tuple[B1, B1, I8, I8]:
    """The ``jump`` and ``teleport`` marks of the distinct fixes ``ui`` (legs ``ui[k]`` to
    ``ui[k + 1]``), and the leading outliers: their positions in ``ui`` and their jump legs.

    ``jumps`` are the legs longer than ``min_jump_m`` and faster than the limit
    (:func:`speed_limit_kt` at the higher end's altitude), in order. Two jumps form a
    teleport-and-return when the fix before the first and the fix after the second are
    reachable from each other: the fixes between them are the excursion. Jumps are paired
    greedily in time order. An unpaired jump marks the fix it lands on, except the first jump
    of a flight after at most ``lead_outlier_fixes`` fixes followed by a longer consistent
    stretch: then the fixes before it are the bad ones (a bad first fix, found by looking
    ahead).
    """
    jump_u = np.zeros(ui.size, dtype=bool)
    tele_u = np.zeros(ui.size, dtype=bool)
    none = np.zeros(0, dtype="int64")
    if not jumps.size:
        return jump_u, tele_u, none, none
    out, back = jumps[:-1], jumps[1:]
    pa, pb = ui[out], ui[back + 1]
    dd, vv, _ = _speed_kt(p, pa, pb)
    lim = speed_limit_kt(params, np.fmax(_altitude(p, pa), _altitude(p, pb)))
    returns = (p.flight[pa] == p.flight[pb]) & ((dd <= params.min_jump_m) | (vv <= lim))
    pick = _greedy_pairs(returns)
    marks = np.zeros(ui.size + 1, dtype="int64")
    np.add.at(marks, out[pick] + 1, 1)
    np.add.at(marks, back[pick] + 1, -1)
    tele_u |= np.cumsum(marks)[:-1] > 0
    paired = np.zeros(jumps.size, dtype=bool)
    paired[:-1] |= pick
    paired[1:] |= pick
    # Look ahead for a bad first fix: the flight's first jump, unpaired, after few fixes.
    fl = p.flight[ui]
    jf = fl[jumps]
    first_u = np.searchsorted(fl, jf, side="left")
    end_u = np.searchsorted(fl, jf, side="right")
    first_jump = np.r_[True, jf[1:] != jf[:-1]]
    next_same = np.r_[jf[1:] == jf[:-1], False]
    next_jump = np.where(next_same, np.r_[jumps[1:], 0], end_u - 1)
    before = jumps - first_u + 1  # fixes up to the jump
    after = next_jump - jumps  # consistent fixes after it
    lead = ~paired & first_jump & (before <= params.lead_outlier_fixes) & (before < after)
    jump_u[jumps[~paired & ~lead] + 1] = True
    lead_rows = _ranges(first_u[lead], before[lead])
    jump_u[lead_rows] = True
    return jump_u, tele_u, lead_rows, np.repeat(jumps[lead], before[lead])


def row_rules(p: Prepared, params: IntegrityParams) -> RowRules:
    """Evaluate every rule but ``gap`` (which needs the fixes) on the sorted arrays ``p``.

    Position-derived speeds are measured between *distinct* fresh positions: a fix repeating
    the previous position exactly (the same measurement sent again, common in OpenSky and
    Flightradar24 data) makes no leg, so it never fires a speed rule, and the next leg is timed
    from when the repeated position was measured.
    """
    n = p.n
    masks = {code: np.zeros(n, dtype=bool) for code in CODES}
    stats = {name: np.full(n, np.nan) for name in ("leg_m", "mismatch_kt")}
    speed = np.full(n, np.nan)
    frozen, frozen_since = frozen_runs(p, params)

    def support(mask: B1) -> B1:
        return supported(
            mask, p.flight, p.t, params.support_s, params.support_reports, params.support_span_s
        )

    stats["frozen_since"] = frozen_since
    slow, stats["slow_limit_kt"] = _slow(p, params)
    masks["slow_at_altitude"] = support(slow)
    with np.errstate(invalid="ignore"):
        fast = p.gs > params.max_speed_kt  # the limit is higher aloft: check those rows only
        idx = np.flatnonzero(fast)
        fast[idx] = p.gs[idx] > speed_limit_kt(params, _altitude(p, idx))
        masks["too_fast"] = fast
        div = np.abs(p.alt_geom - p.alt_baro) > (
            params.alt_divergence_ft + params.alt_divergence_frac * np.abs(p.alt_baro)
        )
        if div.any():  # a spike of the barometric altitude is not a GNSS fault
            div &= ~(_spikes(p.alt_baro, p.flight) > _spikes(p.alt_geom, p.flight))
        masks["alt_divergence"] = support(div)
    masks["frozen"] = frozen
    fresh = np.isfinite(p.lat) & np.isfinite(p.lon) & ~p.stale & ~frozen
    fi = np.flatnonzero(fresh)
    # The fresh rows' values, gathered once (all rows fresh: the arrays themselves); legs are
    # then slices of them.
    lat, lon, fl = at_rows(fi, n, p.lat, p.lon, p.flight)
    repeat = np.zeros(fi.size, dtype=bool)
    if fi.size >= 2:
        repeat[1:] = (lat[1:] == lat[:-1]) & (lon[1:] == lon[:-1]) & (fl[1:] == fl[:-1])
    any_repeat = bool(repeat.any())
    ui = fi[~repeat] if any_repeat else fi  # distinct fixes
    # For every fresh row, its distinct fix (index in ui).
    leader = np.cumsum(~repeat) - 1 if any_repeat else slice(None)
    if any_repeat:
        lat, lon, fl = lat[~repeat], lon[~repeat], fl[~repeat]
    if ui.size >= 2:
        a, b = ui[:-1], ui[1:]
        same = fl[1:] == fl[:-1]
        (t_u,) = at_rows(ui, n, p.t)
        tp_u = None if p.tp is p.t else p.tp[ui]
        d, v, dt = _legs(
            (lat[:-1], lat[1:]),
            (lon[:-1], lon[1:]),
            (t_u[:-1], t_u[1:]),
            None if tp_u is None else (tp_u[:-1], tp_u[1:]),
            chain_haversine_m(lat, lon),
        )
        if ui.size == n:  # legs from every row to the next
            speed[1:] = np.where(same, v, np.nan)
            stats["leg_m"][1:] = np.where(same, d, np.nan)
        else:
            speed[b[same]] = v[same]
            stats["leg_m"][b[same]] = d[same]
        with np.errstate(invalid="ignore"):  # faster than the lowest limit, then aloft or not
            jumps = np.flatnonzero(same & (d > params.min_jump_m) & (v > params.max_speed_kt))
        limit = speed_limit_kt(params, np.fmax(_altitude(p, a[jumps]), _altitude(p, b[jumps])))
        jumps = jumps[v[jumps] > limit]
        jump_u, tele_u, lead_rows, lead_legs = _mark_jumps(p, params, ui, jumps)
        if jumps.size:  # else no jump nor teleport
            masks["jump"][fi] = jump_u[leader]
            masks["teleport"][fi] = tele_u[leader]
        # The sentences quote the impossible legs: measure them on the ellipsoid.
        legs = np.flatnonzero(same & (jump_u | tele_u)[1:])
        exact = distances_m(p.lat[a[legs]], p.lon[a[legs]], p.lat[b[legs]], p.lon[b[legs]])
        stats["leg_m"][b[legs]] = exact
        with np.errstate(divide="ignore", invalid="ignore"):
            speed[b[legs]] = np.where(dt[legs] > 0, exact / dt[legs] / KT_MS, np.inf)
        if lead_rows.size:  # a bad first fix: it carries the leg it jumped away on
            ex = distances_m(
                p.lat[a[lead_legs]], p.lon[a[lead_legs]], p.lat[b[lead_legs]], p.lon[b[lead_legs]]
            )
            stats["leg_m"][ui[lead_rows]] = ex
            with np.errstate(divide="ignore", invalid="ignore"):
                speed[ui[lead_rows]] = np.where(
                    dt[lead_legs] > 0, ex / dt[lead_legs] / KT_MS, np.inf
                )
        # Compare with the reported ground speed only on legs between positions not already
        # shown impossible, using ground speeds not already shown false.
        # Only legs of the right duration are compared (few on tracks of a report every 4 s).
        bad_u = jump_u | tele_u
        legs_ok = same & (dt >= params.mismatch_min_leg_s) & (dt <= params.mismatch_max_leg_s)
        if jumps.size:
            legs_ok &= ~bad_u[:-1] & ~bad_u[1:]
        k = np.flatnonzero(legs_ok)
        gs = np.where(masks["slow_at_altitude"] | masks["too_fast"], np.nan, p.gs)
        ga, gb = gs[a[k]], gs[b[k]]
        gmean = np.where(np.isnan(ga), gb, np.where(np.isnan(gb), ga, (ga + gb) / 2.0))
        with np.errstate(invalid="ignore"):
            diff = np.abs(v[k] - gmean)
            mm = diff > np.fmax(params.mismatch_kt, params.mismatch_frac * gmean)
        masks["speed_mismatch"][b[k[mm]]] = True
        masks["speed_mismatch"] = support(masks["speed_mismatch"])
        stats["mismatch_kt"][b[k[mm]]] = diff[mm]
    win = window_rules(
        p,
        params,
        ui,
        masks["jump"] | masks["teleport"],
        masks["slow_at_altitude"] | masks["too_fast"],
    )
    masks["velocity_mismatch"] = support(
        np.isfinite(win["speed_diff_kt"]) | np.isfinite(win["track_diff_deg"])
    )
    masks["slow_drift"] = support(np.isfinite(win["slow_drift"]))
    stats.update(win)
    max_age = int(params.integrity_max_age_s * NS)
    carry_all = bool(p.carry.all())
    carried = []
    for values in (p.nic, p.nacp):
        known = np.isfinite(values)
        if not known.any():  # the formats without NIC or NACp: nothing to carry
            carried.append(np.full(n, np.nan))
            continue
        src = ffill_within(known, p.flight, p.t, max_age)
        filled = np.where(src >= 0, values[np.maximum(src, 0)], np.nan)
        # Rows of readers that carry values forward themselves keep their NA ("no longer known").
        carried.append(filled if carry_all else np.where(p.carry, filled, values))
    nic, nacp = carried
    with np.errstate(invalid="ignore"):
        lost = nic <= params.nic_lost
        if lost.any():  # only after a bounded radius earlier in the flight
            lost &= ffill_within(p.nic > params.nic_lost, p.flight, p.t, None) >= 0
        masks["nic_lost"] = lost
        masks["nic_low"] = (nic < params.nic_min) & (nic > params.nic_lost)
        masks["nacp_lost"] = nacp <= params.nacp_lost
        masks["nacp_low"] = (nacp < params.nacp_min) & ~masks["nacp_lost"]
    return RowRules(masks, fresh, frozen, speed, stats, nic, nacp)


def states(masks: dict[str, B1], n: int) -> tuple[NDArray[np.int8], NDArray[np.uint16]]:
    state = np.zeros(n, dtype="int8")
    bits = np.zeros(n, dtype="uint16")
    for rule in RULES:
        m = masks[rule.code]
        if not m.any():
            continue
        np.maximum(state, m.view(np.int8) * np.int8(SEVERITY[rule.state]), out=state)
        bits |= m.view(np.uint8) * np.uint16(BIT[rule.code])
    return state, bits
