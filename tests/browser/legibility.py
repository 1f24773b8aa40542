"""Legibility measurements of a rendered map page in Chromium (issue 14), shared by
``test_legibility.py`` and the ``legibility_report.py`` script.

Every function takes a Playwright ``Page`` showing a flightmap page and returns plain data; the
tests assert on it, the script prints it.  Nothing here depends on how the page is built: the
contract with the page is the selectors below.

- **Panels**: visible ``.leaflet-control`` elements and elements with class ``fm-panel`` (the
  outermost one when they nest; popups are not panels).  "All opened": every layer control gets
  ``leaflet-control-layers-expanded`` and every ``<details>`` in or being a panel is opened.
- **Marks**: clickable marks of at most 40 x 40 px: ``.leaflet-marker-pane > .leaflet-interactive``,
  ``.leaflet-marker-icon.leaflet-interactive`` and ``svg path.leaflet-interactive``.
- **Place names**: text in the map container outside panels and popups.
- **Aircraft**: the moving aircraft mark carries class ``fm-replay-aircraft``.
- **Step-through**: buttons ``.fm-step-prev`` / ``.fm-step-next``; the open popup names its event
  in a ``data-event-id`` attribute (``.leaflet-popup [data-event-id]``).
- **Time labels**: ``svg text`` in the profile panel (``.fm-profile``); slider tick labels are
  visible text in the slider box (``.leaflet-timeline-control`` or ``.fm-slider``).

Pixel sizes are CSS px of the viewport; coordinates are (lat, lon) in degrees WGS84.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

#: Viewports of issue 14 (CSS px): laptop, desktop, phone.
VIEWPORTS: dict[str, tuple[int, int]] = {
    "1366x768": (1366, 768),
    "1920x1080": (1920, 1080),
    "390x844": (390, 844),
}

PANEL_SELECTOR = ".leaflet-control, .fm-panel"
MARK_SELECTOR = (
    ".leaflet-marker-pane > .leaflet-interactive, .leaflet-marker-icon.leaflet-interactive, "
    "svg path.leaflet-interactive"
)
#: Largest mark counted as "small" (CSS px, each side).
MARK_MAX_PX = 40
AIRCRAFT_SELECTOR = ".fm-replay-aircraft"
STEP_NEXT = ".fm-step-next"
STEP_PREV = ".fm-step-prev"
POPUP_EVENT_ID = ".leaflet-popup [data-event-id]"
PROFILE_TEXT = ".fm-profile svg text"
SLIDER_SELECTOR = ".leaflet-timeline-control, .fm-slider"
#: Smallest Euclidean RGB distance (0-255 per channel) between land and sea colours.
MIN_LAND_SEA_DISTANCE = 40.0


@dataclass(frozen=True)
class PageSpec:
    """What one page must show: ``names`` is a list of alternatives (any one visible is
    enough), ``land``/``sea`` are (lat, lon) probe points in degrees, ``span`` the (first,
    last) HH:MM of the data in UTC for the profile's time axis, or None."""

    cli_args: tuple[str, ...]
    names: tuple[tuple[str, ...], ...]
    land: tuple[float, float]
    sea: tuple[float, float]
    span: tuple[str, str] | None = None


#: The three pages of issue 14's "Done when": the default case and tracks on two other
#: continents (CLI arguments of ``flightmap render``, relative to the repository root).
PAGES: dict[str, PageSpec] = {
    # Default case, J2-8243 on 2024-12-25: take-off 03:55, impact 06:27:58 UTC.
    "j2-8243": PageSpec(
        cli_args=("j2-8243",),
        names=(("Baku",), ("Grozny",), ("Aktau",), ("Caspian Sea",)),
        land=(40.4, 49.0),  # inland Azerbaijan, west of Baku
        sea=(42.0, 51.0),  # middle Caspian
        span=("03:49", "06:30"),
    ),
    # ANZ1005 leaving Los Angeles over Santa Monica Bay, 2021-10-29 04:26-04:31 UTC.
    "los-angeles": PageSpec(
        cli_args=("--no-case", "--track", "tests/data/tracks/fr24_anz1005.csv"),
        names=(("Los Angeles",), ("LAX", "KLAX")),
        land=(34.1, -118.2),  # downtown Los Angeles
        sea=(33.7, -118.6),  # Santa Monica Bay
        span=("04:26", "04:31"),
    ),
    # FZ981 approaching Dubai, 2016-03-18 18:20-18:26 UTC.
    "dubai": PageSpec(
        cli_args=("--no-case", "--track", "tests/data/tracks/fr24_fz981.kml"),
        names=(("Dubai",), ("DXB", "OMDB")),
        land=(24.9, 55.6),  # desert inland of Dubai
        sea=(25.5, 55.0),  # Persian Gulf off Jebel Ali
        span=("18:20", "18:26"),
    ),
}


