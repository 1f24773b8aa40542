"""A case's own events without a track: their places, whether the legs between them are
flyable, and the where-could-it-have-been regions between two of them.

:func:`case_events` turns a :class:`flightmap.geo.Case` into an events frame; :func:`leg_speeds`
flags legs that no aircraft could fly at the stated maximum speed (the times or the places
cannot both be right); :func:`case_regions` builds, for J2-8243, the region between the hit
near Grozny and the crash and the regions at the instants of Kovyor and of the ADS-B
reappearance, at the E190's maximum speed (:mod:`flightmap.analysis.speeds`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap.analysis.placement import region_size
from flightmap.analysis.reachable import ellipse_region, reach_m, region_at
from flightmap.analysis.speeds import E190_MAX_SPEED_KT
from flightmap.geodesy import KT_MS, distance_m

__all__ = ["EVENT_COLUMNS", "case_events", "case_regions", "leg_speeds"]

EVENT_COLUMNS: Final = (
    "id",
    "time",
    "uncertainty_s",
    "title",
    "lat",
    "lon",
    "position_uncertainty_m",
)
"""Columns of an events frame: UTC ``time`` with its half-width ``uncertainty_s`` (s), and the
place the case gives (``lat``/``lon``, NaN if none) with its radius (m)."""


def case_events(case: Any, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The events of a :class:`flightmap.geo.Case` as an events frame (:data:`EVENT_COLUMNS`).

    An event's place is its waypoint; its radius is the event's ``position_uncertainty_km``, else
    the waypoint's ``uncertainty_km``, else 0. Note that a waypoint says where an event is drawn,
    which is not always where the aircraft was (``kover`` is drawn at Grozny airport because the
    plan concerned Grozny's airspace).
    """
    wanted = set(ids) if ids is not None else None
    rows = []
    for ev in case.events:
        if wanted is not None and ev.id not in wanted:
            continue
        lat = lon = math.nan
        radius = math.nan
        if ev.waypoint:
            wp = case.waypoints[ev.waypoint]
            lat, lon = wp.lat, wp.lon
            km = ev.position_uncertainty_km
            if km is None:
                km = wp.uncertainty_km
            radius = (km or 0.0) * 1000.0
        rows.append(
            {
                "id": ev.id,
                "time": pd.Timestamp(ev.time).tz_convert("UTC"),
                "uncertainty_s": float(ev.uncertainty_s),
                "title": ev.title,
                "lat": lat,
                "lon": lon,
                "position_uncertainty_m": radius,
            }
        )
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.sort_values("time", kind="stable", ignore_index=True)


