"""The J2-8243 map in headless Chromium: what Leaflet actually drew, popups, layer control,
the time slider, console errors and escaping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flightmap import geo, pipeline, render

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def case_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Exactly what `flightmap render` writes for the default case.
    case = geo.load_case("j2-8243")
    path = tmp_path_factory.mktemp("map") / "j2-8243.html"
    render.write_html(path, pipeline.render_page(case).html)
    return path


def _slider_to(mp, when: datetime) -> None:  # type: ignore[no-untyped-def]
    mp.js(
        """(ms) => { for (const k of Object.keys(window)) {
                if (k.startsWith('timeline_slider_')) { window[k].setTime(ms); return; } }
            throw new Error('no timeline slider'); }""",
        round(when.timestamp() * 1000),
    )
    mp.settle()


def test_case_map_draws_everything(open_map, case_html: Path) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case("j2-8243")
    mp = open_map(case_html)
    assert mp.count(".leaflet-overlay-pane path.fm-leg") == len(case.legs) == 4
    # Events and places are HTML marks in the marker pane, above every line and area.
    assert mp.count(".leaflet-marker-pane .fm-event") == len([e for e in case.events if e.waypoint])
    assert mp.count(".leaflet-marker-pane .fm-place") == len(case.waypoints)
    assert mp.count("path.fm-zone") == len(case.zones) == 3
    assert mp.count("path.fm-region") == 3  # where it could have been
    # The offline Natural Earth basemap draws land, lakes and borders without any tile.
    assert mp.count(".leaflet-fmBasemap-pane path") >= 3  # land, lakes, borders
    assert len(mp.blocked_tiles) > 0
    for selector in (
        ".leaflet-control-layers",
        ".leaflet-control-measure",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-mouseposition",
        ".leaflet-timeline-control",
        "#fm-legend",
        "#fm-title",
        "#fm-methods",
    ):
        assert mp.count(selector) >= 1, selector
    # Before the pointer is on the map the position control says what it is for.
    assert mp.page.locator(".leaflet-control-mouseposition").inner_text() == render.POINTER_HINT
    mp.screenshot("j2-8243-default")
    mp.assert_clean()


def test_event_popup_has_utc_time_and_source_link(open_map, case_html: Path) -> None:  # type: ignore[no-untyped-def]
    mp = open_map(case_html)
    text = mp.open_popup(".fm-event-kover")  # a real click: the mark must be on top
    assert "2024-12-25 05:21:42 UTC" in text
    assert "08:21:42 (Europe/Moscow, UTC+03:00)" in text
    links = mp.js(
        "() => [...document.querySelectorAll('.leaflet-popup-content a')].map(a => a.href)"
    )
    assert "https://en.trend.az/azerbaijan/politics/4001661.html" in links
    mp.assert_clean()


def test_layer_control_toggles_a_layer(open_map, case_html: Path) -> None:  # type: ignore[no-untyped-def]
    mp = open_map(case_html)
    name = "Route legs (line style = evidence)"
    assert mp.layer_checked(name)
    mp.toggle_layer(name)
    assert not mp.layer_checked(name)
    assert mp.count("path.fm-leg") == 0
    mp.toggle_layer(name)
    assert mp.count("path.fm-leg") == 4
    mp.assert_clean()


def test_time_slider_changes_what_is_visible(open_map, case_html: Path) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case("j2-8243")
    mp = open_map(case_html)

    def at(hms: str) -> tuple[int, int, int]:
        _slider_to(mp, datetime.fromisoformat(f"2024-12-25T{hms}+00:00"))
        return (
            mp.count(".fm-event:not(.fm-future)"),  # events that have happened, not faded
            mp.count("path.fm-replay-zone"),
            mp.count("path.fm-replay-zone-kover_grozny"),
        )

    def expected(hms: str) -> tuple[int, int, int]:
        t = datetime.fromisoformat(f"2024-12-25T{hms}+00:00")
        events = sum(1 for e in case.events if e.waypoint and e.time <= t)
        zones = case.zone_at(t)
        return events, len(zones), sum(1 for z in zones if z.id == "kover_grozny")

    for hms in ("05:00:00", "05:21:42", "05:22:00", "06:10:00"):
        assert at(hms) == expected(hms), hms
    # The Kovyor plan has no stated end: after 05:21:42 its status is unknown, outlined only.
    assert at("05:22:00")[2] == 0 and mp.count("path.fm-replay-unknown-kover_grozny") == 1
    assert mp.count(".fm-replay-aircraft") == 1
    mp.assert_clean()


def test_hostile_text_opens_no_dialog(  # type: ignore[no-untyped-def]
    open_map, case_copy: Path, edit, tmp_path: Path
) -> None:
    edit(case_copy / "events.csv", "Take-off from Baku,", "<img src=x onerror=alert(1)>,")
    edit(
        case_copy / "sources.csv",
        "Cited by URL;",
        "</script><script>alert(2)</script> `${alert(3)}`",
    )
    case = geo.load_case(case_copy)
    path = tmp_path / "hostile.html"
    render.write_html(path, render.render_html(render.build_map(case)))
    mp = open_map(path)
    mp.open_popup(".fm-event-takeoff", dispatch=True)
    mp.open_popup(".fm-event-first_bang", dispatch=True)
    mp.js("() => document.querySelectorAll('#fm-title details').forEach(d => d.open = true)")
    mp.settle()
    assert mp.dialogs == []
    assert "<img src=x onerror=alert(1)>" in mp.js("() => document.body.innerText")
    mp.assert_clean()


def test_case_profile_plots_the_stated_values(open_map, case_html: Path) -> None:  # type: ignore[no-untyped-def]
    # The chart is embedded (closed panel) once the Vega libraries load: three altitude points
    # (FL300, 14,025 ft, 3,500 ft) and two speeds (402 kt, 52 kt) that sources state.
    mp = open_map(case_html, wait_for="#fm-profile-chart svg")
    mp.js("() => { document.getElementById('fm-profile').open = true; }")
    mp.settle()
    marks = mp.js(
        "() => [...document.querySelectorAll('#fm-profile-chart svg path[aria-roledescription]')]"
        ".map(p => p.getAttribute('aria-roledescription'))"
    )
    assert marks.count("point") == 5, marks
    assert mp.page.locator("#fm-profile-chart svg").first.bounding_box() is not None
    mp.assert_clean()


def test_track_aircraft_moves_with_the_slider(  # type: ignore[no-untyped-def]
    open_map, tmp_path: Path
) -> None:
    """A track's aircraft on the slider: one yellow ring in its own pane at every time, at the
    position of the report the slider points at (the positions carry only their times; the
    page's script styles them)."""
    from flightmap.readers import read_track

    name = Path(__file__).parents[1] / "data" / "tracks" / "fr24_anz1005.csv"
    page = tmp_path / "track.html"
    render.write_html(page, pipeline.render_page(None, [name]).html)
    track = read_track(name).track.dropna(subset=["lat"])
    mp = open_map(page)
    seen = set()
    for frac in (0.0, 0.3, 0.6, 0.95):
        when = track["time"].iloc[int(frac * (len(track) - 1))].to_pydatetime()
        _slider_to(mp, when)
        assert mp.count(".fm-replay-aircraft.fm-replay-track") == 1, when
        ring = mp.js(
            """() => { const r = document.querySelector('.fm-replay-track');
                return [r.getAttribute('stroke'), r.getAttribute('fill'),
                        r.closest('.leaflet-pane').className, r.getAttribute('d')]; }"""
        )
        assert ring[:2] == ["#000000", "#ffd400"] and "fm-aircraft" in ring[2]
        seen.add(ring[3])
    assert len(seen) == 4  # drawn somewhere else at each time: it moves
    mp.assert_clean()