# ------------------------------------------------------------------------------------------
# JavaScript run in the page
# ------------------------------------------------------------------------------------------

#: Shared helpers: ``fmDescribe(el)`` a short "tag#id.class" name; ``fmPanels(sel)`` the
#: outermost visible panels with their rects clipped to the viewport.
_JS_LIB = r"""
const fmDescribe = (e) => {
  if (!e) return null;
  const cls = (e.className && e.className.baseVal !== undefined) ? e.className.baseVal
            : (typeof e.className === 'string' ? e.className : '');
  const keep = cls.split(/\s+/)
    .filter(c => c && !/^leaflet-(touch|fade|grab|zoom-anim|retina)/.test(c));
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + keep.slice(0, 4).map(c => '.' + c).join('');
};
const fmVisible = (e) => {
  const r = e.getBoundingClientRect();
  if (!(r.width > 0 && r.height > 0)) return false;
  const shown = {opacityProperty: true, visibilityProperty: true};
  if (e.checkVisibility && !e.checkVisibility(shown)) return false;
  return r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
};
const fmClip = (r) => ({
  left: Math.max(r.left, 0), top: Math.max(r.top, 0),
  right: Math.min(r.right, innerWidth), bottom: Math.min(r.bottom, innerHeight)});
const fmPanelEls = (sel) => {
  const vis = [...document.querySelectorAll(sel)]
    .filter(e => !e.closest('.leaflet-popup') && fmVisible(e));
  return vis.filter(e => !vis.some(o => o !== e && o.contains(e)));
};
const fmPanels = (sel) => fmPanelEls(sel)
  .map(e => ({name: fmDescribe(e), ...fmClip(e.getBoundingClientRect())}));
const fmInside = (x, y, rects) => rects
  .some(p => x >= p.left && x <= p.right && y >= p.top && y <= p.bottom);
"""

_PANELS_JS = "(sel) => {" + _JS_LIB + "return fmPanels(sel); }"

_OPEN_ALL_JS = """(sel) => {
  document.querySelectorAll('.leaflet-control-layers:not(.leaflet-timeline-control)')
    .forEach(c => c.classList.add('leaflet-control-layers-expanded'));
  for (const p of document.querySelectorAll(sel)) {
    if (p.tagName === 'DETAILS') p.open = true;
    p.querySelectorAll('details').forEach(d => { d.open = true; });
  }
}"""

_MARKS_JS = (
    "({marks, panels, maxPx}) => {"
    + _JS_LIB
    + """
  const rects = fmPanels(panels);
  const out = [];
  for (const e of document.querySelectorAll(marks)) {
    if (e.closest('.leaflet-control, .fm-panel, .leaflet-popup')) continue;
    if (!fmVisible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width > maxPx || r.height > maxPx) continue;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    if (fmInside(x, y, rects)) continue;
    const hit = document.elementFromPoint(x, y);
    const onTop = !!hit && (hit === e || e.contains(hit));
    out.push({mark: fmDescribe(e), x: Math.round(x), y: Math.round(y), on_top: onTop,
              cover: onTop ? null : fmDescribe(hit)});
  }
  return out;
}"""
)