def leg_speeds(
    events: pd.DataFrame,
    max_speed_kt: float = E190_MAX_SPEED_KT,
    ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Speeds implied by consecutive placed events, flagged when impossible.

    Parameters
    ----------
    events : pandas.DataFrame
        An events frame (:data:`EVENT_COLUMNS`); events without a place are skipped.
    max_speed_kt : float
        The fastest the aircraft can fly (kt); E190 by default
        (:data:`flightmap.analysis.speeds.E190_MAX_SPEED_KT`).
    ids : sequence of str, optional
        Only these events (in time order), e.g. those whose place is the aircraft's.

    Returns
    -------
    pandas.DataFrame
        One row per leg: ``from_id``, ``to_id``, ``start``, ``end``, ``dt_s``,
        ``distance_km`` (geodesic between the places), ``speed_kt`` (distance over time),
        ``min_speed_kt`` (the least speed that could explain the leg once both places'
        radii and both times' uncertainties are allowed for), ``plausible``
        (``min_speed_kt <= max_speed_kt``) and ``note`` (a sentence when not plausible).
    """
    ev = events[events["lat"].notna() & events["lon"].notna()]
    if ids is not None:
        ev = ev[ev["id"].isin(list(ids))]
    ev = ev.sort_values("time", kind="stable", ignore_index=True)
    a, b = ev.iloc[:-1].reset_index(drop=True), ev.iloc[1:].reset_index(drop=True)
    # One geodesic per leg, a case has a few dozen: geographiclib's scalar solution (the same
    # algorithm as pyproj's), so a case map without a track does not import pyproj.
    d = np.array(
        [
            distance_m((la, lo), (lb, ob))
            for la, lo, lb, ob in zip(a["lat"], a["lon"], b["lat"], b["lon"], strict=True)
        ],
        dtype="float64",
    )
    dt = (b["time"] - a["time"]).dt.total_seconds().to_numpy()
    radii = (
        a["position_uncertainty_m"].fillna(0) + b["position_uncertainty_m"].fillna(0)
    ).to_numpy()
    slack = (a["uncertainty_s"].fillna(0) + b["uncertainty_s"].fillna(0)).to_numpy()
    need = np.maximum(d - radii, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, d / dt / KT_MS, np.nan)
        min_speed = np.where(need > 0, need / (dt + slack) / KT_MS, 0.0)
    min_speed = np.where((need > 0) & (dt + slack <= 0), np.inf, min_speed)
    plausible = min_speed <= max_speed_kt
    notes = [
        ""
        if ok
        else (
            f"{fa} to {fb}: {dd / 1000:.1f} km in {tt:.0f} s needs at least {ms:,.0f} kt, more "
            f"than the {max_speed_kt:,.0f} kt maximum: the times or places cannot both be right."
        )
        for ok, fa, fb, dd, tt, ms in zip(
            plausible, a["id"], b["id"], d, dt, min_speed, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "from_id": a["id"],
            "to_id": b["id"],
            "start": a["time"],
            "end": b["time"],
            "dt_s": dt,
            "distance_km": d / 1000.0,
            "speed_kt": speed,
            "min_speed_kt": min_speed,
            "plausible": plausible,
            "note": notes,
        }
    )


def case_regions(
    case: Any,
    *,
    start: str = "first_bang",
    end: str = "impact",
    instants: Sequence[str] = ("kover", "adsb_back"),
    max_speed_kt: float = E190_MAX_SPEED_KT,
    n: int = 360,
) -> pd.DataFrame:
    """Where-could-it-have-been regions of a case from two placed events, without a track.

    The ``gap`` region holds every point the aircraft could have passed between event
    ``start`` and event ``end`` (their waypoints, grown by their radii; their time
    uncertainties lengthen the interval); each instant region is where it could have been at
    the time of an event of ``instants`` (its own place is not used: a waypoint is where an
    event is drawn, not necessarily the aircraft).

    Returns
    -------
    pandas.DataFrame
        Rows ``start->end`` then one per instant: ``id``, ``kind`` (``gap`` / ``instant``),
        ``time`` (the instant, or NaT), ``start``, ``end``, ``max_speed_kt``, ``reach_a_km`` and
        ``reach_b_km`` (how far the aircraft could fly from each end), ``area_km2``,
        ``diameter_km``, ``basis`` (how the region was built) and ``geometry``.
    """
    ev: dict[Any, Any] = {e["id"]: e for e in case_events(case).to_dict(orient="records")}
    for ident in (start, end, *instants):
        if ident not in ev:
            raise KeyError(f"no event {ident!r} in case {case.id}")
    a, b = ev[start], ev[end]
    if math.isnan(a["lat"]) or math.isnan(b["lat"]):
        raise ValueError(f"events {start!r} and {end!r} need places (waypoints)")
    pa, pb = (float(a["lat"]), float(a["lon"])), (float(b["lat"]), float(b["lon"]))
    ra, rb = float(a["position_uncertainty_m"]), float(b["position_uncertainty_m"])
    t0 = a["time"] - pd.Timedelta(seconds=float(a["uncertainty_s"]))
    t1 = b["time"] + pd.Timedelta(seconds=float(b["uncertainty_s"]))
    budget = reach_m(max_speed_kt, (t1 - t0).total_seconds())
    rows = []
    geom = ellipse_region(pa, pb, budget, r_a_m=ra, r_b_m=rb, n=n)
    rows.append(
        {
            "id": f"{start}->{end}",
            "kind": "gap",
            "time": pd.NaT,
            "reach_a_km": (budget + ra) / 1000.0,
            "reach_b_km": (budget + rb) / 1000.0,
            "basis": (
                f"Points the aircraft could pass between {start} ({a['time']:%H:%M:%S} UTC, "
                f"within {ra / 1000:g} km of its waypoint) and {end} ({b['time']:%H:%M:%S} UTC, "
                f"within {rb / 1000:g} km) flying at most {max_speed_kt:.1f} kt: "
                f"{budget / 1000:,.1f} km of flight in {(t1 - t0).total_seconds():,.0f} s."
            ),
            "geometry": geom,
        }
    )
    for ident in instants:
        e = ev[ident]
        t, u = e["time"], float(e["uncertainty_s"])
        geom = region_at(
            t, pa, t0, pb, t1, max_speed_kt, r_a_m=ra, r_b_m=rb, t_uncertainty_s=u, n=n
        )
        reach_a = reach_m(max_speed_kt, (t - t0).total_seconds() + u) + ra
        reach_b = reach_m(max_speed_kt, (t1 - t).total_seconds() + u) + rb
        rows.append(
            {
                "id": ident,
                "kind": "instant",
                "time": t,
                "reach_a_km": reach_a / 1000.0,
                "reach_b_km": reach_b / 1000.0,
                "basis": (
                    f"Where the aircraft could be at {t:%H:%M:%S} UTC (plus or minus {u:g} s): "
                    f"within {reach_a / 1000:,.1f} km of the {start} waypoint and within "
                    f"{reach_b / 1000:,.1f} km of the {end} waypoint, at most "
                    f"{max_speed_kt:.1f} kt."
                ),
                "geometry": geom,
            }
        )
    frame = pd.DataFrame(rows)
    sizes = [region_size(g) for g in frame["geometry"]]
    frame["area_km2"] = [z["area_km2"] for z in sizes]
    frame["diameter_km"] = [z["diameter_km"] for z in sizes]
    frame["start"], frame["end"], frame["max_speed_kt"] = a["time"], b["time"], max_speed_kt
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    cols = ["id", "kind", "time", "start", "end", "max_speed_kt", "reach_a_km", "reach_b_km"]
    return frame[[*cols, "area_km2", "diameter_km", "basis", "geometry"]]
