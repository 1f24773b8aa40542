"""Events on the track: where the aircraft was at the time of each event.

:func:`place_events` puts each event on the best track available at its time: interpolated
along the geodesic between the fixes either side, with an uncertainty radius; inside a gap (or
beyond the ends of the track), as the region where the aircraft could have been at that instant,
labelled inferred. Events come as a frame (:func:`flightmap.analysis.case_reach.case_events` makes
one from a case).
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis._prep import geod
from flightmap.analysis.integrity import FIX, NAC_P_CF, TrackAnalysis
from flightmap.analysis.params import NACP_EPU_M
from flightmap.analysis.reachable import geodesic_area_m2, reach_m, region_at
from flightmap.geodesy import KT_MS, distances_m
from flightmap.regions import disk

__all__ = ["PLACEMENT_COLUMNS", "place_events", "region_size"]

PLACEMENT_COLUMNS: Final = (
    "id",
    "time",
    s.FLIGHT_ID,
    "method",
    "inferred",
    "lat",
    "lon",
    "radius_m",
    "area_km2",
    "fix_before",
    "fix_after",
    "geometry",
)
"""Columns of :func:`place_events`. ``method``: ``interpolated`` (between fixes closer than the
gap threshold), ``gap`` (inside a gap: the instant region), ``before_track`` / ``after_track``
(a disk around the first / last fix), ``no_track`` (nothing within reach). ``inferred`` is true
for every method but ``interpolated``. ``lat``/``lon`` are the interpolated point or the centre
of the region, ``radius_m`` the largest distance from it to the region's edge, ``geometry`` the
region (shapely, ``(lon, lat)``; None for ``no_track``)."""


def _lens_radius(d: float, q: float, r1: float, r2: float) -> float:
    """Farthest point from Q (at ``q`` along AB, ``|AB| = d``) of the intersection of the disks
    of radius ``r1`` around A and ``r2`` around B (planar, metres)."""
    if r2 >= d + r1:  # disk A inside disk B
        return q + r1
    if r1 >= d + r2:
        return d - q + r2
    x0 = (d * d + r1 * r1 - r2 * r2) / (2.0 * d)
    y0 = math.sqrt(max(r1 * r1 - x0 * x0, 0.0))
    return math.hypot(x0 - q, y0)


def _epu(nacp: float) -> float:
    return 0.0 if math.isnan(nacp) else NACP_EPU_M.get(int(nacp), NACP_EPU_M[1])


def region_size(geom: Any, centre: tuple[float, float] | None = None) -> dict[str, float]:
    """Area (km²), longest chord between boundary points (km) and, from ``centre`` (or the
    centroid), the largest distance to the edge (m) of a region in ``(lon, lat)`` order."""
    if geom is None or geom.is_empty:
        return {"area_km2": 0.0, "diameter_km": 0.0, "radius_m": math.nan}
    xy = np.asarray(geom.exterior.coords)[:-1]
    lon, lat = xy[:, 0], xy[:, 1]
    # The longest geodesic chord, without measuring every pair on the ellipsoid: the sphere is
    # within 0.6 % of it (see flightmap.geodesy.haversine_m), so the longest pair is among the
    # pairs within 2 % of the longest spherical chord; only those are measured exactly. On the
    # sphere the central angle of a pair grows with the straight chord between the points'
    # unit vectors, so all chords at once rank every pair (about 5x faster than haversine on
    # each pair; differences, not dot products, so that centimetre regions rank right too).
    phi, lam = np.radians(lat), np.radians(lon)
    unit = np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
    diff = unit[:, None, :] - unit[None, :, :]
    chord = np.triu(np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)), k=1)
    widest = chord.max() if chord.size else 0.0
    if widest > 0.0:
        # chord = 2 sin(angle / 2): the pairs whose angle is within 2 % of the widest.
        angle = 2.0 * np.arcsin(min(widest / 2.0, 1.0))
        i, j = np.nonzero(chord >= 2.0 * np.sin(0.98 * angle / 2.0))
    else:
        i = j = np.zeros(0, dtype=np.intp)
    chord = distances_m(lat[i], lon[i], lat[j], lon[j])
    c = centre if centre is not None else (geom.centroid.y, geom.centroid.x)
    return {
        "area_km2": geodesic_area_m2(geom) / 1e6,
        "diameter_km": float(np.max(chord)) / 1000.0 if chord.size else 0.0,
        "radius_m": float(np.max(distances_m(c[0], c[1], lat, lon))),
    }


def _flight_for(analysis: TrackAnalysis, t: pd.Timestamp, max_gap_s: float) -> str | None:
    f = analysis.flights
    if len(f) == 0:
        return None
    before = (f["start"] - t).dt.total_seconds().clip(lower=0)
    after = (t - f["end"]).dt.total_seconds().clip(lower=0)
    away = (before + after).to_numpy()
    best = int(np.argmin(away))
    return str(f[s.FLIGHT_ID].iloc[best]) if away[best] <= max_gap_s else None


def place_events(
    analysis: TrackAnalysis,
    events: pd.DataFrame,
    *,
    max_speed_kt: float | None = None,
    flight_id: str | None = None,
    speed_margin: float = 0.1,
    max_extrapolation_s: float = 1800.0,
    n: int = 180,
) -> pd.DataFrame:
    """Place each event on the track at its time.

    Parameters
    ----------
    analysis : TrackAnalysis
        The analysed track (:func:`flightmap.analysis.analyse`): its fixes and gap thresholds.
    events : pandas.DataFrame
        ``id``, ``time`` (UTC) and optionally ``uncertainty_s`` (s), e.g.
        :func:`flightmap.analysis.case_reach.case_events`.
    max_speed_kt : float, optional
        Maximum ground speed for regions (kt); the analysis' ``max_speed_kt`` by default.
    flight_id : str, optional
        The flight to place events on; by default the flight flying at each event's time
        (else the nearest in time).
    speed_margin : float
        Between close fixes, the aircraft is assumed to fly at most ``1 + speed_margin`` times
        the faster of its reported ground speeds and its average speed on the leg (10 %).
    max_extrapolation_s : float, s
        Events further than this from every flight are not placed (``no_track``).
    n : int
        Boundary points of the regions.

    Returns
    -------
    pandas.DataFrame
        One row per event, columns :data:`PLACEMENT_COLUMNS`, in the order of ``events``.

    Notes
    -----
    Fixes are timed by when their positions were measured (``position_time`` where the track
    has it, else ``time``); ``fix_before`` and ``fix_after`` are those times.

    Interpolated radius: the farthest point, from the interpolated point, of the intersection
    of the disks the aircraft could reach from each fix at the leg speed above (plus the fixes'
    NACp accuracy and the event's time uncertainty). Inside a gap the region uses
    ``max_speed_kt`` instead: nothing is known of the speed there.
    """
    vmax = float(max_speed_kt if max_speed_kt is not None else analysis.params.max_speed_kt)
    track = analysis.track
    fixes = track[track[FIX].to_numpy(dtype=bool)]
    if s.POSITION_TIME in fixes.columns:  # interpolate by when the positions were measured
        pos = fixes[s.POSITION_TIME]
        fixes = fixes.assign(**{s.TIME: pos.where(pos.notna(), fixes[s.TIME])})
    thresholds = dict(
        zip(analysis.flights[s.FLIGHT_ID], analysis.flights["threshold_s"], strict=True)
    )
    out = []
    for ev in events.to_dict(orient="records"):
        t = pd.Timestamp(ev["time"])
        if t.tzinfo is None:
            raise ValueError(f"event {ev['id']}: time must be timezone-aware (UTC)")
        u = float(ev.get("uncertainty_s", 0.0) or 0.0)
        fid = flight_id or _flight_for(analysis, t, max_extrapolation_s)
        row: dict[str, Any] = {"id": ev["id"], "time": t, s.FLIGHT_ID: fid}
        fl = fixes[fixes[s.FLIGHT_ID] == fid] if fid is not None else fixes.iloc[0:0]
        fl = fl.sort_values(s.TIME, kind="stable")
        limits = (thresholds.get(fid, 0.0), max_extrapolation_s)
        row.update(_place(fl, t, u, vmax, limits, speed_margin, n))
        out.append(row)
    frame = pd.DataFrame(out, columns=list(PLACEMENT_COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    for col in ("fix_before", "fix_after"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["inferred"] = frame["method"] != "interpolated"
    frame[s.FLIGHT_ID] = frame[s.FLIGHT_ID].astype(s.STR_DTYPE)
    return frame


def _nothing() -> dict[str, Any]:
    return {
        "method": "no_track",
        "lat": math.nan,
        "lon": math.nan,
        "radius_m": math.nan,
        "area_km2": math.nan,
        "geometry": None,
        "fix_before": None,
        "fix_after": None,
    }


def _place(
    fixes: pd.DataFrame,
    t: pd.Timestamp,
    u: float,
    vmax: float,
    limits: tuple[float, float],
    margin: float,
    n: int,
) -> dict[str, Any]:
    threshold_s, max_extrapolation_s = limits
    if len(fixes) == 0:
        return _nothing()
    times = fixes[s.TIME]
    k = int(np.searchsorted(times.to_numpy(dtype="datetime64[ns]"), t.to_datetime64(), "right"))
    a = fixes.iloc[k - 1] if k > 0 else None
    b = fixes.iloc[k] if k < len(fixes) else None

    def pt(r: Any) -> tuple[float, float]:
        return (float(r[s.LAT]), float(r[s.LON]))

    def epu(r: Any) -> float:
        return _epu(float(r[NAC_P_CF])) if NAC_P_CF in r else 0.0

    res: dict[str, Any] = {
        "fix_before": a[s.TIME] if a is not None else None,
        "fix_after": b[s.TIME] if b is not None else None,
    }
    if a is not None and b is not None:
        dt = (b[s.TIME] - a[s.TIME]).total_seconds()
        if dt < threshold_s:
            return res | _interpolate(a, b, t, u, vmax, margin, pt, epu(a), epu(b), n)
        geom = region_at(
            t,
            pt(a),
            a[s.TIME],
            pt(b),
            b[s.TIME],
            vmax,
            r_a_m=epu(a),
            r_b_m=epu(b),
            t_uncertainty_s=u,
            n=n,
        )
        method = "gap"
    else:
        end: Any = a if a is not None else b
        method = "after_track" if a is not None else "before_track"
        away = abs((t - end[s.TIME]).total_seconds())
        if away > max_extrapolation_s:
            return _nothing()
        geom = disk(pt(end), reach_m(vmax, away + u) + epu(end), n)
    centre = (geom.centroid.y, geom.centroid.x) if not geom.is_empty else (math.nan, math.nan)
    size = region_size(geom, centre)
    return res | {
        "method": method,
        "lat": centre[0],
        "lon": centre[1],
        "radius_m": size["radius_m"],
        "area_km2": size["area_km2"],
        "geometry": geom,
    }


def _interpolate(
    a: Any,
    b: Any,
    t: pd.Timestamp,
    u: float,
    vmax: float,
    margin: float,
    pt: Any,
    epu_a: float,
    epu_b: float,
    n: int,
) -> dict[str, Any]:
    (lat1, lon1), (lat2, lon2) = pt(a), pt(b)
    az, _, d = geod().inv(lon1, lat1, lon2, lat2)
    dt = (b[s.TIME] - a[s.TIME]).total_seconds()
    tau1 = (t - a[s.TIME]).total_seconds()
    frac = tau1 / dt if dt > 0 else 0.0
    lon, lat, _ = geod().fwd(lon1, lat1, az, frac * d)
    gs = [float(x) for x in (a.get(s.GS_KT, math.nan), b.get(s.GS_KT, math.nan))]
    leg_ms = d / dt if dt > 0 else 0.0
    known = [g * KT_MS for g in gs if not math.isnan(g)]
    v = min(max([leg_ms, *known]) * (1.0 + margin), vmax * KT_MS)
    v = max(v, leg_ms)
    r1, r2 = v * (tau1 + u), v * (dt - tau1 + u)
    radius = _lens_radius(d, frac * d, r1, r2) + max(epu_a, epu_b)
    geom = disk((float(lat), float(lon)), max(radius, 1.0), n)
    return {
        "method": "interpolated",
        "lat": float(lat),
        "lon": float(lon),
        "radius_m": radius,
        "area_km2": math.pi * radius**2 / 1e6,
        "geometry": geom,
    }