_NAMES_JS = (
    "({names, panels}) => {"
    + _JS_LIB
    + r"""
  const root = window.__map ? window.__map.getContainer()
    : document.querySelector('.leaflet-container');
  const rects = fmPanels(panels);
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const skip = '.leaflet-control, .fm-panel, .leaflet-popup, script, style, title';
  const all = [...root.querySelectorAll('*')].filter(e => !e.closest(skip));
  const result = {};
  for (const name of names) {
    const rx = new RegExp('(^|[^\\p{L}])' + esc(name) + '($|[^\\p{L}])', 'iu');
    const hits = all.filter(e => rx.test(e.textContent || ''));
    const deepest = hits.filter(e => ![...e.children].some(c => rx.test(c.textContent || '')));
    let best = 'absent';
    for (const e of deepest) {
      const r = e.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (!fmVisible(e) || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) {
        if (best === 'absent') best = 'hidden or off-screen';
        continue;
      }
      if (fmInside(x, y, rects)) { best = 'under a panel'; continue; }
      // A mark icon drawn over the name hides it too (names take no click, so the hit test
      // sees what lies on top of them).
      const over = document.elementFromPoint(x, y);
      const mark = over && !e.contains(over) && !over.contains(e)
        && over.closest('.leaflet-marker-icon.leaflet-interactive');
      if (mark) { if (best !== 'under a panel') best = 'under a mark'; continue; }
      best = 'visible'; break;
    }
    result[name] = best;
  }
  return result;
}"""
)

_POINT_JS = """([lat, lon]) => {
  const m = window.__map; const c = m.getContainer().getBoundingClientRect();
  const p = m.latLngToContainerPoint([lat, lon]);
  return [c.left + p.x, c.top + p.y];
}"""

_FIT_JS = """([a, b, pad]) => {
  window.__map.fitBounds([a, b], {padding: [pad, pad], animate: false});
}"""

_HIDE_PANELS_JS = """([sel, hide]) => {
  for (const e of document.querySelectorAll(sel + ', .leaflet-popup-pane')) {
    if (hide) { e.dataset.fmVis = e.style.visibility; e.style.visibility = 'hidden'; }
    else { e.style.visibility = e.dataset.fmVis || ''; delete e.dataset.fmVis; }
  }
}"""

_TEXTS_JS = (
    "(sel) => {"
    + _JS_LIB
    + """
  const out = [];
  for (const box of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.data.trim();
      if (t && n.parentElement && fmVisible(n.parentElement)) out.push(t);
    }
  }
  return out;
}"""
)

_AIRCRAFT_JS = (
    "(sel) => {"
    + _JS_LIB
    + "return [...document.querySelectorAll(sel)].filter(fmVisible).length; }"
)

_SET_TIME_JS = """(ms) => {
  for (const k of Object.keys(window)) {
    if (k.startsWith('timeline_slider_')) { window[k].setTime(ms); return; }
  }
  throw new Error('no timeline slider (window.timeline_slider_*)');
}"""

_SETTLE_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def settle(page: Any) -> None:
    """Wait two animation frames (Leaflet redraws on the next frame)."""
    page.evaluate(_SETTLE_JS)


# ------------------------------------------------------------------------------------------
# Panels
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """Two panels whose viewport-clipped rects intersect by ``dx`` x ``dy`` CSS px."""

    a: str
    b: str
    dx: float
    dy: float

    def __str__(self) -> str:
        return f"{self.a} x {self.b}: {self.dx:.0f} x {self.dy:.0f} px"


def panels(page: Any) -> list[dict[str, Any]]:
    """Visible panels: ``name`` and viewport-clipped ``left/top/right/bottom`` (CSS px)."""
    return list(page.evaluate(_PANELS_JS, PANEL_SELECTOR))


def overlaps(rects: list[dict[str, Any]], tolerance_px: float = 1.0) -> list[Overlap]:
    """Pairs of rects that intersect by more than ``tolerance_px`` in both directions.

    >>> overlaps([{"name": "a", "left": 0, "top": 0, "right": 10, "bottom": 10},
    ...           {"name": "b", "left": 5, "top": 8, "right": 20, "bottom": 20}])
    [Overlap(a='a', b='b', dx=5, dy=2)]
    """
    out = []
    for p, q in itertools.combinations(rects, 2):
        dx = min(p["right"], q["right"]) - max(p["left"], q["left"])
        dy = min(p["bottom"], q["bottom"]) - max(p["top"], q["top"])
        if dx > tolerance_px and dy > tolerance_px:
            out.append(Overlap(p["name"], q["name"], dx, dy))
    return out


def open_all_panels(page: Any, wait_ms: int = 600) -> None:
    """Expand the layer control and open every ``<details>`` panel, then let charts draw."""
    page.evaluate(_OPEN_ALL_JS, PANEL_SELECTOR)
    settle(page)
    page.wait_for_timeout(wait_ms)
    settle(page)


# ------------------------------------------------------------------------------------------
# Marks, names, colours, aircraft, labels
# ------------------------------------------------------------------------------------------


