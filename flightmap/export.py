"""Export a case and tracks as GeoJSON, KML or CSV, for GIS tools, Google Earth and spreadsheets.

Each format keeps the whole truth model: every item with its evidence class, confidence,
sources and basis; the claims and the conflicts with both sides (every ``conflicts_with`` id
names an item of the same file); and, for every event drawn somewhere, the evidence of its
*place* apart from that of its time (``position_evidence``, ``position_basis``,
``position_uncertainty_m``: an event reported to the second but drawn at an airport
reference point has an inferred position).

- GeoJSON (RFC 7946, ``(lon, lat)``): sources, waypoints, legs, events, claims, conflicts,
  zones and track runs as features (``kind`` says which); items without a place have a
  ``null`` geometry.
- KML 2.2 (:mod:`flightmap.kml`): styles per evidence class and event category, absolute
  altitudes where known, ``gx:Track`` for observed track positions only.
- CSV: one row per point of the reconstructed path (track positions, or the case's legs), per
  event, claim and conflict, in UTC, with the evidence columns.

Pure functions: they return text or bytes; the CLI writes files with :mod:`flightmap.atomic`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd

from flightmap import schema as s
from flightmap.geo import Case, Event
from flightmap.geo.timeline import item_record

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "position_props",
    "run_properties",
    "to_csv",
    "to_geojson",
    "to_kml",
    "track_runs",
]

FORMATS = ("geojson", "kml", "csv")


def _iso(when: datetime | pd.Timestamp | None) -> str | None:
    if when is None or pd.isna(when):
        return None
    return pd.Timestamp(when).tz_convert("UTC").isoformat()


def _sources(case: Case, ids: tuple[str, ...]) -> list[dict[str, str | None]]:
    return [
        {
            "id": i,
            "title": case.sources[i].title,
            "publisher": case.sources[i].publisher,
            "url": case.sources[i].url or None,
        }
        for i in ids
    ]


def _provenance(case: Case, item: Any) -> dict[str, Any]:
    return {
        "evidence": item.evidence,
        "confidence": item.confidence,
        "sources": _sources(case, item.sources),
        "basis": item.basis or None,
    }


def position_props(case: Case, ev: Event) -> dict[str, Any]:
    """The place of ``ev`` as properties: ``position_evidence``, ``position_basis``,
    ``position_uncertainty_m`` (None: not stated), ``waypoint``; all None without a place."""
    place = case.placement(ev)
    return {
        "waypoint": ev.waypoint or None,
        "position_evidence": place.evidence if place else None,
        "position_basis": (place.basis or None) if place else None,
        "position_uncertainty_m": place.uncertainty_m if place else None,
    }


def _event_props(case: Case, ev: Event) -> dict[str, Any]:
    return {
        "kind": "event",
        "id": ev.id,
        "time": _iso(ev.time),
        "uncertainty_s": ev.uncertainty_s,
        "title": ev.title,
        "description": ev.description,
        "category": ev.category,
        **position_props(case, ev),
        "alt_ft": ev.alt_ft,
        "gs_kt": ev.gs_kt,
        "relative_to": ev.relative_to or None,
        "offset_s": ev.offset_s,
        "conflicts_with": list(ev.conflicts_with),
        **_provenance(case, ev),
    }


def _null_feature(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": None, "properties": props}


def track_runs(track: pd.DataFrame | None) -> Iterator[pd.DataFrame]:
    """The position runs of every flight of ``track`` (:func:`flightmap.flights.position_runs`),
    flights in id order."""
    if track is None or track.empty:
        return
    from flightmap.flights import position_runs

    for _, flight in track.groupby(s.FLIGHT_ID, sort=True):
        yield from position_runs(flight)


def run_properties(run: pd.DataFrame) -> dict[str, Any]:
    """Properties of one observed track run: flight, callsign, times, points, source."""
    first = run.iloc[0]
    return {
        "kind": "track",
        "flight_id": str(first[s.FLIGHT_ID]),
        "callsign": None if pd.isna(first[s.CALLSIGN]) else str(first[s.CALLSIGN]),
        "icao24": None if pd.isna(first[s.ICAO24]) else str(first[s.ICAO24]),
        "start": _iso(run[s.TIME].iloc[0]),
        "end": _iso(run[s.TIME].iloc[-1]),
        "points": len(run),
        "source": None if pd.isna(first[s.SOURCE]) else str(first[s.SOURCE]),
        "evidence": "observed",
    }


# --------------------------------------------------------------------------- GeoJSON


def to_geojson(case: Case | None, track: pd.DataFrame | None = None) -> str:
    """The case and track as a GeoJSON FeatureCollection (text), coordinates ``(lon, lat)``."""
    feats: list[dict[str, Any]] = []
    if case is not None:
        for src in case.sources.values():
            feats.append(
                _null_feature(
                    {
                        "kind": "source",
                        "id": src.id,
                        "title": src.title,
                        "publisher": src.publisher,
                        "date": src.date or None,
                        "url": src.url or None,
                        "source_kind": src.kind,
                        "note": src.note or None,
                    }
                )
            )
        for w in case.waypoints.values():
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [w.lon, w.lat]},
                    "properties": {
                        "kind": "waypoint",
                        "id": w.id,
                        "name": w.name,
                        "waypoint_kind": w.kind,
                        "elev_ft": w.elev_ft,
                        "icao": w.icao or None,
                        "iata": w.iata or None,
                        "uncertainty_km": w.uncertainty_km,
                        "position_evidence": w.evidence,
                        "position_uncertainty_m": None
                        if w.uncertainty_km is None
                        else w.uncertainty_km * 1000.0,
                        "note": w.note or None,
                        "conflicts_with": list(w.conflicts_with),
                        **_provenance(case, w),
                    },
                }
            )
        for leg in case.legs:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[p.lon, p.lat] for p in case.leg_points(leg)],
                    },
                    "properties": {
                        "kind": "leg",
                        "id": leg.id,
                        "from": leg.start,
                        "to": leg.end,
                        "label": leg.label,
                        "length_m": round(case.leg_length_m(leg), 1),
                        **_provenance(case, leg),
                    },
                }
            )
        for ev in case.events:
            pos = case.event_position(ev)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": None
                    if pos is None
                    else {"type": "Point", "coordinates": [pos.lon, pos.lat]},
                    "properties": _event_props(case, ev),
                }
            )
        for c in case.claims.values():
            feats.append(_null_feature({"kind": "claim", **item_record(c), **_provenance(case, c)}))
        for k in case.conflicts:
            feats.append(_null_feature({"kind": "conflict", **item_record(k)}))
        for z in case.zones:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": z.geometry.__geo_interface__,
                    "properties": {
                        "kind": "zone",
                        "id": z.id,
                        "name": z.name,
                        "zone_kind": z.kind,
                        "valid_from": _iso(z.valid_from),
                        "valid_to": _iso(z.valid_to),
                        "end_stated": z.valid_to is not None,
                        "last_attested": _iso(z.last_attested),
                        "construction": dict(z.construction),
                        **_provenance(case, z),
                    },
                }
            )
    for run in track_runs(track):
        coords = [
            [round(lon, 6), round(lat, 6)]
            for lon, lat in zip(run[s.LON].to_numpy(), run[s.LAT].to_numpy(), strict=True)
        ]
        geometry = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        feats.append({"type": "Feature", "geometry": geometry, "properties": run_properties(run)})
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if case is not None:
        doc["case"] = {
            "id": case.id,
            "title": case.title,
            "summary": case.summary.strip(),
            "window": [_iso(t) for t in case.window] if case.window else None,
        }
    return json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    "kind",
    "id",
    "time_utc",
    "uncertainty_s",
    "lat",
    "lon",
    "alt_baro_ft",
    "alt_ft",
    "gs_kt",
    "stale",
    "title",
    "evidence",
    "confidence",
    "sources",
    "basis",
    "position_evidence",
    "position_basis",
    "position_uncertainty_m",
    "conflicts_with",
    "side_a",
    "side_b",
]
"""Columns of :func:`to_csv`. ``alt_baro_ft`` is a track's measured pressure altitude,
``alt_ft``/``gs_kt`` what an event's sources state; the ``position_*`` columns describe the
place of an event (its ``evidence`` is that of its time); ``side_a``/``side_b`` list the items
of a conflict (``;``-joined ids)."""


def to_csv(case: Case | None, track: pd.DataFrame | None = None) -> str:
    """The reconstructed path, events, claims and conflicts as CSV text (times ISO 8601 UTC,
    degrees WGS84; columns :data:`CSV_COLUMNS`).

    ``kind`` is ``track`` (an observed position, ``id`` = flight id), ``waypoint``, ``path`` (a
    point on a case leg: no time, since the case gives none), ``event``, ``claim`` (``title``
    holds the statement) or ``conflict`` (``title`` the topic, ``basis`` the summary and
    handling). Track
    rows keep every report with a position; ``stale`` is true where the receiver marked the
    position as not refreshed (the map and the other exports leave those out of the lines).
    """
    parts: list[pd.DataFrame] = []
    if track is not None and not track.empty:
        pos = track[track[s.LAT].notna() & track[s.LON].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "kind": "track",
                    "id": pos[s.FLIGHT_ID].to_numpy(),
                    "time_utc": pos[s.TIME].dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").to_numpy(),
                    "lat": pos[s.LAT].round(6).to_numpy(),
                    "lon": pos[s.LON].round(6).to_numpy(),
                    "alt_baro_ft": pos[s.ALT_BARO_FT].to_numpy(),
                    "stale": pos[s.STALE].fillna(False).to_numpy(dtype=bool)
                    if s.STALE in pos.columns
                    else False,
                    "evidence": "observed",
                    "position_evidence": "observed",
                }
            )
        )
    if case is not None:
        parts.append(pd.DataFrame(_case_rows(case)))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return str(table.reindex(columns=CSV_COLUMNS).to_csv(index=False, lineterminator="\n"))


def _case_rows(case: Case) -> list[dict[str, Any]]:
    """CSV rows of the case's waypoints, legs (one per point), events, claims and conflicts."""
    rows: list[dict[str, Any]] = []
    for w in case.waypoints.values():
        rows.append(
            {
                "kind": "waypoint",
                "id": w.id,
                "lat": round(w.lat, 6),
                "lon": round(w.lon, 6),
                "title": w.name,
                "evidence": w.evidence,
                "confidence": w.confidence,
                "sources": ";".join(w.sources),
                "basis": w.basis or None,
                "position_evidence": w.evidence,
                "position_uncertainty_m": None
                if w.uncertainty_km is None
                else w.uncertainty_km * 1000.0,
                "conflicts_with": ";".join(w.conflicts_with) or None,
            }
        )
    for leg in case.legs:
        for p in case.leg_points(leg):
            rows.append(
                {
                    "kind": "path",
                    "id": leg.id,
                    "lat": round(p.lat, 6),
                    "lon": round(p.lon, 6),
                    "title": leg.label,
                    "evidence": leg.evidence,
                    "confidence": leg.confidence,
                    "sources": ";".join(leg.sources),
                    "basis": leg.basis or None,
                }
            )
    for ev in case.events:
        place = case.placement(ev)
        rows.append(
            {
                "kind": "event",
                "id": ev.id,
                "time_utc": _iso(ev.time),
                "uncertainty_s": ev.uncertainty_s,
                "lat": None if place is None else round(place.position.lat, 6),
                "lon": None if place is None else round(place.position.lon, 6),
                "alt_ft": ev.alt_ft,
                "gs_kt": ev.gs_kt,
                "title": ev.title,
                "evidence": ev.evidence,
                "confidence": ev.confidence,
                "sources": ";".join(ev.sources),
                "basis": ev.basis or None,
                "position_evidence": place.evidence if place else None,
                "position_basis": (place.basis or None) if place else None,
                "position_uncertainty_m": place.uncertainty_m if place else None,
                "conflicts_with": ";".join(ev.conflicts_with) or None,
            }
        )
    for c in case.claims.values():
        rows.append(
            {
                "kind": "claim",
                "id": c.id,
                "title": c.statement,
                "evidence": c.evidence,
                "confidence": c.confidence,
                "sources": ";".join(c.sources),
                "basis": c.basis or None,
                "conflicts_with": ";".join(c.conflicts_with) or None,
            }
        )
    for k in case.conflicts:
        rows.append(
            {
                "kind": "conflict",
                "id": k.id,
                "title": k.topic,
                "basis": f"{k.summary} Handling: {k.handling}" if k.handling else k.summary,
                "side_a": ";".join(k.side_a),
                "side_b": ";".join(k.side_b),
            }
        )
    return rows


def to_kml(case: Case | None, track: pd.DataFrame | None = None) -> bytes:
    """The case and track as KML 2.2 (UTF-8 bytes); see :func:`flightmap.kml.to_kml`."""
    from flightmap.kml import to_kml as kml

    return kml(case, track)
