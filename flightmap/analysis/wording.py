"""Plain-language sentences for the rules that fired in an integrity interval.

Each sentence states what the data showed, with the numbers and the threshold, so a journalist
can quote it as is. Nothing here computes a rule; :mod:`flightmap.analysis.integrity` passes the
interval's statistics in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flightmap.analysis.params import NACP_EPU_M, NIC_RC_M, IntegrityParams
from flightmap.geodesy import NM_M

__all__ = ["clock", "duration", "reports", "rule_sentence"]


def duration(seconds: float) -> str:
    """A duration in words.

    >>> duration(45), duration(60), duration(130), duration(3209), duration(7440)
    ('45 s', '1 min', '2 min 10 s', '53 min 29 s', '2 h 4 min')
    """
    sec = round(float(seconds))
    if sec < 60:
        return f"{sec} s"
    if sec < 3600:
        return f"{sec // 60} min" + (f" {sec % 60} s" if sec % 60 else "")
    return f"{sec // 3600} h" + (f" {sec % 3600 // 60} min" if sec % 3600 // 60 else "")


def clock(t: pd.Timestamp) -> str:
    """``HH:MM:SS UTC``.

    >>> clock(pd.Timestamp("2024-12-25T05:13:31Z"))
    '05:13:31 UTC'
    """
    return t.tz_convert("UTC").strftime("%H:%M:%S UTC")


def _hms(t: pd.Timestamp) -> str:
    return t.tz_convert("UTC").strftime("%H:%M:%S")


def _nm(metres: float) -> str:
    nm = metres / NM_M
    text = f"{nm:g} NM" if nm >= 1 else f"{nm:.2g} NM"
    return f"{text} ({metres / 1000:.1f} km)" if metres >= 1000 else f"{text} ({metres:.0f} m)"


def _range(lo: float, hi: float) -> str:
    return f"{int(lo)}" if int(lo) == int(hi) else f"{int(lo)} to {int(hi)}"


def reports(n: int) -> str:
    """``1 report``, ``2 reports``."""
    return "1 report" if n == 1 else f"{n} reports"


_reports = reports


def _gap_sentence(gaps: Sequence[Mapping[Any, Any]]) -> str:
    if len(gaps) > 1:
        longest = max(gaps, key=lambda g: float(g["duration_s"]))
        total = sum(float(g["duration_s"]) for g in gaps)
        return (
            f"{len(gaps)} gaps without a fresh position, {duration(total)} in "
            f"total; the longest lasted {duration(longest['duration_s'])} "
            f"(from {_hms(longest['start'])} to {clock(longest['end'])})."
        )
    g = gaps[0]
    whole = math.isnan(g["lat_before"]) and math.isnan(g["lat_after"])
    if whole:
        return (
            f"No fresh position in the whole flight ({_reports(int(g['reports']))} from "
            f"{_hms(g['start'])} to {clock(g['end'])})."
        )
    head = (
        f"No fresh position for {duration(g['duration_s'])}, from {_hms(g['start'])} to "
        f"{clock(g['end'])} (this flight's gap threshold is {duration(g['threshold_s'])})"
    )
    if g["reports"] == 0:
        detail = (
            "no report at all arrived (out of receiver coverage or transponder silent), which "
            "is not evidence of GNSS loss"
        )
    else:
        bits = []
        if g["without_position"]:
            bits.append(f"{_reports(int(g['without_position']))} without a position")
        if g["stale"]:
            bits.append(f"{_reports(int(g['stale']))} with a stale position")
        if g["frozen"]:
            bits.append(f"{_reports(int(g['frozen']))} repeating a frozen position")
        if g["spoofed"]:
            bits.append(f"{_reports(int(g['spoofed']))} with impossible positions")
        detail = "meanwhile " + ", ".join(bits) + " arrived"
    tail = ""
    if not math.isnan(g["distance_m"]):
        tail = (
            f"; the fixes either side are {g['distance_m'] / 1000:.1f} km apart, "
            f"an average of {g['implied_speed_kt']:.0f} kt"
        )
    return f"{head}: {detail}{tail}."


def _aloft(params: IntegrityParams) -> str:
    if params.wind_aloft_kt <= 0:
        return ""
    return (
        f" ({params.max_speed_kt + params.wind_aloft_kt:,.0f} kt at or above "
        f"{params.wind_aloft_ft:,.0f} ft, allowing {params.wind_aloft_kt:,.0f} kt more for "
        "jet-stream winds)"
    )


def _support(params: IntegrityParams) -> str:
    """The minimum support of the noisy rules, as a clause."""
    return (
        f", in runs of at least {params.support_reports} reports lasting "
        f"{duration(params.support_span_s)} or more"
    )


def rule_sentence(
    code: str,
    st: Mapping[str, Any],
    params: IntegrityParams,
    gaps: Sequence[Mapping[Any, Any]] = (),
) -> str:
    """The sentence for rule ``code`` given the interval statistics ``st``.

    ``st`` holds ``count`` (reports that fired the rule) and the rule's values (``min``,
    ``max``, ``alt``, ``lat``, ``lon``, ``t0``, ``t1``); ``gaps`` holds the gaps the interval
    overlaps (for the ``gap`` rule).
    """
    n = int(st.get("count", 0))
    lo, hi = st.get("min", math.nan), st.get("max", math.nan)
    if code in ("gap", "no_reports"):
        return _gap_sentence(gaps)
    if code == "frozen":
        t0, t1 = (pd.Timestamp(int(st[k]), unit="ns", tz="UTC") for k in ("t0", "t1"))
        return (
            f"The position stayed frozen at {st['lat']:.4f}, {st['lon']:.4f} from {_hms(t0)} "
            f"to {clock(t1)} ({duration((t1 - t0).total_seconds())}, {_reports(n)} repeating "
            "it) while the aircraft kept moving and other data kept arriving."
        )
    if code == "nic_lost":
        return (
            f"The aircraft reported NIC {_range(lo, hi)} ({_reports(n)}) after reporting a "
            "bounded containment radius earlier in the flight: it could no longer bound its "
            "position error (radius unknown, DO-260B), so its GNSS position was lost."
        )
    if code == "nacp_lost":
        epu = NACP_EPU_M.get(int(hi) + 1, math.nan)
        return (
            f"The aircraft reported NACp {_range(lo, hi)} ({_reports(n)}): its own estimate of "
            f"the position error was {_nm(epu)} or more; gpsjam.org counts NACp of "
            f"{params.nacp_lost} or less as bad GPS."
        )
    if code == "nic_low":
        rc = NIC_RC_M.get(int(lo), math.nan)
        return (
            f"The aircraft reported NIC {_range(lo, hi)} ({_reports(n)}): containment radius up "
            f"to {_nm(rc)}; the ADS-B Out rule 14 CFR 91.227 requires NIC {params.nic_min} or "
            f"more, a radius under {_nm(NIC_RC_M[params.nic_min])}."
        )
    if code == "nacp_low":
        epu = NACP_EPU_M.get(int(lo), math.nan)
        return (
            f"The aircraft reported NACp {_range(lo, hi)} ({_reports(n)}): estimated position "
            f"error up to {_nm(epu)}; the ADS-B Out rule 14 CFR 91.227 requires NACp "
            f"{params.nacp_min} or more, an error under {_nm(NACP_EPU_M[params.nacp_min])}."
        )
    if code == "speed_mismatch":
        return (
            f"In {_reports(n)} the positions moved at a speed that differs from the reported "
            f"ground speed by up to {hi:.0f} kt (the rule allows {params.mismatch_kt:.0f} kt or "
            f"{params.mismatch_frac:.0%})."
        )
    if code == "alt_divergence":
        return (
            f"Geometric (GNSS) and barometric altitude differ by up to {hi:,.0f} ft in "
            f"{_reports(n)} (the rule allows {params.alt_divergence_ft:,.0f} ft plus "
            f"{params.alt_divergence_frac:.0%} of the altitude)."
        )
    if code == "jump":
        return (
            f"The position jumped {hi / 1000:.1f} km between two reports, "
            f"{st['speed']:,.0f} kt, faster than the {params.max_speed_kt:,.0f} kt the aircraft "
            f"can fly{_aloft(params)} ({_reports(n)})."
        )
    if code == "teleport":
        return (
            f"The position jumped up to {hi / 1000:.1f} km away at an impossible speed and came "
            f"back (teleport-and-return): {_reports(n)} off the track."
        )
    if code == "slow_at_altitude":
        if st.get("limit", params.slow_gs_kt) >= params.slow_gs_kt:
            who = (
                f"an airliner cannot fly under {params.slow_gs_kt:.0f} kt above "
                f"{params.slow_alt_ft:,.0f} ft"
            )
        else:
            who = (
                f"no aircraft but a glider or a balloon flies under {params.slow_any_gs_kt:.0f} "
                f"kt above {params.slow_any_alt_ft:,.0f} ft"
            )
        return (
            f"Reported ground speed as low as {lo:.0f} kt at up to {st['alt']:,.0f} ft: {who}, "
            f"so the GNSS velocity was false ({_reports(n)}{_support(params)})."
        )
    if code == "velocity_mismatch":
        turn = st.get("turn", math.nan)
        what = []
        if not math.isnan(hi):
            what.append(
                f"the positions moved at {_range(st['pos_lo'], st['pos_hi'])} kt while the "
                f"reported ground speed averaged {_range(st['gs_lo'], st['gs_hi'])} kt (up to "
                f"{hi:.0f} kt apart; the rule allows {params.mismatch_kt:.0f} kt or "
                f"{params.mismatch_frac:.0%})"
            )
        if not math.isnan(turn):
            what.append(
                f"the positions moved up to {turn:.0f} degrees off the reported track (the rule "
                f"allows {params.track_mismatch_deg:.0f})"
            )
        return (
            f"Over windows of {duration(params.window_s)} or more, {' and '.join(what)}: the "
            f"GNSS position and velocity disagree ({_reports(n)}{_support(params)})."
        )
    if code == "slow_drift":
        return (
            f"Over windows of {duration(params.window_s)} or more, the positions drifted at "
            f"{_range(lo, hi)} kt at up to {st['alt']:,.0f} ft, slower than the aircraft can fly "
            f"there (the limits of the slow-at-altitude rule), so the positions were false "
            f"({_reports(n)}{_support(params)})."
        )
    if code == "reappear":
        return (
            f"After a gap the position reappeared more than "
            f"{params.reappear_min_m / 1000:.0f} km away, at a reachable place but on a bearing "
            f"{lo:.0f} degrees or more away from both the track reported before the gap and the "
            f"one reported after it (the rule allows {params.reappear_deg:.0f}): not where the "
            f"reported velocity leads ({_reports(n)})."
        )
    if code == "too_fast":
        return (
            f"Reported ground speed up to {hi:,.0f} kt, faster than the "
            f"{params.max_speed_kt:,.0f} kt the aircraft can fly{_aloft(params)} ({_reports(n)})."
        )
    raise KeyError(f"unknown rule {code!r}")
