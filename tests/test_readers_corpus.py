"""Readers on the real flights of the detection corpus (``tests/data/corpus/``, see its README)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.readers import read_track

CORPUS = Path(__file__).parent / "data" / "corpus"


def test_generic_csv_guesses_ts_utc() -> None:
    # The 10-s THY9BP copy names its time column ``ts_utc``: the 867 rows of the source
    # (8681 one-second reports with a 54 s hole) on multiples of 10 s (make_corpus.generic_csv).
    read = read_track(CORPUS / "thy9bp_generic10s.csv.gz")
    assert read.format == "generic_csv"
    assert len(read.track) == 867
    assert read.track[s.TIME].iloc[0] == pd.Timestamp("2024-09-17T08:04:30Z")


@pytest.mark.parametrize("name", ["timestamp_utc", "datetime", "datetime_utc", "utc_time"])
def test_generic_csv_guesses_time_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"{name},lat,lon\n2024-09-17T08:04:30Z,41.0,28.0\n")
    assert read_track(path, format="generic_csv").track[s.TIME].iloc[0] == pd.Timestamp(
        "2024-09-17T08:04:30Z"
    )


def test_readsb_times_at_source_precision() -> None:
    # The trace's "timestamp" is 1738703622.619 (ms) and its offsets have two decimals: every
    # time is a whole number of milliseconds, not 21:13:42.619000064 (float noise).
    track = read_track(CORPUS / "ac671b_readsb.json.gz").track
    ns = s.epoch_ns(track[s.TIME])
    assert track[s.TIME].iloc[0] == pd.Timestamp("2025-02-04T21:13:42.619Z")
    assert (ns % 1_000_000 == 0).all()


def test_readsb_new_leg_does_not_carry_the_last_callsign() -> None:
    # Entries 771 and 1807 start new legs (flags bit 1) without an aircraft object; the next
    # object brings the new flight number 80 s and 10 s later. The last leg's DAL1812 and
    # DAL1615 must not be carried into them.
    track = read_track(CORPUS / "ac671b_readsb.json.gz").track
    legs = track[track[s.NEW_LEG].fillna(False).astype(bool)]
    assert legs[s.RECORD].tolist() == [771, 1333, 1807]
    assert legs[s.CALLSIGN].isna().all()
    nxt = track.set_index(s.RECORD)[s.CALLSIGN]
    assert (nxt[772], nxt[1808]) == ("DAL2418", "DAL2927")


def test_readsb_leading_reports_join_their_leg() -> None:
    # Four legs (DAL1812, DAL2418, DAL1615, DAL2927), each starting with a few reports before
    # its callsign arrives: four flights, not seven.
    track = read_track(CORPUS / "ac671b_readsb.json.gz").track
    assert track[s.FLIGHT_ID].nunique() == 4
