"""The map's structure (layers, counts, popups), escaping, reproducibility and atomic writes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import folium
import pandas as pd
import pytest

from flightmap import geo, render
from flightmap.analysis import analyse


def _layers(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _of_type(layer: folium.FeatureGroup, kind: type) -> list[object]:
    return [c for c in layer._children.values() if type(c) is kind]


@pytest.fixture(scope="module")
def built(case: geo.Case) -> tuple[folium.Map, str]:
    m = render.build_map(case)
    return m, render.render_html(m)


def test_layers_and_feature_counts(case: geo.Case, built: tuple[folium.Map, str]) -> None:
    from flightmap.render._marks import MarksLayer, marks_payload

    m, _ = built
    layers = _layers(m)
    assert set(layers) == {
        "Route legs (line style = evidence)",
        "Events and places (click for sources)",
        "Reported zones (GNSS jamming, airspace closures)",
    }
    positioned = [e for e in case.events if e.waypoint]
    assert len(positioned) == 9
    assert len(_of_type(layers["Events and places (click for sources)"], MarksLayer)) == 1
    payload = marks_payload(case)
    assert [e["id"] for e in payload["events"]] == [e.id for e in positioned]
    assert [p["id"] for p in payload["places"]] == list(case.waypoints)
    assert all("data-event-id" in e["popup"] for e in payload["events"])
    legs = _of_type(layers["Route legs (line style = evidence)"], folium.PolyLine)
    assert len(legs) == len(case.legs) == 4
    assert (
        len(_of_type(layers["Reported zones (GNSS jamming, airspace closures)"], folium.GeoJson))
        == 3
    )
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_inferred_legs_are_dotted_never_solid(
    case: geo.Case, built: tuple[folium.Map, str]
) -> None:
    m, _ = built
    legs = _of_type(_layers(m)["Route legs (line style = evidence)"], folium.PolyLine)
    for leg, line in zip(case.legs, legs, strict=True):
        assert leg.evidence == "inferred"
        assert line.options["dashArray"] == render.EVIDENCE_STYLE["inferred"]["dash_array"]


def test_first_view_covers_the_case_and_its_towns(
    case: geo.Case, built: tuple[folium.Map, str]
) -> None:
    from flightmap.render._page import PageScript

    m, _ = built
    (script,) = [c for c in m._children.values() if isinstance(c, PageScript)]
    (south, west), (north, east) = script.bounds  # what the page fits its first view to
    for w in case.waypoints.values():
        assert south <= w.lat <= north and west <= w.lon <= east
    # Grozny the city (43.31 N, 45.69 E), named for its airport, is in the first view too.
    assert south <= 43.31 <= north and west <= 45.69 <= east


def test_popups_show_utc_local_time_and_source_links(built: tuple[folium.Map, str]) -> None:
    _, page = built
    assert "2024-12-25 05:13:32 UTC" in page  # loss of control
    assert "09:13:32 (Asia/Baku, UTC+04:00)" in page
    assert "08:13:32 (Europe/Moscow, UTC+03:00)" in page
    assert "2024-12-25 05:21:42 UTC" in page  # Kovyor
    assert 'href="https://en.tengrinews.kz/kazakhstan_news/' in page
    assert "Sources disagree: Crash-site distance from Aktau" in page
    assert "Methods and sources" in page
    assert "inferred (derived here)" in page  # legend


def test_render_is_byte_identical(case: geo.Case, built: tuple[folium.Map, str]) -> None:
    _, page = built
    again = render.render_html(render.build_map(case))
    assert again == page
    # The budget of the default page: 300 kB for the case itself, 150 kB for the offline
    # basemap and place names (README, "Offline basemap").
    assert len(page) < 450_000


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(2)>',
    "template": "`${alert(3)}`",
    "escape": "\\x3cimg src=x onerror=alert(4)\\x3e",
}


def test_untrusted_text_is_escaped(
    case_copy: Path, edit: Callable[[Path, str, str], None], tmp_path: Path
) -> None:
    edit(
        case_copy / "sources.csv",
        '"Preliminary report on the Embraer 190',
        f'"{PAYLOADS["script"].replace(chr(34), chr(34) * 2)} Preliminary report',
    )
    edit(
        case_copy / "waypoints.csv",
        "Where Azerbaijani sources say the fire came from",
        PAYLOADS["img"].replace('"', '""').join('""'),
    )
    edit(case_copy / "events.csv", "Take-off from Baku,", f"Take-off {PAYLOADS['template']},")
    edit(case_copy / "events.csv", "Hydraulic system 1 fluid quantity 0%.", PAYLOADS["escape"])
    case = geo.load_case(case_copy)
    page = render.render_html(render.build_map(case))
    for raw in PAYLOADS.values():
        assert raw not in page
    # Popups of the marks travel as JSON strings in a script: read them as the page does.
    (marks,) = re.findall(r"var marks = (\{.*?\});\n", page)
    page += json.dumps(json.loads(marks), ensure_ascii=False)
    for raw in PAYLOADS.values():
        assert raw not in page
    assert "alert(1)" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&#96;&#36;&#123;alert(3)&#125;&#96;" in page
    assert "&#92;x3cimg" in page
    assert "<script>alert" not in page and "onerror=alert(2)>" not in page


def test_only_http_urls_become_links() -> None:
    assert render._html.safe_url("javascript:alert(1)") is None
    assert render._html.safe_url('https://x.org/"onmouseover=alert(1)') is None
    assert render._html.safe_url("https://x.org/a?b=1&c=2") == "https://x.org/a?b=1&amp;c=2"


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "map.html"
    render.write_html(target, "old map")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        render.write_html(target, "new map")
    assert target.read_text() == "old map"
    assert os.listdir(tmp_path) == ["map.html"]  # no temporary file left behind


def test_unknown_tiles_rejected(case: geo.Case) -> None:
    with pytest.raises(ValueError, match="unknown tiles"):
        render.build_map(case, tiles="Stamen.Watercolor")


def test_jinja_syntax_in_inputs_is_never_executed(
    case_copy: Path, edit: Callable[[Path, str, str], None], tmp_path: Path
) -> None:
    """folium re-parses rendered output as a Jinja template: '{{ 7*7 }}' in any input text
    must come out as text, never as 49."""
    import pandas as pd

    from flightmap import schema as s

    edit(
        case_copy / "case.toml", 'title = "Azerbaijan', 'title = "{{ 7*7 }} {% if 1 %}x{% endif %}'
    )
    edit(case_copy / "events.csv", "Take-off from Baku,", "Take-off {{ 6*7 }},")
    track = s.conform(
        pd.DataFrame(
            {
                s.FLIGHT_ID: "{{ 8*8 }}-1",
                s.TIME: pd.date_range("2024-12-25T04:00Z", periods=3, freq="10s"),
                s.LAT: [40.0, 40.1, 40.2],
                s.LON: [50.0, 50.1, 50.2],
                s.CALLSIGN: "{{ 9*9 }}",
            }
        )
    )
    case = geo.load_case(case_copy)
    m = render.build_map(case, analyse(track), manifest={"inputs": [{"name": "{{ 5*5 }}.csv"}]})
    page = render.render_html(m)
    assert "{{" not in page and "<h3>49 x</h3>" not in page
    assert "Take-off 42" not in page and "64-1" not in page
    assert "&#123;&#123; 7*7 &#125;&#125;" in page
    assert "&#123;&#123; 6*7 &#125;&#125;" in page
    assert "\\u007b\\u007b 9*9 \\u007d\\u007d" in page  # callsign inside the track payload
    assert "\\u007b\\u007b 5*5 \\u007d\\u007d.csv" in page  # file name in the manifest


def test_placed_events_have_the_inferred_ring(case: geo.Case) -> None:
    from flightmap.render._marks import marks_payload

    events = marks_payload(case)["events"]
    placed = [e for e in case.events if e.waypoint]
    assert len(events) == len(placed)
    for ev, mark in zip(placed, events, strict=True):
        place = case.placement(ev)
        assert place is not None
        # The dotted ring says the place was derived by flightmap, whatever the time's evidence.
        assert mark["placed"] is (place.evidence == "inferred")
    rings = {m["id"]: m["placed"] for m in events}
    assert rings["first_bang"] and rings["adsb_back"]  # placed on the Grozny point, derived
    assert not rings["takeoff"]  # Baku airport: a place the sources give


def test_claims_and_every_conflict_are_on_the_page(
    case: geo.Case, built: tuple[folium.Map, str]
) -> None:
    _, page = built
    assert f"Claims ({len(case.claims)}) and conflicts ({len(case.conflicts)})" in page
    for k in case.conflicts:
        assert f"id='fm-conflict-{k.id}'" in page
    # The source articles' claims appear, escaped, with their publishers.
    assert render.esc(case.claims["reuters_pantsir_ew"].statement) in page
    assert render.esc(case.claims["khankala_fire"].statement) in page
    # One pair per hydraulic system, the two sides side by side.
    assert "Hydraulic failure sequence after the first bang: system 2" in page


def test_methods_explain_the_regions_and_placements(case: geo.Case) -> None:
    from flightmap import pipeline

    page = pipeline.render_page(case).html
    methods = page[page.index("id='fm-methods'") :]
    assert "<b>Where it could have been</b>" in methods
    assert "d(A,P) + d(P,B)" in methods
    assert "585.6 kt" in methods  # the stated E190 maximum speed, in each region's basis
    assert "<b>Where events are placed</b>" in methods
    assert render.esc(case.event("adsb_back").position_basis) in methods


def test_methods_list_the_implied_leg_speeds(built: tuple[folium.Map, str]) -> None:
    _, page = built
    table = page[page.index("fm-leg-speeds") :].split("</table>")[0]
    # Baku GYD take-off 03:55 to Grozny (first approach 04:50): 485 km in 55 min = 286 kt;
    # the Kovyor plan (Grozny, 05:21:42) to ADS-B back (06:07): 291 km in 45.3 min = 208 kt.
    assert "03:55:00&ndash;04:50:00</td><td>485 km</td><td>286 kt</td><td>plausible" in table
    assert "05:21:42&ndash;06:07:00</td><td>291 km</td><td>208 kt</td><td>plausible" in table
    assert table.count("<tr>") == 3  # legs between events at one place are left out


def test_case_map_profile_plots_the_stated_values(case: geo.Case) -> None:
    from flightmap.render._case import case_profile_spec

    spec = case_profile_spec(case)
    assert spec is not None
    rows = spec["datasets"]["stated"]
    assert [(r["t"], r["alt"], r["gs"]) for r in rows] == [
        ("2024-12-25T04:25:00+00:00", 30000, 402),
        ("2024-12-25T04:37:00+00:00", 14025, 52),
        ("2024-12-25T05:13:31+00:00", 3500, None),
    ]
    assert rows[0]["who"].startswith("Simple Flying")
    rules = spec["layer"][0]["data"]["values"]
    assert len(rules) == len([e for e in case.events if e.waypoint])
    page = render.render_html(render.build_map(case))
    assert "Profile: altitude and speed stated by sources (UTC)" in page
    assert '<details class="fm-panel fm-profile fm-fold" id="fm-profile">' in page  # closed


# --------------------------------------------------------- page assembly without Jinja recompiles


@pytest.mark.parametrize(
    "text",
    ["", "a", "a\n", "a\n\n", "a\r\nb\rc\n", "\n", "x { y } {x} % # {  {", "<b>é</b>\u2028\r\n"],
)
def test_verbatim_text_renders_as_jinja_would(text: str) -> None:
    from branca.element import Element

    from flightmap.render._verbatim import VerbatimElement, as_rendered

    assert as_rendered(text) == Element(text).render()
    assert VerbatimElement(text).render() == Element(text).render()


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% if 1 %}x{% endif %}", "a {# c #} b"])
def test_verbatim_element_still_renders_jinja_as_branca_does(text: str) -> None:
    from branca.element import Element

    from flightmap.render._verbatim import VerbatimElement, as_rendered

    assert as_rendered(text) is None
    assert VerbatimElement(text).render() == Element(text).render()


def test_page_is_the_same_with_and_without_the_verbatim_shortcut(case: geo.Case) -> None:
    import pandas as pd
    from branca.element import Figure

    from flightmap import schema as s
    from flightmap.render import _stable_ids

    track = s.conform(
        pd.DataFrame(
            {
                s.FLIGHT_ID: "t-1",
                s.TIME: pd.date_range("2024-12-25T04:00Z", periods=50, freq="10s"),
                s.LAT: [40.0 + i / 100 for i in range(50)],
                s.LON: [50.0 + i / 100 for i in range(50)],
                s.CALLSIGN: "AHY8243",
            }
        )
    )
    fast = render.render_html(render.build_map(case, analyse(track)))
    root = render.build_map(case, analyse(track)).get_root()
    assert isinstance(root, Figure)
    _stable_ids(root)
    slow = root.render()  # branca's own way: every element's output compiled as a template
    assert fast == slow
    import branca.element
    import folium.features
    import folium.map
    from branca.element import Element

    # The shortcut is undone after the page: nothing of it outlives render_html.
    patched = (branca.element.Element, folium.map.Element, folium.features.Element)
    assert all(el is Element for el in patched)


def test_other_threads_see_plain_elements_during_a_render() -> None:
    """While one thread renders (the name Element swapped in branca and folium), another that
    builds and renders folium objects gets exactly what it would without flightmap."""
    import threading

    from branca.element import Element, Html

    from flightmap.render._verbatim import verbatim_elements

    def page() -> str:
        m = folium.Map(location=(40.0, 50.0), tiles=None)
        folium.Marker((40.0, 50.0), popup=folium.Popup(Html("hello-popup"))).add_to(m)
        folium.ClickForMarker(Html("clicked-here")).add_to(m)
        html = m.get_root().render()
        return html.replace(m.get_name(), "MAP")  # ids are random: compare the rest

    expected = page()
    got: list[str] = []
    with verbatim_elements():
        worker = threading.Thread(target=lambda: got.append(page()))
        worker.start()
        worker.join()
        assert isinstance(Html("x"), folium.map.Element)  # the stand-in answers as Element
    assert len(got) == 1 and "hello-popup" in got[0] and "clicked-here" in got[0]
    strip = re.compile(r"[0-9a-f]{32}")
    assert strip.sub("ID", got[0]) == strip.sub("ID", expected)
    assert folium.map.Element is Element


def _fresh_python(code: str) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


_PLUGIN_NAMES = "Fullscreen MeasureControl MiniMap MousePosition Timeline TimelineSlider"


def test_plugins_loaded_alone_are_folium_s_own_classes() -> None:
    """After load_alone (what the command line does), the plugins come without folium.plugins'
    __init__, and are still the classes folium.plugins exports once it is imported."""
    _fresh_python(
        "import sys\n"
        "from flightmap import render\n"
        "from flightmap.render import _plugins as p\n"
        "render.load_plugins_alone()\n"
        f"ours = [getattr(p, n) for n in {_PLUGIN_NAMES.split()!r}]\n"
        "assert 'folium.plugins' not in sys.modules, 'the package init ran'\n"
        "import folium.plugins as fp\n"
        f"theirs = [getattr(fp, n) for n in {_PLUGIN_NAMES.split()!r}]\n"
        "assert all(a is b for a, b in zip(ours, theirs, strict=True)), 'different classes'\n"
        "assert len([n for n in sys.modules if n.startswith('folium.plugins.')]) > 30\n"
        "print('ok')\n"
    )


def test_plugins_for_a_library_user_come_through_the_package() -> None:
    """Without load_alone (a library user's process), folium.plugins is imported as usual, so
    its submodules are attributes of the package and ``import folium.plugins.x`` works."""
    _fresh_python(
        "import sys\n"
        "from flightmap.render import _plugins as p\n"
        "cls = p.Fullscreen\n"
        "assert 'folium.plugins' in sys.modules\n"
        "import folium.plugins.fullscreen\n"
        "assert folium.plugins.fullscreen.Fullscreen is cls\n"
        "assert folium.plugins.timeline.TimelineSlider is p.TimelineSlider\n"
        "print('ok')\n"
    )


def test_story_lists_every_event_in_time_order(
    case: geo.Case, built: tuple[folium.Map, str]
) -> None:
    _, page = built
    story = render.story_of(case)
    assert [s["id"] for s in story] == [e.id for e in sorted(case.events, key=lambda e: e.time)]
    assert [s["t"] for s in story] == sorted(s["t"] for s in story)
    # An event without a place opens as a card copied from its timeline entry.
    for s in story:
        if not s["placed"]:
            assert f"data-timeline-event='{render.esc(s['id'])}'" in page


def test_slider_ticks_are_round_utc_times() -> None:
    from flightmap.render._page import slider_ticks

    start = int(pd.Timestamp("2024-12-25T03:49:00Z").value // 1_000_000)
    end = int(pd.Timestamp("2024-12-25T06:28:58Z").value // 1_000_000)
    assert [label for _, label in slider_ticks(start, end)] == [
        "04:00",
        "04:30",
        "05:00",
        "05:30",
        "06:00",
    ]
    assert [label for _, label in slider_ticks(start, start + 4 * 60_000)] == [
        "03:49",
        "03:50",
        "03:51",
        "03:52",
        "03:53",
    ]
