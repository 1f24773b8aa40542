"""The offline basemap and the place names, drawn in the page without any tile server.

:func:`basemap_layers` returns two layers for the layer control, both on by default:

- **Offline basemap**: sea (the background), land, lakes and land borders from
  :func:`flightmap.basemap.world_tiles`, in a pane under the tile pane. Online tiles, when they
  load, cover it; when they do not (offline, archived page, tile server down) it is what the
  reader sees. It never takes a click.
- **Place names**: seas, countries, cities and airports from :func:`flightmap.basemap.places_for`,
  real DOM text in a pane above the data lines and below the marks, ``pointer-events: none``.
  A few lines of JavaScript place them after every zoom or move: greedily in priority order,
  skipping any label whose box (in screen pixels) would touch one already placed, and any label
  outside its zoom range, so labels never overlap and thin out as the reader zooms out. A city
  or airport name moves to the left of, above or below its point when a mark (an icon of the
  marker pane, drawn above the names) covers its right side. They
  stay on over online tiles: the street map writes names in the local language and script
  (Dubai in Arabic, Grozny in Cyrillic) and the imagery writes none; the layer control turns
  them off.

Text reaches the page as JSON data and is set with ``textContent``, never parsed as HTML. This
module reads no file itself and holds no data; :mod:`flightmap.basemap` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template

from flightmap import basemap
from flightmap.basemap import Bounds, Place
from flightmap.render._script import page_json

__all__ = ["BASEMAP_STYLE", "PAGE_BUDGET", "basemap_layers", "labels_payload", "world_payload"]

#: What the offline basemap and the place names may add to a page (data and script), bytes:
#: the page-size bounds of the map are the map's own plus this (README, "Offline basemap").
PAGE_BUDGET = 200_000

#: Colours of the offline basemap: a pale blue sea, a warm pale land, thin grey borders.
BASEMAP_STYLE: dict[str, str] = {
    "sea": "#b9d3e6",
    "land": "#f3efe4",
    "border": "#9a9085",
}
_KINDS = {"sea": 0, "country": 1, "city": 2, "airport": 4}
# Cities of a million people or more get the bold style (kind 3 in the page).
_MAJOR = 1_000_000
_ATTRIBUTION = (
    '<a href="https://www.naturalearthdata.com/">Natural Earth</a> · '
    '<a href="https://www.geonames.org/">GeoNames</a> '
    '(<a href="https://creativecommons.org/licenses/by/4.0/">CC BY</a>)'
)


def world_payload(bounds: Bounds) -> dict[str, Any]:
    """The basemap data of a page: colours and one group of polygons per precision.

    Returns
    -------
    dict
        ``style`` (:data:`BASEMAP_STYLE`) and ``groups``: for each number of decimals, the
        ``land`` and ``lakes`` polygons (lists of encoded rings) and the ``borders`` lines of
        every tile at that precision, in :func:`flightmap.basemap.world_tiles` order.
    """
    groups: dict[int, dict[str, Any]] = {}
    for decimals, tile in basemap.world_tiles(bounds):
        g = groups.setdefault(decimals, {"p": decimals, "land": [], "lakes": [], "borders": []})
        for key in ("land", "lakes", "borders"):
            g[key].extend(tile[key])
    return {"style": BASEMAP_STYLE, "groups": [groups[k] for k in sorted(groups)]}


def label_text(p: Place) -> str:
    """The text written for a place: its name, or ``IATA · ICAO`` for an airport.

    >>> label_text(Place("airport", "LAX", "KLAX", 33.9, -118.4, 0, 8, 99))
    'LAX · KLAX'
    """
    return f"{p.name} · {p.code}" if p.kind == "airport" and p.code else p.name


def labels_payload(places: Sequence[Place]) -> list[list[Any]]:
    """Places as compact rows ``[kind, lat, lon, text, minzoom, maxzoom]`` in the given order.

    ``kind`` is 0 sea, 1 country, 2 city, 3 city of a million or more, 4 airport; latitude
    and longitude are rounded to 3 decimals (about 100 m, under a pixel below zoom 10).

    >>> labels_payload([Place("city", "Baku", "AZ", 40.3777, 49.892, 2351300, 4, 99)])
    [[3, 40.378, 49.892, 'Baku', 4, 99]]
    """
    rows = []
    for p in places:
        kind = _KINDS[p.kind]
        if p.kind == "city" and p.rank >= _MAJOR:
            kind = 3
        rows.append([kind, round(p.lat, 3), round(p.lon, 3), label_text(p), p.minzoom, p.maxzoom])
    return rows


_CSS = """<style>
.fm-pl{position:absolute;left:0;top:0;white-space:nowrap;pointer-events:none;
 font:12px/14px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#2f2a24;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.fm-pl-k2::before,.fm-pl-k3::before{content:"";display:inline-block;width:5px;height:5px;
 margin:0 3px 1px 0;border-radius:50%;background:#4a4036;vertical-align:middle}
.fm-pl-k3{font-weight:600;font-size:13px}
.fm-pl-k0{font-style:italic;color:#245f8c;font-size:13px;letter-spacing:.04em}
.fm-pl-k1{text-transform:uppercase;letter-spacing:.1em;color:#7a6a58;font-size:11px}
.fm-pl-k4{color:#5b3f86;font-size:11px}
.fm-pl-k4::before{content:"\\2708\\FE0E";margin-right:2px}
.fm-pl-l::before,.fm-pl-a::before,.fm-pl-b::before{display:none}
.fm-pl-k2.fm-pl-l::after,.fm-pl-k3.fm-pl-l::after{content:"";display:inline-block;width:5px;
 height:5px;margin:0 0 1px 3px;border-radius:50%;background:#4a4036;vertical-align:middle}
.fm-pl-k4.fm-pl-l::after{content:"\\2708\\FE0E";margin-left:2px}
</style>"""

# The basemap layer: sea rectangle, land, lakes and borders, decoded from encoded polylines,
# in a pane under the tiles (z-index 150; tiles are 200), never interactive.
_BASEMAP_JS = """
var {{ this.get_name() }} = (function (map, d) {
    function decode(str, p) {
        var f = Math.pow(10, -p), out = [], i = 0, lat = 0, lon = 0;
        while (i < str.length) {
            var v = [0, 0];
            for (var k = 0; k < 2; k++) {
                var r = 0, shift = 0, b;
                do { b = str.charCodeAt(i++) - 63; r |= (b & 31) << shift; shift += 5; }
                while (b >= 32);
                v[k] = (r & 1) ? ~(r >> 1) : (r >> 1);
            }
            lat += v[0]; lon += v[1];
            out.push([lat * f, lon * f]);
        }
        return out;
    }
    if (!map.getPane("fmBasemap")) {
        var pane = map.createPane("fmBasemap");
        pane.style.zIndex = 150;
        pane.style.pointerEvents = "none";
    }
    var s = d.style, land = [], lakes = [], borders = [];
    d.groups.forEach(function (g) {
        g.land.forEach(function (poly) {
            land.push(poly.map(function (r) { return decode(r, g.p); }));
        });
        g.lakes.forEach(function (poly) {
            lakes.push(poly.map(function (r) { return decode(r, g.p); }));
        });
        g.borders.forEach(function (line) { borders.push(decode(line, g.p)); });
    });
    var o = {pane: "fmBasemap", interactive: false, bubblingMouseEvents: false};
    return L.layerGroup([
        L.rectangle([[-85.06, -540], [85.06, 540]],
            L.extend({stroke: false, fillColor: s.sea, fillOpacity: 1}, o)),
        // No outline: polygons are cut at tile edges, and an outline would draw the cuts.
        L.polygon(land, L.extend({stroke: false, fillColor: s.land, fillOpacity: 1,
            smoothFactor: 0.5}, o)),
        L.polygon(lakes, L.extend({stroke: false, fillColor: s.sea, fillOpacity: 1}, o)),
        L.polyline(borders, L.extend({color: s.border, weight: 0.8, opacity: 0.9,
            fill: false, smoothFactor: 0.5}, o))
    ], {attribution: {{ this.attribution }}});
})({{ this._parent.get_name() }}, {{ this.data }});
"""

# The labels layer: a div in a pane above the overlays (z-index 440; overlays are 400, the
# page's aircraft pane 450, markers 600), placed greedily in priority order after each zoom
# or move.
_LABELS_JS = """
var {{ this.get_name() }} = (function (rows) {
    var Labels = L.Layer.extend({
        options: {attribution: {{ this.attribution }}},
        onAdd: function (map) {
            if (!map.getPane("fmLabels")) {
                var pane = map.createPane("fmLabels");
                pane.style.zIndex = 440;
                pane.style.pointerEvents = "none";
            }
            this._box = L.DomUtil.create("div", "fm-place-labels", map.getPane("fmLabels"));
            this._nodes = [];
            map.on("zoomend moveend resize viewreset", this._place, this);
            map.on("zoomstart", this._hide, this);
            // Marks added, removed or spread later (layer control, page load, a zoom: the event
            // "fmmarksmoved" of render/_marks.py) move names: once a frame.
            map.on("layeradd layerremove fmmarksmoved", this._later, this);
            this._place();
        },
        onRemove: function (map) {
            map.off("zoomend moveend resize viewreset", this._place, this);
            map.off("zoomstart", this._hide, this);
            map.off("layeradd layerremove fmmarksmoved", this._later, this);
            L.Util.cancelAnimFrame(this._frame);
            L.DomUtil.remove(this._box);
            this._nodes = [];
        },
        _hide: function () { this._box.style.display = "none"; },
        _later: function () {
            if (this._frame) { return; }
            this._frame = L.Util.requestAnimFrame(function () {
                this._frame = null;
                if (this._map) { this._place(); }
            }, this);
        },
        _place: function () {
            var map = this._map, z = map.getZoom(), size = map.getSize(), todo = [], i, r;
            this._box.style.display = "";
            for (i = 0; i < rows.length; i++) {
                r = rows[i];
                var node = this._nodes[i], pt = null;
                if (z >= r[4] && z <= r[5]) {
                    // A page across the antimeridian is drawn in [0, 360) (_antimeridian.py).
                    pt = map.latLngToContainerPoint(
                        [r[1], window.fmLon360 && r[2] < 0 ? r[2] + 360 : r[2]]);
                    if (pt.x < -100 || pt.y < -30 || pt.x > size.x + 100 || pt.y > size.y + 30) {
                        pt = null;
                    }
                }
                if (pt === null) {
                    if (node) { node.style.display = "none"; }
                    continue;
                }
                if (!node) {
                    node = this._nodes[i] = L.DomUtil.create("span", "fm-pl fm-pl-k" + r[0],
                        this._box);
                    node.textContent = r[3];
                }
                node.style.display = "";
                todo.push([i, pt]);
            }
            // Sizes are read in one pass (one layout), then every box is tested.
            for (i = 0; i < todo.length; i++) {
                var n = this._nodes[todo[i][0]];
                if (n._w === undefined) { n._w = n.offsetWidth; n._h = n.offsetHeight; }
            }
            // Marks (icons and permanent tooltips of the panes above the names, under 300 x 80
            // px) are obstacles too: a city or airport name goes to the right of its point; if
            // a mark is there, to the left, above or below, the first side that touches
            // neither a name nor a mark (else the right side anyway).
            var origin = map.getContainer().getBoundingClientRect(), marks = [];
            var panes = map.getPanes();
            Object.keys(panes).sort().forEach(function (name) {
                var z = parseInt(window.getComputedStyle(panes[name]).zIndex, 10) || 0;
                if (z <= 440 || name === "popupPane") { return; }
                var icons = panes[name].children;
                for (var t = 0; t < icons.length; t++) {
                    var m = icons[t].getBoundingClientRect();
                    if (m.width > 0 && m.width < 300 && m.height < 80) {
                        marks.push([m.left - origin.left, m.top - origin.top,
                            m.right - origin.left, m.bottom - origin.top]);
                    }
                }
            });
            function hits(b, list) {
                for (var j = 0; j < list.length; j++) {
                    var q = list[j];
                    if (b[0] < q[2] + 3 && q[0] < b[2] + 3 && b[1] < q[3] + 3 &&
                        q[1] < b[3] + 3) { return true; }
                }
                return false;
            }
            var placed = [];
            for (i = 0; i < todo.length; i++) {
                var row = rows[todo[i][0]], p = todo[i][1], el = this._nodes[todo[i][0]];
                var w = el._w, h = el._h, sides;
                // Seas and countries are centred on their point; cities and airports have
                // their dot (or plane) on the point and the name beside it.
                if (row[0] < 2) {
                    // A sea or country name may move up or down its area, clear of a mark.
                    sides = [["", p.x - w / 2, p.y - h / 2], ["", p.x - w / 2, p.y - h / 2 - 24],
                             ["", p.x - w / 2, p.y - h / 2 + 24],
                             ["", p.x - w / 2, p.y - h / 2 - 48],
                             ["", p.x - w / 2, p.y - h / 2 + 48]];
                } else {
                    sides = [["", p.x - 4, p.y - h / 2], [" fm-pl-l", p.x + 4 - w, p.y - h / 2],
                             [" fm-pl-a", p.x - w / 2, p.y - h - 4],
                             [" fm-pl-b", p.x - w / 2, p.y + 4]];
                    // Then just outside the cluster of marks within 60 px (no dot); for a town
                    // where the story happens (row[6]), whose marks can crowd it, within 90 px.
                    var c = null, near = row[6] ? 90 : 60, reach = row[6] ? 90 : 40;
                    for (var n = 0; n < marks.length; n++) {
                        var q = marks[n];
                        if (q[0] < p.x + near && q[2] > p.x - near && q[1] < p.y + near &&
                            q[3] > p.y - near) {
                            c = c ? [Math.min(c[0], q[0]), Math.min(c[1], q[1]),
                                     Math.max(c[2], q[2]), Math.max(c[3], q[3])] : q.slice();
                        }
                    }
                    // Never farther than `reach` px from the point: a name far from its place
                    // misleads.
                    if (c && c[2] + 5 - p.x <= reach) {
                        sides.push([" fm-pl-b", c[2] + 5, p.y - h / 2]);
                    }
                    if (c && p.x - c[0] + 5 <= reach) {
                        sides.push([" fm-pl-b", c[0] - 5 - w, p.y - h / 2]);
                    }
                    if (c && p.y - c[1] + 5 <= reach) {
                        sides.push([" fm-pl-b", p.x - w / 2, c[1] - 5 - h]);
                    }
                    if (c && c[3] + 5 - p.y <= reach) {
                        sides.push([" fm-pl-b", p.x - w / 2, c[3] + 5]);
                    }
                }
                // The first side decides whether the name is written (never over another name);
                // the other sides are only tried to get clear of a mark.
                var pick = null, fallback = null;
                for (var k = 0; k < sides.length && pick === null; k++) {
                    var b = [sides[k][1], sides[k][2], sides[k][1] + w, sides[k][2] + h];
                    var out = b[2] <= 0 || b[3] <= 0 || b[0] >= size.x || b[1] >= size.y;
                    if (out || hits(b, placed)) {
                        if (k === 0 && !row[6]) { break; }
                        continue;
                    }
                    if (!hits(b, marks)) { pick = [sides[k], b]; }
                    else if (fallback === null) { fallback = [sides[k], b]; }
                }
                pick = pick || fallback;
                if (pick === null) { el.style.display = "none"; continue; }
                placed.push(pick[1]);
                el.className = "fm-pl fm-pl-k" + row[0] + pick[0][0];
                L.DomUtil.setPosition(el, map.containerPointToLayerPoint(
                    [pick[1][0], pick[1][1]]).round());
            }
        }
    });
    return new Labels();
})({{ this.data }});
"""


class _DataLayer(Layer):
    """A folium overlay whose script is ``js`` with ``data`` (JSON text) spliced in."""

    def __init__(self, name: str, js: str, data: str, css: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "FlightmapBasemap"
        self.data = data
        self.attribution = page_json(_ATTRIBUTION)
        header = f"{{% macro header(this, kwargs) %}}{css}{{% endmacro %}}" if css else ""
        self._template = Template(
            header + "{% macro script(this, kwargs) %}" + js + "{% endmacro %}"
        )


def _labels(
    bounds: Bounds, first: Sequence[Place], offered: Sequence[Place] | None
) -> list[list[Any]]:
    """The label rows of a page: the focus cities first (shown at every zoom, marked so the page
    tries every side of their point), then every other place in priority order."""
    rows = labels_payload([p._replace(minzoom=0) for p in first])
    for row in rows:
        row.append(1)
    if offered is None:
        offered = basemap.places_for(bounds)
    return rows + labels_payload([p for p in offered if p not in first])


def basemap_layers(
    bounds: Bounds, first: Sequence[Place] = (), offered: Sequence[Place] | None = None
) -> list[MacroElement]:
    """The offline basemap and place-name layers for a map of data within ``bounds``.

    Parameters
    ----------
    bounds : ((float, float), (float, float))
        South-west and north-east ``(lat, lon)`` corners of the data, degrees; the 1:50m
        detail and the local cities and airports are picked around them.
    first : sequence of Place
        The cities where the story happens (:func:`flightmap.basemap.focus_cities`): named
        first, at every zoom, and tried on every side of their point before being left out.
    offered : sequence of Place, optional
        :func:`flightmap.basemap.places_for` of ``bounds``, when the caller has it already.

    Returns
    -------
    list of folium layers
        ``[Offline basemap, Place names]``, both shown by default and listed in the layer
        control. Add them to the map in this order.
    """
    return [
        _DataLayer("Offline basemap", _BASEMAP_JS, page_json(world_payload(bounds))),
        _DataLayer(
            "Place names",
            _LABELS_JS,
            page_json(_labels(bounds, first, offered)),
            css=_CSS,
        ),
    ]
