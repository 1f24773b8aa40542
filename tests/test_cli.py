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
    assert events["hyd1_fail"]["conflicts_with"] == [
        "hyd3_fail_apa",
        "hyd1_fail_apa",
        "hyd2_fail_apa",
    ]
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
    assert proc.stderr.strip().splitlines() == [
        "flightmap: error: unknown case 'nope' (available: j2-8243)"
    ]
