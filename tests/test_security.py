"""flightmap reads files from strangers and writes HTML that others open.

- HTML injection: hostile text in every field of a case (titles, notes, sources, zones, the
  case's own title), in callsigns and in track file names reaches the page only escaped;
  source links are plain http(s) URLs or no link at all.
- Terminal injection: escape sequences in input files never reach the terminal raw.
- Paths: a case name cannot name a folder outside the case folders, a case id or an input's
  name cannot steer the default output out of ``outputs/``, files are replaced atomically, an
  interrupted write leaves the old file, and a symlink is replaced, never written through.
- Integrity: the manifest embedded in a map hashes every input; one changed byte changes it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import HOSTILE_FILE_NAME, PAYLOADS, hostile_track, poison_case
from typer.testing import CliRunner

from flightmap import atomic
from flightmap.cli import app
from flightmap.errors import InputError, printable
from flightmap.geo import Source, load_case
from flightmap.render._html import esc, safe_json, safe_url, source_item

CASE = Path(__file__).resolve().parents[1] / "data" / "cases" / "j2-8243"
TRACKS = Path(__file__).parent / "data" / "tracks"
TRACK = TRACKS / "readsb_trace.json"
CLEAN = TRACKS / "fr24_anz1005.csv"  # no flagged row: nothing on stderr when all goes well

# Raw in the page, any of these would run, break out of a context, or be run by Jinja.  The
# payloads (PAYLOADS), the case and the tracks that carry them are built by tests/hostile.py.
DANGEROUS = [
    "<script>window",
    "<img src=x",
    "</script><script>",
    "<svg onload",
    "{{",
    "{%",
    "${window",
    "JINJA-RAN ",
    "<!-- -->",
]


def assert_only_escaped(page: str) -> None:
    for raw in DANGEROUS:
        assert raw not in page, f"{raw!r} is in the page unescaped"
    # Every link and resource of a real tag (in the page, or in popup HTML held in scripts) is
    # http(s) or an in-page anchor: no javascript:, data:, etc.
    tag_urls = re.findall(
        r"""<[a-zA-Z][^<>]*?\s(?:href|src|action|formaction)\s*=\s*\\?["']?([^"'\s>\\]+)""",
        page,
    )
    assert len(tag_urls) > 20
    for url in tag_urls:
        assert url.startswith(("https://", "http://", "#")), url


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    case = poison_case(shutil.copytree(CASE, folder / "j2-8243"))
    named = folder / HOSTILE_FILE_NAME  # a hostile file name
    hostile_track(named)
    twin = folder / "twin.csv"  # same flight ids: its flights get "@<file name>" suffixes
    hostile_track(twin)
    out = folder / "map.html"
    result = CliRunner().invoke(
        app, ["render", str(case), "-t", str(named), "-t", str(twin), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), folder


def test_hostile_case_and_tracks_are_escaped(hostile_page: tuple[str, Path]) -> None:
    page, _ = hostile_page
    assert_only_escaped(page)
    # The payloads are shown (escaped for HTML, or for a JSON data island), not dropped.
    for name, payload in PAYLOADS.items():
        forms = (esc(payload), safe_json(payload)[1:-1], safe_json(esc(payload))[1:-1])
        assert any(f in page for f in forms), name
    # The hostile file name is in the manifest and in the suffixed flight ids, escaped too.
    assert safe_json("<img src=x onerror=alert(7)>")[1:-1] in page


def test_no_jinja_ran(hostile_page: tuple[str, Path]) -> None:
    """folium renders the page as a Jinja template once more: data must not take part."""
    page, _ = hostile_page
    assert "JINJA-RAN" in page.replace("&#123;% if true %&#125;JINJA-RAN", "")  # escaped form
    assert "JINJA-RAN&#123;" in page or "JINJA-RAN\\u007b" in page
    assert not re.search(r"(?<![\w.])49(?!\d)[^<]{0,20}&#96;", page)  # "{{ 7*7 }}" -> "49"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        'https://ok.example/" onmouseover="alert(1)',
        "https://ok.example/'onmouseover='alert(1)",
        "https://ok.example/<script>",
        "https://ok.example/a b",
        "https://ok.example/\\x",
        "https://ok.example/\nx",
        "ftp://files.example/x",
        "",
    ],
)
def test_source_links_are_http_only(url: str) -> None:
    assert safe_url(url) is None
    src = Source(id="s", title="<b>t</b>", publisher="p", date="", url=url, kind="news")
    item = source_item(src)
    assert "href" not in item and "(no URL recorded)" in item and "<b>" not in item


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1&c=<2>", "HTTP://EXAMPLE.ORG/", "https://x.example/%3Cs%3E"]
)
def test_http_links_are_kept_escaped(url: str) -> None:
    src = Source(id="s", title="t", publisher="p", date="", url=url, kind="news")
    item = source_item(src)
    if "<" in url:
        assert safe_url(url) is None
    else:
        assert f'href="{esc(url)}"' in item and 'rel="noopener noreferrer"' in item


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html;base64", "https://x/ y"])
def test_case_loader_refuses_non_http_urls(
    case_copy: Path, url: str, edit: Callable[[Path, str, str], None]
) -> None:
    edit(case_copy / "sources.csv", "https://www.gov.kz/", url + "#")
    with pytest.raises(InputError, match=r"sources\.csv: line 2: field url: .* is not an http"):
        load_case(case_copy)


