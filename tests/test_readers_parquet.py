"""Parquet in flightmap's track schema (what ``flightmap convert -o OUT.parquet`` writes), read
back by :func:`flightmap.readers.read_track`: the same frame, or one error naming the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.readers import PARQUET, detect_format, read_track
from flightmap.readers.output import write_track

DATA = Path(__file__).parent / "data" / "tracks"
FIXTURES = sorted(p for p in DATA.iterdir() if p.suffix != ".md" and "naive" not in p.name)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_round_trip(path: Path, tmp_path: Path) -> None:
    first = read_track(path)
    out = write_track(first.track, tmp_path / "track.parquet")
    assert detect_format(out) == PARQUET
    again = read_track(out)
    assert again.format == PARQUET
    assert again.track.equals(first.track)
    assert {c: str(again.track[c].dtype) for c in again.track.columns} == s.DTYPES
    assert again.flags.empty  # the flags were raised by the first read; the track keeps `flag`
    assert again.record_kind == "record"


@pytest.fixture
def track() -> pd.DataFrame:
    return read_track(DATA / "opensky_states.csv").track


def test_rows_out_of_time_order_are_sorted(track: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "reversed.parquet"
    track.iloc[::-1].to_parquet(out)
    assert read_track(out).track.equals(track)


def test_missing_and_extra_columns(track: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "few.parquet"
    track[[s.FLIGHT_ID, s.TIME, s.LAT, s.LON]].assign(note="x").to_parquet(out)
    read = read_track(out).track
    assert list(read.columns) == [c.name for c in s.COLUMNS]  # `note` dropped, the rest NA
    assert read[s.CALLSIGN].isna().all()
    assert read[s.RECORD].tolist() == list(range(1, len(track) + 1))
    track.drop(columns=s.FLIGHT_ID).to_parquet(out)
    with pytest.raises(InputError, match="column missing") as err:
        read_track(out)
    assert err.value.field == s.FLIGHT_ID and err.value.path == str(out)


def test_wrong_types_are_refused(track: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "naive.parquet"
    track.assign(time=track[s.TIME].dt.tz_localize(None)).to_parquet(out)
    with pytest.raises(InputError, match="expected datetime64") as err:
        read_track(out)
    assert err.value.field == s.TIME
    track.assign(lat=track[s.LAT].astype(str)).to_parquet(out)
    with pytest.raises(InputError, match="expected float64") as err:
        read_track(out)
    assert err.value.field == s.LAT
    track.assign(lat=track[s.LAT] + 100).to_parquet(out)
    with pytest.raises(InputError, match=r"latitude .* out of range"):
        read_track(out)


def test_bad_files(track: pd.DataFrame, tmp_path: Path) -> None:
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1" + b"\x00" * 100)
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_track(junk)
    empty = tmp_path / "empty.parquet"
    track.iloc[:0].to_parquet(empty)
    with pytest.raises(InputError, match="no reports"):
        read_track(empty)
    good = write_track(track, tmp_path / "good.parquet")
    with pytest.raises(InputError, match="a Parquet file, not fr24_csv"):
        read_track(good, "fr24_csv")
    with pytest.raises(InputError, match="not a Parquet file"):
        read_track(DATA / "fr24_anz1005.csv", PARQUET)
