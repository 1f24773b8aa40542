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
from flightmap import schema as s

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


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
    assert unplaced["properties"]["conflicts_with"] == ["hyd1_fail_apa"]
    for z in by_kind["zone"]:
        assert shape(z["geometry"]).is_valid
    leg = next(f for f in by_kind["leg"] if f["properties"]["id"] == "planned")
    assert leg["properties"]["length_m"] / 1000 == pytest.approx(484.97, abs=0.01)


def test_kml_parses_with_times(case: geo.Case) -> None:
    root = ET.fromstring(export.to_kml(case))
    placemarks = root.findall(f".//{KML}Placemark")
    # waypoints, legs, every event (placed or not), claims, conflicts, zones
    assert len(placemarks) == (
        len(case.waypoints)
        + len(case.legs)
        + len(case.events)
        + len(case.claims)
        + len(case.conflicts)
        + len(case.zones)
    )
    whens = [w.text for w in root.findall(f".//{KML}TimeStamp/{KML}when")]
    assert "2024-12-25T05:21:42Z" in whens and len(whens) == len(case.events)
    begins = {b.text for b in root.findall(f".//{KML}TimeSpan/{KML}begin")}
    assert "2024-12-25T05:21:42Z" in begins  # the Kovyor zone
    coords = root.find(f".//{KML}Placemark/{KML}Point/{KML}coordinates")
    # KML is lon,lat,alt: Baku GYD at its 10 ft elevation, absolute
    assert coords is not None and coords.text == "50.046700,40.467499,3.0"


def test_kml_case_has_no_gx_track(case: geo.Case) -> None:
    # The case has no measured track: placed events are placemarks, never a gx:Track that
    # Google Earth would play as a flown path (parked on Grozny from 05:10 to 05:21:42).
    root = ET.fromstring(export.to_kml(case))
    assert root.findall(f".//{GX}Track") == [] and root.findall(f".//{GX}MultiTrack") == []


def test_kml_track_keeps_missing_altitude_off_sea_level() -> None:
    t = pd.to_datetime(
        ["2024-12-25T04:00:00Z", "2024-12-25T04:00:10.5Z", "2024-12-25T04:00:20Z"], format="ISO8601"
    )
    track = pd.DataFrame(
        {
            s.FLIGHT_ID: "f1",
            s.TIME: t,
            s.LAT: [43.0, 43.01, 43.02],
            s.LON: [47.0, 47.01, 47.02],
            s.ALT_BARO_FT: pd.array([10000, None, 10100], dtype="Float64"),
            s.CALLSIGN: "AHY8243",
            s.ICAO24: pd.NA,
            s.SOURCE: "test",
            s.STALE: False,
        }
    )
    root = ET.fromstring(export.to_kml(None, track))
    multi = root.findall(f".//{GX}MultiTrack")
    assert len(multi) == 1
    parts = multi[0].findall(f"{GX}Track")
    assert [p.findtext(f"{KML}altitudeMode") for p in parts] == [
        "absolute",
        "clampToGround",
        "absolute",
    ]
    assert [p.findtext(f"{KML}when") for p in parts] == [
        "2024-12-25T04:00:00Z",
        "2024-12-25T04:00:10.5Z",  # fractions of a second are kept
        "2024-12-25T04:00:20Z",
    ]
    assert parts[0].findtext(f"{GX}coord") == "47.000000 43.000000 3048.0"  # 10,000 ft in m


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
