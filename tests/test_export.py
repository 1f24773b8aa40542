"""Exports parse back with the right counts and times: GeoJSON with shapely, KML with an XML
parser, CSV with pandas."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from shapely.geometry import shape

from flightmap import export, geo

KML = "{http://www.opengis.net/kml/2.2}"


def test_geojson_round_trip(case: geo.Case) -> None:
    doc = json.loads(export.to_geojson(case))
    feats = doc["features"]
    by_kind: dict[str, list[dict]] = {}
    for f in feats:
        by_kind.setdefault(f["properties"]["kind"], []).append(f)
    assert len(by_kind["waypoint"]) == len(case.waypoints)
    assert len(by_kind["leg"]) == len(case.legs)
    assert len(by_kind["event"]) == len(case.events)
    assert len(by_kind["zone"]) == len(case.zones)
    crash = next(f for f in by_kind["waypoint"] if f["properties"]["id"] == "CRASH")
    assert crash["geometry"]["coordinates"] == [51.01, 43.8825]  # GeoJSON is (lon, lat)
    kover = next(f for f in by_kind["event"] if f["properties"]["id"] == "kover")
    assert kover["properties"]["time"] == "2024-12-25T05:21:42+00:00"
    assert kover["properties"]["sources"][0]["url"].startswith("https://")
    unplaced = next(f for f in by_kind["event"] if f["properties"]["id"] == "hyd1_fail")
    assert unplaced["geometry"] is None
    assert unplaced["properties"]["conflicts_with"] == [
        "hyd3_fail_apa",
        "hyd1_fail_apa",
        "hyd2_fail_apa",
    ]
    for z in by_kind["zone"]:
        assert shape(z["geometry"]).is_valid
    leg = next(f for f in by_kind["leg"] if f["properties"]["id"] == "planned")
    assert leg["properties"]["length_m"] / 1000 == pytest.approx(484.97, abs=0.01)


def test_kml_parses_with_times(case: geo.Case) -> None:
    root = ET.fromstring(export.to_kml(case))
    placemarks = root.findall(f".//{KML}Placemark")
    positioned = [e for e in case.events if e.waypoint]
    assert len(placemarks) == len(case.waypoints) + len(case.legs) + len(positioned) + len(
        case.zones
    )
    whens = [w.text for w in root.findall(f".//{KML}TimeStamp/{KML}when")]
    assert "2024-12-25T05:21:42Z" in whens and len(whens) == len(positioned)
    begins = {b.text for b in root.findall(f".//{KML}TimeSpan/{KML}begin")}
    assert "2024-12-25T05:21:42Z" in begins  # the Kovyor zone
    coords = root.find(f".//{KML}Placemark/{KML}Point/{KML}coordinates")
    assert coords is not None and coords.text == "50.046700,40.467499"  # KML is lon,lat


def test_csv_path_and_events(case: geo.Case) -> None:
    table = pd.read_csv(io.StringIO(export.to_csv(case)))
    assert list(table.columns) == export.CSV_COLUMNS
    events = table[table["kind"] == "event"]
    assert len(events) == len(case.events)
    row = events.set_index("id").loc["impact"]
    assert row["time_utc"] == "2024-12-25T06:27:58+00:00"
    assert (row["lat"], row["lon"]) == (43.8825, 51.01)
    path = table[table["kind"] == "path"]
    assert set(path["id"]) == {leg.id for leg in case.legs}
    assert path["time_utc"].isna().all()  # the case gives no times along the legs
