"""The integrity rules on legitimate traffic and awkward data: OpenSky position ages, repeated
positions, a bad first fix, explicit unknowns in readsb traces, NIC flickers, silent gaps.

Tracks fly east along the equator, where one degree of longitude is exactly 111,319.49 m on
WGS84 (a * pi / 180): 0.002 degree a second is 222.64 m/s = 432.78 kt.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.analysis import (
    INTERVAL_ID,
    POSITION_SPEED_KT,
    RULE_BITS,
    STATE,
    IntegrityParams,
    analyse,
    analysis_report,
    ellipse_region,
    gap_regions,
    rule_codes,
)
from flightmap.geodesy import distance_m

DEG_M = 111_319.490793  # WGS84 a * pi / 180
KT = 0.002 * DEG_M / (1852 / 3600)  # 0.002 degree a second in knots: 432.78
T0 = pd.Timestamp("2024-12-25T05:00:00Z")


def frame(t_s: np.ndarray, lon: np.ndarray, **cols: object) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: "o-1",
            s.TIME: T0 + pd.to_timedelta(t_s, unit="s"),
            s.LAT: 0.0,
            s.LON: lon,
            s.ALT_BARO_FT: 35_000.0,
            s.GS_KT: 430.0,
        }
    )
    for name, value in cols.items():
        df[name] = value
    return df


def states(df: pd.DataFrame, params: IntegrityParams | None = None) -> list[str]:
    return [str(x) for x in analyse(df, params).track[STATE]]


def opensky_like(n: int = 200) -> pd.DataFrame:
    """An OpenSky state vector every 10 s, each with the last position received, 0 to 14 s old.

    The ages repeat every 100 s: 0, 10, 14, 4, 14, 9, 0, 10, 3, 13 s. A position is measured at
    ``time - age`` where the aircraft was then (0.002 degree a second), so reports 1, 4, 7 and 9
    of each ten repeat the previous position (same place, same position time).
    """
    t = np.arange(n) * 10.0
    age = np.resize([0.0, 10.0, 14.0, 4.0, 14.0, 9.0, 0.0, 10.0, 3.0, 13.0], n)
    pos_t = t - age
    return frame(
        t,
        0.002 * pos_t,
        position_time=T0 + pd.to_timedelta(pos_t, unit="s"),
        source="opensky_csv",
    )


def test_opensky_position_ages_and_repeats_are_nominal() -> None:
    df = opensky_like()
    a = analyse(df)
    assert set(a.track[STATE]) == {"nominal"}
    assert a.intervals[["state", "points"]].values.tolist() == [["nominal", 200]]
    speed = a.track[POSITION_SPEED_KT].to_numpy()
    repeat = np.resize([False, True, False, False, True, False, False, True, False, True], 200)
    # Legs between distinct positions, timed by their position times: exactly the speed flown
    # (haversine, within 0.5 % of the geodesic); repeated positions make no leg.
    assert speed[1:][~repeat[1:]] == pytest.approx(KT, rel=5e-3)
    assert np.isnan(speed[repeat]).all()
    # Timed by the report times instead, the same positions seem to fly 0 to 865 kt.
    old = df.drop(columns=["position_time"])
    old_speed = analyse(old).track[POSITION_SPEED_KT].to_numpy()
    # Report 2 (20 s, position of 6 s) to report 3 (30 s, position of 26 s): 20 s of flight
    # in 10 s of report time.
    assert old_speed[3] == pytest.approx(2 * KT, rel=5e-3)
    assert "degraded" in set(states(old))
    # A gap in such a track is timed between the positions too.
    holed = df.drop(index=range(50, 60)).reset_index(drop=True)  # reports from 500 s to 590 s
    gap = analyse(holed).gaps.iloc[0]
    # Fix at report 490 s (position of 477 s) to fix at 600 s (position of 600 s): 123 s.
    assert (gap["duration_s"], gap["span_s"], gap["kind"]) == (110.0, 123.0, "no_data")
    assert gap["implied_speed_kt"] == pytest.approx(KT, rel=5e-3)


def test_repeated_positions_without_position_time() -> None:
    # Flightradar24-like: a report every 10 s, a new position every 20 s (each sent twice).
    t = np.arange(60) * 10.0
    lon = 0.002 * (t // 20) * 20
    a = analyse(frame(t, lon))
    assert set(a.track[STATE]) == {"nominal"}
    speed = a.track[POSITION_SPEED_KT].to_numpy()
    assert speed[2::2] == pytest.approx(KT, rel=5e-3)  # leg from the first of each pair
    assert np.isnan(speed[1::2]).all()


def test_bad_first_fix_is_blamed_not_the_second() -> None:
    t = np.arange(30) * 10.0
    df = frame(t, 0.002 * t)
    df.loc[0, s.LAT] = 1.0  # the first fix is 111 km north of the track
    a = analyse(df)
    st = a.track[STATE].astype(str).tolist()
    assert st == ["spoofed"] + ["nominal"] * 29
    assert rule_codes(int(a.track[RULE_BITS].iloc[0])) == ["jump"]
    assert not a.track["fix"].iloc[0] and a.track["fix"].iloc[1]
    # Geodesic from (1, 0) to (0, 0.02), 10 s.
    leg = distance_m((1.0, 0.0), (0.0, 0.02))
    assert leg == pytest.approx(110_597, abs=1)
    spoof = a.intervals.iloc[0]
    assert (spoof["state"], spoof["points"]) == ("spoofed", 1)
    assert spoof["rules"][0].startswith(
        f"The position jumped {leg / 1000:.1f} km between two reports, "
        f"{leg / 10 / (1852 / 3600):,.0f} kt"
    )
    # A bad last fix is the fix the jump lands on, as before.
    last = frame(t, 0.002 * t)
    last.loc[29, s.LAT] = 1.0
    assert states(last) == ["nominal"] * 29 + ["spoofed"]
    # After a longer correct stretch the fix landed on is blamed (lead_outlier_fixes = 2).
    late = frame(t, 0.002 * t)
    late.loc[3:, s.LAT] = 1.0
    assert states(late) == ["nominal"] * 3 + ["spoofed"] + ["nominal"] * 26


def test_no_carry_forward_across_explicit_unknowns_of_readsb() -> None:
    t = np.arange(40) * 10.0
    nic = pd.array([8] + [None] * 9 + [4] + [None] * 29, dtype="Int8")
    generic = frame(t, 0.002 * t, nic=nic, source="generic_csv")
    # A generic CSV may leave NIC out of rows without a report: carried for up to 600 s.
    assert states(generic) == ["nominal"] * 10 + ["degraded"] * 30
    # readsb's reader carries values over rows without an aircraft object itself; a NA it
    # leaves is an aircraft object without the key: unknown, not carried.
    readsb = generic.assign(source="readsb_trace")
    a = analyse(readsb)
    assert a.track[STATE].astype(str).tolist() == ["nominal"] * 10 + ["degraded"] + ["nominal"] * 29
    assert np.isnan(a.track["nic_cf"].iloc[11])
    assert a.intervals[["state", "points"]].values.tolist() == [
        ["nominal", 10],
        ["degraded", 1],
        ["nominal", 29],
    ]


def test_nic_flicker_is_one_interval_with_its_rules() -> None:
    t = np.arange(40) * 10.0
    nic = pd.array(np.where(np.arange(40) % 2 == 1, 4, 8), dtype="Int8")  # 8, 4, 8, 4, ...
    a = analyse(frame(t, 0.002 * t, nic=nic))
    assert a.track[STATE].astype(str).tolist()[:4] == ["nominal", "degraded"] * 2  # unchanged
    iv = a.intervals
    assert iv[["state", "points"]].values.tolist() == [["nominal", 1], ["degraded", 39]]
    assert (iv["start"].iloc[1], iv["end"].iloc[1]) == (
        T0 + pd.Timedelta(seconds=10),
        T0 + pd.Timedelta(seconds=390),
    )
    assert iv["rule_codes"].iloc[1] == ["nic_low"]
    assert iv["rules"].iloc[1][0].startswith("The aircraft reported NIC 4 (20 reports)")
    assert a.track[INTERVAL_ID].tolist() == [0] + [1] * 39
    # Runs longer than flicker_reports (2) or flicker_s (10 s) stay intervals of their own.
    pairs = pd.array(np.where(np.arange(40) // 2 % 2 == 1, 4, 8), dtype="Int8")  # 8, 8, 4, 4
    assert len(analyse(frame(t, 0.002 * t, nic=pairs)).intervals) == 20
    # So do flickers when smoothing is off, and a flicker never hides a more severe state.
    off = IntegrityParams(flicker_reports=0)
    assert len(analyse(frame(t, 0.002 * t, nic=nic), off).intervals) == 40
    spike = frame(t, 0.002 * t, nic=nic)
    spike.loc[20, s.LAT] = 1.0  # one teleport inside the flicker
    got = analyse(spike).intervals[["state", "points"]].values.tolist()
    assert got == [["nominal", 1], ["degraded", 19], ["spoofed", 1], ["degraded", 19]]


def test_two_hundred_thousand_intervals_in_seconds() -> None:
    # 1M reports, NIC changing at every report, smoothing off: one interval per report pair.
    n_f, per = 50, 20_000
    f = np.repeat(np.arange(n_f), per)
    k = np.tile(np.arange(per), n_f)
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array(np.char.add("f", f.astype(str)), dtype=s.STR_DTYPE),
            s.TIME: T0 + pd.to_timedelta(k, unit="s"),
            s.LAT: f * 0.1,
            s.LON: k * 0.002,
            s.GS_KT: 433.0,
            s.NIC: pd.array(np.where(k % 5 == 4, 4, 8), dtype="Int8"),
        }
    )
    start = time.perf_counter()
    a = analyse(df, IntegrityParams(flicker_reports=0))
    elapsed = time.perf_counter() - start
    print(f"\nanalyse: {len(df):,} rows, {len(a.intervals):,} intervals in {elapsed:.2f} s")
    assert len(a.intervals) == n_f * per // 5 * 2
    assert elapsed < 15.0
    assert a.intervals["rules"].iloc[1] == [
        "The aircraft reported NIC 4 (1 report): containment radius up to 2 NM (3.7 km); the "
        "ADS-B Out rule 14 CFR 91.227 requires NIC 7 or more, a radius under 0.2 NM (370 m)."
    ]


def test_silent_gap_is_no_reports_not_gnss_loss() -> None:
    t = np.arange(30) * 10.0
    df = frame(t, 0.002 * t).drop(index=range(10, 20)).reset_index(drop=True)
    a = analyse(df)
    silent = a.intervals.iloc[1]
    assert (silent["state"], silent["points"], silent["rule_codes"]) == (
        "position_lost",
        0,
        ["no_reports"],
    )
    assert "which is not evidence of GNSS loss" in silent["rules"][0]
    report = analysis_report(a)["flights"][0]
    assert [i["state"] for i in report["intervals"]] == ["nominal", "position_lost", "nominal"]
    # Reports without positions in the hole: a gap while data arrived, the rule 'gap'.
    blind = frame(t, 0.002 * t)
    blind.loc[10:19, [s.LAT, s.LON]] = np.nan
    assert analyse(blind).intervals["rule_codes"].iloc[1] == ["gap"]


def test_gap_regions_grow_by_the_fixes_accuracy() -> None:
    t = np.arange(30) * 10.0
    nacp = pd.array([7] * 30, dtype="Int8")  # 95 % error under 0.1 NM = 185.2 m
    df = frame(t, 0.002 * t, nac_p=nacp)
    df.loc[10:19, [s.LAT, s.LON]] = np.nan  # fixes at 90 s (0.18 E) and 200 s (0.40 E)
    a = analyse(df)
    reg = gap_regions(a, max_speed_kt=500.0, n=180).iloc[0]
    assert [reg["r_before_m"], reg["r_after_m"]] == pytest.approx([185.2, 185.2])
    budget = 500.0 * 1852 / 3600 * 110  # 110 s at 500 kt = 28,294 m
    expected = ellipse_region((0.0, 0.18), (0.0, 0.40), budget, r_a_m=185.2, r_b_m=185.2, n=180)
    assert reg["geometry"].equals_exact(expected, 1e-9)
    # On the equator the region reaches (budget - d) / 2 + r beyond each fix (found on the ray
    # due east, one of 180): 185.2 m further than without the radii.
    d = 0.22 * DEG_M
    assert reg["geometry"].bounds[2] == pytest.approx(0.40 + ((budget - d) / 2 + 185.2) / DEG_M)
    plain = gap_regions(analyse(df.drop(columns=[s.NAC_P])), max_speed_kt=500.0, n=180).iloc[0]
    assert plain["r_before_m"] == 0.0
    assert plain["geometry"].bounds[2] == pytest.approx(0.40 + (budget - d) / 2 / DEG_M)


@pytest.mark.skipif(not hasattr(s, "POSITION_TIME"), reason="schema without position_time")
def test_opensky_file_with_position_ages_is_nominal(tmp_path: Path) -> None:
    from flightmap.readers import read_track

    df = opensky_like()
    t = (df[s.TIME] - pd.Timestamp("1970-01-01T00:00:00Z")).dt.total_seconds()
    pos = (df["position_time"] - pd.Timestamp("1970-01-01T00:00:00Z")).dt.total_seconds()
    csv = tmp_path / "states.csv"
    pd.DataFrame(
        {
            "time": t.astype("int64"),
            "icao24": "abc123",
            "lat": 0.0,
            "lon": df[s.LON].round(6),
            "velocity": 430 * 1852 / 3600,  # m/s
            "heading": 90.0,
            "vertrate": 0.0,
            "callsign": "TEST1",
            "onground": False,
            "alert": False,
            "spi": False,
            "squawk": "1000",
            "baroaltitude": 10_668.0,  # 35,000 ft
            "geoaltitude": 10_700.0,
            "lastposupdate": pos,
            "lastcontact": t,
        }
    ).to_csv(csv, index=False)
    track = read_track(csv).track
    assert track["position_time"].notna().all()
    a = analyse(track)
    assert set(a.track[STATE]) == {"nominal"}
    assert len(a.intervals) == 1
