"""``inspect`` and ``convert`` through CliRunner, on an app built here (flightmap.cli composes
the real one)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from tracefiles import write_trace
from typer.testing import CliRunner

from flightmap import schema as s
from flightmap.cli import track
from flightmap.errors import InputError
from flightmap.readers import _source, read_track

DATA = Path(__file__).parent / "data" / "tracks"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(track.inspect)
    app.command()(track.convert)
    return app


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def test_inspect_text(app: typer.Typer, cli: CliRunner) -> None:
    result = cli.invoke(app, ["inspect", str(DATA / "fr24_bad_rows.csv")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "format: fr24_csv (line n = line n of the file, header included)" in out
    assert "reports: 5 (3 with position, 2 without); flights: 1" in out
    assert (
        "ANZ1005-1  ANZ1005   -       -         2021-10-29T04:26:16Z  2021-10-29T04:30:16Z  5"
        in out
    )
    assert (
        "flags: 8 (bad_value 4, out_of_range 1, bad_time 1, duplicate 1, time_backwards 1)" in out
    )
    assert "  line 3: field Position: not a number 'abc' (set to NA)" in out
    assert "  line 7: exact duplicate of line 6 (row dropped)" in out


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("readsb_trace.json", "format: readsb_trace (record n = the n-th entry of 'trace')"),
        (
            "fr24_fz981.kml",
            "format: fr24_kml (record n = the n-th fix: Point Placemark or gx:Track point, "
            "in document order)",
        ),
        (
            "opensky_rest.json",
            "format: opensky_rest (record n = the n-th state array, counted across responses)",
        ),
    ],
)
def test_inspect_says_what_a_record_is(
    app: typer.Typer, cli: CliRunner, name: str, says: str
) -> None:
    result = cli.invoke(app, ["inspect", str(DATA / name)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == says
    assert "records are records" not in result.stdout


def test_inspect_json(app: typer.Typer, cli: CliRunner) -> None:
    result = cli.invoke(app, ["inspect", str(DATA / "readsb_trace.json"), "--json"])
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)
    assert rep["format"] == "readsb_trace"
    assert rep["record_kind"] == "record"
    assert (rep["reports"], rep["with_position"], rep["without_position"]) == (6, 5, 1)
    assert rep["flights"] == [
        {
            "flight_id": "abc123-1",
            "callsign": "AHY8243",
            "icao24": "abc123",
            "category": None,  # the fixture's aircraft objects have no category
            "first": "2024-12-25T04:13:20Z",
            "last": "2024-12-25T04:14:10Z",
            "reports": 6,
            "with_position": 5,
            "without_position": 1,
            "flagged": 0,
        }
    ]
    assert rep["flags"]["items"][0]["record"] == 7
    assert rep["mapping"]["nic"] == "aircraft.nic (carried forward)"


def test_inspect_format_map_and_tz_options(app: typer.Typer, cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "inspect",
            str(DATA / "generic_naive.csv"),
            "--format",
            "generic_csv",
            "--map",
            "time=time,alt_geom_ft=alt_baro_ft",
            "--tz",
            "Asia/Baku",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)
    assert rep["flights"][0]["first"] == "2024-12-25T04:00:00Z"
    assert rep["mapping"]["alt_geom_ft"] == "alt_baro_ft"


def test_inspect_bad_input_raises_input_error(app: typer.Typer, cli: CliRunner) -> None:
    result = cli.invoke(app, ["inspect", str(DATA / "generic_naive.csv")])
    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith(f"{DATA / 'generic_naive.csv'}: line 2: field time:")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".geojson"])
def test_convert_writes_each_type(
    app: typer.Typer, cli: CliRunner, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"trace{suffix}"
    result = cli.invoke(app, ["convert", str(DATA / "readsb_trace.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out} (6 reports, 1 flights, 1 flags)"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left
    original = read_track(DATA / "readsb_trace.json").track
    if suffix == ".parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(out), original)
    elif suffix == ".geojson":
        doc = json.loads(out.read_text())
        features = doc["features"]
        assert len(features) == 6
        assert features[0]["geometry"] == {"type": "Point", "coordinates": [50.0467, 40.467]}
        assert features[2]["geometry"] is None  # altitude-only
        assert features[2]["properties"]["alt_baro_ft"] == 2000.0
        assert features[0]["properties"]["time"] == "2024-12-25T04:13:20.000Z"
        assert features[0]["properties"]["nic"] == 8
        assert features[0]["properties"]["alt_baro_ft"] is None
    else:
        lines = out.read_text().splitlines()
        assert lines[0].split(",")[:3] == ['"flight_id"', '"time"', '"lat"']
        assert lines[2].startswith('"abc123-1","2024-12-25T04:13:30.500Z",40.48,50.06,1200,')
        back = read_track(out).track
        assert back[s.NIC].tolist() == original[s.NIC].tolist()


def test_convert_refuses_unknown_suffix_before_reading(
    app: typer.Typer, cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    result = cli.invoke(app, ["convert", str(tmp_path / "missing.csv"), "-o", str(out)])
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "--output"
    assert not out.exists()


def test_convert_bad_input_leaves_no_file(app: typer.Typer, cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text((DATA / "readsb_trace.json").read_text()[:300])
    out = tmp_path / "out.csv"
    result = cli.invoke(app, ["convert", str(bad), "-o", str(out)])
    assert isinstance(result.exception, InputError)
    assert "invalid or truncated JSON" in str(result.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_convert_failure_while_writing_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flightmap.readers import output

    out = tmp_path / "out.csv"
    out.write_text("previous content\n")

    def broken(track: pd.DataFrame, f: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output, "_write_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        output.write_track(read_track(DATA / "fr24_anz1005.csv").track, out)
    assert out.read_text() == "previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_progress_bar_on_large_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Lower the threshold so the small fixtures count as large: the result must not change.
    monkeypatch.setattr(_source, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.setattr(_source, "stderr_is_terminal", lambda: True)
    for name in ("opensky_states.csv", "readsb_trace.json"):
        with_bar = read_track(DATA / name, progress=True)
        pd.testing.assert_frame_equal(with_bar.track, read_track(DATA / name).track)
    assert _source.wants_progress(_source.probe(DATA / "fr24_anz1005.csv"), True)
    assert not _source.wants_progress(_source.probe(DATA / "fr24_anz1005.csv"), False)
    # Not on a terminal (a pipe, a log file): no bar, rich not imported.
    monkeypatch.setattr(_source, "stderr_is_terminal", lambda: False)
    assert not _source.wants_progress(_source.probe(DATA / "fr24_anz1005.csv"), True)


def test_convert_output_has_the_usual_mode(tmp_path: Path) -> None:
    import os

    from flightmap.readers.output import write_track

    out = write_track(read_track(DATA / "fr24_anz1005.csv").track, tmp_path / "t.csv")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_inspect_shows_the_emitter_category(
    app: typer.Typer, cli: CliRunner, tmp_path: Path
) -> None:
    # Three entries say A3, one B2 (most frequent wins), 10 s apart, one aircraft.
    objects = ['{"category":"A3"}', "null", '{"category":"B2"}', '{"category":"A3"}']
    path = write_trace(tmp_path / "trace.json", objects)
    rep = json.loads(cli.invoke(app, ["inspect", str(path), "--json"]).stdout)
    assert [f["category"] for f in rep["flights"]] == ["A3"]
    text = cli.invoke(app, ["inspect", str(path)]).stdout
    header, row = text.splitlines()[4:6]
    assert header.split()[:4] == ["flight", "callsign", "icao24", "category"]
    assert row.split()[:4] == ["abc123-1", "-", "abc123", "A3"]
