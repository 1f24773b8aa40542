"""flightmap.tracks: cleaning, flight splitting, summaries and position runs, on frames built by
hand (so every expected value can be checked by eye)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import flights, tracks
from flightmap import schema as s
from flightmap.readers import read_track

DATA = Path(__file__).parent / "data" / "tracks"


def frame(seconds: list[float], **cols: object) -> pd.DataFrame:
    base: dict[str, object] = {
        s.TIME: pd.to_datetime(seconds, unit="s", utc=True),
        s.RECORD: np.arange(2, len(seconds) + 2),
    }
    base.update(cols)
    return pd.DataFrame(base)


# -- clean ------------------------------------------------------------------------------------


def test_clean_sorts_stably_and_flags_backwards_times() -> None:
    df = frame([0, 20, 10, 30], icao24="abc123", lat=[0.0, 2.0, 1.0, 3.0], lon=0.0)
    out, flags = tracks.clean(df, record_kind="line")
    assert out[s.RECORD].tolist() == [2, 4, 3, 5]
    assert flags[[s.RECORD, "code"]].values.tolist() == [[4, "time_backwards"]]
    assert flags["problem"].item() == "earlier than the previous report (line 3)"
    assert df[s.RECORD].tolist() == [2, 3, 4, 5]  # input untouched


def test_clean_backwards_is_per_aircraft() -> None:
    # Two aircraft interleaved, each in order: nothing goes backwards.
    df = frame([10, 0, 20, 5], icao24=["a", "b", "a", "b"], lat=1.0, lon=1.0)
    out, flags = tracks.clean(df)
    assert len(flags) == 0
    assert out[s.RECORD].tolist() == [3, 5, 2, 4]


def test_clean_drops_exact_duplicates_and_flags_clashing_positions() -> None:
    df = frame(
        [0, 0, 0, 10],
        icao24="abc123",
        lat=[1.0, 1.0, 1.5, 2.0],
        lon=[5.0, 5.0, 5.0, 5.0],
    )
    out, flags = tracks.clean(df)
    assert out[s.RECORD].tolist() == [2, 4, 5]
    got = flags[[s.RECORD, "code", "action"]].values.tolist()
    assert [3, "duplicate", "row dropped"] in got
    assert [2, "duplicate_time", "kept"] in got and [4, "duplicate_time", "kept"] in got
    assert len(got) == 3


def test_clean_duplicate_texts_name_the_first_report() -> None:
    # Records 2..10: three reports (A at 0 s, B at 10 s, C at 20 s), each sent three times,
    # in the order A B A C B A C B C; the time goes back from 20 to 10 s twice (records 7, 9).
    seconds = [0, 10, 0, 20, 10, 0, 20, 10, 20]
    df = frame(seconds, icao24="abc123", lat=[s_ / 10 for s_ in seconds], lon=0.0)
    out, flags = tracks.clean(df, record_kind="line")
    assert out[s.RECORD].tolist() == [2, 3, 5]  # the first of A, B, C
    dup = flags[flags["code"] == "duplicate"]
    assert dup[s.RECORD].tolist() == [4, 7, 6, 9, 8, 10]
    assert dup["problem"].tolist() == [
        "exact duplicate of line 2",
        "exact duplicate of line 2",
        "exact duplicate of line 3",
        "exact duplicate of line 3",
        "exact duplicate of line 5",
        "exact duplicate of line 5",
    ]
    assert set(dup["action"]) == {"row dropped"} and dup["field"].isna().all()
    back = flags[flags["code"] == "time_backwards"]
    # Per aircraft in input order: 2(0) 3(10) 4(0)< 5(20) 6(10)< 7(0)< 8(20) 9(10)< 10(20).
    assert back[s.RECORD].tolist() == [4, 6, 7, 9]
    assert back["problem"].tolist() == [
        f"earlier than the previous report (line {r})" for r in (3, 5, 6, 8)
    ]
    assert str(flags["problem"].dtype) == "str"


def test_clean_and_split_is_clean_then_split() -> None:
    # Text columns as the readers give them (Categoricals). Record 4 (5 s) comes after 3
    # (10 s), another aircraft's: sorted, not flagged. Record 5 has neither icao24 nor callsign
    # and takes the aircraft of the report before it in time (3: b). Record 7 duplicates 6;
    # the callsign change at 8 starts a new flight, the 82-min silence before 9 another.
    cat = lambda values: pd.Series(pd.Categorical(values))  # noqa: E731
    df = frame(
        [0, 10, 5, 20, 30, 30, 40, 5000],
        icao24=cat(["a", "b", "a", None, "a", "a", "a", "a"]),
        callsign=cat(["X1", "Y2", "X1", None, "X1", "X1", "X2", "X2"]),
        lat=[0.0, 1.0, 0.5, 2.0, 3.0, 3.0, 4.0, 5.0],
        lon=0.0,
    )
    track, flags = tracks.clean_and_split(df, record_kind="line")
    ref_track, ref_flags = tracks.clean(df, record_kind="line")
    pd.testing.assert_frame_equal(track, tracks.split_flights(ref_track))
    pd.testing.assert_frame_equal(flags, ref_flags)
    # Time order: records 2 (0 s), 4 (5 s), 3 (10 s), 5 (20 s), 6, 8 (40 s), 9 (5000 s).
    assert track[s.RECORD].tolist() == [2, 4, 3, 5, 6, 8, 9]
    assert track[s.FLIGHT_ID].tolist() == ["a-1", "a-1", "b-1", "b-1", "a-1", "a-2", "a-3"]
    assert flags[[s.RECORD, "code", "problem"]].values.tolist() == [
        [7, "duplicate", "exact duplicate of line 6"]
    ]


def test_clean_same_time_other_aircraft_is_fine() -> None:
    df = frame([0, 0], icao24=["a", "b"], lat=[1.0, 2.0], lon=[1.0, 2.0])
    out, flags = tracks.clean(df)
    assert len(out) == 2 and len(flags) == 0


def test_clean_altitude_only_twin_is_not_a_clash() -> None:
    df = frame(
        [0, 0], icao24="a", lat=[1.0, np.nan], lon=[1.0, np.nan], alt_baro_ft=[np.nan, 900.0]
    )
    out, flags = tracks.clean(df)
    assert len(out) == 2 and len(flags) == 0


# -- split_flights ----------------------------------------------------------------------------


def test_split_by_gap_callsign_and_new_leg() -> None:
    df = frame(
        [0, 60, 120, 4000, 4060, 4120, 4180],
        icao24="abc123",
        callsign=["AHY1", None, "AHY1", "AHY1", "AHY2", None, "AHY2"],
        new_leg=[False, False, False, False, False, True, False],
    )
    out = tracks.split_flights(df)
    # 120 -> 4000: 64.7 min silence (> 60); AHY1 -> AHY2; new_leg at 4120.
    assert out[s.FLIGHT_ID].tolist() == [
        "abc123-1",
        "abc123-1",
        "abc123-1",
        "abc123-2",
        "abc123-3",
        "abc123-4",
        "abc123-4",
    ]
    assert s.FLIGHT_ID not in df.columns


def test_split_keeps_aircraft_apart_and_uses_callsign_without_icao() -> None:
    df = frame([0, 0, 10, 10], icao24=["b", None, "b", None], callsign=[None, "X1", None, "X1"])
    out = tracks.split_flights(df)
    assert out[s.FLIGHT_ID].tolist() == ["b-1", "X1-1", "b-1", "X1-1"]


def test_split_single_aircraft_without_ids() -> None:
    out = tracks.split_flights(frame([0, 10]))
    assert out[s.FLIGHT_ID].tolist() == ["unknown-1", "unknown-1"]


def test_split_gap_parameter() -> None:
    df = frame([0, 600], icao24="a")
    assert tracks.split_flights(df, max_gap=pd.Timedelta(minutes=5))[s.FLIGHT_ID].tolist() == [
        "a-1",
        "a-2",
    ]


def test_read_track_splits_opensky_by_aircraft() -> None:
    t = read_track(DATA / "opensky_states.csv").track
    summary = tracks.summarize(t)
    assert summary[s.FLIGHT_ID].tolist() == ["39c902-1", "4b1805-1"]
    assert summary["reports"].tolist() == [1, 3]
    assert summary["with_position"].tolist() == [1, 2]
    assert summary["without_position"].tolist() == [0, 1]
    assert summary[s.CALLSIGN].tolist() == ["SAMU13", "SWR123"]


# -- summarize / report -----------------------------------------------------------------------


def test_summarize_bad_rows() -> None:
    r = read_track(DATA / "fr24_bad_rows.csv")
    row = tracks.summarize(r.track).iloc[0]
    assert row[s.FLIGHT_ID] == "ANZ1005-1"
    assert (row["first"], row["last"]) == (
        pd.Timestamp("2021-10-29T04:26:16Z"),
        pd.Timestamp("2021-10-29T04:30:16Z"),
    )
    assert (row["reports"], row["with_position"], row["without_position"], row["flagged"]) == (
        5,
        3,
        2,
        3,
    )
    assert pd.isna(row[s.ICAO24])


def test_report_is_json_ready() -> None:
    import json

    r = read_track(DATA / "fr24_bad_rows.csv")
    rep = tracks.report(
        r.track, r.flags, fmt=r.format, path=r.path, record_kind=r.record_kind, mapping=r.mapping
    )
    again = json.loads(json.dumps(rep))
    assert again["flights"][0]["first"] == "2021-10-29T04:26:16Z"
    assert again["flags"]["total"] == 8
    assert again["flags"]["by_code"]["bad_value"] == 4
    assert again["flags"]["items"][0] == {
        "record": 3,
        "field": "Position",
        "value": "abc",
        "code": "bad_value",
        "problem": "not a number",
        "action": "set to NA",
    }


# -- position_runs ----------------------------------------------------------------------------


def test_position_runs_break_at_altitude_only_rows_and_position_gaps() -> None:
    t = read_track(DATA / "readsb_trace.json").track
    runs = flights.position_runs(t)
    # Entry 3 has no position: the run of entries 1-2 ends. Entry 4 (readsb flag bit 0: no
    # position for a while before it) is a fresh fix and starts the next run, 4-6.
    assert [r[s.RECORD].tolist() for r in runs] == [[1, 2], [4, 5, 6]]


def test_position_runs_break_at_stale_rows_and_before_position_gaps() -> None:
    df = frame(
        [0, 10, 20, 30, 40, 50],
        lat=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
        lon=0.0,
        stale=pd.array([False, False, True, False, False, False], dtype="boolean"),
        pos_gap_before=pd.array([False, False, False, False, True, pd.NA], dtype="boolean"),
    )
    # Row 2 is stale (not drawn); row 4 follows a silence: runs 0-1, 3, 4-5.
    runs = flights.position_runs(df)
    assert [r.index.tolist() for r in runs] == [[0, 1], [3], [4, 5]]


def test_position_runs_break_at_time_gaps_and_flights() -> None:
    df = frame(
        [0, 10, 20, 400, 410, 420],
        lat=[0.0, 0.1, 0.2, 1.0, 1.1, 1.2],
        lon=0.0,
        flight_id=["a-1"] * 5 + ["a-2"],
    )
    runs = flights.position_runs(df)
    # 20 -> 400 s is over 3 min; the last row is another flight.
    assert [r.index.tolist() for r in runs] == [[0, 1, 2], [3, 4], [5]]
    assert len(flights.position_runs(df, max_gap=pd.Timedelta(minutes=10))) == 2


def test_position_runs_break_where_the_track_crosses_the_antimeridian() -> None:
    # East from Fiji: 179.8, 179.9, then -179.95 (0.25 degrees further east, not 359.7 west).
    df = frame(
        [0, 10, 20, 30, 40],
        lat=-17.0,
        lon=[179.8, 179.9, -179.95, -179.85, 179.95],
    )
    runs = flights.position_runs(df)
    # Cut at each crossing (east, then back west), never joined the long way round.
    assert [r.index.tolist() for r in runs] == [[0, 1], [2, 3], [4]]
    near = frame([0, 10, 20], lat=0.0, lon=[-10.0, 0.0, 170.0])  # 170 degrees: one run
    assert len(flights.position_runs(near)) == 1


def test_position_runs_empty_cases() -> None:
    assert flights.position_runs(frame([], lat=[], lon=[])) == []
    assert flights.position_runs(frame([0, 1], lat=np.nan, lon=np.nan)) == []


@pytest.mark.parametrize("name", ["fr24_anz1005.csv", "opensky_states.csv"])
def test_position_runs_cover_every_fresh_position(name: str) -> None:
    t = read_track(DATA / name).track
    runs = [r for _, f in t.groupby(s.FLIGHT_ID) for r in flights.position_runs(f)]
    fresh = t[s.LAT].notna() & ~t[s.STALE].fillna(False).astype(bool)
    assert sum(len(r) for r in runs) == int(fresh.sum())


def test_mark_flags_joins_distinct_codes_per_record_sorted() -> None:
    df = pd.DataFrame({s.RECORD: [1, 2, 3, 4]})
    flags = pd.DataFrame(
        {
            s.RECORD: [2, 2, 2, 3, 4],
            "code": ["time_backwards", "out_of_range", "out_of_range", "duplicate_time", "x"],
            "action": ["flagged", "flagged", "flagged", "flagged", "row dropped"],
        }
    )
    out = tracks.mark_flags(df, flags)
    # Record 1: no flag; 2: both codes once each, sorted; 4: its row was dropped, so no flag.
    assert out[s.FLAG].isna().tolist() == [True, False, False, True]
    assert out[s.FLAG].iloc[1] == "out_of_range,time_backwards"
    assert out[s.FLAG].iloc[2] == "duplicate_time"
    assert s.FLAG not in df.columns  # pure: the input is not modified


def test_summarize_takes_the_most_frequent_callsign_per_flight() -> None:
    t = pd.to_datetime(np.arange(7), unit="s", utc=True)
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: ["a", "a", "a", "b", "b", "b", "b"],
            s.TIME: t,
            s.LAT: 1.0,
            s.LON: 2.0,
            # a: AZAL2 twice, AZAL1 once; b: a tie between Y and X (broken by sort order), NA.
            s.CALLSIGN: ["AZAL2", "AZAL1", "AZAL2", "Y", "X", None, None],
            s.ICAO24: ["600abc"] * 3 + [None] * 4,
        }
    )
    out = tracks.summarize(df).set_index(s.FLIGHT_ID)
    assert out.loc["a", s.CALLSIGN] == "AZAL2"
    assert out.loc["b", s.CALLSIGN] == "X"
    assert out.loc["a", s.ICAO24] == "600abc" and pd.isna(out.loc["b", s.ICAO24])
    assert out["reports"].tolist() == [3, 4]
