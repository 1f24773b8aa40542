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

from flightmap.analysis._prep import B1, F8, I8, NS, Prepared, ffill_within
from flightmap.analysis.gaps import frozen_runs
from flightmap.analysis.params import IntegrityParams
from flightmap.geodesy import KT_MS, distances_m, haversine_m

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
    "states",
]

NOMINAL, DEGRADED, POSITION_LOST, SPOOFED = "nominal", "degraded", "position_lost", "spoofed"
STATES: Final = (NOMINAL, DEGRADED, POSITION_LOST, SPOOFED)
"""The states, in increasing severity."""


@dataclass(frozen=True)
class Rule:
    """One integrity rule: its code, the state it implies and what it means."""

    code: str
    state: str
    meaning: str


RULES: Final[tuple[Rule, ...]] = (
    Rule("gap", POSITION_LOST, "no fresh position for longer than the flight's gap threshold"),
    Rule("frozen", POSITION_LOST, "position repeated unchanged while the aircraft moves"),
    Rule("nic_lost", POSITION_LOST, "NIC at or below nic_lost: containment radius unknown"),
    Rule("nacp_lost", POSITION_LOST, "NACp at or below nacp_lost: position error of 2 NM or more"),
    Rule("nic_low", DEGRADED, "NIC below nic_min (14 CFR 91.227)"),
    Rule("nacp_low", DEGRADED, "NACp below nacp_min (14 CFR 91.227)"),
    Rule("speed_mismatch", DEGRADED, "position-derived speed far from reported ground speed"),
    Rule("alt_divergence", DEGRADED, "geometric and barometric altitude diverge"),
    Rule("jump", SPOOFED, "position jump faster than the aircraft can fly"),
    Rule("teleport", SPOOFED, "position jumps away and comes back (teleport-and-return)"),
    Rule("slow_at_altitude", SPOOFED, "ground speed impossibly low at altitude"),
    Rule("too_fast", SPOOFED, "ground speed faster than the aircraft can fly"),
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


def _speed_kt(p: Prepared, a: I8, b: I8) -> tuple[F8, F8]:
    d = haversine_m(p.lat[a], p.lon[a], p.lat[b], p.lon[b])
    dt = (p.t[b] - p.t[a]) / NS
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, d / dt, np.where(d > 0, np.inf, 0.0)) / KT_MS
    return d, v


def _mark_jumps(
    p: Prepared,
    params: IntegrityParams,
    fi: I8,
    same: B1,
    d: F8,
    v: F8,
    masks: dict[str, B1],
) -> None:
    """Set the ``jump`` and ``teleport`` masks from the legs between fresh fixes ``fi``.

    A leg longer than ``min_jump_m`` and faster than ``max_speed_kt`` is a jump. Two jumps
    form a teleport-and-return when the fix before the first and the fix after the second are
    reachable from each other: the fixes between them are the excursion. Jumps are paired
    greedily in time order; an unpaired jump marks only the fix it lands on.
    """
    jumps = np.flatnonzero(same & (d > params.min_jump_m) & (v > params.max_speed_kt))
    if not jumps.size:
        return
    out, back = jumps[:-1], jumps[1:]
    pa, pb = fi[out], fi[back + 1]
    dd, vv = _speed_kt(p, pa, pb)
    returns = (p.flight[pa] == p.flight[pb]) & (
        (dd <= params.min_jump_m) | (vv <= params.max_speed_kt)
    )
    pick = _greedy_pairs(returns)
    marks = np.zeros(fi.size + 1, dtype="int64")
    np.add.at(marks, out[pick] + 1, 1)
    np.add.at(marks, back[pick] + 1, -1)
    masks["teleport"][fi[np.cumsum(marks)[:-1] > 0]] = True
    paired = np.zeros(jumps.size, dtype=bool)
    paired[:-1] |= pick
    paired[1:] |= pick
    masks["jump"][fi[jumps[~paired] + 1]] = True


