"""The case's clickable marks: waypoints and positioned events, always on top and never hidden
under one another.

Marks are Leaflet markers (small HTML dots) in the marker pane, above every line and area, so a
click on a mark always reaches it; zones and regions lie in a pane beneath and answer only on
their outline. Events that share a place (six at Grozny in J2-8243) or that fall within a few
pixels of each other at the current zoom are spread on a small circle around their true point,
in time order clockwise from the top, each tied to the point by a thin leader line: the spread
is drawn in screen pixels and changes nothing about the position. It is redone after every zoom.

Popups carry the item's id (``data-event-id``, ``data-waypoint-id``) so the step-through and
the tests can tell which one is open. Every text is escaped in Python before it reaches the page.
"""

from __future__ import annotations

from typing import Any

import folium
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap.geo import Case
from flightmap.render._html import esc, event_popup, waypoint_popup
from flightmap.render._script import Prerendered, script_json
from flightmap.style import CATEGORY_COLOR, DEFAULT_COLOR, WAYPOINT_COLOR

__all__ = ["MARK_PX", "MarksLayer", "marks_layer"]

#: Diameter of an event dot, CSS px (a waypoint's square is 2 px larger).
MARK_PX = 14


def _ms(when: Any) -> int:
    return round(float(when.timestamp()) * 1000)


def marks_payload(case: Case) -> dict[str, Any]:
    """Waypoints and positioned events as JSON-ready data (texts escaped, (lat, lon) degrees)."""
    places = []
    # Uncertainty circles (metres on the ground), drawn under everything and never clickable.
    rings = [
        {
            "lat": round(w.lat, 6),
            "lon": round(w.lon, 6),
            "r": w.uncertainty_km * 1000.0,
            "color": WAYPOINT_COLOR.get(w.kind, DEFAULT_COLOR),
        }
        for w in case.waypoints.values()
        if w.uncertainty_km
    ]
    for w in case.waypoints.values():
        places.append(
            {
                "id": w.id,  # set with className / textContent, never parsed as HTML
                "lat": round(w.lat, 6),
                "lon": round(w.lon, 6),
                "color": WAYPOINT_COLOR.get(w.kind, DEFAULT_COLOR),
                "inferred": w.evidence == "inferred",
                "tip": esc(f"{w.name} ({w.evidence}, {w.confidence})"),
                "popup": f"<div data-waypoint-id='{esc(w.id)}'>{waypoint_popup(case, w)}</div>",
            }
        )
    events = []
    ringed: set[tuple[str, float]] = {
        (w.id, w.uncertainty_km * 1000.0) for w in case.waypoints.values() if w.uncertainty_km
    }
    for ev in case.events:
        place = case.placement(ev)
        if place is None:
            continue
        pos = place.position
        # The place's own uncertainty (the event's, else its waypoint's), drawn once per radius.
        if place.uncertainty_m and (place.waypoint, place.uncertainty_m) not in ringed:
            ringed.add((place.waypoint, place.uncertainty_m))
            rings.append(
                {
                    "lat": round(pos.lat, 6),
                    "lon": round(pos.lon, 6),
                    "r": place.uncertainty_m,
                    "color": CATEGORY_COLOR.get(ev.category, DEFAULT_COLOR),
                }
            )
        events.append(
            {
                "id": ev.id,
                "lat": round(pos.lat, 6),
                "lon": round(pos.lon, 6),
                "t": _ms(ev.time),
                "color": CATEGORY_COLOR.get(ev.category, DEFAULT_COLOR),
                # A place flightmap derived (not measured or stated): the dotted ring.
                "placed": place.evidence == "inferred",
                "tip": esc(f"{ev.time:%H:%M:%S} UTC · {ev.title}"),
                "popup": f"<div data-event-id='{esc(ev.id)}'>{event_popup(case, ev)}</div>",
            }
        )
    return {"places": places, "events": events, "rings": rings, "px": MARK_PX}


