"""Tests of the browser harness itself, on small folium maps built here.

They prove that the offline asset table serves what folium 0.20 and its plugins load, that the
router blocks tiles and reports unknown URLs, and that what Leaflet drew can be asserted on.
"""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest
from folium import plugins

from . import assets

pytestmark = pytest.mark.browser

TRACK = [[47.0, 2.0], [47.5, 3.0], [48.0, 3.5], [48.6, 4.8]]
ZONE = {
    "type": "Feature",
    "properties": {"name": "zone A"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[2.5, 46.8], [3.5, 46.8], [3.5, 47.4], [2.5, 47.4], [2.5, 46.8]]],
    },
}


def basic_map(*, layer_control: bool = True) -> folium.Map:
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    track = folium.FeatureGroup(name="Track").add_to(m)
    folium.PolyLine(TRACK, color="red", weight=3).add_to(track)
    events = folium.FeatureGroup(name="Events").add_to(m)
    folium.Marker(
        TRACK[1],
        popup=folium.Popup("<b>Waypoint 2</b> 12:34:56Z", max_width=300),
        tooltip="wp2",
        icon=folium.Icon(color="blue", icon="plane", prefix="fa", angle=45),
    ).add_to(events)
    folium.Circle(
        TRACK[-1], radius=20_000, color="orange", popup="Crash site", className="fm-site"
    ).add_to(events)
    folium.CircleMarker(
        [46.6, 4.6], radius=8, fill=True, popup="Debris", className="fm-debris"
    ).add_to(events)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [ZONE]},
        name="Zones",
        tooltip=folium.GeoJsonTooltip(["name"]),
    ).add_to(m)
    if layer_control:  # must come last: it references the layers added before it
        folium.LayerControl().add_to(m)
    return m


def test_basic_layers_popup_layer_control(open_map) -> None:
    mp = open_map(basic_map())

    assert mp.map_names, "no L.Map object found on the page"
    assert mp.overlay_paths() == 4  # polyline, circle, circle marker, polygon
    assert mp.markers() == 1
    assert mp.blocked_tiles, "the default OpenStreetMap tiles should have been requested+blocked"
    assert any("leaflet.js" in u for u in mp.served_assets)

    text = mp.click_marker(0)
    assert "Waypoint 2" in text and "12:34:56Z" in text
    assert mp.open_popup(".leaflet-overlay-pane path.fm-debris") == "Debris"
    # The track ends on the circle's centre and covers it: a real click would hit the line.
    assert mp.count(".leaflet-overlay-pane path.fm-site") == 1
    assert mp.open_popup(".leaflet-overlay-pane path.fm-site", dispatch=True) == "Crash site"

    assert mp.layer_checked("Track")
    mp.toggle_layer("Track")
    assert not mp.layer_checked("Track")
    assert mp.overlay_paths() == 3
    mp.toggle_layer("Track")
    assert mp.overlay_paths() == 4

    mp.assert_clean()
    shot = mp.screenshot("harness-basic-map")
    assert shot.stat().st_size > 10_000


def test_plugin_controls(open_map) -> None:
    m = basic_map()
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.MiniMap().add_to(m)
    plugins.MousePosition().add_to(m)
    plugins.Draw().add_to(m)
    mp = open_map(m)

    for selector in (
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-measure",
        ".leaflet-control-minimap",
        ".leaflet-control-mouseposition",
        ".leaflet-draw",
    ):
        assert mp.count(selector) >= 1, f"{selector} not drawn"
    # MousePosition follows the mouse.
    mp.page.mouse.move(500, 400)
    assert re.search(r"\d", mp.page.locator(".leaflet-control-mouseposition").inner_text())
    mp.assert_clean()
    mp.screenshot("harness-plugins")


def test_timestamped_geojson_time_slider(open_map) -> None:
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"times": [f"2024-05-0{i + 1}T00:00:00Z"], "icon": "circle"},
        }
        for i, (lat, lon) in enumerate(TRACK[:3])
    ]
    plugins.TimestampedGeoJson(
        {"type": "FeatureCollection", "features": features},
        period="P1D",
        auto_play=False,
        loop=False,
    ).add_to(m)
    mp = open_map(m, wait_for=".leaflet-bar-timecontrol")

    assert mp.count(".leaflet-bar-timecontrol") == 1
    assert mp.count(".timecontrol-slider") >= 1
    assert mp.overlay_paths() == 1  # only the first time step is visible
    mp.page.locator(".timecontrol-forward").click()
    mp.page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane svg path').length === 2"
    )
    mp.js("() => window.__map.timeDimension.setCurrentTimeIndex(2)")
    mp.page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane svg path').length === 3"
    )
    assert "2024" in mp.page.locator(".timecontrol-date").inner_text()
    mp.assert_clean()


