"""The interactive HTML map: the only module that imports folium.

:func:`build_map` turns a :class:`~flightmap.geo.Case` into a :class:`folium.Map` with named
layers (waypoints, route legs styled by evidence class, events, zones, an offline coastline
layer), popups that cite their sources, a legend, a title panel and a "Methods and sources"
panel. :func:`render_html` returns the page as text, byte-identical for identical inputs, and
:func:`write_html` writes it atomically.

Every text that comes from a file (titles, notes, source names, URLs, callsigns) goes through
:func:`esc` before it reaches HTML or JavaScript. Coordinates are converted to folium's
``(lat, lon)`` order here, from named fields, never by position.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium
from branca.element import Element, Figure
from folium import plugins
from folium.utilities import JsCode

from flightmap import __version__, basemap
from flightmap.geo import Case, Conflict, Event, Leg, Source, Waypoint, Zone
from flightmap.geodesy import bearing_deg

__all__ = ["EVIDENCE_STYLE", "build_map", "esc", "render_html", "write_html"]

#: How each evidence class is drawn: solid for observed, dashed for reported, dotted for
#: inferred (Leaflet ``dashArray`` values, in pixels).
EVIDENCE_STYLE: dict[str, dict[str, Any]] = {
    "observed": {"dash_array": None, "opacity": 0.95, "label": "observed (measured, e.g. ADS-B)"},
    "reported": {"dash_array": "10 6", "opacity": 0.9, "label": "reported (stated by a source)"},
    "inferred": {"dash_array": "2 7", "opacity": 0.85, "label": "inferred (derived here)"},
}

CATEGORY_COLOR: dict[str, str] = {
    "flight": "#1f4e9c",
    "approach": "#2a7fba",
    "atc": "#6a3d9a",
    "adsb": "#0f8b8d",
    "gnss": "#e08a00",
    "damage": "#c0151b",
    "systems": "#d7301f",
    "military": "#7f0000",
    "context": "#777777",
}
WAYPOINT_COLOR: dict[str, str] = {
    "airport": "#1f4e9c",
    "air_base": "#7f0000",
    "crash_site": "#000000",
}
ZONE_STYLE: dict[str, dict[str, Any]] = {
    "gnss_interference": {"color": "#e08a00", "fillColor": "#f5b942", "fillOpacity": 0.18},
    "airspace_closure": {"color": "#c0151b", "fillColor": "#c0151b", "fillOpacity": 0.07},
}
DEFAULT_COLOR = "#555555"
LEG_COLOR = "#1f4e9c"


# --------------------------------------------------------------------------- escaping


def esc(text: object) -> str:
    """Escape text for HTML that folium also places inside JavaScript template literals.

    Besides ``& < > " '``, backslashes, backticks and ``$`` become character references, so
    the text can neither close a JavaScript template literal, nor open a ``${...}``
    interpolation, nor smuggle escape sequences such as ``\\x3c``.

    >>> esc('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc("`${alert(1)}`")
    '&#96;&#36;{alert(1)}&#96;'
    """
    out = html.escape(str(text), quote=True)
    return out.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _safe_url(url: str) -> str | None:
    """The URL escaped for an ``href`` if it is http(s), else None."""
    if url.lower().startswith(("http://", "https://")) and not any(c in url for c in "\"'<> "):
        return esc(url)
    return None


# --------------------------------------------------------------------------- popups


def _fmt_time(when: datetime, zones: Sequence[tuple[str, str]], uncertainty_s: float = 0) -> str:
    """Rows of a table: the UTC time, then the local time in each named zone."""
    if uncertainty_s >= 120:
        plus = f" (± {uncertainty_s / 60:g} min)"
    elif uncertainty_s > 1:
        plus = f" (± {uncertainty_s:g} s)"
    else:
        plus = ""
    rows = [f"<tr><th>UTC</th><td>{when:%Y-%m-%d %H:%M:%S} UTC{esc(plus)}</td></tr>"]
    for zone, label in zones:
        local = when.astimezone(ZoneInfo(zone))
        offset = local.isoformat()[-6:]  # "+04:00"
        rows.append(
            f"<tr><th>{esc(label)}</th><td>{local:%H:%M:%S} ({esc(zone)}, UTC{offset})</td></tr>"
        )
    return "".join(rows)


def _source_item(src: Source) -> str:
    """A source as HTML: its title linked to its (http/https only) URL, then publisher and date."""
    meta = ", ".join(x for x in (src.publisher, src.date, src.kind.replace("_", " ")) if x)
    url = _safe_url(src.url)
    title = esc(src.title)
    link = (
        f'<a href="{url}" target="_blank" rel="noopener noreferrer">{title}</a>'
        if url
        else f"{title} <i>(no URL recorded)</i>"
    )
    return f"{link} <span class='fm-meta'>({esc(meta)})</span>"


def _sources_html(ids: Iterable[str], sources: Mapping[str, Source]) -> str:
    items = "".join(f"<li>{_source_item(sources[sid])}</li>" for sid in ids)
    return f"<div class='fm-sources'><b>Sources</b><ul>{items}</ul></div>"


def _evidence_html(evidence: str, confidence: str) -> str:
    return (
        f"<p class='fm-evidence'><b>Evidence:</b> <span class='fm-ev-{esc(evidence)}'>"
        f"{esc(evidence)}</span> &middot; <b>Confidence:</b> {esc(confidence)}</p>"
    )


def _item_summary(case: Case, item_id: str) -> str:
    """One cell of a conflict table: what an item says, when, and who says it."""
    item = case.item(item_id)
    if isinstance(item, Event):
        what = f"<b>{item.time:%H:%M:%S} UTC</b> {esc(item.title)}"
    elif isinstance(item, Waypoint):
        what = f"<b>{esc(item.name)}</b> {item.lat:.5f}, {item.lon:.5f}"
    else:
        what = esc(item.statement)
    who = "; ".join(esc(case.sources[s].publisher) for s in item.sources)
    return f"{what}<br><span class='fm-meta'>{who} &middot; {esc(item.confidence)}</span>"


def _conflicts_html(case: Case, item_id: str) -> str:
    blocks = []
    for k in _conflicts_of(case, item_id):
        cells = [
            "".join(f"<div class='fm-claim'>{_item_summary(case, i)}</div>" for i in side)
            for side in (k.side_a, k.side_b)
        ]
        blocks.append(
            f"<div class='fm-conflict'><b>Sources disagree: {esc(k.topic)}</b>"
            f"<table><tr><td>{cells[0]}</td><td>{cells[1]}</td></tr></table>"
            f"<p>{esc(k.summary)}</p><p><i>{esc(k.handling)}</i></p></div>"
        )
    return "".join(blocks)


def _conflicts_of(case: Case, item_id: str) -> list[Conflict]:
    return [k for k in case.conflicts if item_id in k.side_a or item_id in k.side_b]


def _event_popup(case: Case, ev: Event) -> str:
    parts = [
        f"<h4>{esc(ev.title)}</h4>",
        f"<table class='fm-times'>{_fmt_time(ev.time, case.timezones, ev.uncertainty_s)}</table>",
        f"<p>{esc(ev.description)}</p>" if ev.description else "",
        _evidence_html(ev.evidence, ev.confidence),
        f"<p><b>Time basis:</b> {esc(ev.basis)}</p>" if ev.basis else "",
        f"<p><b>Position (inferred):</b> {esc(ev.position_basis)}</p>" if ev.position_basis else "",
        _sources_html(ev.sources, case.sources),
        _conflicts_html(case, ev.id),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def _waypoint_popup(case: Case, w: Waypoint) -> str:
    rows = [
        f"<tr><th>Position</th><td>{w.lat:.6f}, {w.lon:.6f} (lat, lon)</td></tr>",
        f"<tr><th>Elevation</th><td>{w.elev_ft:g} ft</td></tr>" if w.elev_ft is not None else "",
        f"<tr><th>ICAO / IATA</th><td>{esc(w.icao)} / {esc(w.iata)}</td></tr>" if w.icao else "",
        f"<tr><th>Uncertainty</th><td>{w.uncertainty_km:g} km</td></tr>"
        if w.uncertainty_km
        else "",
    ]
    parts = [
        f"<h4>{esc(w.name)}</h4><table>{''.join(rows)}</table>",
        f"<p>{esc(w.note)}</p>" if w.note else "",
        _evidence_html(w.evidence, w.confidence),
        f"<p><b>How derived:</b> {esc(w.basis)}</p>" if w.basis else "",
        _sources_html(w.sources, case.sources),
        _conflicts_html(case, w.id),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def _leg_popup(case: Case, leg: Leg, km: float, brg: float) -> str:
    parts = [
        f"<h4>{esc(leg.label)}</h4>",
        f"<p>{km:.1f} km geodesic (WGS84), initial bearing {brg:.0f}° true</p>",
        _evidence_html(leg.evidence, leg.confidence),
        f"<p><b>Basis:</b> {esc(leg.basis)}</p>" if leg.basis else "",
        _sources_html(leg.sources, case.sources),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def _zone_popup(case: Case, z: Zone) -> str:
    until = (
        f"<table class='fm-times'>{_fmt_time(z.valid_to, case.timezones)}</table>"
        if z.valid_to
        else "<p>no end time given by any source</p>"
    )
    parts = [
        f"<h4>{esc(z.name)}</h4>",
        f"<p><b>Valid from</b></p><table class='fm-times'>{_fmt_time(z.valid_from, case.timezones)}"
        "</table>",
        f"<p><b>Valid until</b></p>{until}",
        _evidence_html(z.evidence, z.confidence),
        f"<p><b>Outline basis:</b> {esc(z.basis)}</p>",
        _sources_html(z.sources, case.sources),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def _popup(html_text: str) -> folium.Popup:
    # Passed as a pre-escaped html.Element so folium inserts it verbatim (and only once).
    return folium.Popup(folium.Html(html_text, script=True), max_width=460)


# --------------------------------------------------------------------------- layers


def _waypoint_layer(case: Case) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Waypoints and airports", show=True)
    for w in case.waypoints.values():
        style = EVIDENCE_STYLE[w.evidence]
        color = WAYPOINT_COLOR.get(w.kind, DEFAULT_COLOR)
        if w.uncertainty_km:
            folium.Circle(
                location=list(w.latlon),
                radius=w.uncertainty_km * 1000.0,
                color=color,
                weight=1,
                dash_array="2 7",
                fill=False,
                interactive=False,
            ).add_to(layer)
        folium.CircleMarker(
            location=list(w.latlon),
            radius=7 if w.kind == "airport" else 5,
            color=color,
            weight=2,
            dash_array=style["dash_array"],
            fill=True,
            fill_color="#ffffff" if w.evidence == "inferred" else color,
            fill_opacity=0.9,
            popup=_popup(_waypoint_popup(case, w)),
            tooltip=folium.Tooltip(esc(f"{w.name} ({w.evidence}, {w.confidence})")),
            class_name=f"fm-waypoint fm-ev-{w.evidence}",
        ).add_to(layer)
    return layer


def _legs_layer(case: Case) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Route legs (line style = evidence)", show=True)
    for leg in case.legs:
        a, b = case.waypoints[leg.start].latlon, case.waypoints[leg.end].latlon
        km = case.leg_length_m(leg) / 1000.0
        brg = bearing_deg(a, b)
        style = EVIDENCE_STYLE[leg.evidence]
        folium.PolyLine(
            locations=[[p.lat, p.lon] for p in case.leg_points(leg)],
            color=LEG_COLOR,
            weight=3,
            opacity=style["opacity"],
            dash_array=style["dash_array"],
            popup=_popup(_leg_popup(case, leg, km, brg)),
            tooltip=folium.Tooltip(
                esc(f"{km:.0f} km · {brg:03.0f}°"),
                permanent=True,
                direction="center",
                class_name="fm-leg-label",
            ),
            class_name=f"fm-leg fm-ev-{leg.evidence}",
        ).add_to(layer)
    return layer


def _events_layer(case: Case) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Events (positioned)", show=True)
    placed = [ev for ev in case.events if ev.waypoint]
    # Events at the same point are drawn as concentric rings, the earliest outermost, so each
    # stays clickable; pixel radii change nothing about the position.
    stack: dict[str, int] = {}
    for ev in placed:
        stack[ev.waypoint] = stack.get(ev.waypoint, 0) + 1
    seen: dict[str, int] = {}
    for ev in placed:
        pos = case.event_position(ev)
        assert pos is not None
        idx = seen.get(ev.waypoint, 0)
        seen[ev.waypoint] = idx + 1
        radius = 6 + 4 * (stack[ev.waypoint] - 1 - idx)
        color = CATEGORY_COLOR.get(ev.category, DEFAULT_COLOR)
        if ev.position_uncertainty_km and idx == 0:
            folium.Circle(
                location=list(pos),
                radius=ev.position_uncertainty_km * 1000.0,
                color=color,
                weight=1,
                dash_array="2 7",
                fill=True,
                fill_opacity=0.04,
                interactive=False,
            ).add_to(layer)
        folium.CircleMarker(
            location=list(pos),
            radius=radius,
            color=color,
            weight=2,
            fill=True,
            fill_color=color,
            fill_opacity=0.35,
            popup=_popup(_event_popup(case, ev)),
            tooltip=folium.Tooltip(esc(f"{ev.time:%H:%M:%S} UTC · {ev.title}")),
            class_name=f"fm-event fm-event-{ev.id}",
        ).add_to(layer)
    return layer


def _zones_layer(case: Case) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Reported zones (jamming, Kovyor)", show=True)
    for z in case.zones:
        style = dict(ZONE_STYLE.get(z.kind, {"color": DEFAULT_COLOR, "fillOpacity": 0.1}))
        style.update(
            weight=2,
            dashArray=EVIDENCE_STYLE[z.evidence]["dash_array"],
            className=f"fm-zone fm-zone-{z.id}",
        )
        gj = folium.GeoJson(
            {
                "type": "Feature",
                "properties": {"id": z.id},
                "geometry": z.geometry.__geo_interface__,
            },
            name=z.name,
            style_function=_constant_style(style),
            highlight_function=None,
            tooltip=folium.Tooltip(esc(z.name)),
        )
        _popup(_zone_popup(case, z)).add_to(gj)
        gj.add_to(layer)
    return layer


def _constant_style(style: Mapping[str, Any]) -> Any:
    return lambda _feature: dict(style)


def _offline_layer() -> folium.GeoJson:
    return folium.GeoJson(
        basemap.countries_geojson(),
        name="Coastlines and borders (offline, Natural Earth)",
        style_function=_constant_style(
            {"color": "#7a7a7a", "weight": 1, "fillColor": "#efeae0", "fillOpacity": 0.55}
        ),
        interactive=False,
        control=True,
        show=True,
        embed=True,
        zoom_on_click=False,
    )


def _ms(when: datetime) -> int:
    """Milliseconds since the Unix epoch, the time unit of Leaflet.timeline."""
    return round(when.timestamp() * 1000)


# JavaScript for the replay layer. Feature properties hold pre-escaped HTML (see esc()).
_REPLAY_POINT = JsCode(
    """function (feature, latlng) {
    var p = feature.properties;
    return L.circleMarker(latlng, {radius: p.radius, color: p.color, weight: 2,
        fillColor: p.fill, fillOpacity: 0.8, className: p.className});
}"""
)
_REPLAY_EACH = JsCode(
    """function (feature, layer) {
    if (feature.properties.popup) { layer.bindPopup(feature.properties.popup, {maxWidth: 460}); }
    if (feature.properties.tooltip) { layer.bindTooltip(feature.properties.tooltip); }
}"""
)
_REPLAY_STYLE = JsCode(
    """function (feature) {
    var p = feature.properties;
    return {color: p.color, fillColor: p.fill, fillOpacity: 0.2, weight: 2,
        dashArray: p.dashArray, className: p.className};
}"""
)
_UTC_LABEL = JsCode(
    """function (ms) {
    return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}"""
)


def _replay_features(case: Case) -> list[dict[str, Any]]:
    """GeoJSON features with ``start``/``end`` in ms: events appear when they happen, zones
    during their validity, and a marker shows the last place an event puts the aircraft."""
    if not case.events:
        return []
    end = _ms(case.events[-1].time) + 60_000
    feats: list[dict[str, Any]] = []
    for z in case.zones:
        style = ZONE_STYLE.get(z.kind, {"color": DEFAULT_COLOR, "fillColor": DEFAULT_COLOR})
        feats.append(
            {
                "type": "Feature",
                "geometry": z.geometry.__geo_interface__,
                "properties": {
                    "start": _ms(z.valid_from),
                    "end": _ms(z.valid_to) if z.valid_to else end,
                    "color": style["color"],
                    "fill": style["fillColor"],
                    "dashArray": EVIDENCE_STYLE[z.evidence]["dash_array"],
                    "className": f"fm-replay-zone fm-replay-zone-{esc(z.id)}",
                    "tooltip": esc(z.name),
                    "popup": _zone_popup(case, z),
                },
            }
        )
    placed = [ev for ev in case.events if ev.waypoint]
    for ev in placed:
        pos = case.event_position(ev)
        assert pos is not None
        color = CATEGORY_COLOR.get(ev.category, DEFAULT_COLOR)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [pos.lon, pos.lat]},
                "properties": {
                    "start": _ms(ev.time),
                    "end": end,
                    "radius": 6,
                    "color": color,
                    "fill": color,
                    "className": f"fm-replay-event fm-replay-event-{esc(ev.id)}",
                    "tooltip": esc(f"{ev.time:%H:%M:%S} UTC · {ev.title}"),
                    "popup": _event_popup(case, ev),
                },
            }
        )
    for ev, nxt in zip(placed, [*placed[1:], None], strict=True):
        pos = case.event_position(ev)
        assert pos is not None
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [pos.lon, pos.lat]},
                "properties": {
                    "start": _ms(ev.time),
                    "end": _ms(nxt.time) if nxt else end,
                    "radius": 10,
                    "color": "#000000",
                    "fill": "#ffd400",
                    "className": "fm-replay-aircraft",
                    "tooltip": esc(
                        f"aircraft: last placed at {case.waypoints[ev.waypoint].name} "
                        f"({ev.time:%H:%M:%S} UTC, {ev.title}); position between events unknown"
                    ),
                },
            }
        )
    return feats


def _replay(case: Case, m: folium.Map) -> None:
    feats = _replay_features(case)
    if not feats:
        return
    timeline = plugins.Timeline(
        {"type": "FeatureCollection", "features": feats},
        point_to_layer=_REPLAY_POINT,
        on_each_feature=_REPLAY_EACH,
        style=_REPLAY_STYLE,
    )
    # Timeline passes only the data to GeoJson, so set the layer-control attributes here.
    timeline.layer_name = "Replay (time slider)"
    timeline.show = True
    timeline.add_to(m)
    span_ms = max(f["properties"]["end"] for f in feats) - min(
        f["properties"]["start"] for f in feats
    )
    slider = plugins.TimelineSlider(
        auto_play=False,
        show_ticks=True,
        enable_keyboard_controls=True,
        playback_duration=30_000,
        steps=max(span_ms // 10_000, 1),  # one step per 10 s of flight time
    )
    slider.options["format_output"] = _UTC_LABEL  # type: ignore[assignment]  # folium types it narrowly
    slider.add_timelines(timeline).add_to(m)


# --------------------------------------------------------------------------- panels

_CSS = """
<style>
.fm-panel{position:absolute;z-index:1000;background:rgba(255,255,255,.94);padding:8px 10px;
 border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);font:12px/1.35 system-ui,sans-serif;
 max-width:300px;max-height:calc(100vh - 150px);overflow:auto}
