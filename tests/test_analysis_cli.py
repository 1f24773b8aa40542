"""``flightmap analyse`` and ``flightmap jamming`` through CliRunner, on a registered copy of the
commands (the application registers them itself in :mod:`flightmap.cli`).

``readsb_trace.json`` (tests/data/tracks, see PROVENANCE.md) carries NIC 0 and NACp 0 in its
fourth entry, carried forward over the fifth (null object); the sixth entry's object has no
integrity keys (no longer known). So entries 4 and 5 are position_lost.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flightmap.cli.analyse import analyse, jamming
from flightmap.errors import InputError

TRACKS = Path(__file__).parent / "data" / "tracks"
ISO_UTC = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(analyse)
    app.command()(jamming)
    return app


def write_csv(path: Path) -> Path:
    """A generic CSV: 30 fixes 10 s apart on the equator, positions missing from 100 to 190 s."""
    t = pd.Timestamp("2024-12-25T05:00:00Z") + pd.to_timedelta(np.arange(30) * 10, unit="s")
    lat = np.where((np.arange(30) >= 10) & (np.arange(30) < 20), np.nan, 0.0)
    df = pd.DataFrame(
        {
            "ts": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Latitude": lat,
            "Longitude": np.where(np.isnan(lat), np.nan, np.arange(30) * 0.02),
            "altitude_ft": 35000,
            "speed_kt": 430,
            "callsign": "AHY8243",
            "hex": "abc123",
        }
    )
    df.to_csv(path, index=False)
    return path


def test_analyse_json_shape(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyse", str(write_csv(tmp_path / "t.csv")), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (flight,) = doc["flights"]
    assert {
        "flight_id",
        "callsign",
        "icao24",
        "start",
        "end",
        "points",
        "gaps",
        "intervals",
    } <= set(flight)
    assert (flight["callsign"], flight["icao24"], flight["points"]) == ("AHY8243", "abc123", 30)
    assert flight["start"] == "2024-12-25T05:00:00+00:00"
    (gap,) = flight["gaps"]
    assert (gap["start"], gap["end"], gap["kind"]) == (
        "2024-12-25T05:01:30+00:00",
        "2024-12-25T05:03:20+00:00",
        "no_position",
    )
    assert [i["state"] for i in flight["intervals"]] == ["nominal", "position_lost", "nominal"]
    for interval in flight["intervals"]:
        assert set(interval) >= {"start", "end", "state", "rules", "points"}
        assert all(isinstance(r, str) for r in interval["rules"])
        for key in ("start", "end"):
            assert pd.Series([interval[key]]).str.match(ISO_UTC).all()
    assert flight["intervals"][1]["rules"][0].startswith("No fresh position for 1 min 50 s")


def test_analyse_readsb_text_and_regions(app: typer.Typer, tmp_path: Path) -> None:
    regions = tmp_path / "out" / "regions.geojson"
    result = CliRunner().invoke(
        app, ["analyse", str(TRACKS / "readsb_trace.json"), "--regions", str(regions)]
    )
    assert result.exit_code == 0, result.output
    assert "flight abc123-1 (AHY8243 abc123)" in result.stdout
    assert "position_lost  (2 reports)" in result.stdout
    assert "The aircraft reported NIC 0 (2 reports)" in result.stdout
    doc = json.loads(regions.read_text())
    assert doc == {"type": "FeatureCollection", "features": []}  # no gap in this trace
    assert [p.name for p in regions.parent.iterdir()] == ["regions.geojson"]  # no temp file
    js = CliRunner().invoke(app, ["analyse", str(TRACKS / "readsb_trace.json"), "--json"])
    intervals = json.loads(js.stdout)["flights"][0]["intervals"]
    lost = [(i["start"], i["points"]) for i in intervals if i["state"] == "position_lost"]
    assert lost == [("2024-12-25T04:13:50+00:00", 2)]  # entry 4: timestamp + 30 s


def test_gap_regions_file(app: typer.Typer, tmp_path: Path) -> None:
    regions = tmp_path / "regions.geojson"
    args = ["analyse", str(write_csv(tmp_path / "t.csv")), "--regions", str(regions)]
    result = CliRunner().invoke(app, [*args, "--aircraft", "e190", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # the message about the file went to stderr
    assert doc["parameters"]["max_speed_kt"] == pytest.approx(585.6285, abs=1e-3)
    (feature,) = json.loads(regions.read_text())["features"]
    assert feature["properties"]["shape"] == "ellipse"
    assert feature["properties"]["max_speed_kt"] == pytest.approx(585.6)


def test_jamming_writes_geojson(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "zones.geojson"
    result = CliRunner().invoke(
        app, ["jamming", str(TRACKS / "readsb_trace.json"), "-o", str(out), "--grid", "latlon"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} (")
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and doc["features"]
    props = doc["features"][0]["properties"]
    assert props["aircraft"] == 1 and props["level"] == "few"


def test_bad_options(app: typer.Typer, tmp_path: Path) -> None:
    csv = str(write_csv(tmp_path / "t.csv"))
    result = CliRunner().invoke(app, ["analyse", csv, "--aircraft", "glider"])
    assert isinstance(result.exception, InputError)
    assert "unknown aircraft category 'glider'" in str(result.exception)
    # A missing file is the reader's InputError (the application prints it on one line).
    missing = CliRunner().invoke(app, ["analyse", str(tmp_path / "nope.csv")])
    assert isinstance(missing.exception, InputError)
    assert str(missing.exception) == f"{tmp_path / 'nope.csv'}: no such file"
    assert CliRunner().invoke(app, ["analyse", csv, "--max-speed-kt", "0"]).exit_code == 2


@pytest.mark.parametrize("command", ["analyse", "jamming"])
@pytest.mark.parametrize("what", ["missing", "directory"])
def test_unusable_input_is_one_error_line(command: str, what: str, tmp_path: Path) -> None:
    # Through the real application: the reader's message, on one line, exit 2; no usage text.
    from flightmap.cli import app as real_app

    path = tmp_path / "nope.csv"
    if what == "directory":
        path.mkdir()
    out = tmp_path / "zones.geojson"
    args = [command, str(path)] + (["-o", str(out)] if command == "jamming" else [])
    result = CliRunner().invoke(real_app, args)
    assert result.exit_code == 2
    expected = {"missing": "no such file", "directory": "is a directory, expected a track file"}
    assert result.stderr == f"flightmap: error: {path}: {expected[what]}\n"
    assert result.stdout == ""
    assert not out.exists()


def test_analyse_aircraft_e190_applies_the_airliner_rules(app: typer.Typer, tmp_path: Path) -> None:
    # 30 fixes 10 s apart at FL150 and 80 kt (411.6 m per 10 s, 0.0037 deg of longitude on the
    # equator): plausible for a light aircraft, impossible for an airliner (under 100 kt at or
    # above 10,000 ft). No emitter category in a generic CSV: --aircraft decides.
    t = pd.Timestamp("2024-12-25T05:00:00Z") + pd.to_timedelta(np.arange(30) * 10, unit="s")
    path = tmp_path / "slow.csv"
    pd.DataFrame(
        {
            "ts": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Latitude": 0.0,
            "Longitude": np.arange(30) * 411.6 / 111_319.49,
            "altitude_ft": 15000,
            "speed_kt": 80,
            "hex": "abc123",
        }
    ).to_csv(path, index=False)

    def intervals(*extra: str) -> list[dict[str, object]]:
        result = CliRunner().invoke(app, ["analyse", str(path), "--json", *extra])
        assert result.exit_code == 0, result.output
        (flight,) = json.loads(result.stdout)["flights"]
        return list(flight["intervals"])

    assert {i["state"] for i in intervals()} == {"nominal"}
    spoofed = [i for i in intervals("--aircraft", "e190") if i["state"] == "spoofed"]
    assert spoofed and any("cannot fly under 100 kt" in r for i in spoofed for r in i["rules"])
