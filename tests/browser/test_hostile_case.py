"""A case written by someone hostile, opened in headless Chromium: payloads in every free-text
field of every case file (waypoint and event notes, claims, conflicts, legs, sources' titles
and publishers, zone names and bases, the case's own title and summary), in a track's callsign
and in the track file's name. Nothing runs, nothing is injected into the DOM, no Jinja is
evaluated, and every payload is displayed as the text it is.

tests/browser/test_map.py covers an event title and a source title; this covers the rest.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from flightmap import compose, geo

pytestmark = pytest.mark.browser

PAYLOADS = [
    '"><img src=x onerror="window.__pwned=1;alert(1)">',
    "</script><script>window.__pwned=2;alert(2)</script>",
    "<svg onload=window.__pwned=3>",
    "`${window.__pwned=4}`",
    "{{ 7*7 }}",
    "{% if true %}JINJA-RAN{% endif %}",
    "'-alert(5)-'",
    "javascript:alert(6)",
]
ALL = " ".join(PAYLOADS)

TEXT_COLUMNS = {
    "sources.csv": ["title", "publisher", "note"],
    "waypoints.csv": ["name", "note", "basis"],
    "events.csv": ["title", "description", "basis", "position_basis"],
    "claims.csv": ["subject", "statement", "basis"],
    "legs.csv": ["label", "basis"],
    "conflicts.csv": ["topic", "summary", "handling"],
}


def poison(case_dir: Path) -> None:
    """Append every payload to every free-text field that holds text."""
    for name, columns in TEXT_COLUMNS.items():
        path = case_dir / name
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            for col in columns:
                if row.get(col) or col in ("note", "description", "handling"):
                    row[col] = f"{row[col]} {ALL}"
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    zones = json.loads((case_dir / "zones.geojson").read_text(encoding="utf-8"))
    for feature in zones["features"]:
        for key in ("name", "basis"):
            feature["properties"][key] = f"{feature['properties'][key]} {ALL}"
    (case_dir / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    toml = (case_dir / "case.toml").read_text(encoding="utf-8")
    toml = re.sub(
        r'^title = "(.*)"$', lambda m: f"title = {json.dumps(m[1] + ' ' + ALL)}", toml, flags=re.M
    )
    toml = toml.replace('summary = """\n', 'summary = """\n' + ALL.replace("\\", "\\\\") + " ")
    (case_dir / "case.toml").write_text(toml, encoding="utf-8")


def hostile_track(path: Path) -> Path:
    callsign = '"' + ALL.replace('"', '""') + '"'
    rows = [
        f"2024-12-25T04:{m:02d}:00Z,{40.5 + m * 0.02:.4f},{49.9 - m * 0.03:.4f},{1000 * m},"
        f"{callsign},abc123"
        for m in range(40)
    ]
    path.write_text("time,lat,lon,alt_baro_ft,callsign,icao24\n" + "\n".join(rows) + "\n")
    return path


def test_hostile_case_runs_nothing(open_map, case_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    poison(case_copy)
    case = geo.load_case(case_copy)
    track = hostile_track(tmp_path / "<img src=x onerror=alert(7)>{{ 7*7 }}.csv")
    html = tmp_path / "hostile.html"
    html.write_text(compose.render_page(case, [track]).html, encoding="utf-8")
    mp = open_map(html, wait_for="#fm-profile-chart svg")

    # Open what shows text: the title and methods panels, popups of every kind of feature,
    # the track's popup.
    mp.js("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    selectors = [
        "path.fm-waypoint",
        "path.fm-event-first_bang",
        "path.fm-event-takeoff",
        "path.fm-zone",
        "path.fm-leg",
        "path.fm-track-alt",
    ]
    for selector in selectors:
        for i in range(min(mp.count(selector), 3)):
            text = mp.open_popup(selector, i, dispatch=True)
            assert "{{ 7*7 }}" in text or "JINJA-RAN" in text or "onerror" in text, selector
    mp.settle()

    assert mp.dialogs == []
    assert mp.js("() => window.__pwned") is None
    assert mp.js("() => document.querySelectorAll('[onerror], [onload]:not(body)').length") == 0
    assert mp.js("() => document.querySelectorAll('svg[onload], img[src=\"x\"]').length") == 0
    scripts = mp.js("() => [...document.scripts].map(s => s.textContent).join('\\n')")
    assert "window.__pwned=2;alert(2)</script>" not in scripts
    # Every payload is displayed as text: in the panels and in the popups opened above.
    shown = mp.js("() => document.body.innerText")
    for payload in PAYLOADS:
        assert payload in shown, payload
    # No Jinja ran: the expression is shown as written, never as its value.
    assert "{% if true %}JINJA-RAN{% endif %}" in shown
    assert "JINJA-RAN" not in shown.replace("{% if true %}JINJA-RAN{% endif %}", "")
    # Links go to http(s) sources only.
    hrefs = mp.js("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    mp.assert_clean()