def marks(page: Any) -> list[dict[str, Any]]:
    """Small clickable marks in view and outside panels: ``mark``, centre ``x``/``y`` (px),
    ``on_top`` (``elementFromPoint`` at the centre is the mark or inside it) and ``cover``."""
    return list(
        page.evaluate(
            _MARKS_JS, {"marks": MARK_SELECTOR, "panels": PANEL_SELECTOR, "maxPx": MARK_MAX_PX}
        )
    )


def place_names(page: Any, names: list[str]) -> dict[str, str]:
    """For each name: 'visible', 'under a panel', 'under a mark', 'hidden or off-screen' or
    'absent'."""
    return dict(page.evaluate(_NAMES_JS, {"names": names, "panels": PANEL_SELECTOR}))


def names_missing(found: dict[str, str], wanted: tuple[tuple[str, ...], ...]) -> list[str]:
    """The alternatives of ``wanted`` none of whose names is 'visible' in ``found``.

    >>> names_missing({"LAX": "absent", "KLAX": "visible", "Dubai": "absent"},
    ...               (("LAX", "KLAX"), ("Dubai",)))
    ['Dubai']
    """
    return [" or ".join(alt) for alt in wanted if not any(found.get(n) == "visible" for n in alt)]


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels (row-major) of an 8-bit non-interlaced RGB/RGBA PNG,
    such as Chromium's screenshots (stdlib only)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"PNG depth {depth}, colour type {ctype}: not supported")
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        kind_f, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind_f == 1:
                line[i] = (line[i] + a) & 255
            elif kind_f == 2:
                line[i] = (line[i] + b) & 255
            elif kind_f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind_f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    pixels = [tuple(r[x * bpp : x * bpp + 3]) for r in rows for x in range(width)]
    return width, height, pixels  # type: ignore[return-value]


def colour_at(page: Any, lat: float, lon: float, size_px: int = 5) -> tuple[int, int, int]:
    """Median RGB of a ``size_px`` square of the screenshot centred on (lat, lon)."""
    x, y = page.evaluate(_POINT_JS, [lat, lon])
    half = size_px // 2
    clip = {"x": max(x - half, 0), "y": max(y - half, 0), "width": size_px, "height": size_px}
    _, _, px = decode_png(page.screenshot(clip=clip, animations="disabled"))
    return tuple(sorted(p[k] for p in px)[len(px) // 2] for k in range(3))  # type: ignore[return-value]


def land_sea_colours(
    page: Any, land: tuple[float, float], sea: tuple[float, float], padding_px: int = 150
) -> dict[str, Any]:
    """Fit the view to the two probe points, hide panels and popups, and read both colours:
    ``land`` and ``sea`` RGB, their Euclidean ``distance`` (0-441), and the ``zoom``."""
    page.evaluate(_FIT_JS, [list(land), list(sea), padding_px])
    settle(page)
    page.wait_for_timeout(300)
    page.evaluate(_HIDE_PANELS_JS, [PANEL_SELECTOR, True])
    settle(page)
    try:
        c_land, c_sea = colour_at(page, *land), colour_at(page, *sea)
    finally:
        page.evaluate(_HIDE_PANELS_JS, [PANEL_SELECTOR, False])
    return {
        "land": c_land,
        "sea": c_sea,
        "distance": math.dist(c_land, c_sea),
        "zoom": page.evaluate("() => window.__map.getZoom()"),
    }


def set_time(page: Any, ms: int) -> None:
    """Move the time slider to ``ms`` (Unix ms, UTC) through ``window.timeline_slider_*``."""
    page.evaluate(_SET_TIME_JS, ms)
    settle(page)


def aircraft_count(page: Any) -> int:
    """Visible aircraft marks (``.fm-replay-aircraft``)."""
    return int(page.evaluate(_AIRCRAFT_JS, AIRCRAFT_SELECTOR))


HHMM = re.compile(r"(?<![\d:])([01]\d|2[0-3]):[0-5]\d(?![\d:])")
#: Anything that reads as a time of day: "04:15", ":30" (seconds of a minute), "05 PM".
_TIME_LIKE = re.compile(r"\d{0,2}:\d{2}|\b\d{1,2}\s*[AaPp]\.?[Mm]\b")


def profile_time_labels(page: Any) -> list[str]:
    """Time-like texts of the profile chart (``.fm-profile svg text``), e.g. '04:15', ':30',
    '05 AM'."""
    texts = page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].map(t => t.textContent.trim())",
        PROFILE_TEXT,
    )
    return [t for t in texts if _TIME_LIKE.search(t)]


