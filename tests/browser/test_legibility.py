"""Issue 14's "Done when", measured in headless Chromium with tiles blocked, independent of how
the map is built (the selectors the page must keep are in ``legibility.py``'s docstring).

Three pages (the default case and tracks near Los Angeles and Dubai, rendered by the CLI) at
three viewports: panels never intersect (as loaded and with every panel opened), at least 90 %
of the small clickable marks are on top at their centre, the place names are written on the
map, land and sea differ in colour, no console error; on the case: the step-through visits every
event in time order, one aircraft at any slider time, 24-hour time labels and labelled slider
ticks; and the same input renders the same bytes.

Tests that fail on today's map are ``xfail(strict=True)``: the implementation of issue 14 turns
them into XPASS errors, and its author then removes the mark (``FAILING_TODAY``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flightmap import geo
from flightmap.cli import app

from . import legibility as lg

REPO = Path(__file__).resolve().parents[2]
browser = pytest.mark.browser

#: (test, page, viewport) that fail on the map of 2026-12-05 (before issue 14); "*" = any.
FAILING_TODAY: set[tuple[str, str, str]] = set()


def _failing(test: str, page: str, viewport: str) -> bool:
    return any(t == test and p in ("*", page) and v in ("*", viewport) for t, p, v in FAILING_TODAY)


def _params(test: str, viewports: list[str] | None = None) -> list[Any]:
    """(page, viewport) parameters, xfail where ``FAILING_TODAY`` says so."""
    out = []
    for page in lg.PAGES:
        for vp in viewports or list(lg.VIEWPORTS):
            marks = (
                [pytest.mark.xfail(strict=True, reason=f"issue 14: {test} fails on today's map")]
                if _failing(test, page, vp)
                else []
            )
            out.append(pytest.param(page, vp, id=f"{page}-{vp}", marks=marks))
    return out


def _xfail_today(what: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"issue 14: {what}")


# ------------------------------------------------------------------------------------------
# Pages, rendered once by the CLI, measured once per viewport
# ------------------------------------------------------------------------------------------


def _render(args: tuple[str, ...], out: Path) -> Path:
    # Track paths relative to the repository root, whatever the working directory.
    argv = [str(REPO / a) if a.startswith("tests/") else a for a in args]
    result = CliRunner().invoke(app, ["render", *argv, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("legibility")
    return {
        name: _render(spec.cli_args, folder / f"{name}.html") for name, spec in lg.PAGES.items()
    }


@pytest.fixture(scope="module")
def _measured() -> dict[tuple[str, str], lg.Measurement]:
    return {}


@pytest.fixture
def measured(
    open_map: Callable[..., Any],
    pages: dict[str, Path],
    _measured: dict[tuple[str, str], lg.Measurement],
) -> Iterator[Callable[[str, str], lg.Measurement]]:
    """``measured(page, viewport)``: the page's ``Measurement``, made on first use (one page
    load per page and viewport for the whole module)."""

    def get(page: str, viewport: str) -> lg.Measurement:
        key = (page, viewport)
        if key not in _measured:
            size = lg.VIEWPORTS[viewport]
            mp = open_map(pages[page], viewport=size)
            mp.screenshot(f"legibility-{page}-{viewport}")
            m = lg.measure(mp.page, lg.PAGES[page], size)
            m.problems = mp.problems()
            _measured[key] = m
        return _measured[key]

    yield get


# ------------------------------------------------------------------------------------------
# Layout, marks, names, colours, console
# ------------------------------------------------------------------------------------------


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("panels-loaded"))
def test_panels_do_not_overlap_as_loaded(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    found, overlaps = (
        measured(page, viewport).panels_loaded,
        measured(page, viewport).overlaps_loaded,
    )
    assert len(found) >= 2, found
    assert not overlaps, "overlapping panels:\n  " + "\n  ".join(map(str, overlaps))


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("panels-opened"))
def test_panels_do_not_overlap_all_opened(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    found, overlaps = (
        measured(page, viewport).panels_opened,
        measured(page, viewport).overlaps_opened,
    )
    assert len(found) >= 2, found
    assert not overlaps, "overlapping panels:\n  " + "\n  ".join(map(str, overlaps))


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("marks"))
def test_small_marks_are_on_top(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    m = measured(page, viewport)
    on_top, n, buried = m.marks_on_top, len(m.marks), m.buried
    assert on_top >= 0.9 * n, f"{on_top} of {n} marks on top; buried:\n  " + "\n  ".join(buried)


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("names"))
def test_place_names_are_written_on_the_map(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    m = measured(page, viewport)
    missing, found = m.names_missing, m.names
    assert not missing, f"not visible on the map: {missing} ({found})"


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("land-sea", ["1366x768"]))
def test_land_and_sea_differ(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    c = measured(page, viewport).colours
    distance, limit = c["distance"], lg.MIN_LAND_SEA_DISTANCE
    assert distance > limit, (
        f"land {c['land']} and sea {c['sea']} differ by {c['distance']:.1f} (RGB distance)"
    )


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("console"))
def test_no_console_error(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    # After loading, opening every panel and moving the view.
    problems = measured(page, viewport).problems
    assert not problems, "\n  ".join(problems)


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("profile-time", ["1366x768"]))
def test_profile_time_axis_is_24_hour_utc(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    spec = lg.PAGES[page]
    assert spec.span is not None
    labels = measured(page, viewport).profile_labels
    assert len(labels) >= 2, labels
    bad = lg.bad_time_labels(labels, spec.span)
    assert not bad, f"not 24-hour HH:MM within {spec.span} UTC: {bad} (all: {labels})"


@browser
@pytest.mark.parametrize(("page", "viewport"), _params("slider-labels", ["1366x768"]))
def test_slider_ticks_are_labelled(measured, page: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    labels = measured(page, viewport).slider_labels
    assert len(labels) >= 3, f"HH:MM labels in the slider box: {labels}"


# ------------------------------------------------------------------------------------------
# The case read in time: one aircraft, step-through
# ------------------------------------------------------------------------------------------


def _ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


@browser
def test_one_aircraft_at_any_slider_time(open_map, pages: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case("j2-8243")
    placed = sorted(e.time for e in case.events if e.waypoint)
    times = set(placed)
    times |= {a + (b - a) / 2 for a, b in itertools.pairwise(placed)}
    times.add(datetime.fromisoformat("2024-12-25T06:27:58+00:00"))  # the impact
    mp = open_map(pages["j2-8243"], viewport=lg.VIEWPORTS["1366x768"])
    counts = {}
    for t in sorted(times):
        lg.set_time(mp.page, _ms(t))
        counts[f"{t:%H:%M:%S}"] = lg.aircraft_count(mp.page)
    wrong = {k: v for k, v in counts.items() if v != 1}
    assert not wrong, f"aircraft marks at these times: {wrong}"
    mp.assert_clean()


_POPUP_STATE_JS = """(sel) => {
  const withId = document.querySelector(sel);
  const popup = document.querySelector('.leaflet-popup');
  if (!popup) return null;
  const r = popup.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  return {id: withId ? withId.getAttribute('data-event-id') : null,
          text: popup.innerText,
          in_view: cx >= 0 && cy >= 0 && cx < innerWidth && cy < innerHeight};
}"""


def _event_of(state: dict[str, Any] | None, case: Any) -> str | None:
    """The event id an open popup shows: its ``data-event-id``, else the event whose title
    (the longest that matches) is in the popup text."""
    if state is None:
        return None
    if state["id"]:
        return str(state["id"])
    titles = [e for e in case.events if e.title in state["text"]]
    return max(titles, key=lambda e: len(e.title)).id if titles else None


def _step(mp: Any, press: Callable[[], None], before: Any, timeout_s: float = 5.0) -> Any:
    """Press, then wait (up to ``timeout_s``) for a different popup to be open and in view."""
    press()
    deadline = datetime.now().astimezone() + timedelta(seconds=timeout_s)
    state = None
    while datetime.now().astimezone() < deadline:
        state = mp.js(_POPUP_STATE_JS, lg.POPUP_EVENT_ID)
        if state and state != before and state["in_view"]:
            return state
        mp.page.wait_for_timeout(50)
    return state


def _walk(mp: Any, press: Callable[[], None], n: int, case: Any) -> list[str | None]:
    seen: list[str | None] = []
    state = mp.js(_POPUP_STATE_JS, lg.POPUP_EVENT_ID)
    for _ in range(n):
        after = _step(mp, press, state)
        seen.append(_event_of(after, case))
        if after is None or after == state:  # nothing opened: no point pressing on
            break
        state = after
    return seen


def _open_for_steps(open_map, pages: dict[str, Path]) -> Any:  # type: ignore[no-untyped-def]
    mp = open_map(pages["j2-8243"], viewport=lg.VIEWPORTS["1366x768"])
    # An implementation that honours prefers-reduced-motion flies without animating, which
    # keeps this walk through 44 events fast; one that does not is still waited for.
    mp.page.emulate_media(reduced_motion="reduce")
    return mp


@browser
def test_step_through_visits_every_event_in_time_order(open_map, pages: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case("j2-8243")
    events = sorted(case.events, key=lambda e: e.time)
    mp = _open_for_steps(open_map, pages)
    nxt = mp.page.locator(lg.STEP_NEXT).first
    nxt.wait_for(state="visible", timeout=3_000)
    walked = _walk(mp, nxt.click, len(events), case)
    seen = [s for s in walked if s is not None]
    times = {e.id: e.time for e in events}
    assert len(seen) == len(walked) and sorted(seen) == sorted(times), (
        f"next visited {walked}, expected every one of {[e.id for e in events]}"
    )
    assert [times[s] for s in seen] == [e.time for e in events], f"out of time order: {seen}"
    # One step back from the last event opens the one before it.
    back = _walk(mp, mp.page.locator(lg.STEP_PREV).first.click, 1, case)
    assert back == [seen[-2]]
    mp.assert_clean()


@browser
def test_arrow_keys_step_like_the_buttons(open_map, pages: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case("j2-8243")
    events = sorted(case.events, key=lambda e: e.time)
    mp = _open_for_steps(open_map, pages)
    mp.js("() => document.activeElement && document.activeElement.blur()")
    n = 6
    walked = _walk(mp, lambda: mp.page.keyboard.press("ArrowRight"), n, case)
    seen = [s for s in walked if s is not None]
    times = {e.id: e.time for e in events}
    assert len(seen) == n, walked
    assert [times[s] for s in seen] == [e.time for e in events[:n]], seen
    assert len(set(seen)) == n, seen
    back = _walk(mp, lambda: mp.page.keyboard.press("ArrowLeft"), 1, case)
    assert back == [seen[-2]]
    mp.assert_clean()


# ------------------------------------------------------------------------------------------
# Determinism (no browser)
# ------------------------------------------------------------------------------------------


@browser
def test_slider_shows_a_named_local_zone_beside_utc(open_map, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = _render(("--local-time", "Asia/Baku"), tmp_path / "local.html")
    mp = open_map(html, viewport=lg.VIEWPORTS["1366x768"])
    first = min(e.time for e in geo.load_case("j2-8243").events)  # 03:49 UTC = 07:49 in Baku
    text = mp.js("() => document.querySelector('.leaflet-timeline-control .time-text').textContent")
    assert f"{first:%H:%M:%S} UTC" in text and "07:49:00" in text and "(Asia/Baku)" in text
    mp.assert_clean()


def test_an_unknown_local_zone_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["render", "--local-time", "Mars/Base", "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Base'" in result.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("page", list(lg.PAGES))
def test_rendering_twice_gives_the_same_bytes(
    pages: dict[str, Path], tmp_path: Path, page: str
) -> None:
    again = _render(lg.PAGES[page].cli_args, tmp_path / f"{page}.html")
    assert again.read_bytes() == pages[page].read_bytes()


# ------------------------------------------------------------------------------------------
# Positive control: a small page built to pass every measurement (so a failure above is the
# map's, not the harness's)
# ------------------------------------------------------------------------------------------

_CONTROL_JS = """
document.addEventListener('DOMContentLoaded', function () {
  const map = %(map)s;
  const events = [[40.4, 49.87, 'a'], [41.0, 50.0, 'b'], [41.5, 50.5, 'c']];
  let i = -1;
  const show = () => {
    const [lat, lon, id] = events[i];
    L.popup().setLatLng([lat, lon])
      .setContent('<b data-event-id="' + id + '">event ' + id + '</b>').openOn(map);
  };
  const box = L.DomUtil.create('div', 'fm-panel');
  box.style.cssText = 'position:absolute;left:10px;bottom:30px;z-index:1000;background:#fff';
  box.innerHTML = '<button class="fm-step-prev">prev</button>'
    + '<button class="fm-step-next">next</button>';
  document.body.appendChild(box);
  box.querySelector('.fm-step-next').onclick = () => { i = Math.min(i + 1, 2); show(); };
  box.querySelector('.fm-step-prev').onclick = () => { i = Math.max(i - 1, 0); show(); };
});
"""


def _control_page(path: Path) -> Path:
    import folium

    m = folium.Map(location=[41.0, 50.0], zoom_start=7, tiles=None)
    m.get_root().header.add_child(
        folium.Element("<style>.leaflet-container { background: #5a8fd0 !important; }</style>")
    )
    folium.Polygon(
        [(38.5, 46.0), (41.6, 46.0), (41.6, 49.9), (38.5, 49.9)],
        color="#6a9a3a",
        fill=True,
        fill_color="#b8d890",
        fill_opacity=1.0,
        interactive=False,
    ).add_to(m)
    folium.Marker(
        [40.3, 49.3], icon=folium.DivIcon(html="<span>Baku</span>"), interactive=False
    ).add_to(m)
    for lat, lon in ((41.0, 50.0), (41.5, 50.5)):
        folium.CircleMarker([lat, lon], radius=6, fill=True, popup="mark").add_to(m)
    m.get_root().script.add_child(folium.Element(_CONTROL_JS % {"map": m.get_name()}))
    m.save(str(path))
    return path


@browser
def test_measurements_pass_on_a_page_built_to_pass(open_map, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    mp = open_map(_control_page(tmp_path / "control.html"), viewport=(1366, 768))
    spec = lg.PageSpec((), (("Baku",), ("Grozny",)), land=(40.4, 49.0), sea=(42.0, 51.0))
    t0 = datetime.fromisoformat("2024-12-25T04:00:00+00:00")
    case = SimpleNamespace(
        events=[SimpleNamespace(id=k, title=f"event {k}", time=t0) for k in "abc"]
    )
    m = lg.measure(mp.page, spec, (1366, 768))
    assert _walk(mp, mp.page.locator(lg.STEP_NEXT).click, 3, case) == ["a", "b", "c"]
    assert _walk(mp, mp.page.locator(lg.STEP_PREV).click, 1, case) == ["b"]
    assert len(m.panels_loaded) >= 3 and not m.overlaps_loaded and not m.overlaps_opened
    assert m.marks_on_top == len(m.marks) == 2, m.buried
    assert m.names == {"Baku": "visible", "Grozny": "absent"}
    assert m.names_missing == ["Grozny"]
    assert m.colours["distance"] > lg.MIN_LAND_SEA_DISTANCE, m.colours
    mp.assert_clean()
