"""The offline world basemap and the place names in headless Chromium, tiles blocked.

Each page is a plain folium map (a blocked street-map tile layer, the two layers of
:func:`flightmap.render._basemap.basemap_layers`, a layer control) fitted to the data bounds of
the default case or of a fixture track, so what is checked is the basemap alone: names are
visible text, land and sea differ in colour, labels never overlap at any zoom and never take a
click, nothing logs an error.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import folium
import pytest

from flightmap import basemap, geo
from flightmap.basemap import Bounds, Place
from flightmap.readers import read_track
from flightmap.render._basemap import BASEMAP_STYLE, basemap_layers

pytestmark = pytest.mark.browser

VIEWPORT = (1366, 768)
TRACKS = Path(__file__).resolve().parents[1] / "data" / "tracks"


def _case_bounds() -> Bounds:
    case = geo.load_case("j2-8243")
    lats = [w.lat for w in case.waypoints.values()]
    lons = [w.lon for w in case.waypoints.values()]
    return (min(lats), min(lons)), (max(lats), max(lons))


def _track_bounds(name: str) -> Bounds:
    t = read_track(TRACKS / name).track
    return (float(t.lat.min()), float(t.lon.min())), (float(t.lat.max()), float(t.lon.max()))


def _map(bounds: Bounds) -> folium.Map:
    m = folium.Map(tiles=None)
    folium.TileLayer("OpenStreetMap", name="Street map").add_to(m)
    for layer in basemap_layers(bounds):
        layer.add_to(m)
    (south, west), (north, east) = bounds
    # A data line under the labels: a click on a label must reach it.
    folium.PolyLine([[south, west], [north, east]], weight=6, class_name="fm-data").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


_LABELS_JS = """() => {
    const box = document.querySelector('.leaflet-container').getBoundingClientRect();
    return [...document.querySelectorAll('.fm-pl')]
        .filter(e => e.style.display !== 'none' && e.offsetParent !== null)
        .map(e => { const b = e.getBoundingClientRect();
                    return [e.textContent, b.left, b.top, b.right, b.bottom]; })
        .filter(r => r[3] > box.left && r[1] < box.right && r[4] > box.top && r[2] < box.bottom);
}"""


def _labels(mp: Any) -> list[tuple[str, float, float, float, float]]:
    return [tuple(r) for r in mp.js(_LABELS_JS)]


def _overlaps(labels: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
                out.append((a[0], b[0]))
    return out


def _png_pixel(png: bytes) -> tuple[int, int, int]:
    """The first pixel of an 8-bit RGB or RGBA PNG (what Chromium writes), as (r, g, b)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    depth, colour = header[8], header[9]
    assert depth == 8 and colour in (2, 6), (depth, colour)
    row = zlib.decompress(idat)
    # Filter byte, then the first pixel; with filters 0 (none), 1 (sub) and 2 (up, first row)
    # the first pixel of the first row is stored as it is, and 3/4 add only zero neighbours
    # (average: half of nothing; Paeth: predictor 0).
    assert row[0] in (0, 1, 2, 3, 4)
    r, g, b = row[1], row[2], row[3]
    return r, g, b


def _colour_at(mp: Any, lat: float, lon: float) -> tuple[int, int, int]:
    pt = mp.js("(ll) => { const p = window.__map.latLngToContainerPoint(ll); return [p.x, p.y]; }",
               [lat, lon])  # fmt: skip
    box = mp.js(
        "() => { const b = document.querySelector('.leaflet-container')"
        ".getBoundingClientRect(); return [b.left, b.top]; }"
    )
    png = mp.page.screenshot(clip={"x": box[0] + pt[0], "y": box[1] + pt[1], "width": 1,
                                   "height": 1}, animations="disabled")  # fmt: skip
    return _png_pixel(png)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


def _check_zooms(mp: Any) -> None:
    """Zoom in twice and out three times: never two labels that overlap, and labels at every
    zoom out (zoomed in, the view can be open sea with nothing to name)."""
    z0 = mp.js("() => window.__map.getZoom()")
    counts = {}
    for z in (z0 + 1, z0 + 2, z0 - 1, z0 - 3, z0):
        mp.js("(z) => window.__map.setZoom(z, {animate: false})", z)
        mp.settle()
        labels = _labels(mp)
        counts[z] = len(labels)
        assert not _overlaps(labels), f"overlapping labels at zoom {z}: {_overlaps(labels)}"
    assert all(counts[z] > 0 for z in (z0, z0 - 1, z0 - 3)), counts
    # Zooming out thins the labels per screen: fewer than one per 4,000 square pixels.
    assert counts[z0 - 3] < VIEWPORT[0] * VIEWPORT[1] / 4000, counts


