"""Integrity rules on hand-computable synthetic tracks (flightmap.analysis.integrity).

The base track flies east along the equator, one report every 10 s, 0.02 degree of longitude
apart: 0.02 * 111,319.49 m = 2,226.39 m per 10 s = 432.8 kt (on the equator a degree of
longitude is exactly a * pi / 180 on WGS84), at FL350 with a reported ground speed of 430 kt.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.analysis import (
    FIX,
    RULE_BITS,
    RULES,
    STATE,
    STATES,
    IntegrityParams,
    analyse,
    analysis_report,
    rule_codes,
)
from flightmap.errors import InputError
from flightmap.geodesy import distance_m

STEP_DEG = 0.02
T0 = pd.Timestamp("2024-12-25T05:00:00Z")


def track(n: int = 40, dt_s: float = 10.0, **cols: object) -> pd.DataFrame:
    """``n`` reports of flight ``t-1`` flying east on the equator."""
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array(["t-1"] * n, dtype=s.STR_DTYPE),
            s.TIME: T0 + pd.to_timedelta(np.arange(n) * dt_s, unit="s"),
            s.LAT: np.zeros(n),
            s.LON: np.arange(n) * STEP_DEG,
            s.ALT_BARO_FT: np.full(n, 35_000.0),
            s.GS_KT: np.full(n, 430.0),
        }
    )
    for name, value in cols.items():
        df[name] = value
    return df


def states(df: pd.DataFrame, params: IntegrityParams | None = None) -> list[str]:
    return [str(x) for x in analyse(df, params).track[STATE]]


def codes_at(df: pd.DataFrame, row: int) -> list[str]:
    return rule_codes(int(analyse(df).track[RULE_BITS].iloc[row]))


def test_clean_track_is_one_nominal_interval() -> None:
    a = analyse(track())
    assert set(a.track[STATE]) == {"nominal"}
    assert a.gaps.empty
    assert a.intervals[["state", "points"]].values.tolist() == [["nominal", 40]]
    # 432.8 kt from the distances (haversine, within 0.5 % of the geodesic).
    assert a.track["position_speed_kt"].iloc[1:].to_numpy() == pytest.approx(432.78, rel=5e-3)


def test_input_not_modified_and_order_kept() -> None:
    df = track().sample(frac=1.0, random_state=1)  # shuffled rows
    before = df.copy()
    a = analyse(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(a.track.index) == list(df.index)
    assert a.track[FIX].all()


def test_frozen_run_is_position_lost() -> None:
    df = track()
    # Rows 11-15 repeat row 10's position while the aircraft reports 430 kt: it changes only
    # at row 16, 60 s after row 10 (>= frozen_min_s, 60 s).
    df.loc[11:15, s.LON] = df.loc[10, s.LON]
    a = analyse(df)
    st = a.track[STATE].astype(str).tolist()
    assert st[10] == "nominal"  # the genuine fix
    assert st[11:16] == ["position_lost"] * 5
    assert st[16] == "nominal"
    assert "frozen" in rule_codes(int(a.track[RULE_BITS].iloc[12]))
    # Fix 10 at 100 s to fix 16 at 160 s: 60 s without a fresh position = a gap (threshold 60 s).
    gap = a.gaps.iloc[0]
    assert (gap["kind"], gap["duration_s"], gap["frozen"]) == ("frozen", 60.0, 5)
    lost = a.intervals[a.intervals["state"] == "position_lost"].iloc[0]
    assert lost["start"] == T0 + pd.Timedelta(seconds=100)  # the last fix before the gap
    assert lost["end"] == T0 + pd.Timedelta(seconds=160)
    assert lost["points"] == 5
    sentence = next(r for r in lost["rules"] if r.startswith("The position stayed frozen"))
    assert "0.0000, 0.2000 from 05:01:40 to 05:02:30 UTC (50 s, 5 reports" in sentence


def test_short_repeat_or_parked_aircraft_is_not_frozen() -> None:
    df = track()
    df.loc[11:12, s.LON] = df.loc[10, s.LON]  # 20 s < frozen_min_s
    assert not analyse(df).track[RULE_BITS].iloc[11] & 2
    parked = track(gs_kt=0.0, on_ground=True)
    parked[s.LON] = 0.0
    assert set(states(parked)) == {"nominal"}


def test_teleport_and_return() -> None:
    df = track()
    df.loc[20, s.LAT] = 1.0  # 111 km north for one report, 10 s each way: about 21,600 kt
    a = analyse(df)
    st = a.track[STATE].astype(str).tolist()
    assert st[19:22] == ["nominal", "spoofed", "nominal"]
    assert codes_at(df, 20) == ["teleport"]
    assert not a.track[FIX].iloc[20]
    assert a.gaps.empty  # fixes 19 and 21 are 20 s apart
    spoof = a.intervals[a.intervals["state"] == "spoofed"].iloc[0]
    # Geodesic from (0, 0.38) to (1, 0.40): 110.6 km (1 degree of latitude is 110.57 km here).
    assert distance_m((0.0, 0.38), (1.0, 0.40)) == pytest.approx(110_596, abs=1)
    assert spoof["rules"] == [
        "The position jumped up to 110.6 km away at an impossible speed and came back "
        "(teleport-and-return): 1 report off the track."
    ]


def test_jump_without_return_and_paired_excursions() -> None:
    df = track()
    df.loc[20:, s.LAT] = 1.0  # moves 111 km north and stays
    assert codes_at(df, 20) == ["jump"]
    assert states(df)[21:] == ["nominal"] * 19
    two = track()
    two.loc[10, s.LAT] = 1.0  # out and back
    two.loc[20:22, s.LAT] = -1.0  # out for three reports and back
    st = states(two)
    assert [i for i, x in enumerate(st) if x == "spoofed"] == [10, 20, 21, 22]
    words = analyse(track(n=3, lat=[0.0, 0.0, 5.0])).intervals["rules"].iloc[-1][0]
    # 5 degrees of latitude north of the equator: a meridian arc of 552.9 km on WGS84.
    assert words.startswith("The position jumped 552.9 km between two reports")
    assert "faster than the 1,166 kt the aircraft can fly" in words


def test_jump_threshold_is_a_parameter() -> None:
    df = track()
    df.loc[20:, s.LON] += 0.02  # the leg into row 20 doubles: 865 kt, 4.5 km
    assert "jump" not in codes_at(df, 20)  # (the position speed disagrees with 430 kt)
    assert "jump" in rule_codes(
        int(analyse(df, IntegrityParams(max_speed_kt=600.0)).track[RULE_BITS].iloc[20])
    )


def test_50_kt_at_fl380_is_spoofed_for_an_airliner() -> None:
    df = track(alt_baro_ft=38_000.0, category="A3")  # emitter category A3: a large aircraft
    df.loc[5:8, s.GS_KT] = 50.0  # four reports over 30 s: enough support (3 in 60 s, 20 s)
    a = analyse(df)
    assert a.track[STATE].iloc[5] == "spoofed"
    assert codes_at(df, 5) == ["slow_at_altitude"]
    sentence = a.intervals[a.intervals["state"] == "spoofed"]["rules"].iloc[0][0]
    assert sentence.startswith("Reported ground speed as low as 50 kt at up to 38,000 ft")
    assert "an airliner cannot fly under 100 kt above 10,000 ft" in sentence
    # Neighbours' legs and windows are not blamed on the false ground speeds.
    assert states(df)[4] == states(df)[9] == "nominal"
    # One false report alone is an outlier, not an interval (minimum support).
    single = track(alt_baro_ft=38_000.0, category="A3")
    single.loc[5, s.GS_KT] = 50.0
    assert set(states(single)) == {"nominal"}
    low = track(alt_baro_ft=3_000.0, gs_kt=50.0, category="A3")  # slow but low: allowed
    low[s.LON] = np.arange(40) * 0.0023  # about 50 kt
    assert set(states(low)) == {"nominal"}


def test_slow_rule_depends_on_the_category() -> None:
    # A helicopter (A7) or a light aircraft (A1) at 12,000 ft and 50 kt: legitimate.
    for cat in ("A7", "A1", None):
        slow = track(alt_baro_ft=12_000.0, gs_kt=50.0, category=cat)
        slow[s.LON] = np.arange(40) * 0.0023  # 0.0023 * 111,319.49 m / 10 s = 49.8 kt
        assert set(states(slow)) == {"nominal"}, cat
    # Without a category, only with a jet --aircraft does 50 kt at 12,000 ft count as false...
    slow = track(alt_baro_ft=12_000.0, gs_kt=50.0)
    slow[s.LON] = np.arange(40) * 0.0023
    assert set(states(slow, IntegrityParams.for_aircraft("e190"))) == {"spoofed"}
    # ...or under the conservative limit: less than 80 kt at or above 30,000 ft.
    high = track(alt_baro_ft=38_000.0, gs_kt=40.0)
    high[s.LON] = np.arange(40) * 0.0018  # 0.0018 * 111,319.49 m / 10 s = 39.0 kt
    a = analyse(high)
    assert set(a.track[STATE]) == {"spoofed"}
    spoof = a.intervals.set_index("state").loc["spoofed", "rules"]
    assert spoof[-2] == (
        "Reported ground speed as low as 40 kt at up to 38,000 ft: no aircraft but a glider or "
        "a balloon flies under 80 kt above 30,000 ft, so the GNSS velocity was false "
        "(40 reports, in runs of at least 3 reports lasting 20 s or more)."
    )
    # The positions drift as slowly: windows from 60 s on (rows 6 to 39) fire slow_drift.
    assert spoof[-1] == (
        "Over windows of 1 min or more, the positions drifted at 38 kt at up to 38,000 ft, "
        "slower than the aircraft can fly there (the limits of the slow-at-altitude rule), so "
        "the positions were false (34 reports, in runs of at least 3 reports lasting 20 s or more)."
    )
    # A glider (B1) or a balloon (B2) is never held to a minimum speed.
    for cat in ("B1", "B2"):
        assert set(states(high.assign(category=cat))) == {"nominal"}, cat


def test_jet_stream_ground_speeds_are_allowed_at_cruise() -> None:
    e190 = IntegrityParams.for_aircraft("e190")  # 585.6 kt, plus 150 kt at or above 20,000 ft
    assert e190.max_speed_kt + e190.wind_aloft_kt == pytest.approx(735.63, abs=0.01)
    # 650 kt at FL350 (a 485 kt E190 in a 165 kt jet stream): 0.03 degree per 10 s = 649.2 kt.
    fast = track(gs_kt=650.0)
    fast[s.LON] = np.arange(40) * 0.03
    assert set(states(fast, e190)) == {"nominal"}
    # The same at 10,000 ft is faster than the E190 can fly there: ground speed and legs.
    low = fast.assign(alt_baro_ft=10_000.0)
    assert {"jump", "too_fast"} <= set(codes_at_p(low, 5, e190))
    # 750 kt reported at FL350 is too fast even with the jet stream.
    one = fast.copy()
    one.loc[5, s.GS_KT] = 750.0
    assert codes_at_p(one, 5, e190) == ["too_fast"]
    spoof = analyse(one, e190).intervals.set_index("state").loc["spoofed", "rules"]
    assert spoof == [
        "Reported ground speed up to 750 kt, faster than the 586 kt the aircraft can fly (736 kt "
        "at or above 20,000 ft, allowing 150 kt more for jet-stream winds) (1 report)."
    ]


def codes_at_p(df: pd.DataFrame, row: int, params: IntegrityParams) -> list[str]:
    return rule_codes(int(analyse(df, params).track[RULE_BITS].iloc[row]))


def test_ground_speed_faster_than_the_aircraft() -> None:
    df = track()
    df.loc[7, s.GS_KT] = 1500.0
    assert codes_at(df, 7) == ["too_fast"]


def test_nic_drop_carried_forward() -> None:
    nic = pd.array([8] + [None] * 9 + [4] + [None] * 19 + [8] * 10, dtype="Int8")
    df = track(nic=nic)
    a = analyse(df)
    st = a.track[STATE].astype(str).tolist()
    # NIC 4 at row 10 is carried over the rows without a value (20 rows, 200 s < 600 s).
    assert st[:10] == ["nominal"] * 10
    assert st[10:30] == ["degraded"] * 20
    assert st[30:] == ["nominal"] * 10
    assert a.track["nic_cf"].iloc[25] == 4
    deg = a.intervals[a.intervals["state"] == "degraded"].iloc[0]
    assert (deg["start"], deg["end"], deg["points"]) == (
        T0 + pd.Timedelta(seconds=100),
        T0 + pd.Timedelta(seconds=300),
        20,
    )
    assert deg["rules"] == [
        "The aircraft reported NIC 4 (20 reports): containment radius up to 2 NM (3.7 km); "
        "the ADS-B Out rule 14 CFR 91.227 requires NIC 7 or more, a radius under 0.2 NM (370 m)."
    ]
    # With a 60 s carry-forward, the value expires after row 16.
    short = analyse(df, IntegrityParams(integrity_max_age_s=60.0)).track[STATE].astype(str)
    assert list(short[10:17]) == ["degraded"] * 7
    assert list(short[17:30]) == ["nominal"] * 13


def test_nacp_and_nic_lost() -> None:
    nacp = pd.array([9] * 10 + [2] * 5 + [8] * 5 + [9] * 20, dtype="Int8")
    df = track(nac_p=nacp)
    st = states(df)
    assert st[10:15] == ["position_lost"] * 5
    assert st[15:20] == ["nominal"] * 5  # NACp 8 meets 14 CFR 91.227
    assert codes_at(df, 12) == ["nacp_lost"]
    words = analyse(df).intervals
    lost = words[words["state"] == "position_lost"]["rules"].iloc[0][0]
    assert "NACp 2 (5 reports)" in lost
    assert "2 NM (3.7 km) or more; gpsjam.org counts NACp of 2 or less as bad GPS" in lost
    # NIC 0 is "containment radius unknown" (DO-260B): alone it is not low integrity...
    nic0 = track(nic=pd.array([0] * 40, dtype="Int8"))
    assert set(states(nic0)) == {"nominal"}
    # ...but a fall to 0 after a bounded radius is the GNSS fix lost.
    drop = track(nic=pd.array([8] * 10 + [0] * 30, dtype="Int8"))
    assert states(drop) == ["nominal"] * 10 + ["position_lost"] * 30
    assert codes_at(drop, 10) == ["nic_lost"]


def test_nacp_eight_is_the_minimum() -> None:
    assert set(states(track(nac_p=pd.array([8] * 40, dtype="Int8")))) == {"nominal"}
    assert set(states(track(nac_p=pd.array([7] * 40, dtype="Int8")))) == {"degraded"}


def test_geometric_barometric_divergence() -> None:
    # Allowed: 2,000 ft + 10 % of 35,000 ft = 5,500 ft.
    assert set(states(track(alt_geom_ft=35_000.0 + 5_400.0))) == {"nominal"}
    df = track(alt_geom_ft=35_000.0 + 5_600.0)
    assert set(states(df)) == {"degraded"}
    assert codes_at(df, 3) == ["alt_divergence"]
    sentence = analyse(df).intervals["rules"].iloc[0][0]
    assert sentence.startswith("Geometric (GNSS) and barometric altitude differ by up to 5,600 ft")


def test_position_speed_against_ground_speed() -> None:
    df = track(gs_kt=200.0)  # positions move at 432.8 kt: 232.8 kt more, limit 100 kt
    st = states(df)
    assert st[0] == "nominal"  # no leg into the first fix
    # Leg by leg, a mismatch (degraded); over windows of 60 s or more (from row 6 on), the
    # sustained disagreement of position and velocity is spoofing.
    assert set(st[1:6]) == {"degraded"}
    assert set(st[6:]) == {"spoofed"}
    assert codes_at(df, 5) == ["speed_mismatch"]
    assert codes_at(df, 6) == ["speed_mismatch", "velocity_mismatch"]
    # 300 kt reported: 132.8 kt apart, within 50 % of 300 kt.
    assert set(states(track(gs_kt=300.0))) == {"nominal"}


def test_states_take_the_most_severe_rule() -> None:
    df = track(nic=pd.array([4] * 40, dtype="Int8"), category="A5")
    df.loc[5:8, s.GS_KT] = 50.0
    a = analyse(df)
    assert a.track[STATE].iloc[5] == "spoofed"
    assert rule_codes(int(a.track[RULE_BITS].iloc[5])) == ["nic_low", "slow_at_altitude"]
    assert [r.state for r in RULES if r.code in ("gap", "nic_low", "jump")] == [
        "position_lost",
        "degraded",
        "spoofed",
    ]
    assert STATES == ("nominal", "degraded", "position_lost", "spoofed")


def test_intervals_tile_each_flight_and_include_silent_gaps() -> None:
    df = track()
    df = df.drop(index=range(10, 20))  # nothing at all from 100 s to 190 s
    other = track(n=5)
    other[s.FLIGHT_ID] = "u-1"
    a = analyse(pd.concat([df, other], ignore_index=True))
    ints = a.intervals[a.intervals[s.FLIGHT_ID] == "t-1"]
    assert ints["state"].astype(str).tolist() == ["nominal", "position_lost", "nominal"]
    assert ints["points"].tolist() == [10, 0, 20]
    assert (ints["end"].iloc[:-1].to_numpy() == ints["start"].iloc[1:].to_numpy()).all()
    silent = ints.iloc[1]
    assert silent["start"] == T0 + pd.Timedelta(seconds=90)
    assert silent["end"] == T0 + pd.Timedelta(seconds=200)
    assert silent["rules"][0].startswith(
        "No fresh position for 1 min 50 s, from 05:01:30 to 05:03:20 UTC (this flight's gap "
        "threshold is 1 min): no report at all arrived"
    )
    # 11 steps of 0.02 degree on the equator: 0.22 * 111,319.49 m = 24.49 km in 110 s.
    assert "the fixes either side are 24.5 km apart, an average of 433 kt" in silent["rules"][0]
    assert a.intervals[a.intervals[s.FLIGHT_ID] == "u-1"]["points"].tolist() == [5]


def test_report_is_json_with_iso_times() -> None:
    df = track(callsign="AHY8243", icao24="abc123")
    df.loc[10:20, [s.LAT, s.LON]] = np.nan
    rep = analysis_report(analyse(df))
    text = json.dumps(rep, allow_nan=False)
    flight = json.loads(text)["flights"][0]
    assert flight["callsign"] == "AHY8243" and flight["icao24"] == "abc123"
    assert flight["start"] == "2024-12-25T05:00:00+00:00"
    assert flight["gaps"][0]["fix_before"]["time"] == "2024-12-25T05:01:30+00:00"
    assert flight["gaps"][0]["kind"] == "no_position"
    assert [i["state"] for i in flight["intervals"]] == ["nominal", "position_lost", "nominal"]
    assert flight["intervals"][1]["points"] == 11


def test_bad_input() -> None:
    df = track()
    with pytest.raises(InputError, match="tz-aware"):
        analyse(df.assign(time=df[s.TIME].dt.tz_localize(None)))
    with pytest.raises(InputError, match="field lat"):
        analyse(df.drop(columns=[s.LAT]))
    with pytest.raises(ValueError, match="max_speed_kt"):
        IntegrityParams(max_speed_kt=0.0)


def test_one_million_rows_runs_in_seconds() -> None:
    n_f, per = 100, 10_000
    f = np.repeat(np.arange(n_f), per)
    k = np.tile(np.arange(per), n_f)
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array(np.char.add("f", f.astype(str)), dtype=s.STR_DTYPE),
            s.TIME: T0 + pd.to_timedelta(k + f * 7, unit="s"),
            s.LAT: f * 0.1,
            s.LON: k * 0.002,
            s.GS_KT: 430.0,
            s.NIC: pd.array(np.where(k % 1000 < 50, 4, 8), dtype="Int8"),
        }
    ).sort_values(s.TIME, kind="stable", ignore_index=True)
    start = time.perf_counter()
    a = analyse(df)
    elapsed = time.perf_counter() - start
    print(f"\nanalyse: {len(df):,} rows in {elapsed:.2f} s ({len(a.intervals):,} intervals)")
    assert len(a.track) == 1_000_000
    assert (a.intervals["state"] == "degraded").sum() == n_f * 10


def test_chunked_analysis_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from flightmap.analysis import integrity

    parts = []
    for k in range(5):
        df = track(n=30)
        df[s.FLIGHT_ID] = f"f-{k}"
        df[s.TIME] += pd.Timedelta(seconds=3 * k)
        df.loc[5 + k : 12 + k, [s.LAT, s.LON]] = np.nan
        df.loc[20, s.LAT] = 1.0
        parts.append(df)
    df = pd.concat(parts, ignore_index=True).sort_values(s.TIME, kind="stable")
    whole = analyse(df)
    monkeypatch.setattr(integrity, "CHUNK", 40)  # one or two flights at a time
    chunked = analyse(df)
    pd.testing.assert_frame_equal(whole.track, chunked.track)
    pd.testing.assert_frame_equal(whole.gaps, chunked.gaps)
    pd.testing.assert_frame_equal(whole.intervals, chunked.intervals)
    assert len(whole.gaps) == 5
    ids = chunked.track.groupby(s.FLIGHT_ID)["gap_id"].max().tolist()
    assert ids == [0, 1, 2, 3, 4]


def test_single_speed_mismatch_is_not_an_interval() -> None:
    # One position 2 km ahead of the track: the legs into and out of it fly 821 kt and 43 kt
    # against 430 kt reported, two mismatched reports 10 s apart, under the minimum support
    # (3 reports over 20 s): no degraded interval for one outlier.
    df = track()
    df.loc[20, s.LON] += 0.018  # 2.0 km further east
    a = analyse(df)
    assert set(a.intervals["state"]) == {"nominal"}
    # Positions zigzagging 2 km either side of the track for 40 s are a real disagreement.
    df.loc[20:23, s.LON] += 0.018
    df.loc[[21, 23], s.LON] -= 0.036
    assert "speed_mismatch" in {c for cs in analyse(df).intervals["rule_codes"] for c in cs}


def test_window_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="window_s must be positive"):
        IntegrityParams(window_s=0.0)
    with pytest.raises(ValueError, match="window_max_s must be at least window_s"):
        IntegrityParams(window_max_s=10.0)
