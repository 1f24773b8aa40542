"""KML 2.2 export of a case and tracks, for Google Earth and GIS tools (:mod:`flightmap.export`).

- A shared ``Style`` per evidence class (waypoints, legs), per event category and position
  evidence (icon colour = category, icon shape = what the place rests on), per zone kind and
  for observed tracks; colours are the map's (``flightmap.style``).
- Altitudes are ``absolute`` (metres above mean sea level) where known: a waypoint's elevation,
  an event's stated altitude (pressure altitude, taken as height above mean sea level), a
  track's barometric altitude; ``clampToGround`` where not, never 0 m.
- Only observed track positions go into ``gx:Track`` (one ``gx:MultiTrack`` per track run), so
  Google Earth's time slider never plays a placement as a flown path; each placed event is a
  time-stamped placemark saying the evidence of its time and of its place.
- Events without a place, claims and conflicts (both sides) are placemarks without geometry, so
  nothing of the case is left out. Elements follow the order of the OGC KML 2.2 schema.

Built with :mod:`xml.etree.ElementTree`, which escapes every text, rather than string templates.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import pandas as pd

from flightmap import schema as s
from flightmap.export import position_props, run_properties, track_runs
from flightmap.geo import Case, Event, Zone
from flightmap.geo.model import EVIDENCE
from flightmap.geodesy import FT_M, LatLon

__all__ = ["GX_NS", "KML_NS", "to_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"

# Icon shape by the evidence of a place: filled for measured, a pin for stated, an open
# diamond for derived (Google Earth's stock icons).
_ICON = {
    "observed": "http://maps.google.com/mapfiles/kml/shapes/shaded_dot.png",
    "reported": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    "inferred": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
}
# Line width (pixels) and opacity (0-255) by evidence class: KML lines cannot be dashed.
_LINE = {"observed": (4.0, 0xF2), "reported": (3.0, 0xE6), "inferred": (2.0, 0x99)}


def _kml_color(hex_rgb: str, alpha: int = 0xFF) -> str:
    """``#RRGGBB`` as KML's ``aabbggrr``.

    >>> _kml_color("#0072B2", 0x80)
    '80b27200'
    """
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{b}{g}{r}".lower()


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


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = KML_NS) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _coord(p: LatLon, alt_m: float | None = None) -> str:
    return f"{p.lon:.6f},{p.lat:.6f}" + (f",{alt_m:.1f}" if alt_m is not None else "")


def _point(pm: ET.Element, p: LatLon, alt_ft: float | None) -> None:
    """A ``Point`` at ``alt_ft`` feet above mean sea level (``absolute``), or on the ground."""
    point = _sub(pm, "Point")
    if alt_ft is None:
        _sub(point, "altitudeMode", "clampToGround")
        _sub(point, "coordinates", _coord(p))
    else:
        _sub(point, "altitudeMode", "absolute")
        _sub(point, "coordinates", _coord(p, alt_ft * FT_M))


def _placemark(
    parent: ET.Element,
    name: str,
    description: str,
    *,
    when: datetime | None = None,
    span: tuple[datetime, datetime | None] | None = None,
    style: str | None = None,
    data: dict[str, Any] | None = None,
) -> ET.Element:
    """A ``Placemark`` with its children in schema order (name, description, time primitive,
    styleUrl, ExtendedData); the caller appends the geometry, if any."""
    pm = _sub(parent, "Placemark")
    _sub(pm, "name", name)
    _sub(pm, "description", description)
    if when is not None:
        _sub(_sub(pm, "TimeStamp"), "when", _kml_time(when))
    if span is not None:
        ts = _sub(pm, "TimeSpan")
        _sub(ts, "begin", _kml_time(span[0]))
        if span[1] is not None:
            _sub(ts, "end", _kml_time(span[1]))
    if style is not None:
        _sub(pm, "styleUrl", f"#{style}")
    if data:
        ext = _sub(pm, "ExtendedData")
        for key, value in data.items():
            if value is None or value == "" or value == []:
                continue
            d = _sub(ext, "Data")
            d.set("name", key)
            _sub(d, "value", ";".join(value) if isinstance(value, list) else str(value))
    return pm


def _style_id(*parts: str) -> str:
    """A style id (an XML NCName) from free-text parts such as an event category.

    >>> _style_id("ev", "bird strike", "inferred")
    'ev-bird_strike-inferred'
    """
    return "-".join(re.sub(r"[^A-Za-z0-9_.]+", "_", p) for p in parts)


def _folder(doc: ET.Element, name: str) -> ET.Element:
    folder = _sub(doc, "Folder")
    _sub(folder, "name", name)
    return folder


def _sources_text(case: Case, ids: tuple[str, ...]) -> str:
    return "; ".join(
        f"{case.sources[i].publisher}: {case.sources[i].title} {case.sources[i].url}".strip()
        for i in ids
    )


def _describe(case: Case, item: Any, text: str) -> str:
    basis = f"\nBasis: {item.basis}" if item.basis else ""
    conflicts = getattr(item, "conflicts_with", ())
    disputed = f"\nConflicts with: {', '.join(conflicts)}" if conflicts else ""
    return (
        f"{text}\nEvidence: {item.evidence}, confidence {item.confidence}{basis}{disputed}"
        f"\nSources: {_sources_text(case, item.sources)}"
    ).strip()


def _event_description(case: Case, ev: Event) -> str:
    place = case.placement(ev)
    where = ""
    if place is not None:
        radius = (
            f"within {place.uncertainty_m:,.0f} m"
            if place.uncertainty_m is not None
            else "uncertainty not stated"
        )
        alt = f"; altitude {ev.alt_ft:,.0f} ft as stated by the sources" if ev.alt_ft else ""
        where = (
            f"\nTime: {ev.time:%Y-%m-%d %H:%M:%S} UTC (± {ev.uncertainty_s:g} s)"
            f"\nPlace: {place.evidence} ({radius}{alt}): {place.basis}"
        )
    return _describe(case, ev, ev.description + where)


# --------------------------------------------------------------------------- styles


def _styles(doc: ET.Element, case: Case | None) -> None:
    """Shared styles: ``wp-<evidence>``, ``leg-<evidence>``, ``ev-<category>-<evidence>``,
    ``zone-<kind>``, ``track-observed``."""
    from flightmap.style import (
        CATEGORY_COLOR,
        DEFAULT_COLOR,
        LEG_COLOR,
        ZONE_STYLE,
    )

    def style(ident: str) -> ET.Element:
        st = _sub(doc, "Style")
        st.set("id", ident)
        return st

    def icon(st: ET.Element, color: str, evidence: str) -> None:
        icon_style = _sub(st, "IconStyle")
        _sub(icon_style, "color", _kml_color(color))
        _sub(_sub(icon_style, "Icon"), "href", _ICON[evidence])

    def line(st: ET.Element, color: str, evidence: str) -> None:
        width, alpha = _LINE[evidence]
        ls = _sub(st, "LineStyle")
        _sub(ls, "color", _kml_color(color, alpha))
        _sub(ls, "width", f"{width:g}")

    for evidence in EVIDENCE:
        icon(style(f"wp-{evidence}"), DEFAULT_COLOR, evidence)
        line(style(f"leg-{evidence}"), LEG_COLOR, evidence)
    line(style("track-observed"), LEG_COLOR, "observed")
    if case is None:
        return
    pairs = {
        (ev.category, place.evidence)
        for ev in case.events
        if (place := case.placement(ev)) is not None
    }
    for category, evidence in sorted(pairs):
        color = CATEGORY_COLOR.get(category, DEFAULT_COLOR)
        icon(style(_style_id("ev", category, evidence)), color, evidence)
    for kind in sorted({z.kind for z in case.zones}):
        spec = ZONE_STYLE.get(kind, {"color": DEFAULT_COLOR, "fillColor": DEFAULT_COLOR})
        st = style(_style_id("zone", kind))
        ls = _sub(st, "LineStyle")
        _sub(ls, "color", _kml_color(spec["color"]))
        _sub(ls, "width", "2")
        ps = _sub(st, "PolyStyle")
        _sub(ps, "color", _kml_color(spec["fillColor"], int(255 * spec.get("fillOpacity", 0.2))))


# --------------------------------------------------------------------------- the document


def to_kml(case: Case | None, track: pd.DataFrame | None = None) -> bytes:
    """The case and track as KML 2.2 (UTF-8 bytes); tracks as time-stamped ``gx:Track``."""
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", case.title if case is not None else "flightmap tracks")
    if case is not None:
        _sub(
            doc,
            "description",
            case.summary.strip()
            + "\nEvidence classes: observed (measured), reported (stated by a source), "
            "inferred (derived here, the method in Basis). Icons: filled dot = observed place, "
            "pin = reported place, open diamond = inferred place; colour = event category.",
        )
    _styles(doc, case)
    if case is not None:
        _case_folders(doc, case)
    runs = list(track_runs(track))
    if runs:
        folder = _folder(doc, "Tracks (observed)")
        for run in runs:
            props = run_properties(run)
            pm = _placemark(
                folder,
                f"{props['callsign'] or props['flight_id']} {props['start']}",
                f"Observed positions of {props['flight_id']} ({props['points']} reports, "
                f"source {props['source']}). Evidence: observed.",
                style="track-observed",
            )
            _run_multitrack(pm, run)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _case_folders(doc: ET.Element, case: Case) -> None:
    wps = _folder(doc, "Waypoints")
    for w in case.waypoints.values():
        pm = _placemark(
            wps,
            w.name,
            _describe(case, w, w.note),
            style=f"wp-{w.evidence}",
            data={
                "id": w.id,
                "position_evidence": w.evidence,
                "position_uncertainty_m": None
                if w.uncertainty_km is None
                else f"{w.uncertainty_km * 1000:g}",
                "elev_ft": None if w.elev_ft is None else f"{w.elev_ft:g}",
            },
        )
        _point(pm, w.latlon, w.elev_ft)
    legs = _folder(doc, "Route legs (no times: where the case draws the route)")
    for leg in case.legs:
        pm = _placemark(legs, leg.label, _describe(case, leg, ""), style=f"leg-{leg.evidence}")
        ls = _sub(pm, "LineString")
        _sub(ls, "tessellate", "1")
        _sub(ls, "altitudeMode", "clampToGround")
        _sub(ls, "coordinates", " ".join(_coord(p) for p in case.leg_points(leg)))
    placed = _folder(doc, "Events (placed; not a flown path)")
    unplaced = _folder(doc, "Events without a position")
    for ev in case.events:
        place = case.placement(ev)
        data = {
            "id": ev.id,
            "category": ev.category,
            "evidence": ev.evidence,
            "confidence": ev.confidence,
            "uncertainty_s": f"{ev.uncertainty_s:g}",
            **{k: v for k, v in position_props(case, ev).items() if k != "position_basis"},
            "alt_ft": None if ev.alt_ft is None else f"{ev.alt_ft:g}",
            "gs_kt": None if ev.gs_kt is None else f"{ev.gs_kt:g}",
            "sources": list(ev.sources),
            "conflicts_with": list(ev.conflicts_with),
        }
        pm = _placemark(
            placed if place is not None else unplaced,
            f"{ev.time:%H:%M:%S} UTC {ev.title}",
            _event_description(case, ev),
            when=ev.time,
            style=_style_id("ev", ev.category, place.evidence) if place is not None else None,
            data=data,
        )
        if place is not None:
            _point(pm, place.position, place.alt_ft)
    claims = _folder(doc, "Claims (no position)")
    for c in case.claims.values():
        _placemark(
            claims,
            f"{c.subject}: {c.id}",
            _describe(case, c, c.statement),
            data={"id": c.id, "conflicts_with": list(c.conflicts_with)},
        )
    conflicts = _folder(doc, "Conflicts between sources (both sides)")
    for k in case.conflicts:
        sides = "\n".join(
            f"Side {label}: " + "; ".join(f"{i} ({_item_label(case, i)})" for i in side)
            for label, side in (("A", k.side_a), ("B", k.side_b))
        )
        _placemark(
            conflicts,
            k.topic,
            f"{k.summary}\n{sides}\nHandling: {k.handling}",
            data={"id": k.id, "side_a": list(k.side_a), "side_b": list(k.side_b)},
        )
    zones = _folder(doc, "Zones")
    for z in case.zones:
        pm = _placemark(
            zones,
            z.name,
            _describe(case, z, _zone_validity(z)),
            # Without a stated end, shown only while a source attests it (at least at its
            # start): an open TimeSpan would show it in effect forever.
            span=(z.valid_from, z.valid_to or z.last_attested or z.valid_from),
            style=_style_id("zone", z.kind),
            data={"id": z.id, "end_stated": "true" if z.valid_to else "false"},
        )
        multi = _sub(pm, "MultiGeometry")
        for poly in getattr(z.geometry, "geoms", [z.geometry]):
            ring = _sub(_sub(_sub(multi, "Polygon"), "outerBoundaryIs"), "LinearRing")
            _sub(
                ring,
                "coordinates",
                " ".join(f"{x:.5f},{y:.5f}" for x, y in poly.exterior.coords),
            )


def _zone_validity(z: Zone) -> str:
    start = f"In effect from {z.valid_from:%Y-%m-%d %H:%M:%S} UTC"
    if z.valid_to is not None:
        return f"{start} to {z.valid_to:%H:%M:%S} UTC."
    if z.last_attested is not None:
        return (
            f"{start}; no source gives an end. Shown until {z.last_attested:%H:%M:%S} UTC, the "
            "last time a source attests it; after that its state is unknown."
        )
    return f"{start}; no source gives an end: shown at its start only; after that unknown."


def _item_label(case: Case, item_id: str) -> str:
    item = case.item(item_id)
    if isinstance(item, Event):
        return f"{item.time:%H:%M:%S} UTC {item.title}"
    return str(getattr(item, "statement", None) or getattr(item, "name", item_id))


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
