"""Property-based fuzzing (hypothesis): whatever the input, flightmap either reads it or raises
its own :class:`~flightmap.errors.InputError`, in one line; nothing else escapes, and numpy
warnings (overflows, invalid casts), which would print on a user's terminal, count as failures.

Covered: every reader, on inputs shaped like its format (headers, rows, JSON documents, KML
placemarks filled with hostile values) and on byte-level mutations of the fixtures, with and
without gzip, with the format detected or forced; the whole track pipeline (read, analyse,
export, render); and case loading (:func:`flightmap.geo.load_case`) on mutated copies of
``data/cases/j2-8243``.

Deterministic (``derandomize=True``, no example database) and bounded, so CI runs the same
examples every time in a few seconds each. ``FLIGHTMAP_FUZZ_EXAMPLES=N`` multiplies the number
of examples for a longer local run (the figures in tests/README.md come from N=20).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.readers import FORMATS, read_track

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "data" / "tracks"
CASE = ROOT / "data" / "cases" / "j2-8243"
SCALE = int(os.environ.get("FLIGHTMAP_FUZZ_EXAMPLES", "1"))


def fuzz(examples: int, *, shrink: bool = True) -> Callable[[Any], Any]:
    """Settings for one fuzz test: ``examples`` (times FLIGHTMAP_FUZZ_EXAMPLES), fixed seed.
    ``shrink=False`` for slow tests: a failure is reported as found, not minimised for minutes.
    """
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@contextmanager
def strict() -> Iterator[None]:
    """numpy's overflow and invalid-value warnings become errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


# -- values ------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        [
            *(0, -0.0, 1735100000, 1735100000.5, 40.4, 49.9, 90, -180, 1e308, -1e308, 5e-324),
            *(-62135596800, 253402300799, 4102444800, 10**400, -(10**400), 2**63, 2**64),
        ]
    ),
)
HOSTILE_TEXT = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e309",
    "null",
    "None",
    "True",
    "false",
    "ground",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "2024-12-25T04:00:00",
    "2024-12-25T04:00:00Z",
    "2024-12-25 07:00:00+03:00",
    "2024-02-30T00:00:00Z",
    "2024-12-25T04:00:00 UTC",
    "1735100000.123456789",
    "24:00",
    '"',
    "a,b",
    "40.4,49.9",
    "7700",
    "abc123",
    "ÄÖü",
    "\u202e",
    "\x1b[31m",
    "\x00",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "=cmd|' /C calc'!A0",
    "A" * 300,
]
CELL = st.one_of(
    NUMBERS.map(repr),
    NUMBERS.map(str),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=10),
)
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.text(max_size=8),
    st.sampled_from(["ground", "adsb_icao", "mlat", "\ud800", "a\udfffb", "<img src=x>"]),
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["flight", "nic", "nac_p", "sil", "rc", "squawk", "type", "alt_geom"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=8,
)
ENTRY = st.lists(st.one_of(NUMBERS, JSON_VALUE), max_size=18)


# -- one strategy per format -------------------------------------------------------------------

CSV_HEADERS = {
    "fr24_csv": [
        "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction",
        "Timestamp,Callsign,Position,Altitude,Speed,Direction",
    ],
    "opensky_csv": [
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        "baroaltitude,geoaltitude,lastposupdate,lastcontact,hour",
        "time,icao24,lat,lon,velocity,baroaltitude",
    ],
    "generic_csv": [
        "time,lat,lon",
        "ts,Latitude,Longitude,altitude_ft,callsign,hex,squawk,nic,nac_p,sil,on_ground,stale,"
        "new_leg,track,gs,rc,position_source,vrate_fpm",
        "time,lat,lat,lon",
    ],
}


