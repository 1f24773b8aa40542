"""Kinematic consistency: do the positions move as the reported velocity says?

Three spoofing rules and one noise filter, on the sorted arrays of :mod:`._prep`:

- :func:`window_rules`: over windows of at least ``window_s``, the velocity the positions imply
  (distance and bearing between two fixes) against the reported ground speed and track averaged
  over the same reports (``velocity_mismatch``), and positions drifting slower than any aircraft
  can fly at their altitude (``slow_drift``). Averaging over a minute makes both robust to 1 s
  time stamps, resampling jitter and speeds rounded to whole knots.
- :func:`reappear`: after a gap, a fix that is reachable but lies on a bearing that neither the
  track before nor the track after the gap explains.
- :func:`supported`: keep the reports of a rule that has enough company in time (minimum
  support), so single outliers make no interval.

Nothing here builds intervals or sentences (:mod:`.integrity`, :mod:`.wording`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from flightmap.analysis._prep import (
    B1,
    CAT_AIRLINER,
    CAT_EXEMPT,
    CAT_UNKNOWN,
    F8,
    I8,
    NS,
    Prepared,
    at_rows,
    bfill_within,
    ffill_within,
)
from flightmap.analysis.params import IntegrityParams
from flightmap.geodesy import EARTH_MEAN_RADIUS_M, KT_MS, haversine_m

__all__ = ["angle_deg", "bearing_deg", "min_speed_kt", "reappear", "supported", "window_rules"]

#: Window ends per ``window_s``: one every 10 s with the default minute.
WINDOW_STEPS: Final = 6
_FLIGHT_SHIFT = 40  # 2**40 ms is 34 years: (flight << 40) + ms sorts by flight, then time


def _keys(flight: I8, t: I8, t0: int) -> I8:
    """Sortable (flight, time in ms) keys of rows sorted by flight then time."""
    return np.asarray((flight.astype("int64", copy=False) << _FLIGHT_SHIFT) + (t - t0) // 1_000_000)


def supported(
    mask: B1, flight: I8, t: I8, window_s: float, min_reports: int, min_span_s: float = 0.0
) -> B1:
    """The rows of ``mask`` in a cluster of at least ``min_reports`` rows spanning at least
    ``min_span_s`` seconds, a cluster being rows of ``mask`` of one flight each within
    ``window_s`` of the previous one. Clusters keep their first and last rows however sparse
    the reports, and an isolated row never counts.

    >>> m = np.array([True, True, True, False, True, False, False, False, True])
    >>> t = np.arange(9) * NS * 10
    >>> supported(m, np.zeros(9, dtype="int64"), t, 20.0, 3).tolist()
    [True, True, True, False, True, False, False, False, False]
    >>> supported(m, np.zeros(9, dtype="int64"), t, 20.0, 3, 50.0).tolist()
    [False, False, False, False, False, False, False, False, False]
    """
    idx = np.flatnonzero(mask)
    if (min_reports <= 1 and min_span_s <= 0) or not idx.size:
        return mask
    fl, ti = flight[idx], t[idx]
    brk = np.ones(idx.size, dtype=bool)
    brk[1:] = (fl[1:] != fl[:-1]) | ((ti[1:] - ti[:-1]) > window_s * NS)
    cluster = np.cumsum(brk) - 1
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], idx.size) - 1
    ok = ((ends - starts + 1) >= min_reports) & ((ti[ends] - ti[starts]) >= min_span_s * NS)
    out = np.zeros_like(mask)
    out[idx[ok[cluster]]] = True
    return out


def bearing_deg(lat1: F8, lon1: F8, lat2: F8, lon2: F8) -> F8:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north.

    >>> bearing_deg(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([1.0])).tolist()
    [90.0]
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0)


def angle_deg(a: F8, b: F8) -> F8:
    """Smallest angle between two directions, degrees in [0, 180].

    >>> angle_deg(np.array([350.0, 10.0]), np.array([10.0, 200.0])).tolist()
    [20.0, 170.0]
    """
    return np.asarray(180.0 - np.abs(np.abs(a - b) % 360.0 - 180.0))


def min_speed_kt(p: Prepared, params: IntegrityParams, rows: I8, alt_ft: F8) -> F8:
    """The slowest ground speed the aircraft of ``rows`` can fly at ``alt_ft`` (barometric),
    kt; NaN where no minimum applies (on the ground, below the altitudes, exempt categories).

    Airliners (A3 to A6, or no category with ``jet``): ``slow_gs_kt`` at or above
    ``slow_alt_ft``; others: ``slow_any_gs_kt`` at or above ``slow_any_alt_ft``.
    """
    cat = p.category[rows]
    airliner = (cat == CAT_AIRLINER) | ((cat == CAT_UNKNOWN) & params.jet)
    with np.errstate(invalid="ignore"):
        fast_class = airliner & (alt_ft >= params.slow_alt_ft)
        other = ~airliner & (cat != CAT_EXEMPT) & (alt_ft >= params.slow_any_alt_ft)
    limit = np.where(fast_class, params.slow_gs_kt, np.where(other, params.slow_any_gs_kt, np.nan))
    return np.asarray(np.where(p.on_ground[rows], np.nan, limit))


def window_rules(
    p: Prepared, params: IntegrityParams, ui: I8, bad: B1, gs_false: B1
) -> dict[str, F8]:
    """``velocity_mismatch`` and ``slow_drift`` at the distinct fixes ``ui`` (sorted rows).

    A window closes at the last fix ``b`` of every step of ``window_s / WINDOW_STEPS`` and
    opens at ``a``, the last distinct fix measured at least ``window_s`` before it (at most
    ``window_max_s``, else no window). Windows holding a row of ``bad`` (positions already
    shown impossible: jumps) are skipped; ground speeds already shown false (``gs_false``) are
    left out of the averages. Returns per row, NaN where the rule did not fire:
    ``speed_diff_kt`` and ``track_diff_deg`` (``velocity_mismatch``: speed and bearing
    differences), ``slow_drift`` (the speed of the positions, kt), ``window_speed_kt`` and
    ``window_gs_kt`` (the two speeds compared). A window's values go to every fix of its step.
    """
    out = {k: np.full(p.n, np.nan) for k in ("speed_diff_kt", "track_diff_deg", "slow_drift")}
    out["window_speed_kt"] = np.full(p.n, np.nan)
    out["window_gs_kt"] = np.full(p.n, np.nan)
    if ui.size < 2:
        return out
    tp, fl = at_rows(ui, p.n, p.tp, p.flight)
    key = _keys(fl, tp, int(tp.min()))
    # Windows end at the last fix of every step of window_s / WINDOW_STEPS (10 s): on 1 Hz
    # data that is a tenth of the work, and each window's verdict holds for the fixes of its
    # step (after the previous window's end).
    bucket = key // max(int(params.window_s * 1000 / WINDOW_STEPS), 1)
    sel = np.flatnonzero(np.r_[bucket[1:] != bucket[:-1], True])
    first = np.r_[0, sel[:-1] + 1]
    a = np.searchsorted(key, key[sel] - int(params.window_s * 1000), side="right") - 1
    ok = a >= 0
    a = np.maximum(a, 0)
    span_ms = key[sel] - key[a]
    ok &= (span_ms >= params.window_s * 1000) & (span_ms <= params.window_max_s * 1000)
    last, first = sel[ok], first[ok]  # positions in ui of the window ends, first fixes
    ra, rb = ui[a[ok]], ui[last]
    if bad.any():
        cs_bad = _cumsum0(bad, "int64")
        clean = (cs_bad[rb + 1] - cs_bad[ra]) == 0
        ra, rb, first, last = ra[clean], rb[clean], first[clean], last[clean]
    dx, dy = _plane_xy(p.lat[ra], p.lon[ra], p.lat[rb], p.lon[rb])
    dist = np.hypot(dx, dy) * EARTH_MEAN_RADIUS_M
    v = dist / ((p.tp[rb] - p.tp[ra]) / NS) / KT_MS
    # Reported velocity over the reports (ra, rb]: means from cumulative sums (the counts are
    # the rows when every ground speed counts, as on most tracks).
    gs_ok = np.isfinite(p.gs) & ~gs_false
    if gs_ok.all():
        cs_gs = _cumsum0(p.gs, "float64")
        n_gs = rb - ra
    else:
        cs_gs = _cumsum0(np.where(gs_ok, p.gs, 0.0), "float64")
        cn_gs = _cumsum0(gs_ok, "int64")
        n_gs = cn_gs[rb + 1] - cn_gs[ra + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        gs = (cs_gs[rb + 1] - cs_gs[ra + 1]) / n_gs
    if p.on_ground.any():
        airborne = ~p.on_ground[ra] & ~p.on_ground[rb]
    else:
        airborne = np.ones(rb.size, dtype=bool)
    with np.errstate(invalid="ignore"):
        diff = np.abs(v - gs)
        speed_bad = diff > np.fmax(params.mismatch_kt, params.mismatch_frac * np.fmax(v, gs))
        track_bad = (v >= params.track_min_kt) & (gs >= params.track_min_kt)
    turn = np.full(rb.size, np.nan)
    k = np.flatnonzero(track_bad)
    if k.size:  # the circular mean of the reported tracks over the reports (ra, rb]
        tr_ok = np.isfinite(p.track)
        all_ok = bool(tr_ok.all())  # every track reported: no masking, every window has one
        rad = np.radians(p.track if all_ok else np.where(tr_ok, p.track, 0.0))
        sin, cos = np.sin(rad), np.cos(rad)
        if not all_ok:
            sin[~tr_ok] = 0.0
            cos[~tr_ok] = 0.0
        cs_s, cs_c = _cumsum0(sin, "float64"), _cumsum0(cos, "float64")
        a1, b1 = ra[k] + 1, rb[k] + 1
        east, north = cs_s[b1] - cs_s[a1], cs_c[b1] - cs_c[a1]
        # The angles only where they may exceed the threshold: the cosine of the angle between
        # the two directions against the threshold's, with a margin far above rounding.
        j: I8 | slice = slice(None)
        if 0.0 <= params.track_mismatch_deg <= 180.0:
            cos_min = np.cos(np.radians(params.track_mismatch_deg)) + 1e-9
            dot = dx[k] * east + dy[k] * north
            close = dot > cos_min * np.hypot(dx[k], dy[k]) * np.hypot(east, north)
            j = np.flatnonzero(~close)
        kj = k[j]
        brg = np.degrees(np.arctan2(dx[kj], dy[kj])) % 360.0
        mean = np.degrees(np.arctan2(east[j], north[j])) % 360
        turn[kj] = angle_deg(brg, mean)
        if not all_ok:
            cn_tr = _cumsum0(tr_ok, "int64")
            turn[k[cn_tr[b1] <= cn_tr[a1]]] = np.nan
    with np.errstate(invalid="ignore"):
        track_bad &= turn > params.track_mismatch_deg
    speed_bad &= airborne
    track_bad &= airborne
    # slow_drift: only windows slower than the higher of the two minimum speeds can fire.
    with np.errstate(invalid="ignore"):
        ks = np.flatnonzero(airborne & (v < max(params.slow_gs_kt, params.slow_any_gs_kt)))
    slow = np.zeros(rb.size, dtype=bool)
    if ks.size:
        alt = np.fmin(_alt(p, ra[ks]), _alt(p, rb[ks]))
        limit = min_speed_kt(p, params, rb[ks], alt)
        with np.errstate(invalid="ignore"):
            slow[ks] = v[ks] < limit

    def spread(name: str, hit: B1, values: F8) -> None:
        """``values`` of the windows that ``hit`` onto the fixes of their steps."""
        k = np.flatnonzero(hit)
        lengths = last[k] - first[k] + 1
        pos = np.repeat(first[k] - np.cumsum(lengths) + lengths, lengths)
        pos += np.arange(int(lengths.sum()))
        out[name][ui[pos]] = np.repeat(values[k], lengths)

    spread("speed_diff_kt", speed_bad, diff)
    spread("track_diff_deg", track_bad, turn)
    spread("slow_drift", slow, v)
    either = speed_bad | track_bad | slow
    spread("window_speed_kt", either, v)
    spread("window_gs_kt", either, gs)
    return out


def _cumsum0(values: NDArray[Any], dtype: str) -> NDArray[Any]:
    """``np.concatenate(([0], np.cumsum(values)))`` (the same sums) without the copy.

    >>> _cumsum0(np.array([True, False, True]), "int64").tolist()
    [0, 1, 1, 2]
    """
    out = np.empty(values.size + 1, dtype=dtype)
    out[0] = 0
    np.cumsum(values, out=out[1:])
    return out


def _plane_xy(lat1: F8, lon1: F8, lat2: F8, lon2: F8) -> tuple[F8, F8]:
    """East and north components (radians of arc) of legs of a few tens of kilometres on the
    local plane (equirectangular; times the mean Earth radius, metres): within 0.1 % of the
    great circle for legs under 50 km away from the poles, at a fraction of the cost of the
    spherical formulas.

    >>> dx, dy = _plane_xy(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.1]))
    >>> round(float(np.hypot(dx, dy)[0] * EARTH_MEAN_RADIUS_M)), float(dy[0])
    (11120, 0.0)
    """
    dy = np.radians(lat2 - lat1)
    # (lon2 - lon1 + 180) % 360 - 180, the remainder taken only where it changes the value
    # (x % 360 is x itself for x in [0, 360)): the same values, without the slow remainder.
    x = lon2 - lon1 + 180.0
    wrap = (x < 0.0) | (x >= 360.0)
    if wrap.any():
        x[wrap] = x[wrap] % 360.0
    dx = np.radians(x - 180.0) * np.cos(np.radians(lat1 + lat2) / 2)
    return np.asarray(dx), np.asarray(dy)


def _alt(p: Prepared, rows: I8) -> F8:
    baro = p.alt_baro[rows]
    return np.asarray(np.where(np.isnan(baro), p.alt_geom[rows], baro))


def reappear(
    p: Prepared,
    params: IntegrityParams,
    fix: B1,
    fresh: B1,
    threshold_s: F8,
    limit_kt: Callable[[I8], F8],
) -> F8:
    """Per row, the bearing difference (degrees) of a position that ends a gap at a reachable
    place that the reported velocity does not explain (NaN elsewhere).

    A gap here runs from a ``fix`` to the next ``fresh`` position of the flight (trusted or
    not) at least the flight's gap threshold later. That position fires when it lies more
    than ``reappear_min_m`` away, at a speed within ``limit_kt`` (a function giving the limit
    at rows: faster is a ``jump``), on a
    bearing more than ``reappear_deg`` from both the last track reported before the gap and
    the first one reported after it.
    """
    out = np.full(p.n, np.nan)
    fi = np.flatnonzero(fresh)
    if fi.size < 2:
        return out
    fl, t = at_rows(fi, p.n, p.flight, p.t)
    dt = t[1:] - t[:-1]
    # Only the intervals as long as the lowest threshold can be gaps: look at those.
    thr_ns = threshold_s * NS
    lowest = np.fmin.reduce(thr_ns) if thr_ns.size else np.inf
    k = np.flatnonzero(dt >= (-np.inf if np.isnan(lowest) else lowest))
    k = k[fix[fi[k]]]
    k = k[(fl[k] == fl[k + 1]) & (dt[k] >= thr_ns[fl[k]])]
    a, b = fi[k], fi[k + 1]
    if not a.size:
        return out
    dist = haversine_m(p.lat[a], p.lon[a], p.lat[b], p.lon[b])
    span = np.maximum((p.tp[b] - p.tp[a]) / NS, 1e-9)
    speed = dist / span / KT_MS
    known = np.isfinite(p.track)
    before = ffill_within(known, p.flight, p.t, None)[a]
    after = bfill_within(known, p.flight)[b]
    has = (before >= 0) & (after >= 0)
    brg = bearing_deg(p.lat[a], p.lon[a], p.lat[b], p.lon[b])
    d1 = angle_deg(brg, p.track[np.maximum(before, 0)])
    d2 = angle_deg(brg, p.track[np.maximum(after, 0)])
    with np.errstate(invalid="ignore"):
        hit = has & (dist > params.reappear_min_m) & (speed <= limit_kt(b))
        hit &= (d1 > params.reappear_deg) & (d2 > params.reappear_deg)
    out[b[hit]] = np.fmin(d1, d2)[hit]
    return out
