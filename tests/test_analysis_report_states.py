"""The area engines' per-report states (flightmap.analysis.report_states) equal analyse()'s.

``report_states`` composes the same rule functions as ``flightmap.analysis.analyse`` without
building intervals; these tests hold it to the same states and fixes, report by report, on every
labelled real flight of ``tests/data/corpus`` (spoofing, jamming, gaps, frozen positions, every
reader) and on the generated jammer day, in chunks of many flights and of a few.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jamming_day import generate_day

from flightmap.analysis import analyse
from flightmap.analysis import report_states as rs
from flightmap.analysis._prep import prepare
from flightmap.analysis.integrity import FIX, STATE
from flightmap.readers import read_track
from flightmap.tracks import split_flights

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.gz"))


def _same_as_analyse(track: pd.DataFrame) -> None:
    whole = analyse(track)
    p = prepare(track)
    state, fix = rs.report_states(p)
    expected_state = whole.track[STATE].cat.codes.to_numpy()[p.order]
    np.testing.assert_array_equal(state, expected_state)
    np.testing.assert_array_equal(fix, whole.track[FIX].to_numpy(dtype=bool)[p.order])


@pytest.mark.parametrize("name", FILES)
def test_states_of_real_flights(name: str) -> None:
    track = read_track(CORPUS / name).track
    _same_as_analyse(track)
    assert track.shape[0] > 100


def test_states_of_many_aircraft_in_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # 90 aircraft of the jammer day, in chunks of a few flights (each a slice of whole flights).
    day = split_flights(generate_day(per_hour=30))
    monkeypatch.setattr(rs, "CHUNK", 1_000)
    p = prepare(day)
    assert len(p.chunks(rs.CHUNK)) > 20
    _same_as_analyse(day)
    state, _ = rs.report_states(p)
    assert set(np.unique(state)) >= {0, 2}  # nominal and position lost both occur
