"""Export a case and tracks as GeoJSON, KML or CSV, for GIS tools, Google Earth and spreadsheets.

- GeoJSON (RFC 7946, ``(lon, lat)``): every waypoint, leg, event, zone and track run as a
  feature, with all properties (times ISO 8601 UTC, evidence, confidence, sources, basis,
  conflicts). Events without a position have a ``null`` geometry.
- KML 2.2 with the Google ``gx`` extension: placemarks with ``TimeStamp`` / ``TimeSpan``, one
  ``gx:MultiTrack`` per track run (a ``gx:Track`` per stretch with or without altitude), and
  the case's placed events as an inferred ``gx:Track``, so Google Earth's time slider plays the
  flight. Built with
  :mod:`xml.etree.ElementTree`, which escapes every text, rather than string templates.
- CSV: one row per point of the reconstructed path (track positions, or the case's legs) and
  one per event, in UTC.

Pure functions: they return text or bytes; writing files is :func:`flightmap.render.write_html`'s
job (the same atomic writer).
"""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd

from flightmap import schema as s
from flightmap.geo import Case, Event
from flightmap.geodesy import FT_M, LatLon

__all__ = ["FORMATS", "to_csv", "to_geojson", "to_kml"]

FORMATS = ("geojson", "kml", "csv")
KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"


def _iso(when: datetime | pd.Timestamp | None) -> str | None:
    if when is None or pd.isna(when):
        return None
    return pd.Timestamp(when).tz_convert("UTC").isoformat()


def _kml_time(when: datetime | pd.Timestamp) -> str:
    """``xsd:dateTime`` in UTC; fractions of a second are kept (to the microsecond) when present.

    >>> _kml_time(pd.Timestamp("2024-12-25T04:13:30.5Z"))
    '2024-12-25T04:13:30.5Z'
    >>> _kml_time(pd.Timestamp("2024-12-25T05:21:42Z"))
    '2024-12-25T05:21:42Z'
    """
    ts = pd.Timestamp(when).tz_convert("UTC")
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}".rstrip("0")
    return text + "Z"


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


def _event_props(case: Case, ev: Event) -> dict[str, Any]:
    return {
        "kind": "event",
        "id": ev.id,
        "time": _iso(ev.time),
        "uncertainty_s": ev.uncertainty_s,
        "title": ev.title,
        "description": ev.description,
        "category": ev.category,
        "waypoint": ev.waypoint or None,
        "position_uncertainty_km": ev.position_uncertainty_km,
        "position_basis": ev.position_basis or None,
        "alt_ft": ev.alt_ft,
        "gs_kt": ev.gs_kt,
        "relative_to": ev.relative_to or None,
        "offset_s": ev.offset_s,
        "conflicts_with": list(ev.conflicts_with),
        **_provenance(case, ev),
    }


def _runs(track: pd.DataFrame | None) -> Iterator[pd.DataFrame]:
    if track is None or track.empty:
        return
    from flightmap.flights import position_runs

    for _, flight in track.groupby(s.FLIGHT_ID, sort=True):
        yield from position_runs(flight)


def _run_props(run: pd.DataFrame) -> dict[str, Any]:
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
                        "construction": dict(z.construction),
                        **_provenance(case, z),
                    },
                }
            )
    for run in _runs(track):
        coords = [
            [round(lon, 6), round(lat, 6)]
            for lon, lat in zip(run[s.LON].to_numpy(), run[s.LAT].to_numpy(), strict=True)
        ]
        geometry = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        feats.append({"type": "Feature", "geometry": geometry, "properties": _run_props(run)})
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if case is not None:
        doc["case"] = {"id": case.id, "title": case.title}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


# --------------------------------------------------------------------------- KML


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = KML_NS) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _coord(p: LatLon, alt_m: float | None = None) -> str:
    return f"{p.lon:.6f},{p.lat:.6f}" + (f",{alt_m:.1f}" if alt_m is not None else "")