VEGA_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"t": "12:00", "alt": 35000}, {"t": "12:05", "alt": 20000}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "t", "type": "ordinal"},
        "y": {"field": "alt", "type": "quantitative"},
    },
}


def test_vegalite_chart_in_popup(open_map) -> None:
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    popup = folium.Popup(max_width=400)
    folium.VegaLite(VEGA_SPEC, width=300, height=150).add_to(popup)
    folium.Marker(TRACK[0], popup=popup).add_to(m)
    mp = open_map(m)

    mp.click_marker(0)
    mp.page.wait_for_selector(
        ".leaflet-popup-content .vega-embed canvas, .leaflet-popup-content .vega-embed svg.marks"
    )
    assert any("vega-embed" in u for u in mp.served_assets)
    mp.assert_clean()
    mp.screenshot("harness-vegalite-popup")


XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def test_escaped_markup_opens_no_dialog(open_map) -> None:
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    folium.Marker(TRACK[0], popup=folium.Popup(XSS_ESCAPED), tooltip=XSS_ESCAPED).add_to(m)
    folium.PolyLine(TRACK, tooltip=XSS_ESCAPED, popup=XSS_ESCAPED).add_to(m)
    mp = open_map(m)

    mp.page.locator(mp.MARKER_SELECTOR).first.hover()
    tooltip = mp.page.locator(".leaflet-tooltip").first
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().strip() == XSS
    assert mp.click_marker(0).strip() == XSS
    assert mp.count(".leaflet-popup-content img, .leaflet-tooltip img") == 0
    mp.page.wait_for_timeout(200)  # an onerror handler would fire right after the failed load
    assert mp.dialogs == []
    mp.assert_clean()


def test_dialog_detector_positive_control(open_map) -> None:
    """Unescaped markup in a popup does run (so the check above is not vacuous)."""
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    folium.Marker(TRACK[0], popup=folium.Popup(XSS)).add_to(m)
    mp = open_map(m)
    mp.click_marker(0)
    mp.page.wait_for_timeout(300)
    assert ("alert", "1") in mp.dialogs
    assert any("dialog opened" in p for p in mp.problems())


def test_unknown_urls_are_reported(open_map) -> None:
    m = folium.Map(location=[47.7, 3.4], zoom_start=7)
    m.get_root().header.add_child(
        folium.JavascriptLink("https://example.invalid/not-in-the-table.js")
    )
    with pytest.raises(pytest.fail.Exception, match="not-in-the-table"):
        open_map(m)
    mp = open_map(m, allow_unknown=True)
    assert mp.unknown_urls == ["https://example.invalid/not-in-the-table.js"]
    assert any("unknown external URL" in p for p in mp.problems())


def _all_plugins_map() -> folium.Map:
    m = basic_map(layer_control=False)
    for plugin in (
        plugins.Fullscreen(),
        plugins.MeasureControl(),
        plugins.MiniMap(),
        plugins.MousePosition(),
        plugins.Draw(),
        plugins.MarkerCluster(),
        plugins.HeatMap([[47, 3, 1.0]]),
        plugins.AntPath(TRACK),
        plugins.TimestampedGeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": [[2, 47], [3, 47.5]]},
                        "properties": {"times": ["2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z"]},
                    }
                ],
            },
            auto_play=False,
        ),
    ):
        plugin.add_to(m)
    popup = folium.Popup()
    folium.VegaLite(VEGA_SPEC).add_to(popup)
    folium.Marker(TRACK[0], popup=popup).add_to(m)
    line = folium.PolyLine(TRACK).add_to(m)
    plugins.PolyLineTextPath(line, "J2").add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_asset_table_covers_folium_urls(asset_cache: Path) -> None:
    """Every <script src>/<link href> of a map using all the supported plugins resolves."""
    html = _all_plugins_map().get_root().render()
    urls = sorted(set(re.findall(r'(?:src|href)="(https?://[^"]+)"', html)))
    assert len(urls) > 25
    missing = [u for u in urls if assets.resolve(u, asset_cache) is None]
    assert not missing, f"CDN URLs with no offline copy: {missing}"
    assert assets.check_table(asset_cache) == []


def test_all_plugins_map_loads_clean(open_map) -> None:
    mp = open_map(_all_plugins_map())
    # basic map (4) + AntPath (2) + PolyLine (1) + TimestampedGeoJson's first step (1)
    assert mp.overlay_paths() >= 7
    assert mp.count(".leaflet-heatmap-layer") == 1
    mp.assert_clean()
    mp.screenshot("harness-all-plugins")
