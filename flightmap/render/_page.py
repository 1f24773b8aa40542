"""How the page reads on any screen: where the panels sit, the first view, the step-through
from event to event, and the labels under the time slider.

- **Panels** are Leaflet controls, so Leaflet stacks them in their corners and they never
  overlap: the title panel top left; the layer list top right; the profile above the time
  slider, bottom left; zoom, full screen and measure bottom right. A small script keeps each
  corner within the room the others leave (maximum heights, the slider's width) after every
  resize and every panel opened or closed. On a narrow screen (under 640 px) the title panel
  starts folded to its title line, the profile closed, and the title steps aside while the
  layer list is open.
- **First view**: the data is fitted into the part of the map the panels leave free, measured
  in the page once they are laid out.
- **Popups** have a maximum height and scroll, and pan clear of the panels.
- **Step-through**: "Previous event" / "Next event" buttons under the slider and the arrow keys
  move the slider to the next event in time, fly to it and open its popup (events the sources
  give no place for open as a card in the middle of the map, saying so). Events later than the
  slider's time are drawn faded, so moving the slider plays the story.
- **Slider labels**: the ticks carry ``HH:MM`` UTC labels, chosen in Python at round steps.

Every value written into the script is JSON from :func:`flightmap.render._script.script_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from branca.element import Element
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap.render._script import Prerendered, script_json

__all__ = ["PAGE_CSS", "PageScript", "slider_ticks"]

#: Below this map width (CSS px) the page uses its narrow-screen layout.
NARROW_PX = 640
#: The closest first view (Leaflet zoom; 10 shows about 150 km on a laptop): the data and
#: the towns around it.
FIRST_VIEW_MAX_ZOOM = 10

PAGE_CSS = """
<style>
.fm-panel{background:rgba(255,255,255,.96);padding:8px 10px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);font:12px/1.35 system-ui,sans-serif;overflow:auto;
 box-sizing:border-box}