@st.composite
def csv_file(draw: st.DrawFn, fmt: str) -> bytes:
    header = draw(st.sampled_from(CSV_HEADERS[fmt]))
    width = header.count(",") + 1
    rows = draw(st.lists(st.lists(CELL, min_size=width - 1, max_size=width + 1), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n"]))

    def cell(text: str) -> str:
        quote = draw(st.booleans()) or any(c in text for c in ',"\r\n')
        return '"' + text.replace('"', '""') + '"' if quote else text

    body = newline.join(",".join(cell(c) for c in row) for row in rows)
    return (header + newline + body).encode("utf-8", "surrogatepass")


@st.composite
def readsb_file(draw: st.DrawFn) -> bytes:
    doc = {
        "icao": draw(st.one_of(st.text(max_size=8), JSON_VALUE)),
        "timestamp": draw(st.one_of(NUMBERS, JSON_VALUE)),
        "trace": draw(st.one_of(st.lists(ENTRY, max_size=8), JSON_VALUE)),
    }
    return json.dumps(doc, allow_nan=True).encode()


@st.composite
def rest_file(draw: st.DrawFn) -> bytes:
    def response() -> dict[str, Any]:
        return {
            "time": draw(st.one_of(NUMBERS, JSON_VALUE)),
            "states": draw(st.one_of(st.lists(ENTRY, max_size=6), JSON_VALUE)),
        }

    many = draw(st.booleans())
    doc: Any = [response() for _ in range(draw(st.integers(0, 3)))] if many else response()
    return json.dumps(doc, allow_nan=True).encode()


XML_CELL = CELL.map(
    lambda c: (
        "".join(ch for ch in c if ch in "\t\n\r" or ord(ch) >= 32)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
    )
)


@st.composite
def kml_file(draw: st.DrawFn) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(
                f"<Placemark><TimeStamp><when>{draw(XML_CELL)}</when></TimeStamp>"
                f"<description>Altitude: {draw(XML_CELL)} ft Speed: {draw(XML_CELL)} kt "
                f"Heading: {draw(XML_CELL)}</description><Point><altitudeMode>absolute"
                f"</altitudeMode><coordinates>{draw(XML_CELL)},{draw(XML_CELL)},"
                f"{draw(XML_CELL)}</coordinates></Point></Placemark>"
            )
        elif kind == 1:
            whens = "".join(
                f"<when>{draw(XML_CELL)}</when>" for _ in range(draw(st.integers(0, 3)))
            )
            coords = "".join(
                f"<gx:coord>{draw(XML_CELL)} {draw(XML_CELL)} {draw(XML_CELL)}</gx:coord>"
                for _ in range(draw(st.integers(0, 3)))
            )
            parts.append(f"<gx:Track>{whens}{coords}</gx:Track>")
        else:
            parts.append(
                f"<Placemark><name>{draw(XML_CELL)}</name><Point><coordinates>"
                f"{draw(XML_CELL)}</coordinates></Point></Placemark>"
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><name>'
        + draw(XML_CELL)
        + "</name>"
        + "".join(parts)
        + "</Document></kml>"
    ).encode("utf-8", "surrogatepass")


SHAPED: dict[str, st.SearchStrategy[bytes]] = {
    "fr24_csv": csv_file("fr24_csv"),
    "fr24_kml": kml_file(),
    "readsb_trace": readsb_file(),
    "opensky_csv": csv_file("opensky_csv"),
    "opensky_rest": rest_file(),
    "generic_csv": csv_file("generic_csv"),
}

# -- byte-level mutations of the fixtures --------------------------------------------------------

SEEDS = {p.name: p.read_bytes() for p in sorted(TRACKS.iterdir()) if p.suffix != ".md"}
SPLICE = [t.encode("utf-8", "surrogatepass") for t in HOSTILE_TEXT] + [
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b">",
    b"&",
    b"<![CDATA[",
    b"]]>",
    b"&#0;",
    b"\\u0000",
    b'"\\ud800"',
    b"\n",
    b",",
]


@st.composite
def mutated(draw: st.DrawFn, seeds: dict[str, bytes]) -> bytes:
    data = bytearray(seeds[draw(st.sampled_from(sorted(seeds)))])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.integers(0, 4))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == 0 and data:
            data[i] = draw(st.integers(0, 255))
        elif op in (0, 1):
            data[i:i] = draw(st.sampled_from(SPLICE))
        elif op == 2:
            data[i : draw(st.integers(i, i + 40))] = draw(st.sampled_from(SPLICE))
        elif op == 3:
            del data[i:]
        else:
            j = draw(st.integers(0, max(len(data) - 1, 0)))
            data[i:i] = data[j : j + draw(st.integers(0, 200))]
    return bytes(data)


# -- the property --------------------------------------------------------------------------------


def check_read(data: bytes, fmt: str | None, *, tz: str | None, gz: bool) -> None:
    """Read ``data`` (as ``fmt``, or detected): a valid track, or one InputError naming the
    file; never another exception or a numpy warning."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / ("input.gz" if gz else "input")
        path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
        try:
            with strict():
                result = read_track(path, fmt, tz=tz)
        except InputError as err:
            text = str(err)
            assert "\n" not in text
            assert text.startswith(f"{path}: ") or err.field in ("--tz", "--format")
            return
    track = result.track
    s.validate(track)
    assert len(track) > 0
    times = track[s.TIME]
    assert times.min().year >= 1970 and times.max().year < 2100
    for col in (c.name for c in s.COLUMNS if c.dtype == "float64"):
        values = track[col].to_numpy(dtype="float64", na_value=np.nan)
        assert not np.isinf(values).any(), col
    assert (result.flags[s.RECORD] >= 1).all()


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz(50)
@given(data=st.data())
def test_readers_on_shaped_inputs(fmt: str, data: st.DataObject) -> None:
    content = data.draw(SHAPED[fmt], label="content")
    forced = data.draw(st.sampled_from([fmt, None]), label="format")
    tz = data.draw(st.sampled_from([None, "UTC", "Asia/Baku"]), label="tz")
    check_read(content, forced, tz=tz, gz=data.draw(st.booleans(), label="gzip"))


@fuzz(150)
@given(
    content=mutated(SEEDS),
    fmt=st.sampled_from([None, *FORMATS]),
    tz=st.sampled_from([None, "UTC"]),
    gz=st.booleans(),
)
def test_readers_on_mutated_fixtures(
    content: bytes, fmt: str | None, tz: str | None, gz: bool
) -> None:
    check_read(content, fmt, tz=tz, gz=gz)


@fuzz(60)
@given(content=st.binary(max_size=400), gz=st.booleans())
def test_readers_on_random_bytes(content: bytes, gz: bool) -> None:
    check_read(content, None, tz=None, gz=gz)


# -- the whole pipeline on plausible tracks ------------------------------------------------------

ROW = st.tuples(
    st.one_of(st.floats(0, 1e5), st.sampled_from([0.0, 0.001, 1.0, 10.0, 3600.0, 86400.0 * 30])),
    st.one_of(
        st.none(),
        st.tuples(
            st.one_of(st.floats(-90, 90), st.sampled_from([90.0, -90.0, 0.0])),
            st.one_of(st.floats(-180, 180), st.sampled_from([180.0, -180.0, 179.9999])),
        ),
    ),
    st.one_of(st.none(), st.floats(-1e6, 1e6), st.sampled_from([0.0, 45000.0, 1e300])),
    st.one_of(st.none(), st.floats(-1e4, 1e5), st.sampled_from([0.0, 450.0, 1e300])),
    st.one_of(st.none(), st.sampled_from(["AHY8243", *HOSTILE_TEXT[-8:]]), st.text(max_size=8)),
)


@fuzz(20, shrink=False)
@given(rows=st.lists(ROW, min_size=1, max_size=30), t0=st.floats(1e9, 4.09e9))
def test_pipeline_read_analyse_export_render(rows: list[Any], t0: float) -> None:
    """A track that reads goes through analysis, the exports and the map without an error,
    and no callsign reaches the page unescaped."""
    from flightmap import analysis, export, pipeline
    from flightmap.readers.output import write_track

    lines = ["time,lat,lon,alt_baro_ft,gs_kt,callsign,icao24"]
    t = t0
    for dt, pos, alt, gs, callsign in rows:
        t += dt
        lat, lon = pos if pos else ("", "")
        cs = "" if callsign is None else '"' + callsign.replace('"', '""') + '"'
        cells = (t, lat, lon, "" if alt is None else alt, "" if gs is None else gs, cs, "abc123")
        lines.append(",".join(repr(c) if isinstance(c, float) else str(c) for c in cells))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        try:
            with strict():
                result = read_track(path)
        except InputError:
            return
        with strict():
            found = analysis.analyse(result.track)
            json.dumps(analysis.analysis_report(found), allow_nan=False)
            analysis.analysis_text(found, nominal=True)
            for suffix in (".csv", ".geojson", ".parquet"):
                write_track(result.track, Path(d) / f"out{suffix}")
            export.to_kml(None, result.track)
            export.to_geojson(None, result.track)
            page = pipeline.render_page(None, [path]).html
    for raw in ("<script>alert(1)</script>", "{{ 7*7 }}", "\x1b"):
        assert raw not in page


# -- case loading ----------------------------------------------------------------------------------

CASE_FILES = sorted(p.name for p in CASE.iterdir())
CASE_CSV = sorted(p.name for p in CASE.glob("*.csv"))
CASE_VALUES = st.one_of(
    st.sampled_from(
        [
            *HOSTILE_TEXT,
            *("90.0000001", "-181", "javascript:alert(1)", 'http://x" onmouseover="alert(1)'),
            *("takeoff", "control_loss", "urmg", "a;;b", "observed", "inferred", "high"),
            *("x" * 5000, "2024-12-25T05:13:32+14:00", "-86400", "1e400", "{% raw %}"),
            "${alert(1)}",
        ]
    ),
    st.text(max_size=8),
)


@st.composite
def case_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """Any case file with a few bytes changed."""
    name = draw(st.sampled_from(CASE_FILES))
    return name, draw(mutated({name: (CASE / name).read_bytes()}))


@st.composite
def case_cell(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV case file, still well-formed, with one cell replaced."""
    name = draw(st.sampled_from(CASE_CSV))
    rows = list(csv.reader(io.StringIO((CASE / name).read_text(encoding="utf-8"))))
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[r]) - 1))
    rows[r][c] = draw(CASE_VALUES)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return name, out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def case_zone(draw: st.DrawFn) -> tuple[str, bytes]:
    """zones.geojson with one property or geometry replaced by any JSON value."""
    doc = json.loads((CASE / "zones.geojson").read_text(encoding="utf-8"))
    feature = draw(st.sampled_from(doc["features"]))
    key = draw(st.sampled_from([*sorted(feature["properties"]), "geometry"]))
    value = draw(
        st.one_of(
            CASE_VALUES,
            JSON_VALUE,
            st.just({"type": "Point", "coordinates": [1e308, 0]}),
            st.just({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 1], [1, 0], [0, 0]]]}),
        )
    )
    if key == "geometry":
        feature["geometry"] = value
    else:
        feature["properties"][key] = value
    return "zones.geojson", json.dumps(doc, allow_nan=True).encode()


@fuzz(120)
@given(changes=st.lists(st.one_of(case_bytes(), case_cell(), case_zone()), min_size=1, max_size=3))
def test_load_case_on_mutated_copies(changes: list[tuple[str, bytes]]) -> None:
    from flightmap.geo import load_case

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "j2-8243"
        shutil.copytree(CASE, folder)
        for name, content in changes:
            (folder / name).write_bytes(content)
        try:
            with strict():
                case = load_case(folder)
        except InputError as err:
            assert "\n" not in str(err)
            assert str(err).startswith(str(folder)) or "case" in str(err)
            return
    assert case.id == "j2-8243"
    assert all(e.time.tzinfo is not None for e in case.events)