# -- terminal ------------------------------------------------------------------------------------


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    evil = "AHY\x1b]0;owned\x07\x1b[2J\r\u202e8243"
    path = tmp_path / "t.csv"
    path.write_text(
        "time,lat,lon,callsign\n"
        f'2024-12-25T04:00:00Z,40.0,50.0,"{evil}"\n'
        f'2024-12-25T04:01:00Z,x,50.1,"{evil}"\n'
    )
    runner = CliRunner()
    for args in (
        ["inspect", str(path)],
        ["analyse", str(path)],
        ["convert", str(path), "-o", str(tmp_path / "o.csv")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
            assert "\r" not in stream
    shown = runner.invoke(app, ["inspect", str(path)]).stdout
    assert "AHY\\x1b]0;owned\\x07\\x1b[2J\\x0d\\u202e8243" in shown
    # In an error message too.
    bad = tmp_path / "b.csv"
    bad.write_text(f"time,lat,lon\n{evil},1,2\n")
    error = runner.invoke(app, ["inspect", str(bad)]).stderr
    assert error.count("\n") == 1 and "\x1b" not in error and "\r" not in error


def test_printable() -> None:
    assert printable("ok\ttab\nline") == "ok\ttab\nline"
    assert (
        printable("\x00\x1b\x7f\x85\x9b\u200f\u2066") == "\\x00\\x1b\\x7f\\x85\\x9b\\u200f\\u2066"
    )
    assert str(InputError("bad \x1b[31m", path="f\x07.csv")) == "f\\x07.csv: bad \\x1b[31m"


# -- paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../j2-8243", "../../etc", "..", "j2-8243/../../x", "..\\x", "/etc"]
)
def test_case_names_cannot_leave_the_case_folders(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", name, "-o", str(tmp_path / "m.html")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"flightmap: error: {name}: not a case folder (no case.toml)")
    assert "never '/' or '..'" in line
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize("name", ["J2-8243", ".hidden", "a b", "-rf", "x" * 65, "é"])
def test_invalid_case_names(name: str) -> None:
    with pytest.raises(InputError, match="invalid case name"):
        load_case(name)


@pytest.mark.parametrize("case_id", ["../evil", "Evil Case", "a/b", ".."])
def test_case_id_must_be_a_plain_name(
    case_id: str, case_copy: Path, edit: Callable[[Path, str, str], None]
) -> None:
    """The id names the default output file (outputs/<id>.html)."""
    edit(case_copy / "case.toml", 'id = "j2-8243"', f"id = {json.dumps(case_id)}")
    with pytest.raises(InputError, match=r"case\.toml: field id: invalid case id"):
        load_case(case_copy)


def test_default_outputs_stay_in_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inputs = tmp_path / "in"
    inputs.mkdir()
    track = hostile_track(inputs / "..;$(touch pwned) <b>.csv")
    runner = CliRunner()
    result = runner.invoke(app, ["render", "--no-case", "-t", str(track)])
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip())
    assert written == Path("outputs") / "touch_pwned_b.html"
    exported = runner.invoke(app, ["export", "--no-case", "-t", str(track), "-f", "kml"])
    assert exported.exit_code == 0, exported.output
    assert Path(exported.stdout.strip()) == Path("outputs") / "touch_pwned_b.kml"
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "touch_pwned_b.html",
        "touch_pwned_b.kml",
    ]
    assert not (tmp_path / "pwned").exists()


