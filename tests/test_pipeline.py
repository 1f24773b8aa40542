"""The page from files (flightmap.pipeline): case regions, analysis layers, manifest, tracks."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from flightmap import geo, pipeline, render
from flightmap import schema as s
from flightmap.render._integrity import interval_notes

TRACK = Path(__file__).parent / "data" / "tracks" / "readsb_trace.json"


def test_case_regions_on_the_map(case: geo.Case) -> None:
    page = pipeline.render_page(case).html
    assert "Where it could have been (inferred)" in page
    assert page.count('"className": "fm-region"') == 3  # hit-to-crash, Kovyor, ADS-B back
    assert "Where it could have been at 05:21:42 UTC (kover)" in page
    assert "Where it could have been between 05:13:31 and 06:27:58 UTC" in page


def test_track_gets_integrity_layer_and_notes(case: geo.Case) -> None:
    page = pipeline.render_page(case, [TRACK]).html
    assert "Track: GNSS integrity" in page and "Track: altitude" in page
    # The fixture has NIC 0 reports: their interval is described where the track is drawn.
    payloads = re.findall(r"var data = (\{.*?\});\n", page)
    notes = [c["n"] for p in payloads for f in json.loads(p)["flights"] for c in f["chunks"]]
    assert any("GNSS position lost" in n for n in notes)


def test_two_files_with_the_same_flight_do_not_merge(tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    copy.write_bytes(TRACK.read_bytes())
    both = pipeline.read_tracks([TRACK, copy])
    ids = sorted(both[s.FLIGHT_ID].unique())
    assert ids == ["abc123-1", "abc123-1@copy.json"]


def test_negative_max_error_is_refused() -> None:
    from flightmap.errors import InputError

    with pytest.raises(InputError, match="--max-error-m"):
        pipeline.render_page(None, [TRACK], max_error_m=-1)


def placements_csv(path: Path) -> Path:
    """A generic CSV: positions every 10 s from 05:00:00 to 05:12:30 and from 05:25:00 to
    05:35:00 UTC, along 43.40 N from 45.600 E, 0.001 degree of longitude per report (about
    81 m / 10 s, 16 kt), 3,000 ft; nothing in between: a gap from the fix at 05:12:30 (45.675 E)
    to the fix at 05:25:00 (45.676 E)."""
    t1 = pd.date_range("2024-12-25T05:00:00Z", "2024-12-25T05:12:30Z", freq="10s")
    t2 = pd.date_range("2024-12-25T05:25:00Z", "2024-12-25T05:35:00Z", freq="10s")
    t = t1.append(t2)
    pd.DataFrame(
        {
            "ts": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Latitude": 43.40,
            "Longitude": np.round(45.60 + 0.001 * np.arange(len(t)), 6),
            "altitude_ft": 3000,
            "speed_kt": 16,
            "callsign": "TEST1",
            "hex": "abc123",
        }
    ).to_csv(path, index=False)
    return path


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The keyword arguments render_page passes to render.build_map, recorded."""
    from flightmap import render

    calls: list[dict[str, object]] = []
    original = render.build_map

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "build_map", spy)
    return calls


