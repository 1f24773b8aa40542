"""The J2-8243 case file: it validates, and its key facts are exact."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flightmap import geo
from flightmap.geodesy import distance_m, haversine_m

ROOT = Path(__file__).resolve().parents[1]


def utc(hms: str) -> datetime:
    return datetime.fromisoformat(f"2024-12-25T{hms}+00:00")


def test_case_is_listed_and_loads(case: geo.Case) -> None:
    assert "j2-8243" in geo.list_cases()
    assert case.id == "j2-8243"
    assert case.flight["registration"] == "4K-AZ65"
    assert [z for z, _ in case.timezones] == ["Asia/Baku", "Europe/Moscow", "Asia/Aqtau"]


@pytest.mark.parametrize(
    ("event_id", "hms"),
    [
        ("takeoff", "03:55:00"),
        ("adsb_last_valid", "04:25:00"),
        ("first_bang", "05:13:31"),
        ("control_loss", "05:13:32"),
        ("second_bang", "05:13:56"),
        ("bird_strike_call", "05:15:57"),
        ("kover", "05:21:42"),
        ("rostov_contact", "05:29:24"),
        ("divert_aktau", "05:42:40"),
        ("mayday", "06:02:47"),
        ("adsb_back", "06:07:00"),
        ("taws_first", "06:19:13"),
        ("impact", "06:27:58"),
    ],
)
def test_key_timestamps_exact(case: geo.Case, event_id: str, hms: str) -> None:
    t = case.event(event_id).time
    assert t == utc(hms)
    assert t.utcoffset() == timedelta(0)


def test_every_time_is_aware_utc_and_sorted(case: geo.Case) -> None:
    times = [e.time for e in case.events]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times)
    assert all(z.valid_from.utcoffset() == timedelta(0) for z in case.zones)


def test_relative_times_are_computed(case: geo.Case) -> None:
    bang = case.event("first_bang").time
    for event_id, offset in (("hyd3_fail_apa", 4), ("hyd1_fail_apa", 6), ("hyd2_fail_apa", 21)):
        ev = case.event(event_id)
        assert ev.relative_to == "first_bang"
        assert ev.time == bang + timedelta(seconds=offset)
    assert case.event("hyd2_fail_apa").time == utc("05:13:52")


def test_reference_distances(case: geo.Case) -> None:
    gyd, grv, sco = (case.waypoint(i).latlon for i in ("UBBB", "URMG", "UATE"))
    # The research notes give 484 km and 437 km, computed on a sphere (haversine).
    assert haversine_m(*gyd, *grv) / 1000 == pytest.approx(484, abs=1)
    assert haversine_m(*grv, *sco) / 1000 == pytest.approx(437, abs=1)
    # On the WGS84 ellipsoid the geodesics are 484.97 km and 438.37 km (Karney, via geopy).
    assert distance_m(gyd, grv) / 1000 == pytest.approx(484, abs=1)
    assert distance_m(grv, sco) / 1000 == pytest.approx(438.37, abs=0.01)


def test_every_item_is_sourced_and_classified(case: geo.Case) -> None:
    items = [*case.waypoints.values(), *case.events, *case.claims.values(), *case.legs, *case.zones]
    assert len(items) > 90
    for item in items:
        assert item.sources, item.id
        assert all(s in case.sources for s in item.sources), item.id
        assert item.evidence in geo.EVIDENCE and item.confidence in geo.CONFIDENCE
        if item.evidence == "inferred":
            assert item.basis, f"{item.id} is inferred but says nothing about how"


def test_required_waypoints_and_inferred_points(case: geo.Case) -> None:
    for wid in ("UBBB", "URMG", "UATE", "CRASH", "URML", "URMM", "XRMU", "CASPIAN_W", "ADSB_BACK"):
        assert wid in case.waypoints
    for wid in ("CASPIAN_W", "CASPIAN_E", "ADSB_BACK", "HIT_VCHK"):
        w = case.waypoint(wid)
        assert (w.evidence, w.confidence) == ("inferred", "low")
    assert case.waypoint("CRASH").latlon == (43.8825, 51.01)
    # The facts file's derived check: the crash site is 7.0 km at 291 degrees from the ARP.
    assert distance_m(case.waypoint("UATE").latlon, case.waypoint("CRASH").latlon) == pytest.approx(
        7000, abs=100
    )


def test_conflicts_linked_both_ways(case: geo.Case) -> None:
    assert len(case.conflicts) >= 14
    # One pair per hydraulic system: each failure conflicts only with its own alternative.
    for n in (1, 2, 3):
        hyd = next(k for k in case.conflicts if k.id == f"hydraulic_sys{n}")
        assert (hyd.side_a, hyd.side_b) == ((f"hyd{n}_fail",), (f"hyd{n}_fail_apa",))
        assert case.event(f"hyd{n}_fail").conflicts_with == (f"hyd{n}_fail_apa",)
    assert "hyd1_fail" in case.event("hyd1_fail_apa").conflicts_with
    # Report summary and press summary give different seconds for the same failure.
    assert case.event("hyd1_fail").time != case.event("hyd1_fail_apa").time
    assert case.event("hyd1_fail").sources != case.event("hyd1_fail_apa").sources
    assert "crash_3km" in case.waypoint("CRASH").conflicts_with
    assert "CRASH" in case.claims["crash_3km"].conflicts_with
    assert case.event("adsb_lost_0440").conflicts_with == ("adsb_last_valid",)


def test_derived_hydraulic_times_are_inferred_with_both_readings(case: geo.Case) -> None:
    # j2-8243-facts.md section 9, conflict 1: APA's offsets (+4 s, 'six seconds later',
    # 'twenty-one seconds later') computed from the first bang (05:13:31) under each reading.
    bang = case.event("first_bang").time
    offsets = {
        "hyd3_fail_apa": 4,
        "hyd1_fail_apa": 6,
        "hyd2_fail_apa": 21,
        "hyd1_fail_apa_chained": 10,
        "hyd2_fail_apa_chained": 31,
    }
    for event_id, seconds in offsets.items():
        ev = case.event(event_id)
        assert ev.time == bang + timedelta(seconds=seconds), event_id
        assert ev.evidence == "inferred" and "Computed here" in ev.basis, event_id
    readings = next(k for k in case.conflicts if k.id == "hydraulics_apa_reading")
    assert readings.side_a == ("hyd1_fail_apa", "hyd2_fail_apa")
    assert readings.side_b == ("hyd1_fail_apa_chained", "hyd2_fail_apa_chained")


def test_impossible_order_in_the_2025_02_06_summary_is_a_conflict(case: geo.Case) -> None:
    claim = case.claims["az_summary_hyd_led_to_control_loss"]
    assert claim.sources == ("az-summary-2025-02-06",) and claim.evidence == "reported"
    assert set(claim.conflicts_with) == {"control_loss", "hyd3_fail_apa"}
    # The first failure it gives (+4 s) comes after the loss of control it is said to cause.
    assert case.event("hyd3_fail_apa").time > case.event("control_loss").time


def test_source_articles_are_reported_claims(case: geo.Case) -> None:
    publishers = {case.sources[s].publisher for c in case.claims.values() for s in c.sources}
    assert {"Reuters", "Caliber"} <= publishers
    assert case.claims["khankala_fire"].sources == ("az-summary-2025-02-06",)
    assert all(
        c.evidence == "reported"
        for c in case.claims.values()
        if c.id not in {"dist_grv_sco_437", "tz_asia_aqtau"}
    )


def test_zones(case: geo.Case) -> None:
    from shapely.geometry import Point

    zones = {z.id: z for z in case.zones}
    assert set(zones) == {"ew_enroute", "ew_grozny", "kover_grozny"}
    kover = zones["kover_grozny"]
    assert kover.valid_from == utc("05:21:42") and kover.valid_to is None
    grozny = case.waypoint("URMG")
    assert kover.geometry.contains(Point(grozny.lon, grozny.lat))  # shapely is (lon, lat)
    # No source gives the end of the Kovyor plan: after 05:21:42 its state is unknown, never
    # "still in effect" (at the impact included).
    assert [z.id for z in case.zone_at(utc("05:21:42"))] == ["ew_grozny", "kover_grozny"]
    assert [z.id for z in case.zone_at(utc("05:25:00"))] == ["ew_grozny"]
    # Nor of the en-route jamming: last attested at the first bang (GPS lost, DME nothing);
    # FR24's 06:07 is when positions came back over the sea, not an end of the jamming.
    enroute = zones["ew_enroute"]
    assert (enroute.valid_to, enroute.last_attested) == (None, utc("05:13:31"))
    assert [enroute.status_at(utc(t)) for t in ("05:13:31", "05:13:32", "06:07:00")] == [
        "in_effect",
        "unknown",
        "unknown",
    ]
    assert kover.last_attested is None
    assert [kover.status_at(utc(t)) for t in ("05:21:41", "05:21:42", "05:25:00", "06:27:58")] == [
        "before",
        "in_effect",
        "unknown",
        "unknown",
    ]
    assert zones["ew_grozny"].status_at(utc("05:30:00")) == "ended"
    assert [z.id for z in case.zone_at(utc("04:00:00"))] == []


def test_timeline_local_times(case: geo.Case) -> None:
    df = case.timeline()
    row = df.set_index("id").loc["control_loss"]
    assert row["time_utc"].isoformat() == "2024-12-25T05:13:32+00:00"
    assert row["time_Asia/Baku"].isoformat() == "2024-12-25T09:13:32+04:00"
    assert row["time_Europe/Moscow"].isoformat() == "2024-12-25T08:13:32+03:00"
    assert row["time_Asia/Aqtau"].isoformat() == "2024-12-25T10:13:32+05:00"
    assert len(df) == len(case.events)


def _load_script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_derived_points_and_zones_match_a_rebuild(case: geo.Case) -> None:
    derive = _load_script("derive_j2_8243")
    assert derive.main(["--check"]) == 0
    points = derive.derive_points()
    for wid, d in points.items():
        w = case.waypoint(wid)
        assert distance_m(w.latlon, (d["lat"], d["lon"])) < 1.0, wid
    # Over the open sea the midpoint is water, and the coast crossings are on the geodesic.
    from shapely.geometry import Point

    from flightmap import basemap

    back = case.waypoint("ADSB_BACK")
    assert not basemap.land().contains(Point(back.lon, back.lat))


def test_zone_outline_matches_its_construction(case: geo.Case) -> None:
    from flightmap import regions

    for z in case.zones:
        rebuilt = regions.from_construction(z.construction, case.waypoints)
        # Stored outlines are rounded to 1e-5 degrees (about 1 m).
        assert z.geometry.hausdorff_distance(rebuilt) < 2e-5, z.id


def test_cache_follows_file_changes(case_copy: Path, edit) -> None:  # type: ignore[no-untyped-def]
    first = geo.load_case(case_copy)
    assert geo.load_case(case_copy) is first
    edit(case_copy / "case.toml", 'title = "Azerbaijan', 'title = "Edited Azerbaijan')
    assert geo.load_case(case_copy).title.startswith("Edited")


def test_utc_helper_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive time"):
        geo.parse_utc("2024-12-25T05:13:32")
    assert geo.parse_utc("2024-12-25T08:13:32+03:00") == datetime(
        2024, 12, 25, 5, 13, 32, tzinfo=UTC
    )


def test_stated_altitudes_and_speeds(case: geo.Case) -> None:
    # FR24's blog: last valid position at FL300, 402 kt; implausible 14,025 ft and 52 kt at
    # 04:37; the report summaries: climbing through 3,500 ft at the first bang.
    assert (case.event("adsb_last_valid").alt_ft, case.event("adsb_last_valid").gs_kt) == (
        30000,
        402,
    )
    assert (case.event("adsb_implausible").alt_ft, case.event("adsb_implausible").gs_kt) == (
        14025,
        52,
    )
    assert (case.event("first_bang").alt_ft, case.event("first_bang").gs_kt) == (3500, None)
    stated = [e.id for e in case.events if e.alt_ft is not None or e.gs_kt is not None]
    assert stated == ["adsb_last_valid", "adsb_implausible", "first_bang"]
