"""``flightmap snapshot`` without a browser: one line naming what to install, exit 2, no file,
before any rendering. (The snapshots themselves: tests/browser/test_snapshot.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flightmap import png, snapshot
from flightmap.cli import app


def test_no_chromium_names_what_to_install(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLIGHTMAP_CHROMIUM", "/nonexistent/chromium")
    out = tmp_path / "map.png"
    result = runner.invoke(app, ["snapshot", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("flightmap: error: ")
    assert "FLIGHTMAP_CHROMIUM=/nonexistent/chromium" in lines[0]
    assert "apt install chromium" in lines[0]
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no PNG, no temporary file


def test_no_playwright_names_the_extra(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import playwright.sync_api` raise ImportError.
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    monkeypatch.setenv("FLIGHTMAP_CHROMIUM", "/nonexistent/chromium")
    out = tmp_path / "map.png"
    result = runner.invoke(app, ["snapshot", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install 'flightmap[snapshot]'" in lines[0]
    assert "apt install chromium" in lines[0]  # both missing: both named, in one line
    assert not out.exists()


def test_no_playwright_library_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(snapshot.BrowserUnavailable, match=r"flightmap\[snapshot\]"):
        snapshot.save_png("<html></html>", tmp_path / "x.png", chromium=sys.executable)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_kept_when_the_browser_is_missing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLIGHTMAP_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "map.png"
    out.write_bytes(b"previous picture")
    result = runner.invoke(app, ["snapshot", "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_bytes() == b"previous picture"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--size", "1600by1000"],
            "field --size: '1600by1000' is not WIDTHxHEIGHT in pixels, e.g. 1600x1000",
        ),
        (["--size", "8x8"], "field --size: '8x8': width and height must be 16 to 16384 pixels"),
    ],
)
def test_bad_size(runner: CliRunner, tmp_path: Path, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["snapshot", "-o", str(tmp_path / "m.png"), *args])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"flightmap: error: {expected}"
    assert list(tmp_path.iterdir()) == []


def test_bad_scale(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["snapshot", "-o", str(tmp_path / "m.png"), "--scale", "5"])
    assert result.exit_code == 2
    assert "--scale" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_find_chromium_prefers_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    exe = tmp_path / "my-chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("FLIGHTMAP_CHROMIUM", str(exe))
    assert snapshot.find_chromium() == str(exe)
    exe.chmod(0o644)  # not executable: not a browser
    with pytest.raises(snapshot.BrowserUnavailable, match="FLIGHTMAP_CHROMIUM="):
        snapshot.find_chromium()


def test_png_size_rejects_other_files() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png.png_size(b"GIF89a" + bytes(40))