def test_existing_map_is_replaced_atomically(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("old map\n")
    old_inode = out.stat().st_ino
    result = CliRunner().invoke(app, ["render", "--no-case", "-t", str(CLEAN), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_ino != old_inode  # a new file renamed over the old one
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_interrupted_render_keeps_the_old_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """The page is half written when the write fails (disk full) or is interrupted (Ctrl-C)."""
    out = tmp_path / "map.html"
    out.write_text("old map\n")
    real = atomic.atomic_write

    def half_then_fail(path: Path, write: Callable[..., object], **kw: bool) -> Path:
        def broken(fh: io.TextIOBase) -> None:
            class Half:
                def write(self, text: str) -> int:
                    fh.write(text[: len(text) // 2])
                    fh.flush()
                    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
                    raise failure

            write(Half())

        return real(path, broken, **kw)

    monkeypatch.setattr(atomic, "atomic_write", half_then_fail)
    result = CliRunner().invoke(app, ["render", "--no-case", "-t", str(CLEAN), "-o", str(out)])
    assert result.exit_code != 0
    if isinstance(failure, OSError):
        assert result.exit_code == 2
        assert result.stderr.strip() == f"flightmap: error: {out}: No space left on device"
    assert out.read_text() == "old map\n"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temporary file left


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "zones.geojson"
    out.write_text("old\n")

    def no_rename(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(atomic.os, "replace", no_rename)
    with pytest.raises(PermissionError):
        atomic.write_text(out, "new\n")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["zones.geojson"]


def test_a_symlink_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "map.html"
    out.symlink_to(victim)
    result = CliRunner().invoke(app, ["render", "--no-case", "-t", str(CLEAN), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink() and out.read_text().startswith("<!DOCTYPE html>")


# -- manifest ------------------------------------------------------------------------------------


def embedded_manifest(page: str) -> dict[str, object]:
    m = re.search(r'<script[^>]*id="flightmap-manifest"[^>]*>(.*?)</script>', page, re.S)
    assert m, "no embedded manifest"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_manifest_hashes_every_input(tmp_path: Path) -> None:
    track = tmp_path / "trace.json"
    track.write_bytes(TRACK.read_bytes())
    grid = tmp_path / "zones.geojson"
    runner = CliRunner()
    made = runner.invoke(app, ["jamming", str(track), "-o", str(grid), "--min-aircraft", "1"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "map.html"
    result = runner.invoke(
        app, ["render", "-t", str(track), "--jamming-grid", str(grid), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    manifest = embedded_manifest(out.read_text())
    inputs = manifest["inputs"]
    assert isinstance(inputs, list)
    by_name = {(i["role"], i["name"]): i["sha256"] for i in inputs}
    expected = {("case", f"j2-8243/{p.name}"): p for p in CASE.iterdir() if p.is_file()}
    expected[("track", "trace.json")] = track
    expected[("grid", "zones.geojson")] = grid
    for key, path in expected.items():
        assert by_name[key] == hashlib.sha256(path.read_bytes()).hexdigest(), key
    assert {r for r, _ in by_name} == {"case", "basemap", "track", "grid"}
    # Names only: a shared map does not tell where its inputs were on someone's disk.
    assert str(tmp_path) not in json.dumps(manifest)


def test_one_changed_byte_changes_the_manifest(tmp_path: Path) -> None:
    track = tmp_path / "trace.json"
    data = bytearray(TRACK.read_bytes())
    track.write_bytes(data)

    def manifest() -> dict[str, object]:
        out = tmp_path / "m.html"
        result = CliRunner().invoke(app, ["render", "--no-case", "-t", str(track), "-o", str(out)])
        assert result.exit_code == 0, result.output
        return embedded_manifest(out.read_text())

    first, again = manifest(), manifest()
    assert first == again
    i = data.index(b"4K-TST")  # one byte of a field no reader uses: the data read is the same
    data[i] = ord("5")
    track.write_bytes(data)
    changed = manifest()
    assert changed != first
    (before,) = [x for x in first["inputs"] if x["role"] == "track"]  # type: ignore[union-attr, index]
    (after,) = [x for x in changed["inputs"] if x["role"] == "track"]  # type: ignore[union-attr, index]
    assert before["sha256"] != after["sha256"]
    assert after["sha256"] == hashlib.sha256(bytes(data)).hexdigest()


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    pages = []
    for name in ("a.html", "b.html"):
        out = tmp_path / name
        result = CliRunner().invoke(app, ["render", "-t", str(TRACK), "-o", str(out)])
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_os_errors_are_one_line(tmp_path: Path) -> None:
    """Writing into a folder that is a file: one line naming the problem, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(
        app, ["render", "--no-case", "-t", str(CLEAN), "-o", str(blocker / "map.html")]
    )
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert os.path.isfile(blocker)