def _describe(case: Case, item: Any, text: str) -> str:
    srcs = "; ".join(
        f"{case.sources[i].publisher}: {case.sources[i].title} {case.sources[i].url}".strip()
        for i in item.sources
    )
    basis = f"\nBasis: {item.basis}" if item.basis else ""
    return (
        f"{text}\nEvidence: {item.evidence}, confidence {item.confidence}{basis}\nSources: {srcs}"
    )


def to_kml(case: Case | None, track: pd.DataFrame | None = None) -> bytes:
    """The case and track as KML 2.2 (UTF-8 bytes), tracks as time-stamped ``gx:Track``."""
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)
    root = ET.Element(_k("kml"))
    doc = _sub(root, "Document")
    _sub(doc, "name", case.title if case is not None else "flightmap tracks")
    if case is not None:
        _sub(doc, "description", case.summary.strip())
        wps = _sub(doc, "Folder")
        _sub(wps, "name", "Waypoints")
        for w in case.waypoints.values():
            pm = _sub(wps, "Placemark")
            _sub(pm, "name", w.name)
            _sub(pm, "description", _describe(case, w, w.note))
            _sub(_sub(pm, "Point"), "coordinates", _coord(w.latlon))
        legs = _sub(doc, "Folder")
        _sub(legs, "name", "Route legs")
        for leg in case.legs:
            pm = _sub(legs, "Placemark")
            _sub(pm, "name", leg.label)
            _sub(pm, "description", _describe(case, leg, ""))
            line = _sub(pm, "LineString")
            _sub(line, "tessellate", "1")
            _sub(line, "coordinates", " ".join(_coord(p) for p in case.leg_points(leg)))
        evs = _sub(doc, "Folder")
        _sub(evs, "name", "Events")
        for ev in case.events:
            pos = case.event_position(ev)
            if pos is None:
                continue
            pm = _sub(evs, "Placemark")
            _sub(pm, "name", f"{ev.time:%H:%M:%S} UTC {ev.title}")
            _sub(_sub(pm, "TimeStamp"), "when", _kml_time(ev.time))
            _sub(pm, "description", _describe(case, ev, ev.description))
            _sub(_sub(pm, "Point"), "coordinates", _coord(pos))
        zones = _sub(doc, "Folder")
        _sub(zones, "name", "Zones")
        for z in case.zones:
            pm = _sub(zones, "Placemark")
            _sub(pm, "name", z.name)
            span = _sub(pm, "TimeSpan")
            _sub(span, "begin", _kml_time(z.valid_from))
            if z.valid_to is not None:
                _sub(span, "end", _kml_time(z.valid_to))
            _sub(pm, "description", _describe(case, z, ""))
            polys = list(getattr(z.geometry, "geoms", [z.geometry]))
            multi = _sub(pm, "MultiGeometry")
            for poly in polys:
                ring = _sub(_sub(_sub(multi, "Polygon"), "outerBoundaryIs"), "LinearRing")
                _sub(
                    ring,
                    "coordinates",
                    " ".join(f"{x:.5f},{y:.5f}" for x, y in poly.exterior.coords),
                )
        _case_track(case, doc)
    runs = list(_runs(track))
    if runs:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", "Tracks (observed)")
        for run in runs:
            props = _run_props(run)
            pm = _sub(folder, "Placemark")
            _sub(pm, "name", f"{props['callsign'] or props['flight_id']} {props['start']}")
            _run_multitrack(pm, run)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _run_multitrack(pm: ET.Element, run: pd.DataFrame) -> None:
    """One ``gx:MultiTrack`` per run: a ``gx:Track`` per stretch with and without altitude.

    Reports with a barometric altitude are placed at it (``absolute``, metres); stretches of
    reports without one are ``clampToGround`` rather than put at 0 m, so a missing altitude is
    never drawn as sea level. ``gx:interpolate`` joins the stretches in Google Earth's player.
    """
    multi = _sub(pm, "MultiTrack", ns=GX_NS)
    _sub(multi, "interpolate", "1", ns=GX_NS)
    alts = run[s.ALT_BARO_FT].to_numpy(dtype="float64", na_value=float("nan"))
    known = alts == alts
    cuts = [0, *(i for i in range(1, len(run)) if known[i] != known[i - 1]), len(run)]
    times, lats, lons = run[s.TIME].to_list(), run[s.LAT].to_numpy(), run[s.LON].to_numpy()
    for a, b in itertools.pairwise(cuts):
        gx = _sub(multi, "Track", ns=GX_NS)
        _sub(gx, "altitudeMode", "absolute" if known[a] else "clampToGround")
        for when in times[a:b]:
            _sub(gx, "when", _kml_time(when))
        for lat, lon, alt in zip(lats[a:b], lons[a:b], alts[a:b], strict=True):
            alt_m = alt * FT_M if known[a] else 0.0  # KML altitudes are metres; ignored if clamped
            _sub(gx, "coord", f"{lon:.6f} {lat:.6f} {alt_m:.1f}", ns=GX_NS)


