"""Every file of the bad-input corpus (tests/data/bad/, described in its README.md) through
``inspect``, ``convert``, ``analyse`` and ``render --no-case --track``, on the real application.

Unreadable: exit code 2, one line on stderr naming the file and the place, no traceback, and
no output file written or changed. Partly usable: the command succeeds and the bad lines or
records are reported with their numbers. Also: a million identical rows, and the input size
limit (plain files, gzip bombs, files parsed whole in memory).
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from flightmap.cli import app

BAD = Path(__file__).parent / "data" / "bad"
KNOWN = "previous content, must survive\n"
COMMANDS = ("inspect", "convert", "analyse", "render")


@dataclass(frozen=True)
class Case:
    """One row of the corpus manifest."""

    file: str
    format: str
    outcome: str  # "unreadable" or "partly usable"
    place: str  # unreadable: text the error names; partly usable: "lines 3, 4" / "records 2"
    why: str

    @property
    def path(self) -> Path:
        return BAD / self.file

    @property
    def records(self) -> tuple[str, set[int]]:
        """Partly usable: ("line" or "record", the numbers flagged)."""
        kind, _, numbers = self.place.partition(" ")
        return kind.rstrip("s"), {int(n) for n in numbers.split(",")}


def manifest() -> list[Case]:
    rows = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (.+) \|", line)
        if m:
            rows.append(Case(*(g.strip() for g in m.groups())))
    return rows


CASES = manifest()
UNREADABLE = [c for c in CASES if c.outcome == "unreadable"]
PARTLY = [c for c in CASES if c.outcome == "partly usable"]


def test_the_manifest_describes_every_file() -> None:
    on_disk = {p.name for p in BAD.iterdir()} - {"README.md", "make_bad.py"}
    assert sorted(c.file for c in CASES) == sorted(on_disk)
    assert {c.outcome for c in CASES} == {"unreadable", "partly usable"}
    assert len(CASES) >= 30
    formats = {c.format.split(",")[0] for c in CASES}
    assert formats == {
        "FR24 CSV",
        "KML",
        "readsb trace",
        "OpenSky CSV",
        "OpenSky REST",
        "generic CSV",
    }


def test_the_corpus_is_what_make_bad_writes() -> None:
    """The stored files are exactly what the generator makes (nobody edited one by hand)."""
    sys.path.insert(0, str(BAD))
    try:
        import make_bad
    finally:
        sys.path.remove(str(BAD))
    for name, content in make_bad.FILES.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        assert (BAD / name).read_bytes() == data, name


def run(command: str, path: Path, out_dir: Path) -> tuple[Result, Path | None]:
    """Run one command on ``path`` with the real app; return the result and the output file
    the command writes (pre-filled with known content), if any."""
    out: Path | None = None
    if command == "inspect":
        args = ["inspect", str(path)]
    elif command == "convert":
        out = out_dir / "out.csv"
        args = ["convert", str(path), "-o", str(out)]
    elif command == "analyse":
        out = out_dir / "regions.geojson"
        args = ["analyse", str(path), "--regions", str(out)]
    else:
        out = out_dir / "map.html"
        args = ["render", "--no-case", "--track", str(path), "-o", str(out)]
    if out is not None:
        out.write_text(KNOWN)
    return CliRunner().invoke(app, args), out


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", UNREADABLE, ids=lambda c: c.file)
def test_unreadable(case: Case, command: str, tmp_path: Path) -> None:
    result, out = run(command, case.path, tmp_path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"flightmap: error: {case.path}: "), lines[0]
    assert f": {case.place}: " in lines[0] or f": {case.place} " in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    if out is not None:
        assert out.read_text() == KNOWN  # not written, not truncated
    assert [p.name for p in tmp_path.iterdir()] == ([out.name] if out else [])  # no temp files


def flagged(case: Case) -> set[int]:
    result = CliRunner().invoke(app, ["inspect", str(case.path), "--json"])
    assert result.exit_code == 0, result.output
    return {item["record"] for item in json.loads(result.stdout)["flags"]["items"]}


@pytest.mark.parametrize("case", PARTLY, ids=lambda c: c.file)
def test_partly_usable_flags_exactly_the_bad_records(case: Case) -> None:
    _, numbers = case.records
    assert flagged(case) == numbers


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", PARTLY, ids=lambda c: c.file)
def test_partly_usable(case: Case, command: str, tmp_path: Path) -> None:
    kind, numbers = case.records
    result, out = run(command, case.path, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # inspect lists the problems on stdout; the others on stderr, the first ten of them.
    text = result.stdout if command == "inspect" else result.stderr
    shown = {int(n) for n in re.findall(rf"^  {kind} (\d+):", text, flags=re.MULTILINE)}
    assert shown and shown <= numbers, text
    if len(shown) < len(numbers):
        assert "more" in text
    if command != "inspect":
        assert result.stderr.startswith(f"flightmap: warning: {case.path}: "), result.stderr
    if out is not None:
        assert out.read_text() != KNOWN  # written


def test_unreadable_through_the_console_script(tmp_path: Path) -> None:
    """The installed entry point (``python -m flightmap``): one line, exit 2, map untouched."""
    out = tmp_path / "map.html"
    out.write_text(KNOWN)
    bad = BAD / "readsb_truncated.json"
    proc = subprocess.run(
        [sys.executable, "-m", "flightmap", "render", "--no-case", "-t", str(bad), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"flightmap: error: {bad}: line 1 column 232: invalid or truncated JSON "
        "(Expecting ',' delimiter)"
    ]
    assert out.read_text() == KNOWN


# -- a million identical rows ------------------------------------------------------------------

MILLION = 1_000_000
FR24_ROW = '1735100000,2024-12-25T04:13:20Z,AHY8243,"40.4,49.9",10000,300,270\n'


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("million") / "million.csv"
    path.write_text(
        "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n" + FR24_ROW * MILLION
    )
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_a_million_identical_rows(million: Path, command: str, tmp_path: Path) -> None:
    """One report is kept; each of the 999,999 others is reported as an exact duplicate."""
    result, out = run(command, million, tmp_path)
    assert result.exit_code == 0, result.output
    dropped = MILLION - 1
    if command == "inspect":
        assert "reports: 1 (1 with position, 0 without); flights: 1" in result.stdout
        assert f"flags: {dropped} (duplicate {dropped})" in result.stdout
        assert "  line 3: exact duplicate of line 2 (row dropped)" in result.stdout
    else:
        assert result.stderr.startswith(
            f"flightmap: warning: {million}: {dropped} problems (duplicate {dropped})"
        )
        assert "  line 3: exact duplicate of line 2 (row dropped)" in result.stderr
        assert f"... and {dropped - 10} more" in result.stderr
        listed = [line for line in result.stderr.splitlines() if line.startswith("  line ")]
        assert len(listed) == 10
    if out is not None:
        assert out.read_text() != KNOWN


# -- input size limit --------------------------------------------------------------------------


def good_csv(rows: int) -> str:
    return "time,lat,lon\n" + "".join(
        f"2024-12-25T04:{i // 60 % 60:02d}:{i % 60:02d}Z,40.{i:05d},50.0\n" for i in range(rows)
    )


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_size_limit_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text(good_csv(100))  # about 3 KiB
    out = tmp_path / "map.html"
    out.write_text(KNOWN)
    monkeypatch.setenv("FLIGHTMAP_MAX_INPUT_SIZE", "1K")
    line = one_error_line(
        CliRunner().invoke(app, ["render", "--no-case", "-t", str(path), "-o", str(out)])
    )
    assert line.startswith(f"flightmap: error: {path}: too large: is 3.")
    assert "KiB, more than the limit of 1 KiB" in line and "FLIGHTMAP_MAX_INPUT_SIZE" in line
    assert out.read_text() == KNOWN
    # The option overrides the environment, for this run only.
    ok = CliRunner().invoke(app, ["--max-input-size", "1M", "inspect", str(path)])
    assert ok.exit_code == 0, ok.output
    again = CliRunner().invoke(app, ["inspect", str(path)])
    assert "too large" in one_error_line(again)


def test_size_limit_option_and_bad_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text(good_csv(100))
    line = one_error_line(CliRunner().invoke(app, ["--max-input-size", "2k", "inspect", str(path)]))
    assert "too large" in line and "2 KiB" in line
    bad = one_error_line(
        CliRunner().invoke(app, ["--max-input-size", "lots", "inspect", str(path)])
    )
    assert bad.startswith("flightmap: error: --max-input-size: invalid size 'lots'")
    monkeypatch.setenv("FLIGHTMAP_MAX_INPUT_SIZE", "-5")
    env = one_error_line(CliRunner().invoke(app, ["inspect", str(path)]))
    assert "field FLIGHTMAP_MAX_INPUT_SIZE: invalid size '-5'" in env
    # Without a limit set anywhere, the default (2 GiB) applies and the file reads.
    monkeypatch.delenv("FLIGHTMAP_MAX_INPUT_SIZE")
    assert CliRunner().invoke(app, ["inspect", str(path)]).exit_code == 0


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """64 MiB of CSV in about 100 KiB of gzip: reading stops once the limit is passed."""
    rows = good_csv(60)
    body = rows + rows.split("\n", 1)[1] * (64 * 1024 * 1024 // len(rows))
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(body.encode(), compresslevel=9, mtime=0))
    assert path.stat().st_size < 1024 * 1024
    monkeypatch.setenv("FLIGHTMAP_MAX_INPUT_SIZE", "8M")
    for command in ("inspect", "convert"):
        result, out = run(command, path, tmp_path)
        line = one_error_line(result)
        assert "too large: decompresses to more than the limit of 8 MiB" in line
        if out is not None:
            assert out.read_text() == KNOWN


def test_whole_file_formats_get_an_eighth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON (and KML) are parsed whole in memory: an eighth of the limit."""
    trace = {
        "icao": "abc123",
        "timestamp": 1735100000,
        "trace": [[i, 40.0, 50.0, 1000] for i in range(500)],
    }
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(trace))  # about 12 KiB
    monkeypatch.setenv("FLIGHTMAP_MAX_INPUT_SIZE", "64K")
    line = one_error_line(CliRunner().invoke(app, ["inspect", str(path)]))
    assert "too large for a JSON file" in line and "more than 8 KiB" in line
    monkeypatch.setenv("FLIGHTMAP_MAX_INPUT_SIZE", "128K")
    assert CliRunner().invoke(app, ["inspect", str(path)]).exit_code == 0
