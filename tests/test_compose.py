"""The composed page: case regions, track analysis layers, manifest, several track files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flightmap import compose, geo
from flightmap import schema as s

TRACK = Path(__file__).parent / "data" / "tracks" / "readsb_trace.json"


def test_case_regions_on_the_map(case: geo.Case) -> None:
    page = compose.render_page(case).html
    assert "Where it could have been (inferred)" in page
    assert page.count('"className": "fm-region"') == 3  # hit-to-crash, Kovyor, ADS-B back
    assert "Where it could have been at 05:21:42 UTC (kover)" in page
    assert "Where it could have been between 05:13:31 and 06:27:58 UTC" in page


def test_track_gets_integrity_layer_and_notes(case: geo.Case) -> None:
    page = compose.render_page(case, [TRACK]).html
    assert "Track: GNSS integrity" in page and "Track: altitude" in page
    # The fixture has NIC 0 reports: their interval is described where the track is drawn.
    payloads = re.findall(r"var data = (\{.*?\});\n", page)
    notes = [c["n"] for p in payloads for f in json.loads(p)["flights"] for c in f["chunks"]]
    assert any("GNSS position lost" in n for n in notes)


def test_two_files_with_the_same_flight_do_not_merge(tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    copy.write_bytes(TRACK.read_bytes())
    both = compose.read_tracks([TRACK, copy])
    ids = sorted(both[s.FLIGHT_ID].unique())
    assert ids == ["abc123-1", "abc123-1@copy.json"]


def test_negative_max_error_is_refused() -> None:
    from flightmap.errors import InputError

    with pytest.raises(InputError, match="--max-error-m"):
        compose.render_page(None, [TRACK], max_error_m=-1)