def _case_track(case: Case, doc: ET.Element) -> None:
    """The case's placed events in time order as one ``gx:Track``, labelled inferred.

    The case has no measured track: each point is where an event was placed (an airport, a
    derived point), so the track plays the reconstruction in Google Earth, clamped to the
    ground, and says so. Events whose position conflicts with another claim are included as
    placed; the description lists the basis of every placement.
    """
    placed = sorted(
        ((ev, pos) for ev in case.events if (pos := case.event_position(ev)) is not None),
        key=lambda item: item[0].time,
    )
    if len(placed) < 2:
        return
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Reconstructed path (inferred)")
    pm = _sub(folder, "Placemark")
    _sub(pm, "name", "Placed events in time order (inferred)")
    lines = [
        f"{ev.time:%H:%M:%S} UTC {ev.title}: {ev.position_basis or ev.waypoint}" for ev, _ in placed
    ]
    _sub(
        pm,
        "description",
        "Evidence: inferred. Not a measured track: each point is the position at which the "
        "case places an event; straight lines between them are not where the aircraft flew.\n"
        + "\n".join(lines),
    )
    gx = _sub(pm, "Track", ns=GX_NS)
    _sub(gx, "altitudeMode", "clampToGround")
    for ev, _ in placed:
        _sub(gx, "when", _kml_time(ev.time))
    for _, pos in placed:
        _sub(gx, "coord", f"{pos.lon:.6f} {pos.lat:.6f} 0", ns=GX_NS)


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    "kind",
    "id",
    "time_utc",
    "lat",
    "lon",
    "alt_baro_ft",
    "stale",
    "title",
    "evidence",
    "confidence",
    "sources",
]


def to_csv(case: Case | None, track: pd.DataFrame | None = None) -> str:
    """The reconstructed path and the events as CSV text (times ISO 8601 UTC, degrees WGS84).

    ``kind`` is ``track`` (an observed position, ``id`` = flight id), ``path`` (a point on a
    case leg: no time, since the case gives none), or ``event``. Track rows keep every report
    with a position; ``stale`` is true where the receiver marked the position as not refreshed
    (the map and the other exports leave those out of the lines).
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
                }
            )
        )
    if case is not None:
        rows: list[dict[str, Any]] = []
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
                    }
                )
        for ev in case.events:
            where = case.event_position(ev)
            rows.append(
                {
                    "kind": "event",
                    "id": ev.id,
                    "time_utc": _iso(ev.time),
                    "lat": None if where is None else round(where.lat, 6),
                    "lon": None if where is None else round(where.lon, 6),
                    "title": ev.title,
                    "evidence": ev.evidence,
                    "confidence": ev.confidence,
                    "sources": ";".join(ev.sources),
                }
            )
        parts.append(pd.DataFrame(rows))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return str(table.reindex(columns=CSV_COLUMNS).to_csv(index=False, lineterminator="\n"))