.leaflet-control.fm-panel{margin:10px 10px 0 10px;clear:both}
.fm-title{width:320px;max-width:calc(100vw - 110px)}
.fm-title>details>summary{list-style:none}
.fm-title>details>summary::-webkit-details-marker{display:none}
.fm-title>details>summary h3{display:inline}
.fm-title>details:not([open])>summary h3::after{content:" \\25B8";color:#666}
.fm-title>details:not([open])>summary{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.fm-profile{width:520px;max-width:calc(100vw - 80px)}
#fm-profile-chart{width:100%;min-height:10px}
.fm-panel h3{margin:0 0 4px;font-size:15px}.fm-panel summary{cursor:pointer;font-weight:600}
.fm-popup h4{margin:0 0 4px}.fm-popup table{border-collapse:collapse}
.fm-popup th{text-align:left;padding-right:8px;font-weight:600;vertical-align:top}
.leaflet-container .leaflet-popup-content{max-height:min(55vh,420px);overflow:auto;margin:10px 12px;
 font-size:13px;line-height:1.4;max-width:calc(100vw - 70px)}
.fm-unplaced .leaflet-popup-tip-container{display:none}
.fm-unplaced-note{color:#555;font-style:italic;margin:0 0 4px}
.fm-meta{color:#666}.fm-sources ul{margin:2px 0;padding-left:16px}
.fm-conflict{border-left:3px solid #D55E00;padding-left:6px;margin-top:6px}
.fm-conflict td{vertical-align:top;width:50%;border:1px solid #ddd;padding:3px}
.fm-ev-inferred{color:#8a5a00}.fm-ev-reported{color:#0072B2}.fm-ev-observed{color:#176c2b}
.fm-leg-label{background:rgba(255,255,255,.8);border:0;box-shadow:none;font-size:11px}
.fm-swatch{display:inline-block;width:34px;height:0;border-top:3px solid #0072B2;
 margin-right:6px;vertical-align:middle}
.fm-dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;
 vertical-align:middle;box-sizing:border-box}
.fm-square{border-radius:2px}
.fm-timeline td{padding:1px 4px;vertical-align:top}
.fm-legend-zone>summary{font-weight:400}
.fm-legend-zone>.fm-popup{margin:4px 0 6px 16px}
.fm-mark{background:none;border:0}
.fm-dot-mark{position:relative;display:block;width:100%;height:100%;border-radius:50%;
 border:2px solid #fff;box-sizing:border-box;box-shadow:0 0 0 1px rgba(0,0,0,.55)}
.fm-place .fm-dot-mark{border-radius:2px}
.fm-inferred .fm-dot-mark{outline:2px dotted #222;outline-offset:1px}
.fm-leader{position:absolute;height:0;border-top:1.5px solid rgba(0,0,0,.6);
 transform-origin:0 0;pointer-events:none}
.fm-future{opacity:.35}
.fm-current .fm-dot-mark{box-shadow:0 0 0 3px #ffd400,0 0 0 4px #000}
.leaflet-pane>svg path.fm-zone.leaflet-interactive,
.leaflet-pane>svg path.fm-region.leaflet-interactive{pointer-events:visibleStroke}
.leaflet-control-layers-list{max-height:45vh;overflow-y:auto}
.leaflet-container .leaflet-control.fm-slider{display:grid;grid-template-columns:max-content 1fr;
 column-gap:12px;align-items:center;box-sizing:border-box;margin:0 0 6px 10px;padding:6px 10px;
 text-align:left;font:12px system-ui,sans-serif}
.leaflet-container .leaflet-control.fm-slider .sldr-ctrl-container{float:none;width:auto;
 grid-row:1/span 2;display:flex;flex-direction:column;align-items:center;gap:2px}
.leaflet-container .leaflet-control.fm-slider .button-container{white-space:nowrap}
.leaflet-container .leaflet-control.fm-slider .button-container button{width:30px}
.leaflet-container .leaflet-control.fm-slider input[type=range]{width:100%;margin:0;grid-column:2}
.leaflet-timeline-control .time-text{font-weight:600;white-space:nowrap}
.fm-ticks{position:relative;height:14px;margin:0 8px;font:10px system-ui,sans-serif;color:#333;
 grid-column:2}
.fm-ticks span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.fm-story{grid-column:1/-1;display:flex;gap:6px;align-items:center;margin-top:4px;min-width:0;
 overflow:hidden}
.fm-story button{font:12px system-ui,sans-serif;padding:2px 8px;cursor:pointer}
.fm-story .fm-story-now{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;flex:1;
 min-width:0}
@media (max-width:640px){
 .leaflet-control-measure,.leaflet-control-mouseposition,
 .leaflet-bar:has(.leaflet-control-zoom-fullscreen){display:none !important}
 .leaflet-container .leaflet-control.fm-slider{grid-template-columns:minmax(0,1fr)}
 .leaflet-container .leaflet-control.fm-slider .sldr-ctrl-container{grid-row:auto;
  flex-direction:row;justify-content:space-between}
 .leaflet-container .leaflet-control.fm-slider input[type=range],
 .fm-ticks{grid-column:1}
 .fm-title{max-width:calc(100vw - 80px)}
 .leaflet-control-attribution{max-width:calc(100% - 110px);font-size:10px}
 .fm-story{font-size:11px}
}
.fm-narrow-aside .fm-title{display:none}
@media (prefers-reduced-motion:reduce){.leaflet-zoom-anim .leaflet-zoom-animated{transition:none}}
</style>
"""


def slider_ticks(start_ms: int, end_ms: int, most: int = 8) -> list[tuple[int, str]]:
    """Round UTC times between ``start_ms`` and ``end_ms`` (ms since the epoch) to label under
    the slider: at most ``most``, at a step of 1, 2, 5, 10, 15, 30 min or 1, 2, 3, 6, 12, 24 h.

    >>> slider_ticks(0, 3 * 3_600_000, most=4)
    [(0, '00:00'), (3600000, '01:00'), (7200000, '02:00'), (10800000, '03:00')]
    """
    span = max(end_ms - start_ms, 1)
    for minutes in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440):
        step = minutes * 60_000
        if span / step <= most - 1:
            break
    first = -(-start_ms // step) * step
    out = []
    t = first
    while t <= end_ms:
        when = datetime(1970, 1, 1) + timedelta(milliseconds=t)  # noqa: DTZ001  (UTC by construction)
        out.append((t, f"{when:%H:%M}"))
        t += step
    return out


class PageScript(JSCSSMixin, Prerendered):
    """The layout manager, the first view and the step-through (see the module docstring)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var cfg = {{ this.config_json }};
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            var narrow = function () { return box.clientWidth < cfg.narrow; };
            var reduced = window.matchMedia
                && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
            function asControl(id, position) {
                var el = document.getElementById(id);
                if (!el) { return null; }
                var C = L.Control.extend({onAdd: function () {
                    L.DomEvent.disableClickPropagation(el);
                    L.DomEvent.disableScrollPropagation(el);
                    el.classList.add('leaflet-control');
                    return el;
                }});
                new C({position: position}).addTo(map);
                return el;
            }
            var title = asControl('fm-title', 'topleft');
            var profile = asControl('fm-profile', 'bottomleft');
            var slider = box.querySelector('.leaflet-timeline-control');
            if (slider) { slider.classList.add('fm-slider'); }
            if (profile && slider) {  // the profile sits just above the slider
                slider.parentNode.insertBefore(profile, slider);
            }
            if (narrow()) {
                box.querySelectorAll('.fm-fold').forEach(function (d) { d.open = false; });
            }
            function rect(el) {
                return el && el.offsetParent !== null ? el.getBoundingClientRect() : null;
            }
            function corner(sel) {  // the box around a corner's visible controls
                var c = box.querySelector(sel), r = null;
                if (!c) { return null; }
                [].forEach.call(c.children, function (el) {
                    // The attribution runs along the bottom edge, under the scale and slider.
                    if (el.classList.contains('leaflet-control-attribution')) { return; }
                    var b = rect(el);
                    if (!b || b.width === 0 || b.height === 0) { return; }
                    r = r ? {top: Math.min(r.top, b.top), bottom: Math.max(r.bottom, b.bottom),
                        left: Math.min(r.left, b.left), right: Math.max(r.right, b.right)}
                        : {top: b.top, bottom: b.bottom, left: b.left, right: b.right};
                });
                return r;
            }
            var layers = box.querySelector(
                '.leaflet-control-layers:not(.leaflet-timeline-control)');
            function layout() {
                var m = box.getBoundingClientRect(), gap = 10;
                var aside = narrow() && layers
                    && layers.classList.contains('leaflet-control-layers-expanded');
                box.classList.toggle('fm-narrow-aside', !!aside);
                var br = corner('.leaflet-bottom.leaflet-right');
                var rightW = br ? m.right - br.left + gap : gap;
                if (slider) { slider.style.width = Math.max(m.width - rightW - gap, 180) + 'px'; }
                if (profile) {
                    profile.style.maxWidth = Math.max(m.width - rightW - gap, 180) + 'px';
                    // The profile keeps its height; the title panel above it gets the rest,
                    // never less than a title line and a few rows.
                    var below = slider ? rect(slider).top : m.bottom;
                    profile.style.maxHeight = Math.max(below - m.top - 3 * gap - 150, 80) + 'px';
                }
                var bl = corner('.leaflet-bottom.leaflet-left');
                var bottomTop = bl ? bl.top : m.bottom;
                if (title) {
                    title.style.maxHeight = Math.max(bottomTop - m.top - 2 * gap, 40) + 'px';
                }
                if (layers) {
                    var list = layers.querySelector('.leaflet-control-layers-list');
                    var lr = layers.getBoundingClientRect();
                    var brTop = br ? br.top : m.bottom;
                    // The list ends above the bottom-right controls and, on a narrow screen,
                    // above the bottom-left ones too (they span the width).
                    var limit = narrow() ? Math.min(brTop, bottomTop) : brTop;
                    if (list) {
                        list.style.maxHeight = Math.max(limit - lr.top - 3 * gap, 60) + 'px';
                    }
                }
                // On a narrow screen the attribution can wrap to two lines: lift the bottom-left
                // corner (scale, slider, profile) clear of it.
                var attr = box.querySelector('.leaflet-control-attribution');
                var blc = box.querySelector('.leaflet-bottom.leaflet-left');
                if (blc) { blc.style.bottom = ''; }
                if (blc && attr && slider && narrow()) {
                    var over = rect(slider).bottom - attr.getBoundingClientRect().top + 4;
                    if (over > 0) { blc.style.bottom = over + 'px'; }
                }
                var tl = corner('.leaflet-top.leaflet-left');
                L.Popup.mergeOptions({
                    autoPanPaddingTopLeft: L.point(gap + (narrow() || !tl ? 0 : tl.right - m.left),
                        gap + (narrow() && tl ? tl.bottom - m.top : 0)),
                    autoPanPaddingBottomRight: L.point(gap + rightW,
                        gap + (bl ? m.bottom - bl.top : 0))
                });
            }
            function relayout() { window.requestAnimationFrame(layout); }
            // Leaflet's own auto-pan can end short of the panels (the popup lays out again
            // after it measured it): once a popup has settled, move the map so the whole popup
            // is in the free part of the map, between the top panels and the slider.
            function clearPopup() {
                var el = box.querySelector('.leaflet-popup:not(.fm-unplaced)');
                if (!el) { return; }
                var r = el.getBoundingClientRect(), m = box.getBoundingClientRect();
                var o = L.Popup.prototype.options;
                var top = m.top + o.autoPanPaddingTopLeft.y;
                var bottom = m.bottom - o.autoPanPaddingBottomRight.y;
                var dy = r.top < top ? r.top - top : Math.min(Math.max(r.bottom - bottom, 0),
                    r.top - top);
                if (Math.abs(dy) > 1) { map.panBy([0, dy], {animate: !reduced}); }
            }
            map.on('popupopen', function () { window.setTimeout(clearPopup, 350); });
            box.addEventListener('toggle', relayout, true);
            window.addEventListener('resize', relayout);
            if (layers && window.MutationObserver) {
                new MutationObserver(relayout).observe(layers, {attributes: true,
                    attributeFilter: ['class']});
            }
            function fit() {
                layout();
                var m = box.getBoundingClientRect(), gap = 16;
                var tl = corner('.leaflet-top.leaflet-left');
                var tr = corner('.leaflet-top.leaflet-right');
                var bl = corner('.leaflet-bottom.leaflet-left');
                var br = corner('.leaflet-bottom.leaflet-right');
                var left = tl && !narrow() ? tl.right - m.left + gap : gap;
                var top = tl && narrow() ? tl.bottom - m.top + gap : gap;
                var right = Math.max(tr ? m.right - tr.left : 0, br ? m.right - br.left : 0) + gap;
                var bottom = bl ? m.bottom - bl.top + gap : gap;
                if (left + right > m.width - 60) { left = gap; right = gap; }
                if (top + bottom > m.height - 60) { top = gap; bottom = gap; }
                // Never closer than the city scale at first: a short track still shows the
                // places around it (zoom in for the runway).
                map.fitBounds(cfg.bounds, {paddingTopLeft: [left, top],
                    paddingBottomRight: [right, bottom], animate: false, maxZoom: cfg.maxZoom});
            }
            fit();
            // ---- slider tick labels, and the story read by the step-through
            var sl = window[cfg.slider];
            if (slider && cfg.ticks.length && sl) {
                var row = L.DomUtil.create('div', 'fm-ticks', slider);
                var t0 = sl.start, t1 = sl.end;
                var spans = [];
                cfg.ticks.forEach(function (tk) {
                    if (tk[0] < t0 || tk[0] > t1) { return; }
                    var s = L.DomUtil.create('span', '', row);
                    s.style.left = (100 * (tk[0] - t0) / (t1 - t0)).toFixed(2) + '%';
                    s.textContent = tk[1];
                    spans.push(s);
                });
                var thin = function () {  // no two labels touch: drop every other until so
                    spans.forEach(function (s) { s.style.visibility = ''; });
                    for (var k = 1; k < 6; k++) {
                        var last = null, clash = false;
                        spans.forEach(function (s, i) {
                            if (i % k) { s.style.visibility = 'hidden'; return; }
                            var r = s.getBoundingClientRect();
                            if (last && r.left < last.right + 6) { clash = true; }
                            last = r;
                        });
                        if (!clash) { return; }
                        spans.forEach(function (s) { s.style.visibility = ''; });
                    }
                };
                thin();
                window.addEventListener('resize', function () {
                    window.requestAnimationFrame(thin);
                });
            }
            var marks = cfg.marks ? window[cfg.marks] : null;
            var story = cfg.story, at = -1;
            function markOf(ev) { return marks && marks.fmEvents ? marks.fmEvents[ev.id] : null; }
            function fade(ms) {
                story.forEach(function (ev, i) {
                    var mk = markOf(ev), el = mk && mk.getElement();
                    if (el) {
                        el.classList.toggle('fm-future', ev.t > ms);
                        el.classList.toggle('fm-current', i === at);
                    }
                });
            }
            function card(ev) {  // an event without a place: its timeline entry, as a card
                var div = document.createElement('div');
                div.setAttribute('data-event-id', ev.id);
                var note = L.DomUtil.create('p', 'fm-unplaced-note', div);
                note.textContent = 'No place on the map: the sources give the time of this '
                    + 'event, not where the aircraft was.';
                var entries = box.querySelectorAll('[data-timeline-event]');
                for (var k = 0; k < entries.length; k++) {
                    if (entries[k].getAttribute('data-timeline-event') === ev.id) {
                        var body = entries[k].querySelector('.fm-popup');
                        if (body) { div.appendChild(body.cloneNode(true)); }
                        break;
                    }
                }
                return div;
            }
            function show(i) {
                if (i < 0 || i >= story.length) { return; }
                at = i;
                var ev = story[i];
                if (sl && sl.setTime) { sl.setTime(ev.t); }
                fade(ev.t);
                var now = box.querySelector('.fm-story-now');
                if (now) { now.textContent = (i + 1) + '/' + story.length + ' · ' + ev.label; }
                var mk = markOf(ev);
                map.closePopup();
                if (mk && map.hasLayer(mk)) {
                    var go = function () { mk.openPopup(); };
                    var z = Math.max(map.getZoom(), cfg.storyZoom);
                    if (reduced) { map.setView(mk.getLatLng(), z, {animate: false}); go(); }
                    else { map.once('moveend', go); map.flyTo(mk.getLatLng(), z, {duration: 0.6}); }
                } else {
                    // A card, not pointing anywhere: it stands on the bottom of the free part
                    // of the map (above the slider), centred.
                    var mr = box.getBoundingClientRect();
                    var blr = corner('.leaflet-bottom.leaflet-left');
                    var y = (blr ? blr.top - mr.top : mr.height) - 12;
                    L.popup({className: 'fm-unplaced', maxWidth: 460, autoPan: false})
                        .setLatLng(map.containerPointToLatLng([mr.width / 2, y]))
                        .setContent(card(ev)).openOn(map);
                }
            }
            function next() {
                var t = sl ? sl.time : -Infinity;
                if (at >= 0 && story[at].t === t) { show(at + 1); return; }
                for (var i = 0; i < story.length; i++) {
                    // Before any step, an event at the slider's own time comes first.
                    if (story[i].t > t || (at < 0 && story[i].t === t)) { show(i); return; }
                }
            }
            function prev() {
                var t = sl ? sl.time : Infinity;
                if (at >= 0 && story[at].t === t) { show(at - 1); return; }
                for (var i = story.length - 1; i >= 0; i--) {
                    if (story[i].t < t) { show(i); return; }
                }
            }
            if (story.length && slider) {
                var bar = L.DomUtil.create('div', 'fm-story', slider);
                var b1 = L.DomUtil.create('button', 'fm-step-prev', bar);
                b1.type = 'button'; b1.textContent = '\\u25C0 Previous event';
                var b2 = L.DomUtil.create('button', 'fm-step-next', bar);
                b2.type = 'button'; b2.textContent = 'Next event \\u25B6';
                var now = L.DomUtil.create('span', 'fm-story-now', bar);
                now.textContent = story.length + ' events: step through them in time order'
                    + ' (\\u2190 \\u2192 keys)';
                L.DomEvent.disableClickPropagation(bar);
                b1.addEventListener('click', prev);
                b2.addEventListener('click', next);
                document.addEventListener('keydown', function (e) {
                    var tag = (e.target && e.target.tagName) || '';
                    if (/INPUT|TEXTAREA|SELECT/.test(tag) && e.target.type !== 'range') { return; }
                    if (e.key === 'ArrowRight') { next(); e.preventDefault(); }
                    if (e.key === 'ArrowLeft') { prev(); e.preventDefault(); }
                });
                if (sl) {
                    sl.timelines.forEach(function (tl) {
                        tl.on('change', function () { fade(sl.time); });
                    });
                    map.on('zoomend', function () { fade(sl.time); });
                    fade(sl.time);
                }
            }
            if (slider) { layout(); }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        bounds: Sequence[Sequence[float]],
        slider: Element | None,
        marks: Element | None,
        story: Sequence[dict[str, Any]],
        ticks: Sequence[tuple[int, str]],
        story_zoom: int = 8,
    ) -> None:
        super().__init__()
        self._name = "PageScript"
        self.bounds = [list(b) for b in bounds]
        self.slider, self.marks = slider, marks
        self.story, self.ticks, self.story_zoom = list(story), list(ticks), story_zoom

    @property
    def config_json(self) -> str:
        """The script's settings; element names are read at render time, once the page has
        numbered its elements."""
        return script_json(
            {
                "narrow": NARROW_PX,
                "bounds": self.bounds,
                "slider": self.slider.get_name() if self.slider is not None else None,
                "marks": self.marks.get_name() if self.marks is not None else None,
                "story": self.story,
                "ticks": [list(t) for t in self.ticks],
                "storyZoom": self.story_zoom,
                "maxZoom": FIRST_VIEW_MAX_ZOOM,
            }
        )
