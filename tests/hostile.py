"""Hostile inputs for the injection tests: a case and tracks with payloads in every text field.

Used by tests/test_security.py (the page as written) and tests/browser/test_hostile_case.py (the
page in Chromium).  Imported as ``hostile``: pytest puts ``tests/`` on ``sys.path`` for both
(``tests/`` has no ``__init__.py``; ``tests/browser/`` is the package ``browser`` below it).

Every payload that would run JavaScript sets ``window.__pwned`` (the browser test reads it) and
calls ``alert`` (a dialog, which the browser harness records).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

#: Named payloads.  Keep "jinja", "jinja-block" and "template-literal" in this order and next to
#: each other: test_security.test_no_jinja_ran looks for a "49" shortly before an escaped "`".
PAYLOADS = {
    "script": "<script>window.__pwned=1;alert(1)</script>",
    "attribute": '"><img src=x onerror="window.__pwned=2;alert(2)">',
    "close-script": "</script><script>window.__pwned=3;alert(3)</script>",
    "svg-onload": "<svg onload=window.__pwned=4>",
    "jinja": "{{ 7*7 }}",
    "jinja-block": "{% if true %}JINJA-RAN{% endif %}",
    "template-literal": "`${window.__pwned=5;alert(5)}`",
    "single-quote": "'-alert(6)-'",
    "javascript-url": "javascript:alert(8)",
    "comment": "<!-- -->",
}
#: Every payload, space-separated: what each poisoned field gets.
ALL = " ".join(PAYLOADS.values())

#: A track file name that is a payload too (alert(7)).
HOSTILE_FILE_NAME = "<img src=x onerror=alert(7)>{{ 7*7 }}.csv"

#: The free-text columns of the case's CSV files, and the zones' text properties.
TEXT_COLUMNS = {
    "sources.csv": ["title", "publisher", "note"],
    "waypoints.csv": ["name", "kind", "note", "basis"],
    "events.csv": ["title", "description", "category", "basis", "position_basis"],
    "claims.csv": ["subject", "statement", "basis"],
    "legs.csv": ["label", "basis"],
    "conflicts.csv": ["topic", "summary", "handling"],
}
ZONE_PROPERTIES = ["name", "kind", "basis"]


def poison_case(case_dir: Path) -> Path:
    """Append every payload to every free-text field of the case folder ``case_dir`` (in place):
    the CSV columns of TEXT_COLUMNS, the zones' ZONE_PROPERTIES, and the title, summary and
    callsign of case.toml.  Returns ``case_dir``."""
    for name, columns in TEXT_COLUMNS.items():
        path = case_dir / name
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            for col in columns:
                # Required fields always; optional ones (basis...) where they were filled in,
                # so that the case stays valid.
                if row.get(col) or col in ("note", "description", "handling"):
                    row[col] = f"{row[col]} {ALL}"
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    zones_path = case_dir / "zones.geojson"
    zones = json.loads(zones_path.read_text(encoding="utf-8"))
    for feature in zones["features"]:
        for key in ZONE_PROPERTIES:
            feature["properties"][key] = f"{feature['properties'][key]} {ALL}"
    zones_path.write_text(json.dumps(zones), encoding="utf-8")
    toml_path = case_dir / "case.toml"
    toml = toml_path.read_text(encoding="utf-8")
    toml = re.sub(
        r'^title = "(.*)"$', lambda m: f"title = {json.dumps(m[1] + ' ' + ALL)}", toml, flags=re.M
    )
    toml = toml.replace('summary = """\n', 'summary = """\n' + ALL.replace("\\", "\\\\") + " ")
    toml = re.sub(r'^callsign = ".*"$', f"callsign = {json.dumps(ALL)}", toml, flags=re.M)
    toml_path.write_text(toml, encoding="utf-8")
    return case_dir


def hostile_track(path: Path) -> Path:
    """A CSV track of 40 minutes (a row a minute, climbing north-west from Baku) whose callsign
    holds every payload; written to ``path``, which is returned."""
    callsign = '"' + ALL.replace('"', '""') + '"'
    rows = [
        f"2024-12-25T04:{m:02d}:00Z,{40.4 + m * 0.02:.4f},{50.0 - m * 0.03:.4f},{1000 * m},"
        f"{callsign},abc123"
        for m in range(40)
    ]
    path.write_text("time,lat,lon,alt_baro_ft,callsign,icao24\n" + "\n".join(rows) + "\n")
    return path
