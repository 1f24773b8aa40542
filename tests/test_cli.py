"""The typer CLI through CliRunner: cases, timeline, render."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from flightmap.cli import app


def test_help_and_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("cases", "timeline", "render"):
        assert command in result.stdout
    assert runner.invoke(app, ["--version"]).stdout.startswith("flightmap 0.")


def test_cases(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases"])
    assert result.exit_code == 0
    assert result.stdout.startswith("j2-8243\tAzerbaijan Airlines flight J2-8243")


def test_timeline_json_shape(runner: CliRunner) -> None:
    result = runner.invoke(app, ["timeline", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    events = {e["id"]: e for e in doc["events"]}
    assert events["control_loss"]["time"] == "2024-12-25T05:13:32+00:00"
    assert events["kover"]["time"] == "2024-12-25T05:21:42+00:00"
    assert events["kover"]["local"]["Europe/Moscow"] == "2024-12-25T08:21:42+03:00"
    assert events["impact"]["local"]["Asia/Aqtau"] == "2024-12-25T11:27:58+05:00"
    assert events["hyd1_fail"]["conflicts_with"] == ["hyd1_fail_apa"]
    assert events["impact"]["sources"][0]["url"].startswith("https://")
    assert [e["time"] for e in doc["events"]] == sorted(e["time"] for e in doc["events"])


def test_timeline_table_and_csv(runner: CliRunner) -> None:
    table = runner.invoke(app, ["timeline"]).stdout
    line = next(x for x in table.splitlines() if "Loss of primary flight controls" in x)
    assert line.split()[:4] == ["05:13:32", "09:13:32", "08:13:32", "10:13:32"]
    csv_text = runner.invoke(app, ["timeline", "-f", "csv"]).stdout
    header, *rows = csv_text.splitlines()
    assert header.startswith("id,time_utc,time_Asia/Baku,time_Europe/Moscow,time_Asia/Aqtau,title")
    assert any(
        r.startswith("kover,2024-12-25T05:21:42+00:00,2024-12-25T09:21:42+04:00") for r in rows
    )


def test_render_writes_map_and_prints_path(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "map.html"
    result = runner.invoke(app, ["render", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert out.stat().st_size > 50_000
    assert "Azerbaijan Airlines flight J2-8243" in out.read_text()


def test_render_default_path(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["render"])
    assert result.exit_code == 0
    assert result.stdout.strip() == str(Path("outputs") / "j2-8243.html")
    assert (tmp_path / "outputs" / "j2-8243.html").is_file()


def test_render_open_calls_browser(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    out = tmp_path / "m.html"
    assert runner.invoke(app, ["render", "-o", str(out), "--open"]).exit_code == 0
    assert opened == [out.resolve().as_uri()]


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    # python -m flightmap runs the same app; errors exit 2 with one line on stderr.
    proc = subprocess.run(
        [sys.executable, "-m", "flightmap", "timeline", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    # One line: what was asked, what exists, and every folder looked in.
    assert line.startswith("flightmap: error: unknown case 'nope' (available: j2-8243; looked in")
    assert "$FLIGHTMAP_CASES" in line and "(shipped)" in line


TRACK = Path(__file__).parent / "data" / "tracks" / "readsb_trace.json"


def test_render_with_track_and_manifest(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    result = runner.invoke(app, ["render", "--track", str(TRACK), "-o", str(out), "--manifest"])
    assert result.exit_code == 0, result.output
    *manifest_lines, path_line = result.stdout.strip().splitlines()
    assert path_line == str(out)
    manifest = json.loads("\n".join(manifest_lines))
    assert manifest["case"] == "j2-8243"
    roles = [i["role"] for i in manifest["inputs"]]
    assert roles.count("track") == 1 and roles.count("case") == 8
    assert manifest["parameters"]["max_error_m"] == 25.0
    page = out.read_text()
    assert 'id="flightmap-manifest"' in page and manifest["inputs"][-1]["sha256"] in page
    assert "fm-track-alt" in page


def test_manifest_follows_one_changed_byte(runner: CliRunner, tmp_path: Path) -> None:
    track = tmp_path / "t.json"
    track.write_bytes(TRACK.read_bytes())
    first = runner.invoke(
        app, ["render", "--no-case", "-t", str(track), "-o", str(tmp_path / "a.html")]
    )
    again = runner.invoke(
        app, ["render", "--no-case", "-t", str(track), "-o", str(tmp_path / "b.html")]
    )
    assert first.exit_code == again.exit_code == 0
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    data = bytearray(track.read_bytes())
    data[data.index(b"AHY8243")] = ord("B")  # one byte of the callsign
    track.write_bytes(bytes(data))
    changed = runner.invoke(
        app, ["render", "--no-case", "-t", str(track), "-o", str(tmp_path / "c.html")]
    )
    assert changed.exit_code == 0, changed.output
    before = (tmp_path / "a.html").read_text()
    after = (tmp_path / "c.html").read_text()
    assert before != after
    sha_before = before.split('"role": "track"')[1][:120]
    sha_after = after.split('"role": "track"')[1][:120]
    assert sha_before != sha_after


def test_no_case_needs_a_track(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "--no-case", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "flightmap: error: field --no-case: --no-case needs at least one --track FILE "
        "(or --jamming-grid)"
    )
    assert not (tmp_path / "x.html").exists()


def test_bad_track_leaves_old_map_untouched(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    out.write_text("previous map")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,lat,lon\n")
    result = runner.invoke(app, ["render", "-t", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"flightmap: error: {bad}")
    assert "Traceback" not in result.output
    assert out.read_text() == "previous map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "m.html"]


def test_export_formats(runner: CliRunner, tmp_path: Path) -> None:
    for fmt in ("geojson", "kml", "csv"):
        out = tmp_path / f"x.{fmt}"
        result = runner.invoke(app, ["export", "-t", str(TRACK), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(out)
    doc = json.loads((tmp_path / "x.geojson").read_text())
    tracks = [f for f in doc["features"] if f["properties"]["kind"] == "track"]
    assert tracks and tracks[0]["properties"]["callsign"] == "AHY8243"
    assert b"<gx:Track>" in (tmp_path / "x.kml").read_bytes()
    assert "track,abc123-1,2024-12-25T04:13:20" in (tmp_path / "x.csv").read_text()


def test_inspect_and_convert_registered(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(TRACK), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "readsb_trace"
    missing = runner.invoke(app, ["inspect", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    assert "nope.csv" in missing.stderr and "Traceback" not in missing.output


def test_jamming_grid_drawn_on_the_map(runner: CliRunner, tmp_path: Path) -> None:
    grid = tmp_path / "zones.geojson"
    made = runner.invoke(app, ["jamming", str(TRACK), "-o", str(grid), "--min-aircraft", "1"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "grid.html"
    result = runner.invoke(
        app, ["render", "--no-case", "--jamming-grid", str(grid), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "GNSS interference grid (from tracks)" in page and "fm-replay-grid" in page
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}')
    bad = runner.invoke(app, ["render", "--jamming-grid", str(broken), "-o", str(out)])
    assert bad.exit_code == 2
    assert bad.stderr.startswith(f"flightmap: error: {broken}: feature 1: field geometry")
