"""A case written by someone hostile, opened in headless Chromium: payloads in every free-text
field of every case file (waypoint and event notes, claims, conflicts, legs, sources' titles
and publishers, zone names and bases, kinds and categories, the case's own title, summary and
callsign), in a track's callsign and in the track file's name (all built by tests/hostile.py,
shared with tests/test_security.py). Nothing runs, nothing is injected into the DOM, no Jinja
is evaluated, and every payload is displayed as the text it is.

tests/browser/test_map.py covers an event title and a source title; this covers the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import HOSTILE_FILE_NAME, PAYLOADS, hostile_track, poison_case

from flightmap import geo, pipeline

pytestmark = pytest.mark.browser


def test_hostile_case_runs_nothing(open_map, case_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case = geo.load_case(poison_case(case_copy))
    track = hostile_track(tmp_path / HOSTILE_FILE_NAME)
    html = tmp_path / "hostile.html"
    html.write_text(pipeline.render_page(case, [track]).html, encoding="utf-8")
    mp = open_map(html, wait_for="#fm-profile-chart svg")

    # Open what shows text: the title and methods panels, popups of every kind of feature,
    # the track's popup.
    mp.js("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    selectors = [
        ".fm-place",
        ".fm-event-first_bang",
        ".fm-event-takeoff",
        ".fm-legend-zone",  # a zone's popup opens from the legend
        "path.fm-leg",
        "path.fm-track-alt",
    ]
    for selector in selectors:
        assert mp.count(selector) > 0, selector
        for i in range(min(mp.count(selector), 3)):
            text = mp.open_popup(selector, i, dispatch=True)
            assert "{{ 7*7 }}" in text or "JINJA-RAN" in text or "onerror" in text, selector
    mp.settle()

    assert mp.dialogs == []
    assert mp.js("() => window.__pwned") is None
    assert mp.js("() => document.querySelectorAll('[onerror], [onload]:not(body)').length") == 0
    assert mp.js("() => document.querySelectorAll('svg[onload], img[src=\"x\"]').length") == 0
    scripts = mp.js("() => [...document.scripts].map(s => s.textContent).join('\\n')")
    for name in ("script", "close-script"):  # no raw payload inside a script
        assert PAYLOADS[name].rpartition("<script>")[2] not in scripts, name
    # Every payload is displayed as text: in the panels and in the popups opened above.
    shown = mp.js("() => document.body.innerText")
    for name, payload in PAYLOADS.items():
        assert payload in shown, name
    # No Jinja ran: the expression is shown as written, never as its value.
    assert PAYLOADS["jinja-block"] in shown
    assert "JINJA-RAN" not in shown.replace(PAYLOADS["jinja-block"], "")
    # Links go to http(s) sources only.
    hrefs = mp.js("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    mp.assert_clean()