.fm-title{top:10px;left:54px}
.fm-panel h3{margin:0 0 4px;font-size:15px}.fm-panel summary{cursor:pointer;font-weight:600}
.fm-popup h4{margin:0 0 4px}.fm-popup table{border-collapse:collapse}
.fm-popup th{text-align:left;padding-right:8px;font-weight:600;vertical-align:top}
.fm-meta{color:#666}.fm-sources ul{margin:2px 0;padding-left:16px}
.fm-conflict{border-left:3px solid #c0151b;padding-left:6px;margin-top:6px}
.fm-conflict td{vertical-align:top;width:50%;border:1px solid #ddd;padding:3px}
.fm-ev-inferred{color:#8a5a00}.fm-ev-reported{color:#1f4e9c}.fm-ev-observed{color:#176c2b}
.fm-leg-label{background:rgba(255,255,255,.8);border:0;box-shadow:none;font-size:11px}
.fm-swatch{display:inline-block;width:34px;height:0;border-top:3px solid #1f4e9c;
 margin-right:6px;vertical-align:middle}
.fm-dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
.fm-timeline td{padding:1px 4px;vertical-align:top}
</style>
"""


def _title_panel(case: Case) -> str:
    flight = " · ".join(
        esc(v) for k, v in case.flight.items() if k in ("iata", "registration", "aircraft")
    )
    # Every event, placed on the map or not, is readable here with its sources.
    timeline_rows = "".join(
        f"<tr><td>{ev.time:%H:%M:%S}</td><td><details class='fm-ev-{esc(ev.evidence)}'>"
        f"<summary>{esc(ev.title)}"
        f"{' <i>(sources disagree)</i>' if ev.conflicts_with else ''}</summary>"
        f"{_event_popup(case, ev)}</details></td></tr>"
        for ev in case.events
    )
    sources = "".join(f"<li>{_source_item(s)}</li>" for s in case.sources.values())
    inferred = (
        [(w.name, w.basis) for w in case.waypoints.values() if w.evidence == "inferred"]
        + [(z.name, z.basis) for z in case.zones if z.evidence == "inferred"]
        + [(g.label, g.basis) for g in case.legs if g.evidence == "inferred"]
    )
    inferred_html = "".join(f"<li><b>{esc(n)}</b>: {esc(b)}</li>" for n, b in inferred)
    return f"""
<div class="fm-panel fm-title" id="fm-title">
<h3>{esc(case.title)}</h3>
<div>{flight}</div>
<details><summary>Summary</summary><p>{esc(case.summary.strip())}</p></details>
{_legend(case)}
<details><summary>Timeline (UTC, {len(case.events)} events)</summary>
<table class="fm-timeline">{timeline_rows}</table></details>
<details id="fm-methods"><summary>Methods and sources</summary>
<p>Times are UTC; popups add local times in the named zones. Evidence classes: <b>observed</b> =
measured by a sensor; <b>reported</b> = stated by a source; <b>inferred</b> = derived here, with
the method given. Nothing on this map comes from a raw ADS-B track of this flight: none is
published for 04:25 to 06:07 UTC.</p>
<p><b>Inferred elements and how they were derived</b></p><ul>{inferred_html}</ul>
<p><b>Sources ({len(case.sources)})</b></p><ul>{sources}</ul>
<p class="fm-meta">flightmap {esc(__version__)} · case {esc(case.id)}</p>
</details></div>"""


def _legend(case: Case) -> str:
    lines = "".join(
        f"<div><span class='fm-swatch' style='border-top-style:"
        f"{'solid' if s['dash_array'] is None else 'dashed' if ev == 'reported' else 'dotted'}'>"
        f"</span>{esc(s['label'])}</div>"
        for ev, s in EVIDENCE_STYLE.items()
    )
    used = sorted({ev.category for ev in case.events if ev.waypoint})
    dots = "".join(
        f"<div><span class='fm-dot' style='background:{CATEGORY_COLOR.get(c, DEFAULT_COLOR)}'>"
        f"</span>event: {esc(c)}</div>"
        for c in used
    )
    zones = "".join(
        f"<div><span class='fm-dot' style='background:{s['fillColor']};border:2px solid "
        f"{s['color']}'></span>{esc(k.replace('_', ' '))} zone</div>"
        for k, s in ZONE_STYLE.items()
    )
    return (
        f"<details open id='fm-legend'><summary>Legend</summary>{lines}{dots}{zones}"
        "<div><span class='fm-dot' style='border:1px dashed #555'></span>uncertainty radius"
        "</div></details>"
    )


# --------------------------------------------------------------------------- assembly


def build_map(case: Case, *, tiles: str = "OpenStreetMap") -> folium.Map:
    """Build the interactive map of ``case``.

    Parameters
    ----------
    case : Case
        A validated case from :func:`flightmap.geo.load_case`.
    tiles : str
        Name of the base layer shown first: ``"OpenStreetMap"`` or ``"Esri.WorldImagery"``.

    Returns
    -------
    folium.Map
        The map, with a layer control, legend and panels; fitted to the case's waypoints.
    """
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    bases = {
        "OpenStreetMap": "Street map (OpenStreetMap)",
        "Esri.WorldImagery": "Satellite (Esri World Imagery)",
    }
    if tiles not in bases:
        raise ValueError(f"unknown tiles {tiles!r}: expected one of {', '.join(bases)}")
    for name in sorted(bases, key=lambda n: n != tiles):
        folium.TileLayer(name, name=bases[name], show=name == tiles).add_to(m)
    _offline_layer().add_to(m)
    _zones_layer(case).add_to(m)
    _legs_layer(case).add_to(m)
    _waypoint_layer(case).add_to(m)
    _events_layer(case).add_to(m)
    _replay(case, m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="kilometers").add_to(m)
    plugins.MousePosition(position="bottomright", separator=" , ", prefix="lat , lon:").add_to(m)
    plugins.MiniMap(position="bottomright", toggle_display=True, zoom_level_offset=-5).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(_CSS), name="fm_css")
    root.html.add_child(Element(_title_panel(case)), name="fm_title")
    lats = [w.lat for w in case.waypoints.values()]
    lons = [w.lon for w in case.waypoints.values()]
    # Keep the data clear of the title panel (left) and the time slider (bottom).
    m.fit_bounds(
        [[min(lats), min(lons)], [max(lats), max(lons)]],
        padding_top_left=(330, 20),
        padding_bottom_right=(20, 110),
    )
    return m


def _stable_ids(root: Element) -> None:
    """Give every element a sequential id, so the same map renders to the same bytes.

    folium names each element with 16 random bytes; the names end up in the page as JavaScript
    variable names. Renumbering in tree order (children, then elements held as attributes, such
    as a MiniMap's tile layer or a Figure's header) keeps them unique and reproducible.
    """
    counter = 0
    seen: set[int] = set()

    def walk(el: Element) -> None:
        nonlocal counter
        if id(el) in seen:
            return
        seen.add(id(el))
        children = list(el._children.values())
        held = [
            v
            for k, v in vars(el).items()
            if k != "_parent" and isinstance(v, Element) and v is not el and v not in children
        ]
        for child in [*children, *held]:
            if id(child) not in seen:
                child._id = f"{counter:04x}"
                counter += 1
        el._children = OrderedDict((c.get_name(), c) for c in children)
        for child in [*children, *held]:
            walk(child)

    walk(root)


def render_html(m: folium.Map) -> str:
    """The complete HTML page of ``m``, byte-identical for identical maps."""
    root = m.get_root()
    assert isinstance(root, Figure)
    _stable_ids(root)
    return str(root.render())


def _default_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_html(path: str | os.PathLike[str], page: str) -> Path:
    """Write ``page`` to ``path`` atomically: a temporary file in the same folder, then rename.

    A failure at any point leaves a previous file at ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        # mkstemp creates the file 0600; give the map the mode a plain open() would.
        os.chmod(tmp, _default_mode(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
