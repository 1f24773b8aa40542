"""Exports keep the truth model: claims and conflicts with both sides, no dangling id, the
evidence of every placed position apart from that of its time, altitudes and speeds, KML
styles and no parked aircraft. Counted on the J2-8243 case against j2-8243-facts.md §9."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from flightmap import export, geo
from flightmap.cli import app
from flightmap.geo.timeline import timeline_json

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"

# The 14 conflicts of j2-8243-facts.md section 9, by number, and their ids in conflicts.csv
# (the hydraulic sequence is one conflict per system there).
FACTS_CONFLICTS: dict[int, tuple[str, ...]] = {
    1: ("hydraulic_sys3", "hydraulic_sys1", "hydraulic_sys2"),
    2: ("adsb_loss_time",),
    3: ("crash_site",),
    4: ("aktau_request_time",),
    5: ("hit_altitude_place",),
    6: ("gps_loss_report_time",),
    7: ("takeoff_time",),
    8: ("missile_vs_bang",),
    9: ("damage_cause",),
    10: ("aktau_runway",),
    11: ("khankala_identity",),
    12: ("aktau_timezone",),
    13: ("grozny_aktau_distance",),
    14: ("impact_time",),
}
FACTS_IDS = [k for ids in FACTS_CONFLICTS.values() for k in ids]

# Events drawn at a place nobody published (issue 15): the three 05:13 events on the Grozny
# reference point and the 06:07 ADS-B point are placed by inference.
INFERRED_PLACES = {"first_bang": 20_000.0, "control_loss": 20_000.0, "second_bang": 20_000.0}


@pytest.fixture(scope="module")
def geojson(case: geo.Case) -> dict[str, Any]:
    return json.loads(export.to_geojson(case))  # type: ignore[no-any-return]


def _by_kind(doc: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for f in doc["features"]:
        out.setdefault(f["properties"]["kind"], {})[f["properties"]["id"]] = f
    return out


def test_the_case_has_every_conflict_of_the_research_notes(case: geo.Case) -> None:
    assert set(FACTS_IDS) <= {k.id for k in case.conflicts}
    assert len(FACTS_CONFLICTS) == 14


def test_geojson_keeps_both_sides_of_all_14_conflicts(
    case: geo.Case, geojson: dict[str, Any]
) -> None:
    kinds = _by_kind(geojson)
    items = {**kinds["waypoint"], **kinds["event"], **kinds["claim"]}
    kept = 0
    for number, ids in FACTS_CONFLICTS.items():
        for cid in ids:
            conflict = kinds["conflict"][cid]["properties"]
            assert conflict["side_a"] and conflict["side_b"], cid
            for side, other in (("side_a", "side_b"), ("side_b", "side_a")):
                for item_id in conflict[side]:
                    assert item_id in items, (number, cid, item_id)
                    linked = items[item_id]["properties"]["conflicts_with"]
                    assert set(conflict[other]) <= set(linked), (number, cid, item_id)
        kept += 1
    assert kept == 14


def test_geojson_has_no_dangling_id(case: geo.Case, geojson: dict[str, Any]) -> None:
    kinds = _by_kind(geojson)
    items = {**kinds["waypoint"], **kinds["event"], **kinds["claim"]}
    assert len(kinds["claim"]) == len(case.claims) and len(kinds["conflict"]) == len(case.conflicts)
    assert len(kinds["source"]) == len(case.sources)
    for f in items.values():
        for other in f["properties"]["conflicts_with"]:
            assert other in items, (f["properties"]["id"], other)
        for src in f["properties"]["sources"]:
            assert src["id"] in kinds["source"]
    for k in kinds["conflict"].values():
        assert all(i in items for i in k["properties"]["side_a"] + k["properties"]["side_b"])
    for f in kinds["event"].values():
        assert f["properties"]["waypoint"] in (None, *kinds["waypoint"])


def test_every_placed_position_says_its_own_evidence(
    case: geo.Case, geojson: dict[str, Any]
) -> None:
    events = _by_kind(geojson)["event"]
    placed = {i: f["properties"] for i, f in events.items() if f["geometry"] is not None}
    assert len(placed) == sum(1 for e in case.events if e.waypoint) == 9
    for props in placed.values():
        assert props["position_evidence"] in ("observed", "reported", "inferred")
        assert props["position_basis"]
    for event_id, radius_m in INFERRED_PLACES.items():
        p = placed[event_id]
        # The time is reported with high confidence; the place is inferred.
        assert (p["evidence"], p["confidence"]) == ("reported", "high")
        assert (p["position_evidence"], p["position_uncertainty_m"]) == ("inferred", radius_m)
    back = placed["adsb_back"]
    assert (back["evidence"], back["position_evidence"]) == ("reported", "inferred")
    assert back["position_uncertainty_m"] == 141_000.0  # the ADSB_BACK waypoint's radius
    assert placed["impact"]["position_evidence"] == "reported"
    unplaced = events["hyd1_fail"]["properties"]
    assert unplaced["position_evidence"] is None and unplaced["position_uncertainty_m"] is None


def test_geojson_zone_without_a_stated_end(geojson: dict[str, Any]) -> None:
    kover = _by_kind(geojson)["zone"]["kover_grozny"]["properties"]
    assert (kover["valid_to"], kover["end_stated"], kover["last_attested"]) == (None, False, None)


def test_timeline_json_keeps_altitudes_speeds_positions(case: geo.Case) -> None:
    doc = timeline_json(case)
    events = {e["id"]: e for e in doc["events"]}
    assert (events["adsb_last_valid"]["alt_ft"], events["adsb_last_valid"]["gs_kt"]) == (
        30000,
        402,
    )
    bang = events["first_bang"]
    assert bang["alt_ft"] == 3500 and bang["evidence"] == "reported"
    assert bang["position"]["evidence"] == "inferred"
    assert bang["position"]["uncertainty_m"] == 20_000.0
    assert (bang["position"]["lat"], bang["position"]["lon"]) == (43.388302, 45.698601)
    assert events["hyd1_fail"]["position"] is None
    # Every conflict with both sides, every id resolvable in the same document.
    ids = {e["id"] for e in doc["events"]} | {w["id"] for w in doc["waypoints"]}
    ids |= {c["id"] for c in doc["claims"]}
    conflicts = {k["id"]: k for k in doc["conflicts"]}
    for cid in FACTS_IDS:
        assert set(conflicts[cid]["side_a"] + conflicts[cid]["side_b"]) <= ids, cid
    for item in [*doc["events"], *doc["waypoints"], *doc["claims"]]:
        assert set(item["conflicts_with"]) <= ids


def test_timeline_json_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["timeline", "--format", "json"])
    assert result.exit_code == 0, result.output
    events = {e["id"]: e for e in json.loads(result.stdout)["events"]}
    assert events["adsb_implausible"]["alt_ft"] == 14025 and events["adsb_back"]["position"]


def test_csv_keeps_evidence_claims_and_conflicts(case: geo.Case) -> None:
    table = pd.read_csv(io.StringIO(export.to_csv(case)), dtype=str, keep_default_na=False)
    rows = {(r["kind"], r["id"]): r for r in table.to_dict("records")}
    bang = rows[("event", "first_bang")]
    assert (bang["evidence"], bang["position_evidence"]) == ("reported", "inferred")
    assert float(bang["position_uncertainty_m"]) == 20_000.0 and bang["alt_ft"] == "3500.0"
    ids = {i for (kind, i) in rows if kind in ("waypoint", "event", "claim")}
    for cid in FACTS_IDS:
        k = rows[("conflict", cid)]
        sides = k["side_a"].split(";") + k["side_b"].split(";")
        assert set(sides) <= ids, cid


def _kml_ids(root: ET.Element) -> dict[str, ET.Element]:
    out = {}
    for pm in root.iter(f"{KML}Placemark"):
        for d in pm.iter(f"{KML}Data"):
            if d.get("name") == "id":
                out[d.findtext(f"{KML}value") or ""] = pm
    return out


def test_kml_keeps_conflicts_styles_and_altitudes(case: geo.Case) -> None:
    root = ET.fromstring(export.to_kml(case))
    by_id = _kml_ids(root)
    for cid in FACTS_IDS:
        pm = by_id[cid]
        values = {d.get("name"): d.findtext(f"{KML}value") for d in pm.iter(f"{KML}Data")}
        for item_id in (values["side_a"] or "").split(";") + (values["side_b"] or "").split(";"):
            assert item_id in by_id, (cid, item_id)
    # A style per evidence class and per event category and place evidence, all resolvable.
    styles = {st.get("id") for st in root.iter(f"{KML}Style")}
    assert {"wp-observed", "wp-reported", "wp-inferred", "leg-inferred"} <= styles
    assert {"ev-damage-inferred", "ev-flight-reported", "ev-adsb-inferred"} <= styles
    used = {u.text[1:] for u in root.iter(f"{KML}styleUrl") if u.text}
    assert used <= styles
    # The first bang: at the Grozny point, 3,500 ft absolute (1066.8 m), place inferred.
    bang = by_id["first_bang"]
    assert bang.findtext(f"{KML}styleUrl") == "#ev-damage-inferred"
    assert bang.findtext(f".//{KML}altitudeMode") == "absolute"
    assert bang.findtext(f".//{KML}coordinates") == "45.698601,43.388302,1066.8"
    assert "Place: inferred (within 20,000 m" in (bang.findtext(f"{KML}description") or "")
    # Grozny airport at its 548 ft elevation (167.0 m), not clamped to the ground.
    assert by_id["URMG"].findtext(f".//{KML}coordinates") == "45.698601,43.388302,167.0"
    # An event without an altitude stays on the ground rather than at 0 m.
    assert by_id["kover"].findtext(f".//{KML}altitudeMode") == "clampToGround"
    assert root.findall(f".//{GX}Track") == []
    # The Kovyor zone has no stated end: its time span closes where the sources stop (here its
    # start), never left open as "in effect ever after".
    span = by_id["kover_grozny"].find(f"{KML}TimeSpan")
    assert span is not None and span.findtext(f"{KML}end") == "2024-12-25T05:21:42Z"
    assert "no source gives an end" in (by_id["kover_grozny"].findtext(f"{KML}description") or "")


def test_kml_track_positions_only_in_gx_track(case: geo.Case) -> None:
    from flightmap import schema as s

    t = pd.to_datetime(["2024-12-25T03:56:00Z", "2024-12-25T03:57:00Z"], utc=True)
    track = pd.DataFrame(
        {
            s.FLIGHT_ID: "f1",
            s.TIME: t,
            s.LAT: [40.5, 40.6],
            s.LON: [50.0, 49.9],
            s.ALT_BARO_FT: pd.array([1000, 2000], dtype="Float64"),
            s.CALLSIGN: "AHY8243",
            s.ICAO24: pd.NA,
            s.SOURCE: "test",
            s.STALE: False,
        }
    )
    root = ET.fromstring(export.to_kml(case, track))
    (gx,) = root.findall(f".//{GX}Track")
    assert [c.text for c in gx.findall(f"{GX}coord")] == [
        "50.000000 40.500000 304.8",
        "49.900000 40.600000 609.6",
    ]


def test_export_writes_a_case_own_track(tmp_path: Path, runner: CliRunner) -> None:
    from flightmap.scaffold import new_case

    track = tmp_path / "t.csv"
    track.write_text(
        "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"
        '1709287200,2024-03-01T10:00:00Z,TST1,"40.467499,50.046700",500,0,90\n'
        '1709287260,2024-03-01T10:01:00Z,TST1,"40.467499,50.056700",1500,250,90\n'
        '1709287320,2024-03-01T10:02:00Z,TST1,"40.467499,50.066700",2500,250,90\n',
        encoding="utf-8",
    )
    folder = new_case("tst", tracks=[track], parent=tmp_path / "cases")
    out = tmp_path / "tst.kml"
    result = runner.invoke(app, ["export", str(folder), "-f", "kml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    (gx,) = root.findall(f".//{GX}Track")  # the observed track, copied into the case
    assert gx.findtext(f"{GX}coord") == "50.046700 40.467499 152.4"  # 500 ft in m
    events = _kml_ids(root)
    assert events["first_report"].findtext(f"{KML}styleUrl") == "#ev-flight-observed"