class MarksLayer(JSCSSMixin, Prerendered):
    """Draws :func:`marks_payload` into its parent layer and keeps coincident marks spread."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var marks = {{ this.payload_json }};
            var group = {{ this._parent.get_name() }};
            var data = marks, px = data.px, byId = {};
            function icon(cls, color, dx, dy, size) {
                var h = size / 2, html = '';
                if (dx || dy) {
                    var len = Math.sqrt(dx * dx + dy * dy);
                    var ang = Math.atan2(-dy, -dx) * 180 / Math.PI;
                    html += '<i class="fm-leader" style="width:' + len.toFixed(1)
                        + 'px;left:' + h + 'px;top:' + h + 'px;transform:rotate('
                        + ang.toFixed(1) + 'deg)"></i>';
                }
                html += '<span class="fm-dot-mark" style="background:' + color + '"></span>';
                return L.divIcon({className: cls, html: html, iconSize: [size, size],
                    iconAnchor: [h - dx, h - dy], popupAnchor: [dx, dy - h],
                    tooltipAnchor: [dx + h, dy]});
            }
            data.rings.forEach(function (r) {
                group.addLayer(L.circle([r.lat, r.lon], {radius: r.r, color: r.color, weight: 1,
                    dashArray: '2 7', fill: true, fillOpacity: 0.04, interactive: false,
                    pane: 'fm-areas'}));
            });
            var all = [];  // places first (they stay on their point), then events by time
            function add(item, cls, size, z) {
                var m = L.marker([item.lat, item.lon], {icon: icon(cls, item.color, 0, 0, size),
                    keyboard: false, riseOnHover: true, zIndexOffset: z});
                m.bindPopup(item.popup, {maxWidth: 460});
                m.bindTooltip(item.tip);
                m.fmLook = {cls: cls, color: item.color, size: size, place: z < 0};
                all.push(m);
                group.addLayer(m);
                return m;
            }
            data.places.forEach(function (p) {
                add(p, 'fm-mark fm-place' + (p.inferred ? ' fm-inferred' : ''), px + 2, -100);
            });
            data.events.forEach(function (e) {
                var m = add(e, 'fm-mark fm-event fm-event-' + e.id
                    + (e.placed ? ' fm-inferred' : ''), px, 0);
                m.fmEvent = e;
                byId[e.id] = m;
            });
            // Marks closer than a dot's width at this zoom form a group: a place in it stays on
            // its point and the others go round it on a circle; a group of events alone goes
            // round the first one's point. Redone after every zoom.
            function spread() {
                var map = group._map;
                if (!map) { return; }
                var pts = all.map(function (m) { return map.latLngToLayerPoint(m.getLatLng()); });
                var done = all.map(function () { return false; });
                all.forEach(function (m, i) {
                    if (done[i]) { return; }
                    var members = [i];
                    done[i] = true;
                    for (var j = i + 1; j < all.length; j++) {
                        if (!done[j] && pts[i].distanceTo(pts[j]) < px * 1.3) {
                            members.push(j);
                            done[j] = true;
                        }
                    }
                    var stays = all[i].fmLook.place || members.length === 1;
                    var ring = stays ? members.slice(1) : members;
                    var n = ring.length;
                    var r = Math.max(px * 1.7, n * (px + 5) / (2 * Math.PI));
                    if (stays) { place(all[i], 0, 0); }
                    ring.forEach(function (k, rank) {
                        var a = -Math.PI / 2 + 2 * Math.PI * rank / n;
                        var off = pts[i].subtract(pts[k]);  // round the group's first point
                        place(all[k], Math.round(r * Math.cos(a)) + off.x,
                            Math.round(r * Math.sin(a)) + off.y);
                    });
                });
                map.fire('fmmarksmoved');  // place names move clear of the marks' new places
            }
            function place(m, dx, dy) {
                var look = m.fmLook;
                m.setIcon(icon(look.cls, look.color, dx, dy, look.size));
            }
            group.on('add', spread);
            group.fmSpread = spread;
            group.fmEvents = byId;
            function hook() {
                if (group._map) { group._map.on('zoomend', spread); spread(); }
                else { setTimeout(hook, 50); }
            }
            hook();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MarksLayer"
        self.payload_json = script_json(payload)


def marks_layer(case: Case) -> folium.FeatureGroup:
    """The layer of the case's waypoints and positioned events (see the module docstring)."""
    group = folium.FeatureGroup(name="Events and places (click for sources)", show=True)
    MarksLayer(marks_payload(case)).add_to(group)
    return group