def bad_time_labels(labels: list[str], span: tuple[str, str], margin_min: int = 60) -> list[str]:
    """Labels that are not 24-hour HH:MM within ``span`` (first, last HH:MM) +- ``margin_min``.

    >>> bad_time_labels(["15:30", "05 PM", "03:30", ":45"], ("15:21", "20:22"))
    ['05 PM', '03:30', ':45']
    """

    def minutes(hhmm: str) -> int:
        return int(hhmm[:2]) * 60 + int(hhmm[3:5])

    lo, hi = minutes(span[0]) - margin_min, minutes(span[1]) + margin_min
    bad = []
    for t in labels:
        m = HHMM.fullmatch(t.strip())
        if not m:
            bad.append(t)
            continue
        v = minutes(t.strip())
        if not any(lo <= v + day <= hi for day in (-1440, 0, 1440)):
            bad.append(t)
    return bad


def slider_labels(page: Any) -> list[str]:
    """Distinct HH:MM labels visible in the slider box (ticks and the current time)."""
    texts = page.evaluate(_TEXTS_JS, SLIDER_SELECTOR)
    return sorted({m.group(0) for t in texts for m in HHMM.finditer(t)})


# ------------------------------------------------------------------------------------------
# Everything for one page at one viewport
# ------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """What ``measure`` saw on one page at one viewport (see the module docstring)."""

    viewport: tuple[int, int]
    panels_loaded: list[dict[str, Any]] = field(default_factory=list)
    overlaps_loaded: list[Overlap] = field(default_factory=list)
    panels_opened: list[dict[str, Any]] = field(default_factory=list)
    overlaps_opened: list[Overlap] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    names_missing: list[str] = field(default_factory=list)
    slider_labels: list[str] = field(default_factory=list)
    profile_labels: list[str] = field(default_factory=list)
    colours: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def marks_on_top(self) -> int:
        return sum(1 for m in self.marks if m["on_top"])

    @property
    def buried(self) -> list[str]:
        return [
            f"{m['mark']} @({m['x']},{m['y']}) under {m['cover']}"
            for m in self.marks
            if not m["on_top"]
        ]

    def lines(self) -> list[str]:
        """A readable summary, one fact a line."""
        w, h = self.viewport
        out = [f"viewport {w}x{h}"]
        out.append(f"  panels as loaded: {', '.join(p['name'] for p in self.panels_loaded)}")
        out += [f"  OVERLAP as loaded: {o}" for o in self.overlaps_loaded]
        out += [f"  OVERLAP all opened: {o}" for o in self.overlaps_opened]
        n = len(self.marks)
        pct = 100 * self.marks_on_top / n if n else 100.0
        out.append(f"  marks on top: {self.marks_on_top}/{n} ({pct:.0f} %)")
        out += [f"    buried: {b}" for b in self.buried]
        out.append(f"  place names: {self.names}; missing: {self.names_missing or 'none'}")
        if self.colours:
            c = self.colours
            out.append(
                f"  land {c['land']} sea {c['sea']} distance {c['distance']:.1f} (zoom {c['zoom']})"
            )
        out.append(f"  slider HH:MM labels: {self.slider_labels}")
        out.append(f"  profile time labels: {self.profile_labels}")
        out += [f"  problem: {p}" for p in self.problems]
        return out


def measure(page: Any, spec: PageSpec, viewport: tuple[int, int]) -> Measurement:
    """Measure ``page`` as loaded (panels, marks, names, slider labels), then with every panel
    opened (panels, profile labels), then the land/sea colours (this moves the view)."""
    m = Measurement(viewport=viewport)
    m.panels_loaded = panels(page)
    m.overlaps_loaded = overlaps(m.panels_loaded)
    m.marks = marks(page)
    m.names = place_names(page, [n for alt in spec.names for n in alt])
    m.names_missing = names_missing(m.names, spec.names)
    m.slider_labels = slider_labels(page)
    open_all_panels(page)
    m.panels_opened = panels(page)
    m.overlaps_opened = overlaps(m.panels_opened)
    m.profile_labels = profile_time_labels(page)
    m.colours = land_sea_colours(page, spec.land, spec.sea)
    return m
