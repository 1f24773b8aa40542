"""The readers' fast paths give what the value-by-value rules give, on hostile values.

Nearly unique text (FR24 positions and times, numbers read as text) is cleaned on the whole
column rather than once per distinct value, and FR24 positions are split by Arrow, in one pass
when every position is plain (issue 17).
These tests hold the fast paths to the rules as written before: a pure-Python reference of the
FR24 position rule, value by value, and both ways of :func:`flightmap.readers._text.on_uniques`
on the same hostile text. ``benchmarks/reader_snapshot.py`` compares whole reads (every test
file, hostile files, a 200k-line FR24 CSV) before and after a change.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.readers import read_track
from flightmap.readers._numbers import NUMBER
from flightmap.readers._text import NULL_TOKENS, clean_text, on_uniques, squawk_text

# Hostile FR24 positions (the quoted "lat,lon" field).
POSITIONS = [
    "40.5,49.9",
    "12.3,abc",
    "91,0",
    "",
    "1,2,3",
    "abc",
    " 12.5 , 45.1 ",
    "\t12.5,\t45.1\t",
    "NaN,NaN",
    "40.1,",
    ",49.8",
    "1e400,0",
    "0,1e400",
    "-0,-180",
    "45.5;50.1",
    "45.5,180.0001",
    "-90.5,10",
    "nan",
    "NULL",
    "+40.5,+.5",
    "5.,.5e1",
    "40.5,49.9,",
    ",",
    " , ",
    "40,5\u00a0",
    "4\u00e9,5",
    "1_0,5",
    "0x10,5",
    "null,5",
    "5,N/A",
]
# Hostile times (the UTC field, read where Timestamp is unreadable).
TIMES = [
    "2021-10-29T04:26:16Z",
    "2021-10-29 04:26:16 UTC",
    "2021-10-29T07:26:16+03:00",
    "2021-13-40T00:00:00Z",
    "",
    "noon",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2021-10-29T04:26:16.250Z",
    "29 Oct 2021 04:26:16 GMT",
    " 2021-10-29T04:26:17Z ",
    "2021-02-30T00:00:00Z",
    "NaN",
]


def _number(text: str) -> tuple[float, str | None]:
    """One coordinate as the rule reads it: (value, problem)."""
    v = text.strip()
    if v in NULL_TOKENS:
        return math.nan, None
    if not re.fullmatch(NUMBER, v):
        return math.nan, "not a number"
    x = float(v)
    return (math.nan, "not a finite number") if math.isinf(x) else (x, None)


def reference_position(text: str) -> tuple[float, float, list[str]]:
    """The FR24 position rule, value by value in Python, as it was written before the Arrow
    split: strip; null tokens are no position; exactly one comma (the regex of the former
    ``_lat_lon_text``); each side a number; both in range, or the position is removed."""
    v = text.strip()
    if v in NULL_TOKENS:
        return math.nan, math.nan, []
    m = re.fullmatch(r"\s*([^,]*?)\s*,\s*([^,]*?)\s*", v)
    if m is None:
        return math.nan, math.nan, ['expected "lat,lon"']
    (lat, p_lat), (lon, p_lon) = _number(m.group(1)), _number(m.group(2))
    problems = [p for p in (p_lat, p_lon) if p]
    if abs(lat) > 90:
        problems.append("latitude outside [-90, 90]")
        lat = math.nan
    if abs(lon) > 180:
        problems.append("longitude outside [-180, 180]")
        lon = math.nan
    if math.isnan(lat) != math.isnan(lon):
        problems.append(
            "latitude without a usable longitude"
            if math.isnan(lon)
            else "longitude without a usable latitude"
        )
        lat = lon = math.nan
    return lat, lon, problems


def _write_fr24(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """An FR24 CSV of (Timestamp, UTC, Position) rows, one aircraft climbing."""
    lines = ["Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction"]
    for i, (ts, utc, pos) in enumerate(rows):
        lines.append(f'{ts},"{utc}",AHY8243,"{pos}",{1000 + i},300,90')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Positions every one of which is plain (two decimal numbers and a comma): the one-pass path.
PLAIN_POSITIONS = ["40.5,49.9", "91,0", "-0,-180", "+40.5,+5", "45.5,180.0001", "-90.5,10", ""]


def test_plain_fr24_positions_take_the_arrow_path_and_follow_the_reference(
    tmp_path: Path,
) -> None:
    from flightmap.readers.fr24 import _plain_lat_lon

    present = [p for p in PLAIN_POSITIONS if p]
    assert _plain_lat_lon(pd.Series(present, dtype=s.STR_DTYPE)) is not None
    for other in POSITIONS:  # one value that is not plain sends the column the slow way
        if other not in PLAIN_POSITIONS:
            assert _plain_lat_lon(pd.Series([*present, other], dtype=s.STR_DTYPE)) is None
    rows = [(str(1635481576 + 60 * i), "", p) for i, p in enumerate(PLAIN_POSITIONS * 3)]
    res = read_track(_write_fr24(tmp_path / "plain.csv", rows))
    track = res.track.set_index(s.RECORD)
    flags = res.flags[res.flags["field"] == "Position"]
    for i, (_, _, pos) in enumerate(rows):
        lat, lon, problems = reference_position(pos)
        got = track.loc[i + 2, [s.LAT, s.LON]].to_numpy(dtype=float)
        np.testing.assert_array_equal(got, [lat, lon], err_msg=repr(pos))
        assert sorted(flags[flags[s.RECORD] == i + 2]["problem"]) == sorted(problems), repr(pos)


@pytest.mark.parametrize("repeat", [1, 40], ids=["distinct", "repeated"])
def test_fr24_positions_follow_the_reference(tmp_path: Path, repeat: int) -> None:
    # repeat=1: every position distinct (the whole-column path); 40: each value repeated on 40
    # lines (the per-distinct-value path). One line a minute from 2021-10-29T04:26:16Z.
    positions = [p for p in POSITIONS for _ in range(repeat)]
    rows = [(str(1635481576 + 60 * i), "", p) for i, p in enumerate(positions)]
    res = read_track(_write_fr24(tmp_path / "p.csv", rows))
    track = res.track.set_index(s.RECORD)
    flags = res.flags[res.flags["field"] == "Position"]
    for i, pos in enumerate(positions):
        line = i + 2
        lat, lon, problems = reference_position(pos)
        got = track.loc[line, [s.LAT, s.LON]].to_numpy(dtype=float)
        np.testing.assert_array_equal(got, [lat, lon], err_msg=repr(pos))
        mine = flags[flags[s.RECORD] == line]["problem"].tolist()
        assert sorted(mine) == sorted(problems), repr(pos)


def test_fr24_hostile_positions_by_hand(tmp_path: Path) -> None:
    rows = [
        (str(1635481576 + 60 * i), "", p)
        for i, p in enumerate(["12.3,abc", "91,0", "1,2,3", "40.5,49.9"])
    ]
    res = read_track(_write_fr24(tmp_path / "h.csv", rows))
    got = res.flags[["record", "value", "problem"]].values.tolist()
    assert got == [
        [2, "abc", "not a number"],
        [2, "12.3", "latitude without a usable longitude"],
        [3, "91.0", "latitude outside [-90, 90]"],
        [3, "0.0", "longitude without a usable latitude"],
        [4, "1,2,3", 'expected "lat,lon"'],
    ]
    assert res.track[s.LAT].isna().tolist() == [True, True, True, False]


@pytest.mark.parametrize("repeat", [1, 40], ids=["distinct", "repeated"])
def test_fr24_utc_times_both_paths(tmp_path: Path, repeat: int) -> None:
    # Timestamp unreadable ("x"): the UTC text decides. The same hostile times, once each and
    # repeated 40 times, give the same times and the same flags, line for line.
    def read(k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        utc = [t for t in TIMES for _ in range(k)]
        pos = [f"{40 + i / 1000:.4f},49.9" for i in range(len(utc))]
        rows = [("x", u, p) for u, p in zip(utc, pos, strict=True)]
        res = read_track(_write_fr24(tmp_path / f"t{k}.csv", rows))
        # Back to one entry per hostile value: the first of its k lines.
        keep = (res.track[s.RECORD] - 2) % k == 0
        track = res.track[keep].assign(record=lambda d: (d[s.RECORD] - 2) // k)
        flags = res.flags[(res.flags[s.RECORD] - 2) % k == 0]
        flags = flags.assign(record=(flags[s.RECORD] - 2) // k)
        return (
            track[[s.RECORD, s.TIME]].reset_index(drop=True),
            flags[flags["code"] == "bad_time"].reset_index(drop=True),
        )

    track, flags = read(repeat)
    assert track[s.TIME].dt.strftime("%H:%M:%S.%f").tolist()[:3] == [
        "04:26:16.000000",
        "04:26:16.000000",
        "04:26:16.000000",
    ]
    by_value = dict(zip(flags[s.RECORD], flags["problem"], strict=True))
    assert by_value[3] == "unreadable time"  # month 13
    assert by_value[6] == "time outside 1970-2100"  # year 1
    if repeat != 1:
        one_track, one_flags = read(1)
        pd.testing.assert_frame_equal(track, one_track)
        pd.testing.assert_frame_equal(flags, one_flags)


HOSTILE_TEXT = [
    *POSITIONS,
    *TIMES,
    " ahy8243 ",
    "AHY8243",
    "\u00a0x\u00a0",
    "NA",
    "None",
    "123",
    "7700.0",
]


@pytest.mark.parametrize("codes", [False, True])
@pytest.mark.parametrize("clean", ["clean", "lower", "squawk", "upper"])
def test_on_uniques_both_ways(clean: str, codes: bool) -> None:
    values = pd.Series([*HOSTILE_TEXT, None, *HOSTILE_TEXT[::-1]], dtype=s.STR_DTYPE)
    fns = {
        "clean": lambda v, pv: clean_text(v, codes=codes, per_value=pv),
        "lower": lambda v, pv: clean_text(v, lower=True, codes=codes, per_value=pv),
        "squawk": lambda v, pv: squawk_text(v, codes=codes, per_value=pv),
        "upper": lambda v, pv: on_uniques(
            v, lambda u: u.str.strip().str.upper(), codes=codes, per_value=pv
        ),
    }
    by_value = fns[clean](values, True)
    by_distinct = fns[clean](values, False)
    pd.testing.assert_series_equal(by_value, by_distinct)
    assert by_value.dtype == by_distinct.dtype
    if codes:
        assert list(by_value.cat.categories) == list(by_distinct.cat.categories)
