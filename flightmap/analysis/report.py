"""The analysis as JSON-ready dicts and as plain text (what ``flightmap analyse`` prints).

Times are ISO 8601 in UTC with the offset (``2024-12-25T05:13:31+00:00``); missing numbers are
``null``, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from flightmap import schema as s
from flightmap.analysis.integrity import TrackAnalysis
from flightmap.analysis.reachable import ellipse_regions, geodesic_area_m2, reach_m
from flightmap.analysis.words import clock, duration, reports
from flightmap.regions import disk

__all__ = ["analysis_report", "analysis_text", "gap_regions", "gap_regions_geojson", "iso"]


def iso(t: Any) -> str | None:
    """ISO 8601 UTC with offset, or None for a missing time.

    >>> iso(pd.Timestamp("2024-12-25T05:13:31Z"))
    '2024-12-25T05:13:31+00:00'
    """
    if t is None or pd.isna(t):
        return None
    return str(pd.Timestamp(t).tz_convert("UTC").isoformat())


def _num(x: Any, digits: int = 3) -> float | None:
    if x is None or pd.isna(x) or (isinstance(x, float) and math.isinf(x)):
        return None
    return round(float(x), digits)


def _text(x: Any) -> str | None:
    return None if x is None or pd.isna(x) else str(x)


def _fix(row: Mapping[Any, Any], side: str) -> dict[str, Any] | None:
    lat = row[f"lat_{side}"]
    if pd.isna(lat):
        return None
    when = row["start"] if side == "before" else row["end"]
    return {
        "time": iso(when),
        "lat": _num(lat, 6),
        "lon": _num(row[f"lon_{side}"], 6),
        "alt_baro_ft": _num(row[f"alt_{side}_ft"], 0),
    }


def analysis_report(analysis: TrackAnalysis) -> dict[str, Any]:
    """The analysis as ``{"flights": [...], "parameters": {...}}``.

    Each flight: ``flight_id``, ``callsign`` and ``icao24`` (null if unknown), ``start``,
    ``end``, ``points``, ``fixes``, ``gap_threshold_s``, ``gaps`` (``start``, ``end``, ``kind``,
    ``duration_s``, ``reports``, ``without_position``, ``stale``, ``frozen``, ``spoofed``,
    ``fix_before`` / ``fix_after`` (``time``, ``lat``, ``lon``, ``alt_baro_ft``, or null),
    ``distance_km``, ``implied_speed_kt``) and ``intervals`` (``start``, ``end``, ``state``,
    ``rules`` as sentences, ``rule_codes``, ``points``, ``duration_s``).
    """
    gaps = {fid: g for fid, g in analysis.gaps.groupby(s.FLIGHT_ID, sort=False)}
    ints = {fid: g for fid, g in analysis.intervals.groupby(s.FLIGHT_ID, sort=False)}
    flights = []
    for f in analysis.flights.sort_values("start", kind="stable").to_dict(orient="records"):
        fid = f[s.FLIGHT_ID]
        fg = gaps.get(fid, analysis.gaps.iloc[0:0]).to_dict(orient="records")
        fi = ints.get(fid, analysis.intervals.iloc[0:0]).to_dict(orient="records")
        flights.append(
            {
                "flight_id": str(fid),
                "callsign": _text(f[s.CALLSIGN]),
                "icao24": _text(f[s.ICAO24]),
                "start": iso(f["start"]),
                "end": iso(f["end"]),
                "points": int(f["points"]),
                "fixes": int(f["fixes"]),
                "gap_threshold_s": _num(f["threshold_s"], 1),
                "gaps": [
                    {
                        "start": iso(g["start"]),
                        "end": iso(g["end"]),
                        "kind": str(g["kind"]),
                        "duration_s": _num(g["duration_s"], 1),
                        "reports": int(g["reports"]),
                        "without_position": int(g["without_position"]),
                        "stale": int(g["stale"]),
                        "frozen": int(g["frozen"]),
                        "spoofed": int(g["spoofed"]),
                        "fix_before": _fix(g, "before"),
                        "fix_after": _fix(g, "after"),
                        "distance_km": _num(g["distance_m"] / 1000.0),
                        "implied_speed_kt": _num(g["implied_speed_kt"], 1),
                    }
                    for g in fg
                ],
                "intervals": [
                    {
                        "start": iso(i["start"]),
                        "end": iso(i["end"]),
                        "state": str(i["state"]),
                        "rules": list(i["rules"]),
                        "rule_codes": list(i["rule_codes"]),
                        "points": int(i["points"]),
                        "duration_s": _num(i["duration_s"], 1),
                    }
                    for i in fi
                ],
            }
        )
    params = {k: v for k, v in vars(analysis.params).items()}
    return {"flights": flights, "parameters": params}


def analysis_text(analysis: TrackAnalysis, *, nominal: bool = False) -> str:
    """The analysis as plain text: per flight, its gaps, then its intervals with their rules.

    Nominal intervals are summarised in one line unless ``nominal`` is true.
    """
    rep = analysis_report(analysis)
    lines: list[str] = []
    for f in rep["flights"]:
        ident = " ".join(x for x in (f["callsign"], f["icao24"]) if x)
        lines.append(
            f"flight {f['flight_id']}" + (f" ({ident})" if ident else "") + f": {f['start']} to "
            f"{f['end']}, {reports(f['points'])}, {f['fixes']} fixes, gap threshold "
            f"{duration(f['gap_threshold_s'] or 0)}"
        )
        lines.append(f"  gaps: {len(f['gaps']) or 'none'}")
        for g in f["gaps"]:
            start, end = pd.Timestamp(g["start"]), pd.Timestamp(g["end"])
            tail = ""
            if g["distance_km"] is not None:
                tail = f", {g['distance_km']:.1f} km, {g['implied_speed_kt']:.0f} kt"
            lines.append(
                f"    {clock(start)[:8]} to {clock(end)}  {duration(g['duration_s'])}  "
                f"{g['kind']} ({reports(g['reports'])}{tail})"
            )
        counts = pd.Series([i["state"] for i in f["intervals"]]).value_counts()
        lines.append(
            "  intervals: "
            + ", ".join(f"{counts.get(st, 0)} {st}" for st in counts.index.sort_values())
        )
        for i in f["intervals"]:
            if i["state"] == "nominal" and not nominal:
                continue
            lines.append(
                f"    {clock(pd.Timestamp(i['start']))[:8]} to {clock(pd.Timestamp(i['end']))}  "
                f"{i['state']}  ({reports(i['points'])})"
            )
            lines.extend(f"      - {r}" for r in i["rules"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def gap_regions(
    analysis: TrackAnalysis, max_speed_kt: float | None = None, n: int = 180
) -> pd.DataFrame:
    """The where-could-it-have-been region of every gap (shapely polygons, ``(lon, lat)``).

    Columns: ``flight_id``, ``start``, ``end``, ``kind`` (of the gap), ``shape`` (``ellipse``
    between two fixes, ``disk`` at the start or end of a flight, ``none`` when no fix is
    known, ``impossible`` when the fixes are too far apart for the speed), ``max_speed_kt``,
    ``area_km2`` and ``geometry`` (None for ``none``). The ellipses of all gaps are computed
    together (:func:`flightmap.analysis.reachable.ellipse_regions`).
    """
    vmax = float(max_speed_kt if max_speed_kt is not None else analysis.params.max_speed_kt)
    g = analysis.gaps
    before, after = g["lat_before"].notna().to_numpy(), g["lat_after"].notna().to_numpy()
    budget = reach_m(vmax, 1.0) * g["duration_s"].to_numpy()
    both = np.flatnonzero(before & after)
    geoms: list[Any] = [None] * len(g)
    shapes = ["none"] * len(g)
    if both.size:
        cols = ("lat_before", "lon_before", "lat_after", "lon_after")
        a_lat, a_lon, b_lat, b_lon = (g[c].to_numpy()[both] for c in cols)
        regions = ellipse_regions(a_lat, a_lon, b_lat, b_lon, budget[both], n=n)
        for k, poly in zip(both, regions, strict=True):
            geoms[k] = poly
            shapes[k] = "impossible" if poly.is_empty else "ellipse"
    for k in np.flatnonzero(before ^ after):
        side = "before" if before[k] else "after"
        centre = (float(g[f"lat_{side}"].iloc[k]), float(g[f"lon_{side}"].iloc[k]))
        geoms[k] = disk(centre, float(budget[k]), n)
        shapes[k] = "disk"
    return pd.DataFrame(
        {
            s.FLIGHT_ID: g[s.FLIGHT_ID],
            "start": g["start"],
            "end": g["end"],
            "kind": g["kind"],
            "shape": shapes,
            "max_speed_kt": vmax,
            "area_km2": [geodesic_area_m2(x) / 1e6 if x is not None else math.nan for x in geoms],
            "geometry": geoms,
        }
    )


def gap_regions_geojson(regions: pd.DataFrame) -> dict[str, Any]:
    """:func:`gap_regions` as a GeoJSON FeatureCollection (regions without geometry left out)."""
    features = []
    for r in regions.to_dict(orient="records"):
        if r["geometry"] is None or r["geometry"].is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "flight_id": str(r[s.FLIGHT_ID]),
                    "start": iso(r["start"]),
                    "end": iso(r["end"]),
                    "kind": str(r["kind"]),
                    "shape": str(r["shape"]),
                    "max_speed_kt": _num(r["max_speed_kt"], 1),
                    "area_km2": _num(r["area_km2"], 1),
                },
                "geometry": mapping(r["geometry"]),
            }
        )
    return {"type": "FeatureCollection", "features": features}
