"""A rendered track in headless Chromium: decoded polylines drawn with gaps left open, the
profile chart, the hover read-out, and a hostile callsign that must not run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import geo, render
from flightmap.analysis import analyse
from flightmap.readers import read_track

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def write_track(path: Path, callsign: str) -> Path:
    """A 30-minute flight, one report every 2 s, climbing east from Baku; from minute 10 to 15
    the reports carry altitude but no position (as J2-8243's did), so the map shows a gap."""
    n = 900
    t = pd.date_range("2024-12-25T04:00:00Z", periods=n, freq="2s")
    lat = 40.4675 + np.linspace(0, 1.5, n)
    lon = 50.0467 - np.linspace(0, 2.0, n) + 0.05 * np.sin(np.linspace(0, 6, n))
    silent = (np.arange(n) >= 300) & (np.arange(n) < 450)
    frame = pd.DataFrame(
        {
            "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "latitude": np.where(silent, np.nan, lat.round(6)),
            "longitude": np.where(silent, np.nan, lon.round(6)),
            "altitude_ft": np.linspace(0, 30_000, n).round(),
            "gs_kt": 400,
            "callsign": callsign,
            "icao24": "abc123",
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_track_map_draws_runs_and_profile(open_map, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_track(tmp_path / "track.csv", "AHY8243")
    track = read_track(src).track
    html = tmp_path / "track.html"
    render.write_html(html, render.render_html(render.build_map(None, analyse(track))))
    mp = open_map(html, wait_for="#fm-profile-chart svg")
    # Two runs (before and after the silent stretch), several altitude bands: never one line
    # across the gap.
    drawn = mp.count("path.fm-track-alt")
    assert drawn >= 4
    assert mp.js(
        "() => [...document.querySelectorAll('path.fm-track-alt')].map(p => p.getAttribute('d'))"
        ".every(d => d && d.length > 10)"
    )
    assert mp.count("#fm-profile-chart svg") == 1
    box = mp.page.locator("path.fm-track-alt").first.bounding_box()
    assert box is not None
    mp.screenshot("track-map")
    mp.assert_clean()


def test_hostile_callsign_opens_no_dialog(open_map, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_track(tmp_path / "hostile.csv", HOSTILE)
    track = read_track(src).track
    html = tmp_path / "hostile.html"
    render.write_html(
        html, render.render_html(render.build_map(geo.load_case("j2-8243"), analyse(track)))
    )
    page_text = html.read_text()
    assert HOSTILE not in page_text
    mp = open_map(html, wait_for="#fm-profile-chart svg")
    mp.js("() => document.querySelectorAll('#fm-title details').forEach(d => d.open = true)")
    # Hover and click the track, which shows the callsign in a tooltip and a popup.
    path = mp.page.locator("path.fm-track-alt").first
    path.dispatch_event("click")
    mp.settle()
    assert mp.dialogs == []
    assert HOSTILE in mp.js("() => document.body.innerText")
    mp.assert_clean()


def _axis_labels(mp) -> list[str]:  # type: ignore[no-untyped-def]
    """The profile's time-axis labels, left to right (the texts under the chart's plot)."""
    return list(
        mp.js(
            "() => [...document.querySelectorAll('#fm-profile-chart svg g.role-axis-label text')]"
            ".filter(t => t.closest('g.role-axis').getAttribute('aria-label')"
            ".includes('X-axis')).map(t => t.textContent)"
        )
    )


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        # A flight across midnight and the next day: hours, and the day at each midnight.
        (["2024-12-24T20:00:00Z", "2024-12-25T09:00:00Z", "2024-12-26T09:00:00Z"], "25 Dec"),
        # Two flights years apart (a case and an old track): the years.
        (["2021-10-29T04:26:16Z", "2021-10-29T04:30:00Z", "2024-12-25T05:00:00Z"], "2023"),
    ],
    ids=["days", "years"],
)
def test_profile_time_axis_names_days_and_years(
    open_map, tmp_path: Path, times: list[str], expected: str
) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "t.csv"
    rows = [f"{t},{40.4 + i},{49.9 + i},30000,450,TST{i}" for i, t in enumerate(times)]
    src.write_text("time,lat,lon,alt_baro_ft,gs_kt,callsign\n" + "\n".join(rows) + "\n")
    html = tmp_path / "t.html"
    render.write_html(
        html, render.render_html(render.build_map(None, analyse(read_track(src).track)))
    )
    mp = open_map(html, wait_for="#fm-profile-chart svg")
    labels = _axis_labels(mp)
    assert expected in labels, labels
    # A midnight tick names its day or year: "00:00" at every tick of a long span was the fault.
    assert "00:00" not in labels and len(set(labels)) >= 3, labels
    mp.assert_clean()


def test_a_flight_across_the_antimeridian_is_drawn_in_one_piece_of_the_pacific(
    open_map, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """East from Nadi across 180 degrees: the first view is fitted to the flight, not the
    world; its line, the land east of 180 (Fiji's Lau islands) and the aircraft are drawn in
    [0, 360); the pointer still reads longitudes in [-180, 180)."""
    n = 121
    t = pd.date_range("2024-12-25T04:00:00Z", periods=n, freq="30s")
    lon = 177.4 + 0.06 * np.arange(n)
    frame = pd.DataFrame(
        {
            "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "latitude": (-17.75 + 0.02 * np.arange(n)).round(4),
            "longitude": np.where(lon > 180, lon - 360, lon).round(4),
            "altitude_ft": np.minimum(600 * np.arange(n), 35_000),
            "gs_kt": 450,
            "callsign": "FJI901",
        }
    )
    src = tmp_path / "fiji.csv"
    frame.to_csv(src, index=False)
    html = tmp_path / "fiji.html"
    render.write_html(
        html, render.render_html(render.build_map(None, analyse(read_track(src).track)))
    )
    mp = open_map(html, wait_for="#fm-profile-chart svg")
    west, east, zoom = mp.js(
        "() => { const m = Object.values(window).find(v => v instanceof L.Map);"
        " const b = m.getBounds(); return [b.getWest(), b.getEast(), m.getZoom()]; }"
    )
    assert zoom >= 5 and west < 177.4 and 184.6 < east < 200, (west, east, zoom)
    # The line's pieces (cut at 180) lie side by side, inside the view.
    boxes = mp.js(
        "() => [...document.querySelectorAll('path.fm-track-alt')].map(p => {"
        " const r = p.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    view = mp.page.viewport_size
    assert boxes and all(0 <= left and right <= view["width"] for left, right in boxes), boxes
    assert max(b[1] for b in boxes) - min(b[0] for b in boxes) < view["width"]
    # The pointer's longitude east of 180 reads as west longitude.
    mp.page.mouse.move(view["width"] * 0.75, view["height"] * 0.3)
    text = mp.page.locator(".leaflet-control-mouseposition").inner_text()
    assert " , -1" in text, text
    mp.screenshot("track-across-antimeridian")
    mp.assert_clean()
