"""Each reader on a small fixture whose values are known (tests/data/tracks/PROVENANCE.md).

Expected values are worked out by hand in the comments: times from the Unix seconds, unit
conversions with 1 ft = 0.3048 m and 1 kt = 1852 m / 3600 s (1 m/s = 1.943844 kt).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from tracefiles import write_trace

from flightmap import schema as s
from flightmap.analysis import STATE, analyse
from flightmap.analysis._prep import CAT_AIRLINER, CAT_EXEMPT, category_classes
from flightmap.readers import FORMATS, detect_format, read_track

DATA = Path(__file__).parent / "data" / "tracks"
UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


# -- auto-detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("fr24_anz1005.csv", "fr24_csv"),
        ("fr24_old6.csv", "fr24_csv"),
        ("fr24_fz981.kml", "fr24_kml"),
        ("readsb_trace.json", "readsb_trace"),
        ("opensky_states.csv", "opensky_csv"),
        ("opensky_rest.json", "opensky_rest"),
        ("generic_track.csv", "generic_csv"),
    ],
)
def test_detect_format(name: str, fmt: str, tmp_path: Path) -> None:
    assert detect_format(DATA / name) == fmt
    # Content decides, not the name: the same bytes gzipped under a misleading name.
    disguised = tmp_path / "track.dat"
    disguised.write_bytes(gzip.compress((DATA / name).read_bytes()))
    assert detect_format(disguised) == fmt
    assert read_track(disguised).format == fmt


def test_every_format_is_covered() -> None:
    assert set(FORMATS) == {
        "fr24_csv",
        "fr24_kml",
        "readsb_trace",
        "opensky_csv",
        "opensky_rest",
        "generic_csv",
    }


# -- every result satisfies the schema --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.suffix != ".md"))
def test_schema_holds(name: str) -> None:
    kwargs = {"tz": "Asia/Baku"} if name == "generic_naive.csv" else {}
    track = read_track(DATA / name, **kwargs).track
    assert list(track.columns) == [c.name for c in s.COLUMNS]
    assert {c: str(track[c].dtype) for c in track.columns} == s.DTYPES
    s.validate(track)
    assert track[s.TIME].is_monotonic_increasing


# -- Flightradar24 CSV ------------------------------------------------------------------------


def test_fr24_csv_values() -> None:
    r = read_track(DATA / "fr24_anz1005.csv")
    t = r.track
    assert (r.format, r.record_kind, len(t), len(r.flags)) == ("fr24_csv", "line", 5, 0)
    # 1635481576 s = 2021-10-29T04:26:16Z, then every 60 s.
    assert t[s.TIME].iloc[0] == ts("2021-10-29T04:26:16")
    assert t[s.TIME].iloc[-1] == ts("2021-10-29T04:30:16")
    # The quoted "lat,lon" field, split.
    assert (t[s.LAT].iloc[0], t[s.LON].iloc[0]) == (33.943356, -118.42868)
    assert t[s.ALT_BARO_FT].tolist() == [500.0, 1500.0, 3000.0, 4500.0, 6000.0]
    assert t[s.GS_KT].tolist() == [0.0, 160.0, 180.0, 200.0, 220.0]
    assert t[s.TRACK_DEG].tolist() == [250.0, 250.0, 255.0, 260.0, 265.0]
    assert t[s.RECORD].tolist() == [2, 3, 4, 5, 6]
    assert set(t[s.CALLSIGN]) == {"ANZ1005"}
    assert set(t[s.FLIGHT_ID]) == {"ANZ1005-1"}
    assert set(t[s.SOURCE]) == {"fr24_csv"}
    # FR24 carries no integrity, ICAO address or vertical rate: NA, never 0.
    for col in (s.NIC, s.NAC_P, s.ICAO24, s.VRATE_FPM, s.ALT_GEOM_FT, s.STALE):
        assert t[col].isna().all(), col


def test_fr24_csv_old_six_columns() -> None:
    t = read_track(DATA / "fr24_old6.csv").track
    # 1458325247 s = 2016-03-18T18:20:47Z (the first fix of the FZ981 KML sample).
    assert t[s.TIME].tolist() == [
        ts("2016-03-18T18:20:47"),
        ts("2016-03-18T18:22:18"),
        ts("2016-03-18T18:26:32"),
    ]
    assert t[s.LAT].tolist() == [25.2619, 25.2615, 25.2613]
    assert t[s.LON].tolist() == [55.362, 55.3615, 55.3619]
    # FR24 reports 0 ft on the ground; it is a reported value and stays 0.
    assert t[s.ALT_BARO_FT].tolist() == [0.0, 0.0, 0.0]


def test_fr24_csv_bad_rows_are_flagged_not_hidden() -> None:
    r = read_track(DATA / "fr24_bad_rows.csv")
    t, f = r.track, r.flags
    # Kept: lines 2, 3 (latitude "abc"), 4 (latitude 95), 6, 8; sorted by time.
    assert t[s.RECORD].tolist() == [2, 3, 4, 8, 6]
    assert t[s.LAT].isna().tolist() == [False, True, True, False, False]
    # The rows without a usable position keep their altitude (altitude-only rows).
    assert t[s.ALT_BARO_FT].tolist() == [500.0, 1500.0, 3000.0, 4500.0, 6000.0]
    assert t[s.FLAG].fillna("").tolist() == [
        "",
        "bad_value",
        "bad_value,out_of_range",
        "time_backwards",
        "",
    ]
    got = set(zip(f[s.RECORD], f["code"], f["field"].fillna(""), f["action"], strict=True))
    assert got == {
        (3, "bad_value", "Position", "set to NA"),  # "abc"
        (3, "bad_value", "Position", "position removed"),  # its longitude, now alone
        (4, "out_of_range", "Position", "position removed"),  # 95.0
        (4, "bad_value", "Position", "position removed"),
        (5, "bad_value", "Timestamp", "set to NA"),  # "xyz"
        (5, "bad_time", "UTC", "row dropped"),  # and no UTC to fall back on
        (7, "duplicate", "", "row dropped"),  # same as line 6
        (8, "time_backwards", "Timestamp", "kept, sorted by time"),
    }
    assert f.loc[f["code"] == "out_of_range", "value"].tolist() == ["95.0"]
    assert f.loc[(f[s.RECORD] == 3) & (f["action"] == "set to NA"), "value"].tolist() == ["abc"]
    assert f.loc[f["code"] == "duplicate", "problem"].item() == "exact duplicate of line 6"
    assert r.dropped[s.RECORD].tolist() == [5, 7]


# -- Flightradar24 KML ------------------------------------------------------------------------


def test_fr24_kml_values() -> None:
    r = read_track(DATA / "fr24_fz981.kml")
    t = r.track
    assert (r.format, r.record_kind, len(t)) == ("fr24_kml", "record", 3)  # Trail skipped
    assert t[s.TIME].iloc[0] == ts("2016-03-18T18:20:47")
    assert t[s.TIME].iloc[-1] == ts("2016-03-18T18:26:32")
    # <coordinates>55.362,25.2619,0</coordinates> is lon,lat,alt.
    assert (t[s.LAT].iloc[0], t[s.LON].iloc[0]) == (25.2619, 55.362)
    # From the description: "Altitude: 0 ft", "Speed: 10 kt", "Heading: 209&deg;".
    assert t[s.ALT_BARO_FT].tolist() == [0.0, 0.0, 0.0]
    assert t[s.GS_KT].tolist() == [10.0, 0.0, 19.0]
    assert t[s.TRACK_DEG].tolist() == [209.0, 234.0, 119.0]
    # <name>FZ981/FDB981</name>: flight number / callsign.
    assert set(t[s.CALLSIGN]) == {"FDB981"}
    assert t[s.RECORD].tolist() == [1, 2, 3]


def test_generic_kml_gx_track(tmp_path: Path) -> None:
    kml = tmp_path / "t.kml"
    kml.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
        "<Document><Placemark><gx:Track><altitudeMode>absolute</altitudeMode>"
        "<when>2024-12-25T04:00:00Z</when><when>2024-12-25T04:00:10Z</when>"
        "<gx:coord>50.0 40.0 3048</gx:coord><gx:coord>50.1 40.1 3048</gx:coord>"
        "</gx:Track></Placemark></Document></kml>",
        encoding="utf-8",
    )
    t = read_track(kml).track
    assert t[s.LAT].tolist() == [40.0, 40.1]
    assert t[s.LON].tolist() == [50.0, 50.1]
    # KML altitudes are metres: 3048 m = 10000 ft; geometric, since no pressure altitude.
    assert t[s.ALT_GEOM_FT].tolist() == pytest.approx([10000.0, 10000.0])
    assert t[s.ALT_BARO_FT].isna().all()


# -- readsb trace -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trace() -> pd.DataFrame:
    return read_track(DATA / "readsb_trace.json").track


def test_trace_times_and_positions(trace: pd.DataFrame) -> None:
    # timestamp 1735100000 = 2024-12-25T04:13:20Z; offsets 0, 10.5, 20, 30, 40, 50 s.
    assert trace[s.TIME].tolist() == [
        ts("2024-12-25T04:13:20"),
        ts("2024-12-25T04:13:30.5"),
        ts("2024-12-25T04:13:40"),
        ts("2024-12-25T04:13:50"),
        ts("2024-12-25T04:14:00"),
        ts("2024-12-25T04:14:10"),
    ]
    assert trace[s.RECORD].tolist() == [1, 2, 3, 4, 5, 6]  # entry 7 ("junk") dropped
    assert trace[s.LAT].tolist()[:2] == [40.467, 40.48]
    assert pd.isna(trace[s.LAT].iloc[2]) and pd.isna(trace[s.LON].iloc[2])  # altitude-only
    assert trace[s.ALT_BARO_FT].iloc[2] == 2000.0
    assert set(trace[s.ICAO24]) == {"abc123"}  # "ABC123", lower-cased
    assert set(trace[s.FLIGHT_ID]) == {"abc123-1"}


def test_trace_integrity_carried_forward(trace: pd.DataFrame) -> None:
    # Objects in entries 1 (nic 8, nac_p 9, sil 3, rc 186), 4 (nic 0, nac_p 0, rc 0) and 6
    # (no integrity keys: no longer known); null objects in 2, 3, 5 carry the last values.
    assert trace[s.NIC].tolist() == [8, 8, 8, 0, 0, pd.NA]
    assert trace[s.NAC_P].tolist() == [9, 9, 9, 0, 0, pd.NA]
    assert trace[s.SIL].tolist() == [3, 3, 3, 3, 3, pd.NA]
    # rc 0 (with NIC 0) is readsb's "unknown": NA, never a radius of 0 m.
    assert trace[s.RC_M].tolist()[:3] == [186.0, 186.0, 186.0]
    assert trace[s.RC_M].iloc[3:].isna().all()
    # "flight": "AHY8243 " (padded) in entries 1, 4, 6; squawk only in 1 and 4.
    assert trace[s.CALLSIGN].tolist() == ["AHY8243"] * 6
    assert trace[s.SQUAWK].tolist()[:5] == ["1000"] * 5
    assert pd.isna(trace[s.SQUAWK].iloc[5])
    # No object of the fixture has a "category" key: unknown throughout.
    assert trace[s.CATEGORY].isna().all()


def test_trace_category_carried_forward(tmp_path: Path) -> None:
    # "A3" in the object of entry 1 only: entries 2 and 3 (null objects) keep it. Entry 4 says
    # "a5" (upper-cased); entry 5's object has no category key: no longer known, NA from there.
    objects = [
        '{"category":"A3","nic":8}',
        "null",
        "null",
        '{"category":"a5"}',
        '{"nic":7}',
        "null",
    ]
    r = read_track(write_trace(tmp_path / "trace.json", objects))
    assert r.track[s.CATEGORY].tolist()[:4] == ["A3", "A3", "A3", "A5"]
    assert r.track[s.CATEGORY].iloc[4:].isna().all()
    assert str(r.track[s.CATEGORY].dtype) == "str"
    assert r.flags.empty
    assert r.mapping[s.CATEGORY] == "aircraft.category (carried forward)"


def test_trace_bad_category_flagged_and_na(tmp_path: Path) -> None:
    # "E1" (no set E) and 7 (a number, not text) are no categories: NA and flagged. A bad value
    # carried onto a null object (entry 3) is flagged there too, as the other carried keys are.
    objects = [
        '{"category":"A3"}',
        '{"category":"E1"}',
        "null",
        '{"category":7}',
        '{"category":"B2"}',
    ]
    r = read_track(write_trace(tmp_path / "trace.json", objects))
    assert r.track[s.CATEGORY].iloc[0] == "A3" and r.track[s.CATEGORY].iloc[4] == "B2"
    assert r.track[s.CATEGORY].iloc[1:4].isna().all()
    assert r.flags[[s.RECORD, "field", "value", "code", "action"]].values.tolist() == [
        [2, "aircraft.category", "E1", "bad_value", "set to NA"],
        [3, "aircraft.category", "E1", "bad_value", "set to NA"],
        [4, "aircraft.category", "7", "bad_value", "set to NA"],
    ]
    not_category = "not an emitter category (a letter A to D and a digit 0 to 7, e.g. A3)"
    assert r.flags["problem"].tolist() == [not_category, not_category, "not text"]


def test_trace_category_gates_the_slow_rule(tmp_path: Path) -> None:
    # 40 entries 10 s apart on the equator, 0.0018 degree of longitude apart (0.0018 *
    # 111,319.49 m / 10 s = 39.0 kt) at 38,000 ft, reporting 40 kt: too slow for an airliner
    # (A3), not for a balloon (B2, lighter-than-air). The category is in entry 1 only.
    verdicts = {}
    for cat in ("A3", "B2"):
        entries = [
            [10 * i, 0.0, round(0.0018 * i, 4), 38_000, 40.0, 90.0, 0, 0, None] for i in range(40)
        ]
        entries[0][8] = {"category": cat}
        path = tmp_path / f"{cat}.json"
        path.write_text(json.dumps({"icao": "abc123", "timestamp": 1735102800, "trace": entries}))
        track = read_track(path).track
        assert track[s.CATEGORY].tolist() == [cat] * 40
        verdicts[cat] = (
            set(category_classes(track[s.CATEGORY]).tolist()),
            set(analyse(track).track[STATE]),
        )
    assert verdicts == {"A3": ({CAT_AIRLINER}, {"spoofed"}), "B2": ({CAT_EXEMPT}, {"nominal"})}


def test_trace_integrity_keys_missing_and_unknown(tmp_path: Path) -> None:
    # Each object says what it knows: a key it lacks is NA from there on (not carried over
    # from an earlier object); rc 0 (NIC 0) is "unknown"; a negative rc is no radius.
    objects = [
        '{"nic":7,"rc":371,"nac_p":9}',
        "null",
        '{"nac_p":8}',
        '{"nic":0,"rc":0,"nac_p":0}',
        '{"nic":6,"rc":-5}',
    ]
    r = read_track(write_trace(tmp_path / "trace.json", objects))
    t = r.track
    assert t[s.NIC].tolist() == [7, 7, pd.NA, 0, 6]
    assert t[s.NAC_P].tolist() == [9, 9, 8, 0, pd.NA]
    assert t[s.RC_M].tolist()[:2] == [371.0, 371.0]
    assert t[s.RC_M].iloc[2:].isna().all()
    assert r.flags[[s.RECORD, "field", "code", "value"]].values.tolist() == [
        [5, "aircraft.rc", "out_of_range", "-5.0"]
    ]


def test_trace_flag_bits(trace: pd.DataFrame) -> None:
    # flags: 2 (new leg), 0, 0, 1 (readsb's "stale"), 12 (= 4 geometric rate + 8 geometric
    # altitude), 0.
    assert trace[s.NEW_LEG].tolist() == [True, False, False, False, False, False]
    # Bit 0 on entry 4: no position for a while before it (the last was entry 2, 19.5 s
    # earlier; entry 3 is altitude-only). Entry 4 is itself a new, fresh fix.
    assert trace[s.POS_GAP_BEFORE].tolist() == [False, False, False, True, False, False]
    assert trace[s.STALE].tolist() == [False, False, pd.NA, False, False, False]
    assert trace[s.LAT].iloc[3] == 40.5
    # readsb gives one time per point: position_time is NA (time applies).
    assert trace[s.POSITION_TIME].isna().all()
    # Entry 5: altitude 3000 and rate 1300 are geometric, so not in the barometric columns.
    assert pd.isna(trace[s.ALT_BARO_FT].iloc[4])
    assert trace[s.ALT_GEOM_FT].iloc[4] == 3000.0
    assert pd.isna(trace[s.VRATE_FPM].iloc[4])
    assert trace[s.VRATE_GEOM_FPM].iloc[4] == 1300.0
    # Entry 2 (2022+ layout): geometric altitude 1350 and rate 1664 in fields 10 and 11.
    assert (trace[s.ALT_GEOM_FT].iloc[1], trace[s.VRATE_GEOM_FPM].iloc[1]) == (1350.0, 1664.0)
    assert (trace[s.ALT_BARO_FT].iloc[1], trace[s.VRATE_FPM].iloc[1]) == (1200.0, 1600.0)


def test_trace_ground_and_source(trace: pd.DataFrame) -> None:
    # "ground" is on_ground with no altitude (never 0 ft).
    assert trace[s.ON_GROUND].tolist() == [True, False, False, False, False, False]
    assert pd.isna(trace[s.ALT_BARO_FT].iloc[0])
    # Field 9 per entry ("mlat" in entry 5); entry 6 (old layout) takes the object's type.
    assert trace[s.POSITION_SOURCE].tolist() == ["adsb", "adsb", "adsb", "adsb", "mlat", "adsb"]


def test_trace_junk_entry_reported() -> None:
    f = read_track(DATA / "readsb_trace.json").flags
    assert f[[s.RECORD, "code", "action"]].values.tolist() == [[7, "bad_row", "row dropped"]]


def test_trace_gzip_named_json(tmp_path: Path) -> None:
    # globe_history files are gzip even when named .json.
    path = tmp_path / "trace_full_abc123.json"
    path.write_bytes(gzip.compress((DATA / "readsb_trace.json").read_bytes()))
    plain = read_track(DATA / "readsb_trace.json").track
    pd.testing.assert_frame_equal(read_track(path).track, plain)


# -- OpenSky ----------------------------------------------------------------------------------


def test_opensky_csv_units() -> None:
    r = read_track(DATA / "opensky_states.csv")
    t = r.track
    assert (r.format, len(t), len(r.flags)) == ("opensky_csv", 4, 0)
    # 1672575671 s = 2023-01-01T12:21:11Z.
    assert t[s.TIME].iloc[0] == ts("2023-01-01T12:21:11")
    sw = t[t[s.ICAO24] == "4b1805"]
    # Line 3: 100 m/s = 194.3844 kt; 1000 m = 3280.84 ft; 1050 m = 3444.88 ft;
    # 5.08 m/s = 1000 ft/min exactly (5.08 / 0.3048 * 60).
    assert sw[s.GS_KT].iloc[0] == pytest.approx(194.384449, abs=1e-6)
    assert sw[s.ALT_BARO_FT].iloc[0] == pytest.approx(3280.839895, abs=1e-6)
    assert sw[s.ALT_GEOM_FT].iloc[0] == pytest.approx(3444.881890, abs=1e-6)
    assert sw[s.VRATE_FPM].iloc[0] == pytest.approx(1000.0)
    # Line 4: 3048 m = 10000 ft; -2.54 m/s = -500 ft/min; 150 m/s = 291.5767 kt.
    assert sw[s.ALT_BARO_FT].iloc[1] == pytest.approx(10000.0)
    assert sw[s.VRATE_FPM].iloc[1] == pytest.approx(-500.0)
    assert sw[s.GS_KT].iloc[1] == pytest.approx(291.576674, abs=1e-6)
    # Line 2 (the public sample): -45.72 m = -150 ft, 121.92 m = 400 ft, 5.85216 m/s = 1152 fpm.
    first = t.iloc[0]
    assert (first[s.ALT_BARO_FT], first[s.ALT_GEOM_FT], first[s.VRATE_FPM]) == pytest.approx(
        (-150.0, 400.0, 1152.0)
    )
    assert bool(first[s.ON_GROUND]) is True
    assert pd.isna(first[s.SQUAWK])  # "NaN" in the file
    assert sw[s.CALLSIGN].tolist() == ["SWR123"] * 3  # "SWR123  " stripped
    # The bulk CSV has no category column: NA, and nothing in the mapping.
    assert t[s.CATEGORY].isna().all() and s.CATEGORY not in r.mapping


def test_opensky_csv_stale_and_no_position() -> None:
    t = read_track(DATA / "opensky_states.csv").track
    # time - lastposupdate: 0.24 s, 0.5 s, 20 s (> 15 s: stale), no position.
    assert t[s.STALE].tolist() == [False, False, True, pd.NA]
    assert t[s.LAT].isna().tolist() == [False, False, False, True]
    assert t[s.ICAO24].tolist() == ["39c902", "4b1805", "4b1805", "4b1805"]  # "4B1805" lowered
    assert t[s.FLIGHT_ID].tolist() == ["39c902-1", "4b1805-1", "4b1805-1", "4b1805-1"]


def test_opensky_csv_position_time() -> None:
    t = read_track(DATA / "opensky_states.csv").track
    # lastposupdate 1672575670.76, 1672575679.5 and 1672575670.0 s; line 5 has no position.
    assert t[s.POSITION_TIME].tolist()[:3] == [
        ts("2023-01-01T12:21:10.76"),
        ts("2023-01-01T12:21:19.5"),
        ts("2023-01-01T12:21:10"),
    ]
    assert pd.isna(t[s.POSITION_TIME].iloc[3])
    # Between lines 3 and 4 the report times are 10 s apart but the positions 9.5 s *back*:
    # line 4 repeats a fix older than line 3's.
    sw = t[t[s.ICAO24] == "4b1805"]
    assert (sw[s.TIME].iloc[1] - sw[s.TIME].iloc[0]).total_seconds() == 10.0
    assert (sw[s.POSITION_TIME].iloc[1] - sw[s.POSITION_TIME].iloc[0]).total_seconds() == -9.5
    # position_times: position_time, else time (line 5, no position: its report time).
    assert s.position_times(t).tolist() == [*t[s.POSITION_TIME].iloc[:3], t[s.TIME].iloc[3]]
    assert t[s.POS_GAP_BEFORE].isna().all()  # OpenSky does not say


def test_opensky_csv_bad_position_time_kept_and_flagged(tmp_path: Path) -> None:
    lines = (DATA / "opensky_states.csv").read_text().splitlines()
    # Line 3: lastposupdate "soon" (not a time); line 4: 1e12 s (beyond 2100).
    lines[2] = lines[2].replace("1672575679.5", "soon")
    lines[3] = lines[3].replace("1672575670.0", "1e12")
    path = tmp_path / "states.csv"
    path.write_text("\n".join(lines) + "\n")
    r = read_track(path)
    assert r.track[s.RECORD].tolist() == [2, 3, 4, 5]  # no row dropped
    assert r.track[s.POSITION_TIME].isna().tolist() == [False, True, True, True]
    assert r.track[s.STALE].tolist() == [False, pd.NA, pd.NA, pd.NA]  # unknown without it
    f = r.flags
    assert f[[s.RECORD, "field", "code", "action"]].values.tolist() == [
        [3, "lastposupdate", "bad_value", "set to NA"],
        [4, "lastposupdate", "bad_value", "set to NA"],
    ]
    assert f["value"].tolist() == ["soon", "1000000000000.0"]


def test_opensky_csv_iso_times(tmp_path: Path) -> None:
    # The same states saved from a pandas frame (pyopensky, traffic): ISO times.
    frame = pd.read_csv(DATA / "opensky_states.csv", dtype={"squawk": str})
    for col in ("time", "lastposupdate"):
        frame[col] = pd.to_datetime(frame[col], unit="s", utc=True)
    path = tmp_path / "states.csv"
    frame.to_csv(path, index=False)
    iso = read_track(path).track
    unix = read_track(DATA / "opensky_states.csv").track
    cols = [s.TIME, s.LAT, s.LON, s.ALT_BARO_FT, s.GS_KT, s.STALE, s.ICAO24]
    pd.testing.assert_frame_equal(iso[cols], unix[cols], check_exact=False, atol=1e-3)
    # pandas wrote 1672575670.76 s as ...10.75999999Z: equal to the microsecond.
    pd.testing.assert_series_equal(
        iso[s.POSITION_TIME].dt.round("us"), unix[s.POSITION_TIME].dt.round("us")
    )


def test_opensky_rest_values() -> None:
    r = read_track(DATA / "opensky_rest.json")
    t = r.track.set_index(s.ICAO24)
    assert (r.format, r.record_kind, len(t)) == ("opensky_rest", "record", 3)
    # Forum sample: longitude 21.9943 comes before latitude 54.9052 in the array.
    uta = t.loc["4240ec"]
    assert (uta[s.LAT], uta[s.LON]) == (54.9052, 21.9943)
    assert uta[s.TIME] == ts("2017-07-03T18:09:20")  # response time 1499105360
    # 8404.86 m = 27575 ft exactly; 225.19 m/s = 437.7343 kt; 9.1 m/s = 1791.3386 ft/min.
    assert uta[s.ALT_BARO_FT] == pytest.approx(27575.0)
    assert uta[s.GS_KT] == pytest.approx(437.734341, abs=1e-6)
    assert uta[s.VRATE_FPM] == pytest.approx(1791.338583, abs=1e-6)
    assert uta[s.CALLSIGN] == "UTA394"
    assert uta[s.SQUAWK] == "7674"
    # Old 18-field layout: the position source is field 17 (0, ADS-B).
    assert uta[s.POSITION_SOURCE] == "adsb"
    swr = t.loc["4b1805"]
    assert swr[s.POSITION_SOURCE] == "mlat"  # new layout, field 16 = 2
    assert bool(swr[s.STALE]) is True  # position 20 s older than the response
    # time_position: 1499105360 (= the response time) and 1499105340 s; none without position.
    assert uta[s.POSITION_TIME] == ts("2017-07-03T18:09:20")
    assert swr[s.POSITION_TIME] == ts("2017-07-03T18:09:00")
    ghost = t.loc["abcdef"]
    assert pd.isna(ghost[s.LAT]) and ghost[s.ALT_BARO_FT] == pytest.approx(3280.839895)
    assert pd.isna(ghost[s.POSITION_TIME])
    # No category: old layout (UTA394), 1 = "no ADS-B emitter category information" (SWR123),
    # 17 fields (abcdef).
    assert t[s.CATEGORY].isna().all() and r.flags.empty


def test_opensky_rest_category(tmp_path: Path) -> None:
    # New layout (field 15 spi, 16 position source, 17 category): OpenSky numbers 2 = A1 (light)
    # ... 4 = A3 (large), 9 = B1 (glider), 10 = B2 (lighter-than-air), 20 = C5 (line obstacle);
    # 0 "no information" is NA; 21 is no category (flagged).
    head = '"{}",null,"X",1499105360,1499105360,7.0,46.0,3048.0,false,100.0,90.0,0.0,null,3100.0,'
    numbers = [4, 10, 2, 9, 20, 0, 21]
    new = [head.format(f"a0000{k}") + f'"1000",false,0,{n}' for k, n in enumerate(numbers)]
    # Old layout (field 15 alert, 16 spi, 17 position source): 2 is MLAT, not the category A1.
    old = head.format("b00000") + '"1000",false,false,2'
    states = ",".join(f"[{st}]" for st in [*new, old])
    path = tmp_path / "rest.json"
    path.write_text('{"time": 1499105360, "states": [' + states + "]}")
    r = read_track(path)
    t = r.track.set_index(s.ICAO24)
    cats = t[s.CATEGORY]
    assert cats.loc[["a00000", "a00001", "a00002", "a00003", "a00004"]].tolist() == [
        "A3",
        "B2",
        "A1",
        "B1",
        "C5",
    ]
    assert pd.isna(cats.loc["a00005"]) and pd.isna(cats.loc["a00006"])
    assert pd.isna(cats.loc["b00000"]) and t.loc["b00000", s.POSITION_SOURCE] == "mlat"
    assert r.flags[[s.RECORD, "field", "value", "code"]].values.tolist() == [
        [7, "category", "21", "bad_value"]
    ]
    assert r.mapping[s.CATEGORY].startswith("states[17]")


# -- generic CSV ------------------------------------------------------------------------------


def test_generic_guessed_columns() -> None:
    r = read_track(DATA / "generic_track.csv")
    t = r.track
    # "2024-12-25 07:02:00+03:00" is 04:02 UTC.
    assert t[s.TIME].tolist() == [
        ts("2024-12-25T04:00"),
        ts("2024-12-25T04:01"),
        ts("2024-12-25T04:02"),
    ]
    assert t[s.ALT_BARO_FT].tolist() == [10000.0, 11000.0, 12000.0]  # altitude_ft
    assert t[s.GS_KT].tolist() == [300.0, 310.0, 320.0]  # speed_kt
    assert set(t[s.ICAO24]) == {"abc123"}  # hex
    # "altitude" (unit unknown) is not guessed, and the mapping says what was used.
    assert r.mapping == {
        "time": "ts",
        "lat": "Latitude",
        "lon": "Longitude",
        "alt_baro_ft": "altitude_ft",
        "gs_kt": "speed_kt",
        "callsign": "callsign",
        "icao24": "hex",
    }


def test_generic_mapping() -> None:
    r = read_track(
        DATA / "generic_track.csv",
        mapping={"alt_geom_ft": "altitude_ft", "time": "ts"},
    )
    assert r.format == "generic_csv"
    assert r.track[s.ALT_GEOM_FT].tolist() == [10000.0, 11000.0, 12000.0]
    assert r.track[s.ALT_BARO_FT].isna().all()


def test_generic_naive_times_with_tz() -> None:
    t = read_track(DATA / "generic_naive.csv", tz="Asia/Baku").track
    # 08:00 in Baku (UTC+4) is 04:00 UTC.
    assert t[s.TIME].tolist() == [ts("2024-12-25T04:00"), ts("2024-12-25T04:01")]
    t2 = read_track(DATA / "generic_naive.csv", tz="+04:00").track
    assert t2[s.TIME].tolist() == t[s.TIME].tolist()


def test_generic_unix_seconds(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("timestamp,lat,lon\n1735100000,40,50\n1735100010.5,40.1,50.1\n")
    t = read_track(path).track
    assert t[s.TIME].tolist() == [ts("2024-12-25T04:13:20"), ts("2024-12-25T04:13:30.5")]


def test_convert_csv_reads_back(tmp_path: Path) -> None:
    from flightmap.readers.output import write_track

    for name in ("readsb_trace.json", "opensky_states.csv"):
        original = read_track(DATA / name).track
        out = write_track(original, tmp_path / "out.csv")
        back = read_track(out).track
        assert back[s.SOURCE].unique().tolist() == ["generic_csv"]
        same = [c.name for c in s.COLUMNS if c.name not in (s.SOURCE, s.RECORD, s.FLAG)]
        pd.testing.assert_frame_equal(back[same], original[same])


def test_blank_lines_and_ragged_rows_keep_line_numbers(tmp_path: Path) -> None:
    src = (DATA / "fr24_anz1005.csv").read_text().splitlines()
    lines = [src[0], src[1], "", src[2][:40], src[3], src[4]]
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(lines) + "\n")
    r = read_track(path)
    assert r.track[s.RECORD].tolist() == [2, 5, 6]
    assert r.flags[[s.RECORD, "code"]].values.tolist() == [[4, "bad_row"]]
    assert r.flags["problem"].item() == "expected 7 fields, got 4"


def test_reading_does_not_touch_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    shutil.copy(DATA / "fr24_bad_rows.csv", path)
    before = path.read_bytes()
    read_track(path)
    assert path.read_bytes() == before


def test_category_survives_convert_to_csv_and_back(tmp_path: Path) -> None:
    from flightmap.readers.output import write_track

    objects = ['{"category":"A3","nic":8}', "null", '{"category":"b2"}', "null"]
    original = read_track(write_trace(tmp_path / "trace.json", objects)).track
    back = read_track(write_track(original, tmp_path / "out.csv")).track
    assert back[s.CATEGORY].tolist() == ["A3", "A3", "B2", "B2"]
    pd.testing.assert_series_equal(back[s.CATEGORY], original[s.CATEGORY])


def test_generic_csv_category_checked(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "time,lat,lon,category\n"
        "2024-12-25T04:00:00Z,40,50,a3\n"
        "2024-12-25T04:00:10Z,40.1,50.1,\n"
        "2024-12-25T04:00:20Z,40.2,50.2,Z9\n"
    )
    r = read_track(path)
    assert r.track[s.CATEGORY].tolist()[0] == "A3"
    assert r.track[s.CATEGORY].iloc[1:].isna().all()
    assert r.flags[[s.RECORD, "code"]].values.tolist() == [[4, "bad_value"]]
    assert r.mapping[s.CATEGORY] == "category"


@pytest.mark.parametrize("codes", [False, True])
def test_text_cleaning_same_on_categoricals(codes: bool) -> None:
    """The OpenSky CSV's text columns come dictionary-encoded from the parser (Categoricals):
    cleaned, they equal the same values cleaned as text."""
    from flightmap.readers._text import clean_text, squawk_text

    raw = [" 4B1A2C", "4b1a2c", None, "NaN", "", "abc", " 4B1A2C", "123", "7700.0"]
    text = pd.Series(raw, dtype=s.STR_DTYPE)
    cat = text.astype("category")
    for fn in (
        lambda v: clean_text(v, lower=True, codes=codes),
        lambda v: squawk_text(v, codes=codes),
    ):
        got, want = fn(cat), fn(text)
        if codes:
            assert got.cat.categories.tolist() == want.cat.categories.tolist()
            got, want = got.astype(s.STR_DTYPE), want.astype(s.STR_DTYPE)
        pd.testing.assert_series_equal(got, want)
    cleaned = clean_text(cat, lower=True)
    assert cleaned.tolist()[:2] == ["4b1a2c", "4b1a2c"] and cleaned.iloc[2:5].isna().all()