def row_rules(p: Prepared, params: IntegrityParams) -> RowRules:
    """Evaluate every rule but ``gap`` (which needs the fixes) on the sorted arrays ``p``."""
    n = p.n
    masks = {code: np.zeros(n, dtype=bool) for code in CODES}
    stats = {name: np.full(n, np.nan) for name in ("leg_m", "mismatch_kt")}
    speed = np.full(n, np.nan)
    frozen, frozen_since = frozen_runs(p, params)
    stats["frozen_since"] = frozen_since
    with np.errstate(invalid="ignore"):
        masks["slow_at_altitude"] = (
            (p.gs < params.slow_gs_kt) & (p.alt_baro >= params.slow_alt_ft) & ~p.on_ground
        )
        masks["too_fast"] = p.gs > params.max_speed_kt
        masks["alt_divergence"] = np.abs(p.alt_geom - p.alt_baro) > (
            params.alt_divergence_ft + params.alt_divergence_frac * np.abs(p.alt_baro)
        )
    masks["frozen"] = frozen
    fresh = np.isfinite(p.lat) & np.isfinite(p.lon) & ~p.stale & ~frozen
    fi = np.flatnonzero(fresh)
    if fi.size >= 2:
        a, b = fi[:-1], fi[1:]
        same = p.flight[a] == p.flight[b]
        d, v = _speed_kt(p, a, b)
        speed[b[same]] = v[same]
        stats["leg_m"][b[same]] = d[same]
        _mark_jumps(p, params, fi, same, d, v, masks)
        # The sentences quote the impossible legs: measure them on the ellipsoid.
        legs = np.flatnonzero(same & (masks["jump"] | masks["teleport"])[b])
        exact = distances_m(p.lat[a[legs]], p.lon[a[legs]], p.lat[b[legs]], p.lon[b[legs]])
        stats["leg_m"][b[legs]] = exact
        dt_legs = (p.t[b[legs]] - p.t[a[legs]]) / NS
        with np.errstate(divide="ignore", invalid="ignore"):
            speed[b[legs]] = np.where(dt_legs > 0, exact / dt_legs / KT_MS, np.inf)
        # Compare with the reported ground speed only on legs between positions not already
        # shown impossible, using ground speeds not already shown false.
        dt = (p.t[b] - p.t[a]) / NS
        bad_pos = masks["jump"] | masks["teleport"]
        gs = np.where(masks["slow_at_altitude"] | masks["too_fast"], np.nan, p.gs)
        ga, gb = gs[a], gs[b]
        gmean = np.where(np.isnan(ga), gb, np.where(np.isnan(gb), ga, (ga + gb) / 2.0))
        with np.errstate(invalid="ignore"):
            diff = np.abs(v - gmean)
            legs = same & ~bad_pos[a] & ~bad_pos[b]
            legs &= (dt >= params.mismatch_min_leg_s) & (dt <= params.mismatch_max_leg_s)
            mm = legs & (diff > np.fmax(params.mismatch_kt, params.mismatch_frac * gmean))
        masks["speed_mismatch"][b[mm]] = True
        stats["mismatch_kt"][b[mm]] = diff[mm]
    max_age = int(params.integrity_max_age_s * NS)
    carried = []
    for values in (p.nic, p.nacp):
        src = ffill_within(np.isfinite(values), p.flight, p.t, max_age)
        carried.append(np.where(src >= 0, values[np.maximum(src, 0)], np.nan))
    nic, nacp = carried
    with np.errstate(invalid="ignore"):
        masks["nic_lost"] = nic <= params.nic_lost
        masks["nic_low"] = (nic < params.nic_min) & ~masks["nic_lost"]
        masks["nacp_lost"] = nacp <= params.nacp_lost
        masks["nacp_low"] = (nacp < params.nacp_min) & ~masks["nacp_lost"]
    return RowRules(masks, fresh, frozen, speed, stats, nic, nacp)


def states(masks: dict[str, B1], n: int) -> tuple[NDArray[np.int8], NDArray[np.uint16]]:
    state = np.zeros(n, dtype="int8")
    bits = np.zeros(n, dtype="uint16")
    for rule in RULES:
        m = masks[rule.code]
        state = np.maximum(state, np.where(m, SEVERITY[rule.state], 0).astype("int8"))
        bits |= np.where(m, BIT[rule.code], 0).astype("uint16")
    return state, bits
