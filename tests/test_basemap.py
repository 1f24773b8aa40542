"""Tests for the offline basemap in data/basemap/ and the script that builds it.

The GeoJSON facts are checked against the committed files (no network, no tarball); the
TopoJSON decoder is checked on a hand-made topology whose coordinates can be worked out on paper.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, box, shape

ROOT = Path(__file__).resolve().parent.parent
BASEMAP = ROOT / "data" / "basemap"
SCRIPT = ROOT / "scripts" / "build_basemap.py"
BBOX = (38.0, 37.0, 56.0, 48.0)  # min lon, min lat, max lon, max lat


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_basemap", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bb = _load_script()


def _read(name: str) -> dict[str, Any]:
    with (BASEMAP / name).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@pytest.fixture(scope="module")
def land() -> dict[str, Any]:
    return _read("land-10m.geojson")


@pytest.fixture(scope="module")
def countries() -> dict[str, Any]:
    return _read("countries-50m.geojson")


@pytest.fixture(scope="module")
def land_shape(land: dict[str, Any]) -> Any:
    return shapely.union_all([shape(f["geometry"]) for f in land["features"]])


def _country_at(countries: dict[str, Any], lat: float, lon: float) -> list[str]:
    point = Point(lon, lat)
    return [
        f["properties"]["name"] for f in countries["features"] if shape(f["geometry"]).covers(point)
    ]


# --- TopoJSON decoder ---------------------------------------------------------------------------

# Quantized topology: lon = x * 0.5 + 40, lat = y * 0.25 + 40.
# Arc 0 runs (0,0) -> (4,0) -> (4,4), i.e. (40,40) -> (42,40) -> (42,41).
# Arc 1 runs (0,0) -> (0,4) -> (4,4), i.e. (40,40) -> (40,41) -> (42,41).
# Both arcs are delta-encoded below. Arc 2 is a separate triangle for the MultiPolygon.
TOPOLOGY: dict[str, Any] = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [40.0, 40.0]},
    "arcs": [
        [[0, 0], [4, 0], [0, 4]],
        [[0, 0], [0, 4], [4, 0]],
        [[20, 0], [2, 0], [-2, 4], [0, -4]],
    ],
    "objects": {
        "shapes": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, -2]], "id": "A", "properties": {"name": "ccw"}},
                {"type": "Polygon", "arcs": [[1, -1]], "id": "B", "properties": {"name": "cw"}},
                {"type": "MultiPolygon", "arcs": [[[0, -2]], [[2]]], "properties": {"name": "m"}},
                {"type": None, "properties": {"name": "empty"}},
            ],
        }
    },
}


def test_decode_arcs_applies_delta_and_transform() -> None:
    arcs = bb.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(40.0, 40.0), (42.0, 40.0), (42.0, 41.0)]
    assert arcs[1] == [(40.0, 40.0), (40.0, 41.0), (42.0, 41.0)]
    # x: 20, 22, 20, 20 -> 50, 51, 50, 50; y: 0, 0, 4, 0 -> 40, 40, 41, 40
    assert arcs[2] == [(50.0, 40.0), (51.0, 40.0), (50.0, 41.0), (50.0, 40.0)]


def test_decode_arcs_without_transform_is_absolute() -> None:
    assert bb.decode_arcs({"arcs": [[[1, 2], [3, 4]]]}) == [[(1.0, 2.0), (3.0, 4.0)]]


def test_topology_features_stitch_reversed_arcs() -> None:
    features = bb.topology_features(TOPOLOGY, "shapes")
    ids = [f[0] for f in features]
    names = [f[1]["name"] for f in features]
    assert ids == ["A", "B", None, None]
    assert names == ["ccw", "cw", "m", "empty"]
    # [0, -2]: arc 0 forward, then arc 1 backwards (~-2 == 1); the shared vertex is kept once.
    ccw = features[0][2]
    assert list(ccw.exterior.coords) == [(40, 40), (42, 40), (42, 41), (40, 41), (40, 40)]
    assert ccw.area == pytest.approx(2.0)  # 2 deg lon x 1 deg lat
    # [1, -1]: -1 is arc 0 backwards (~-1 == 0), the same square walked clockwise.
    cw = features[1][2]
    assert list(cw.exterior.coords) == [(40, 40), (40, 41), (42, 41), (42, 40), (40, 40)]
    assert not cw.exterior.is_ccw and ccw.exterior.is_ccw
    multi = features[2][2]
    assert multi.geom_type == "MultiPolygon"
    assert [round(p.area, 9) for p in multi.geoms] == [2.0, 0.5]
    assert features[3][2] is None


def test_unknown_object_and_geometry_type_are_reported() -> None:
    with pytest.raises(KeyError, match="shapes"):
        bb.topology_features(TOPOLOGY, "land")
    with pytest.raises(ValueError, match="LineString"):
        bb.decode_geometry({"type": "LineString", "arcs": [0]}, bb.decode_arcs(TOPOLOGY))


def test_clip_polygons_clips_rounds_and_orients() -> None:
    # A clockwise square straddling the box's south-west corner.
    square = shapely.Polygon(
        [(37.0, 36.0), (37.0, 38.123456789), (39.0, 38.123456789), (39.0, 36.0)]
    )
    clipped = bb.clip_polygons(square)
    assert clipped.bounds == (38.0, 37.0, 39.0, 38.12346)
    assert all(p.exterior.is_ccw for p in clipped.geoms)
    assert bb.clip_polygons(box(0, 0, 1, 1)) is None


def test_verify_tarball_rejects_wrong_digest(tmp_path: Path) -> None:
    fake = tmp_path / "world-atlas-2.0.2.tgz"
    fake.write_bytes(b"not the tarball")
    with pytest.raises(ValueError, match="does not match"):
        bb.verify_tarball(fake)


def test_script_doctests() -> None:
    result = doctest.testmod(bb)
    assert result.attempted > 0 and result.failed == 0


# --- committed basemap files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source_file"),
    [("land-10m.geojson", "land-10m.json"), ("countries-50m.geojson", "countries-50m.json")],
)
def test_metadata(name: str, source_file: str) -> None:
    data = _read(name)
    assert data["type"] == "FeatureCollection"
    assert data["source"] == "Natural Earth 4.1.0 via world-atlas@2.0.2"
    assert data["source_sha256"] == bb.TARBALL_SHA256
    assert data["source_file"] == source_file
    assert data["bbox"] == list(BBOX)
    assert "5 decimals" in data["rounding"]
    assert "public domain" in data["license"] and "ISC" in data["license"]


@pytest.mark.parametrize("name", ["land-10m.geojson", "countries-50m.geojson"])
def test_geometries_valid_rounded_and_inside_bbox(name: str) -> None:
    data = _read(name)
    clip = box(*BBOX)
    assert data["features"]
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.geom_type == "MultiPolygon"
        assert geometry.is_valid, shapely.validation.explain_validity(geometry)
        assert clip.covers(geometry)
        # RFC 7946 section 3.1.6: exterior rings counter-clockwise, holes clockwise.
        for polygon in geometry.geoms:
            assert polygon.exterior.is_ccw
            assert not any(ring.is_ccw for ring in polygon.interiors)
        coords = shapely.get_coordinates(geometry)
        assert (coords.round(5) == coords).all()


def test_files_are_small() -> None:
    # folium's pre-commit uses check-added-large-files --maxkb=1024; the country layer should
    # stay light enough to inline into an HTML map.
    assert (BASEMAP / "land-10m.geojson").stat().st_size < 1024 * 1024
    assert (BASEMAP / "countries-50m.geojson").stat().st_size < 150 * 1024


@pytest.mark.parametrize(
    ("label", "lat", "lon", "on_land"),
    [
        ("Aktau airport", 43.860100, 51.091999, True),
        ("Grozny", 43.388302, 45.698601, True),
        ("Baku", 40.467499, 50.046700, True),
        ("middle Caspian", 42.5, 50.5, False),
        ("south Caspian", 39.0, 51.0, False),
        ("north Caspian", 45.5, 50.0, False),
        # Kara-Bogaz-Gol is part of the Caspian hole in ne_10m_land.
        ("Kara-Bogaz-Gol", 41.3, 53.5, False),
        ("eastern Black Sea", 43.0, 39.0, False),
        # Only the Caspian is cut out: inland lakes such as Sevan are land in this layer.
        ("Lake Sevan", 40.35, 45.3, True),
    ],
)
def test_land_facts(land_shape: Any, label: str, lat: float, lon: float, on_land: bool) -> None:
    assert land_shape.covers(Point(lon, lat)) is on_land, label


def test_baku_aktau_segment_crosses_the_coast_twice(land_shape: Any) -> None:
    # A straight lon/lat segment from Baku airport to Aktau airport leaves land once on the
    # Absheron coast and reaches land once on the Mangyshlak coast; the Caspian has no land
    # bridge in this layer. Crossing points computed from the committed file when it was built.
    segment = shapely.LineString([(50.046700, 40.467499), (51.091999, 43.860100)])
    crossings = shapely.get_coordinates(segment.intersection(land_shape.boundary))
    assert crossings.tolist() == [
        [pytest.approx(50.0735, abs=1e-3), pytest.approx(40.5545, abs=1e-3)],
        [pytest.approx(51.0572, abs=1e-3), pytest.approx(43.7471, abs=1e-3)],
    ]
    assert segment.difference(land_shape).length == pytest.approx(0.941 * segment.length, abs=0.01)


def test_country_names(countries: dict[str, Any]) -> None:
    names = {f["properties"]["name"] for f in countries["features"]}
    assert {"Russia", "Kazakhstan", "Azerbaijan", "Georgia", "Armenia", "Iran"} <= names
    assert len(names) == len(countries["features"])


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (43.860100, 51.091999, ["Kazakhstan"]),  # Aktau airport
        (43.388302, 45.698601, ["Russia"]),  # Grozny
        (40.467499, 50.046700, ["Azerbaijan"]),  # Baku
        (42.5, 50.5, []),  # middle Caspian: in no country
    ],
)
def test_country_at(countries: dict[str, Any], lat: float, lon: float, expected: list[str]) -> None:
    assert _country_at(countries, lat, lon) == expected
