"""``flightmap snapshot`` and :func:`flightmap.snapshot.save_png` in the system Chromium,
offline (CDN files from the npm asset cache, no tiles): the PNG decodes, has exactly the
requested size times the scale, shows a drawn map (many colours), and nothing is written when
the map cannot load."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flightmap import png, snapshot
from flightmap.cli import app

pytestmark = pytest.mark.browser


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the pixel rows (unfiltered) of an 8-bit, non-interlaced RGB or RGBA
    PNG: what Chromium's screenshots are. Stdlib only (no Pillow in the test extra)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind_byte, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind_byte == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind_byte == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind_byte == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind_byte == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    # RGB triples of each row, whatever the alpha
    triples = [b"".join(r[i : i + 3] for i in range(0, len(r), bpp)) for r in rows]
    return width, height, triples


def dpi(data: bytes) -> float:
    """Pixels per inch stated by the PNG's pHYs chunk (which follows IHDR)."""
    assert data[37:41] == b"pHYs", "no pHYs chunk after IHDR"
    ppm_x, ppm_y, unit = struct.unpack(">IIB", data[41:50])
    assert ppm_x == ppm_y and unit == 1
    return round(ppm_x * 0.0254, 1)


def colours(rows: list[bytes]) -> set[bytes]:
    return {row[i : i + 3] for row in rows for i in range(0, len(row), 3)}


@pytest.fixture
def env(browser: Any, asset_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Browser tests' conditions (skip without Chromium, Playwright or the asset cache) and the
    snapshot's asset cache set to the tests' one."""
    monkeypatch.setenv("FLIGHTMAP_ASSET_CACHE", str(asset_cache))
    return asset_cache


def test_cli_default_case(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.png"
    result = runner.invoke(app, ["snapshot", "-o", str(out), "--size", "900x560", "--offline"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out)
    data = out.read_bytes()
    assert png.png_size(data) == (900, 560)
    width, height, rows = decode_png(data)
    assert (width, height) == (900, 560) and len(rows) == 560
    # A drawn map (panels, lines, marks, basemap), not a blank or grey page: a blank page has
    # one colour, a page without Leaflet's CSS a handful.
    assert len(colours(rows)) > 500
    assert [p.name for p in tmp_path.iterdir()] == ["case.png"]  # no temporary file left


def test_cli_scale_and_tracks_without_case(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    track = Path(__file__).parents[1] / "data" / "tracks" / "generic_track.csv"
    out = tmp_path / "track.png"
    args = ["snapshot", "--no-case", "--track", str(track), "-o", str(out)]
    result = runner.invoke(app, [*args, "--size", "400x300", "--scale", "2", "--offline"])
    assert result.exit_code == 0, result.output
    width, height, rows = decode_png(out.read_bytes())
    assert (width, height) == (800, 600)
    assert dpi(out.read_bytes()) == 192.0  # printed, as large as on screen
    assert len(colours(rows)) > 100


def test_library_save_png_page_and_file(env: Path, tmp_path: Path) -> None:
    from flightmap.geo import load_case
    from flightmap.pipeline import render_page

    page = render_page(load_case("j2-8243"))
    out = snapshot.save_png(page, tmp_path / "a.png", size=(390, 844), offline=True)
    assert png.png_size(out.read_bytes()) == (390, 844)
    # The same page from a file, with the screen controls kept this time.
    html = tmp_path / "map.html"
    html.write_text(page.html, encoding="utf-8")
    out2 = snapshot.save_png(html, tmp_path / "b.png", size=(390, 844), print_view=False)
    assert png.png_size(out2.read_bytes()) == (390, 844)
    assert out.read_bytes() != out2.read_bytes()  # zoom, layers... buttons drawn


def test_no_file_when_the_map_cannot_load(
    runner: CliRunner, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Offline with an empty asset cache: Leaflet never arrives, so there is no map to draw.
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    out = tmp_path / "out" / "map.png"
    args = ["snapshot", "-o", str(out), "--offline", "--assets", str(empty), "--timeout", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flightmap: error: the map did not load"), lines
    assert str(empty) in lines[0] and "python -m flightmap.offline_assets" in lines[0]
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_folium_map_and_the_files_next_to_a_page(env: Path, tmp_path: Path) -> None:
    import folium

    m = folium.Map(location=(40.4, 49.9), zoom_start=5, tiles=None)
    out = snapshot.save_png(m, tmp_path / "folium.png", size=(320, 240), offline=True)
    assert png.png_size(out.read_bytes()) == (320, 240)
    # An HTML file's relative URLs are answered from its folder: a style sheet beside it
    # paints the map's background magenta.
    m.get_root().header.add_child(folium.Element('<link rel="stylesheet" href="extra.css">'))
    (tmp_path / "extra.css").write_text(".leaflet-container { background: #ff00ff !important; }")
    m.save(str(tmp_path / "page.html"))
    shot = snapshot.save_png(str(tmp_path / "page.html"), tmp_path / "p.png", size=(320, 240))
    _, _, rows = decode_png(shot.read_bytes())
    assert rows[120][160 * 3 : 160 * 3 + 3] == b"\xff\x00\xff"


def solid_png(rgb: bytes, side: int = 256) -> bytes:
    """A ``side`` x ``side`` PNG of one RGB colour (a map tile)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + rgb * side) * side)
    return (
        png.SIGNATURE
        + png.chunk(b"IHDR", header)
        + png.chunk(b"IDAT", pixels)
        + png.chunk(b"IEND", b"")
    )


def test_waits_for_the_tiles(env: Path, tmp_path: Path) -> None:
    import folium

    # Tiles served from the page's folder (a tile server that answers): the picture shows them.
    tile = solid_png(b"\x00\xc8\x00")
    for x in range(4):
        (tmp_path / "tiles" / "2" / str(x)).mkdir(parents=True)
        for y in range(4):
            (tmp_path / "tiles" / "2" / str(x) / f"{y}.png").write_bytes(tile)
    m = folium.Map(location=(0, 0), zoom_start=2, tiles=None)
    folium.TileLayer("tiles/{z}/{x}/{y}.png", attr="test tiles").add_to(m)
    m.save(str(tmp_path / "tiled.html"))
    shot = snapshot.save_png(tmp_path / "tiled.html", tmp_path / "t.png", size=(320, 240))
    _, _, rows = decode_png(shot.read_bytes())
    assert rows[120][160 * 3 : 160 * 3 + 3] == b"\x00\xc8\x00"


def test_cli_local_time_is_checked_like_render(
    runner: CliRunner, env: Path, tmp_path: Path
) -> None:
    """``snapshot --local-time`` takes the zone ``render`` takes, and refuses a wrong one the
    same way: one line naming the option, exit 2, no file."""
    out = tmp_path / "case.png"
    result = runner.invoke(app, ["snapshot", "-o", str(out), "--local-time", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "--local-time" in result.output and "Mars/Olympus" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()
