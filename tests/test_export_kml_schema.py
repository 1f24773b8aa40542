"""KML exports are valid against the OGC KML 2.2 schema with Google's ``gx`` extension.

The schemas are the copies pykml ships (``pykml/schemas``: ogckml22.xsd, kml22gx.xsd, and the
atom and xAL schemas they import), validated with lxml; both come with the test extra. Checked:
the default case, a case with a real track (its ``gx:Track``), a track alone, and a case and
track whose every free-text field holds the hostile payloads of ``tests/hostile.py``.
"""

from __future__ import annotations

import importlib.resources
import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from flightmap import export, geo
from flightmap.readers import read_track

TRACKS = Path(__file__).parent / "data" / "tracks"


@pytest.fixture(scope="module")
def schema() -> Any:
    folder = importlib.resources.files("pykml") / "schemas"
    with importlib.resources.as_file(folder / "kml22gx.xsd") as path:
        return etree.XMLSchema(etree.parse(str(path)))  # imports ogckml22.xsd beside it


def _valid(schema: Any, kml: bytes) -> None:
    doc = etree.fromstring(kml)
    if not schema.validate(doc):
        errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5]]
        pytest.fail("KML not valid against kml22gx.xsd:\n" + "\n".join(errors))
    assert doc.tag == "{http://www.opengis.net/kml/2.2}kml"


def test_default_case(schema: Any) -> None:
    _valid(schema, export.to_kml(geo.load_case("j2-8243")))


@pytest.mark.parametrize("name", ["fr24_anz1005.csv", "readsb_trace.json", "opensky_rest.json"])
def test_case_with_a_real_track_and_track_alone(schema: Any, name: str) -> None:
    track = read_track(TRACKS / name).track
    kml = export.to_kml(geo.load_case("j2-8243"), track)
    assert b"<gx:Track" in kml  # the observed positions, validated too
    _valid(schema, kml)
    _valid(schema, export.to_kml(None, track))


def test_hostile_case_and_track(schema: Any, tmp_path: Path) -> None:
    import hostile

    folder = tmp_path / "j2-8243"
    shutil.copytree(geo.load_case("j2-8243").path, folder)
    case = geo.load_case(hostile.poison_case(folder))
    track = read_track(hostile.hostile_track(tmp_path / "t.csv")).track
    _valid(schema, export.to_kml(case, track))
