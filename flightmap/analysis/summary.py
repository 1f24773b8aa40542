"""The analysis as JSON-ready dicts and as plain text (what ``flightmap analyse`` prints).

Times are ISO 8601 in UTC with the offset (``2024-12-25T05:13:31+00:00``); missing numbers are
``null``, never NaN.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from flightmap import schema as s
from flightmap.analysis.integrity import NAC_P_CF, TrackAnalysis
from flightmap.analysis.params import NACP_EPU_M
from flightmap.analysis.reachable import ellipse_regions, geodesic_area_m2, reach_m
from flightmap.analysis.wording import clock, duration, reports
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


def _records_by_flight(frame: pd.DataFrame) -> dict[Any, list[dict[Hashable, Any]]]:
    """The rows of ``frame`` as records, by ``flight_id``, in the frame's order."""
    out: dict[Any, list[dict[Hashable, Any]]] = {}
    for record in frame.to_dict(orient="records"):
        out.setdefault(record[s.FLIGHT_ID], []).append(record)
    return out


def analysis_report(analysis: TrackAnalysis) -> dict[str, Any]:
    """The analysis as ``{"flights": [...], "parameters": {...}}``.

    Each flight: ``flight_id``, ``callsign`` and ``icao24`` (null if unknown), ``start``,
    ``end``, ``points``, ``fixes``, ``gap_threshold_s``, ``gaps`` (``start``, ``end``, ``kind``,
    ``duration_s``, ``reports``, ``without_position``, ``stale``, ``frozen``, ``spoofed``,
    ``fix_before`` / ``fix_after`` (``time``, ``lat``, ``lon``, ``alt_baro_ft``, or null),
    ``distance_km``, ``implied_speed_kt``) and ``intervals`` (``start``, ``end``, ``state``,
    ``rules`` as sentences, ``rule_codes``, ``points``, ``duration_s``).
    """
    # Each frame turned into records once, then grouped (a to_dict per flight cost 0.9 s for
    # the 400 flights of a 1M-report file).
    gaps = _records_by_flight(analysis.gaps)
    ints = _records_by_flight(analysis.intervals)
    flights = []
    for f in analysis.flights.sort_values("start", kind="stable").to_dict(orient="records"):
        fid = f[s.FLIGHT_ID]
        fg = gaps.get(fid, [])
        fi = ints.get(fid, [])
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
                        "span_s": _num(g.get("span_s"), 1),
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
        counts = Counter(i["state"] for i in f["intervals"])
        lines.append("  intervals: " + ", ".join(f"{counts[st]} {st}" for st in sorted(counts)))
        for i in f["intervals"]:
            if i["state"] == s.NOMINAL and not nominal:
                continue
            lines.append(
                f"    {clock(pd.Timestamp(i['start']))[:8]} to {clock(pd.Timestamp(i['end']))}  "
                f"{i['state']}  ({reports(i['points'])})"
            )
            lines.extend(f"      - {r}" for r in i["rules"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _epu_m(nacp: Any) -> Any:
    """95 % position error bound (m) of NACp values (NaN: unknown, 0 m; NACp 0: 10 NM)."""
    table = np.array([NACP_EPU_M[1]] + [NACP_EPU_M[k] for k in range(1, 12)])
    values = np.asarray(nacp, dtype="float64")
    ok = np.isfinite(values) & (values >= 0) & (values <= 11)
    return np.where(ok, table[np.where(ok, values, 0).astype("int64")], 0.0)


def gap_regions(
    analysis: TrackAnalysis, max_speed_kt: float | None = None, n: int = 180
) -> pd.DataFrame:
    """The where-could-it-have-been region of every gap (shapely polygons, ``(lon, lat)``).

    Columns: ``flight_id``, ``start``, ``end``, ``kind`` (of the gap), ``shape`` (``ellipse``
    between two fixes, ``disk`` at the start or end of a flight, ``none`` when no fix is
    known, ``impossible`` when the fixes are too far apart for the speed), ``max_speed_kt``,
    ``r_before_m`` and ``r_after_m`` (how far each fix may be from the true position: the
    95 % error bound of its NACp, carried forward; 0 where unknown), ``area_km2`` and
    ``geometry`` (None for ``none``). The time budget is the gap's ``span_s`` (between the
    positions' own times). The ellipses of all gaps are computed together
    (:func:`flightmap.analysis.reachable.ellipse_regions`), each grown by its fixes' radii.
    """
    vmax = float(max_speed_kt if max_speed_kt is not None else analysis.params.max_speed_kt)
    g = analysis.gaps
    before, after = g["lat_before"].notna().to_numpy(), g["lat_after"].notna().to_numpy()
    seconds = g["span_s" if "span_s" in g.columns else "duration_s"].to_numpy(dtype="float64")
    budget = reach_m(vmax, 1.0) * seconds
    radii = []
    for side in ("row_before", "row_after"):
        rows = g[side].to_numpy(dtype="float64", na_value=np.nan)
        nacp = np.full(len(g), np.nan)
        if NAC_P_CF in analysis.track.columns and len(g):
            known = np.isfinite(rows)
            col = analysis.track[NAC_P_CF].to_numpy(dtype="float64", na_value=np.nan)
            nacp[known] = col[rows[known].astype("int64")]
        radii.append(_epu_m(nacp))
    r_before, r_after = radii
    both = np.flatnonzero(before & after)
    geoms: list[Any] = [None] * len(g)
    shapes = ["none"] * len(g)
    if both.size:
        cols = ("lat_before", "lon_before", "lat_after", "lon_after")
        a_lat, a_lon, b_lat, b_lon = (g[c].to_numpy()[both] for c in cols)
        regions = ellipse_regions(
            a_lat, a_lon, b_lat, b_lon, budget[both], r_before[both], r_after[both], n=n
        )
        for k, poly in zip(both, regions, strict=True):
            geoms[k] = poly
            shapes[k] = "impossible" if poly.is_empty else "ellipse"
    for k in np.flatnonzero(before ^ after):
        side = "before" if before[k] else "after"
        centre = (float(g[f"lat_{side}"].iloc[k]), float(g[f"lon_{side}"].iloc[k]))
        r = r_before[k] if before[k] else r_after[k]
        geoms[k] = disk(centre, float(budget[k] + r), n)
        shapes[k] = "disk"
    return pd.DataFrame(
        {
            s.FLIGHT_ID: g[s.FLIGHT_ID],
            "start": g["start"],
            "end": g["end"],
            "kind": g["kind"],
            "shape": shapes,
            "max_speed_kt": vmax,
            "r_before_m": np.where(before, r_before, np.nan),
            "r_after_m": np.where(after, r_after, np.nan),
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
                    "r_before_m": _num(r.get("r_before_m"), 1),
                    "r_after_m": _num(r.get("r_after_m"), 1),
                    "area_km2": _num(r["area_km2"], 1),
                },
                "geometry": mapping(r["geometry"]),
            }
        )
    return {"type": "FeatureCollection", "features": features}