@pytest.mark.parametrize(
    ("name", "expected", "land", "sea"),
    [
        ("case", {"Baku", "Grozny", "Aktau", "Caspian Sea"}, (43.31, 45.69), (42.0, 50.5)),
        ("la", {"LAX · KLAX", "Santa Monica Bay"}, (33.99, -118.41), (33.9, -118.7)),
    ],
)
def test_names_visible_land_and_sea_differ_no_overlap(  # type: ignore[no-untyped-def]
    open_map, tmp_path, name, expected, land, sea
) -> None:
    bounds = _case_bounds() if name == "case" else _track_bounds("fr24_anz1005.csv")
    page = tmp_path / f"{name}.html"
    _map(bounds).save(page)
    mp = open_map(page, viewport=VIEWPORT)
    mp.screenshot(f"basemap-world-{name}")
    texts = {r[0] for r in _labels(mp)}
    assert expected <= texts, f"missing {expected - texts}; visible: {sorted(texts)}"
    assert not _overlaps(_labels(mp))

    # Labels never take a click: the point at a label's centre belongs to what lies beneath.
    first = _labels(mp)[0]
    cx, cy = (first[1] + first[3]) / 2, (first[2] + first[4]) / 2
    hit = mp.js("([x, y]) => document.elementFromPoint(x, y).closest('.fm-pl') === null",
                [cx, cy])  # fmt: skip
    assert hit, f"label {first[0]!r} takes clicks"

    # Land and sea probes, with the names turned off (their dots and halos would sit on top).
    mp.toggle_layer("Place names")
    assert mp.count(".fm-pl") == 0
    mp.page.mouse.move(VIEWPORT[0] / 2, VIEWPORT[1] / 2)  # the layer control folds away
    mp.settle()
    on_land, at_sea = _colour_at(mp, *land), _colour_at(mp, *sea)
    assert _distance(on_land, _hex(BASEMAP_STYLE["land"])) < 12, on_land
    assert _distance(at_sea, _hex(BASEMAP_STYLE["sea"])) < 12, at_sea
    assert _distance(on_land, at_sea) > 50
    mp.toggle_layer("Place names")
    assert expected <= {r[0] for r in _labels(mp)}

    _check_zooms(mp)
    mp.assert_clean()


def test_other_continents_read(open_map, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Dubai (a taxi track, zoomed out to the city) and southern France: names and coasts."""
    for track, zoom, expected in (
        ("fr24_fz981.kml", 9, {"Dubai", "DXB · OMDB"}),
        ("opensky_states.csv", None, {"Marseille", "Nice", "Ligurian Sea", "MRS · LFML"}),
    ):
        page = tmp_path / f"{track}.html"
        _map(_track_bounds(track)).save(page)
        mp = open_map(page, viewport=VIEWPORT)
        if zoom is not None:
            mp.js("(z) => window.__map.setZoom(z, {animate: false})", zoom)
            mp.settle()
        mp.screenshot(f"basemap-world-{track.split('.')[0]}")
        texts = {r[0] for r in _labels(mp)}
        assert expected <= texts, f"{track}: missing {expected - texts}; visible: {sorted(texts)}"
        assert not _overlaps(_labels(mp))
        mp.assert_clean()


def test_hostile_place_name_stays_text(open_map, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A name with markup is written as text: no element is made, no dialog opens."""
    evil = '<img src=x onerror="alert(1)">{{7*7}}</script>'
    original = basemap.places()
    rows = [Place("sea", evil, "", 42.0, 50.5, 0, 0, 99), *original]
    monkeypatch.setattr(basemap, "_place_table", lambda: basemap._PlaceTable.of(rows))
    page = tmp_path / "evil.html"
    _map(_case_bounds()).save(page)
    mp = open_map(page, viewport=VIEWPORT)
    assert evil in {r[0] for r in _labels(mp)}
    assert mp.count(".fm-place-labels img") == 0
    mp.assert_clean()


def test_names_move_clear_of_marks(open_map, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A mark (marker-pane icon) right of Grozny's point: the name goes to another side."""
    m = _map(_case_bounds())
    grozny = next(p for p in basemap.places() if p.kind == "city" and p.name == "Grozny")
    icon = folium.DivIcon(
        html='<div style="width:40px;height:24px;background:#c00"></div>',
        icon_size=(40, 24),
        icon_anchor=(-10, 12),  # the icon's left edge 10 px right of the point
        class_name="fm-test-mark",
    )
    folium.Marker([grozny.lat, grozny.lon], icon=icon).add_to(m)
    page = tmp_path / "marks.html"
    m.save(page)
    mp = open_map(page, viewport=VIEWPORT)
    mark = mp.js(
        "() => { const b = document.querySelector('.fm-test-mark').getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; }"
    )
    label = next(r for r in _labels(mp) if r[0] == "Grozny")
    assert not (
        label[1] < mark[2] and mark[0] < label[3] and label[2] < mark[3] and mark[1] < label[4]
    ), (label, mark)
    mp.screenshot("basemap-world-marks")
    mp.assert_clean()