@pytest.mark.parametrize(("aircraft", "speed_kt"), [("any", 1166.3), ("e190", 585.6)])
def test_case_events_placed_on_the_track_at_the_aircraft_speed(
    case: geo.Case,
    tmp_path: Path,
    built: list[dict[str, object]],
    aircraft: str,
    speed_kt: float,
) -> None:
    csv = placements_csv(tmp_path / "t.csv")
    page = pipeline.render_page(case, [csv], aircraft=aircraft)
    assert "Events on the track" in page.html
    assert f"<h4>{render.esc(case.event('kover').title)} (on the track)</h4>" in page.html
    assert page.manifest["parameters"]["aircraft"] == aircraft
    assert page.manifest["parameters"]["max_speed_kt"] == pytest.approx(speed_kt, abs=0.05)
    placed = built[-1]["placements"]
    assert isinstance(placed, pd.DataFrame)
    placed = placed.set_index("id")
    assert placed.loc["approach_2", "method"] == "interpolated"  # 05:10:00, on a fix
    assert placed.loc["approach_2", "lon"] == pytest.approx(45.66, abs=1e-6)
    kover = placed.loc["kover"]
    assert kover["method"] == "gap"
    # 'kover' at 05:21:42 (+-1 s) lies 552 s after the fix A and 198 s before the fix B, 81 m
    # apart: the lens of the two reachable disks is B's disk, radius 198 + 1 s at the speed.
    reach_b = speed_kt * 1852 / 3600 * 199
    # (radius_m is measured from the region's centroid in degrees, a little off B: 0.5 %)
    assert kover["radius_m"] == pytest.approx(reach_b, rel=5e-3)
    assert kover["area_km2"] == pytest.approx(math.pi * (reach_b / 1000) ** 2, rel=5e-3)
    # The gap region's popup states the same speed.
    assert f"at a maximum speed of {speed_kt:.1f} kt" in page.html


def test_render_cli_takes_the_aircraft_and_its_speed(tmp_path: Path, runner: CliRunner) -> None:
    from flightmap.cli import app

    csv = placements_csv(tmp_path / "t.csv")
    out = tmp_path / "map.html"
    args = ["render", "--track", str(csv), "-o", str(out), "--manifest"]
    result = runner.invoke(app, [*args, "--aircraft", "e190", "--max-speed-kt", "500"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert manifest["parameters"]["aircraft"] == "e190"
    assert manifest["parameters"]["max_speed_kt"] == 500.0
    assert "at a maximum speed of 500.0 kt" in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, [*args, "--aircraft", "glider"])
    assert bad.exit_code == 2
    assert "--aircraft" in bad.stderr and "unknown aircraft category 'glider'" in bad.stderr
    assert runner.invoke(app, [*args, "--max-speed-kt", "0"]).exit_code == 2


def degraded_blocks(n_flights: int, per_flight: int, blocks: int) -> pd.DataFrame:
    """Flights flying east on the equator, a report a second, 0.002 degree apart (433 kt);
    NIC 4 for 10 reports every ``per_flight // blocks`` reports, NIC 8 otherwise."""
    f = np.repeat(np.arange(n_flights), per_flight)
    k = np.tile(np.arange(per_flight), n_flights)
    every = per_flight // blocks
    return pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array(np.char.add("f", f.astype(str)), dtype=s.STR_DTYPE),
            s.TIME: pd.Timestamp("2024-12-25T05:00:00Z") + pd.to_timedelta(k, unit="s"),
            s.LAT: f * 0.1,
            s.LON: k * 0.002,
            s.GS_KT: 433.0,
            s.NIC: pd.array(np.where(k % every >= every - 10, 4, 8), dtype="Int8"),
        }
    )


def test_interval_notes_are_half_open_and_fast() -> None:
    from flightmap.analysis import analyse

    df = degraded_blocks(1, 40, 2)  # NIC 4 at reports 10-19 and 30-39
    notes = interval_notes(analyse(df))
    assert notes[9] == notes[20] == ""  # the first nominal report after 19 is nominal
    assert (
        notes[10]
        == notes[19]
        == (
            "<b>GNSS degraded</b> 05:00:10 to 05:00:20 UTC: The aircraft reported NIC 4 "
            "(10 reports): containment radius up to 2 NM (3.7 km); the ADS-B Out rule 14 CFR "
            "91.227 requires NIC 7 or more, a radius under 0.2 NM (370 m)."
        )
    )
    # 1M rows in 100 flights with 500 degraded intervals: a mask per interval took 14 s.
    big = analyse(degraded_blocks(100, 10_000, 5))
    assert (big.intervals["state"] == "degraded").sum() == 500
    start = time.perf_counter()
    notes = interval_notes(big)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, elapsed
    assert sum(n != "" for n in notes) == 5_000
