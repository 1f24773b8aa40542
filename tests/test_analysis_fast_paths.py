"""The analysis' shortcuts give the values of the general computation they replace.

``analyse`` takes faster paths on clean, already sorted tracks (no copies through the identity
order, no masking when every value is there, counts by runs, medians by one sort, haversine
with each point's trigonometry computed once). These tests hold each shortcut to the general
computation, value for value, and ``analyse`` of a shuffled track to that of the sorted one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.analysis import analyse
from flightmap.analysis._prep import NS, prepare
from flightmap.analysis.flight_table import _most_frequent
from flightmap.analysis.gaps import _group_medians
from flightmap.analysis.motion import window_rules
from flightmap.analysis.params import IntegrityParams
from flightmap.geodesy import chain_haversine_m, haversine_m
from flightmap.readers import read_track

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.mark.parametrize("n", [2, 3, 17, 1000, 4099])
def test_chain_haversine_equals_haversine(n: int) -> None:
    rng = np.random.default_rng(n)
    for lat, lon in (
        (rng.uniform(-89.0, 89.0, n), rng.uniform(-180.0, 180.0, n)),
        (40.0 + np.cumsum(rng.normal(0, 0.01, n)), np.cumsum(rng.normal(0, 0.01, n))),
    ):
        expected = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        got = chain_haversine_m(lat, lon)
        np.testing.assert_array_equal(got.view("int64"), expected.view("int64"))


def test_group_medians_equal_pandas() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(500):
        sizes = rng.integers(1, 12, rng.integers(1, 30))
        codes = np.sort(rng.choice(5000, sizes.size, replace=False))
        group = np.repeat(codes, sizes).astype("int64")
        scale = int(rng.choice([1, 1000, NS, 10**12]))
        dt_ns = (rng.integers(0, 50, group.size) * scale).astype("int64")
        dt_ns += rng.integers(0, 7, group.size) * int(rng.choice([0, 1, 333_333_333]))
        found = _group_medians(dt_ns, group)
        assert found is not None
        med = pd.Series(dt_ns / NS).groupby(group).median()
        np.testing.assert_array_equal(found[0], med.index.to_numpy())
        np.testing.assert_array_equal(found[1], med.to_numpy())
        checked += 1
    assert checked == 500


def test_group_medians_decline_keys_that_do_not_fit() -> None:
    group = np.array([0, 0, 1 << 20], dtype="int64")
    assert _group_medians(np.array([1, 2, 1 << 50], dtype="int64"), group) is None
    assert _group_medians(np.array([-1, 2, 3], dtype="int64"), group) is None
    assert _group_medians(np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")) is None


@pytest.mark.parametrize("n_codes", [3, 1 << 24])  # the dense count and the pairs
def test_most_frequent_weighted_equals_repeated(n_codes: int) -> None:
    rng = np.random.default_rng(1)
    flight = np.sort(rng.integers(0, 6, 200))
    code = rng.integers(0, 3, 200)
    weight = rng.integers(1, 5, 200)
    expected = _most_frequent(np.repeat(flight, weight), np.repeat(code, weight), 6, n_codes)
    got = _most_frequent(flight, code, 6, n_codes, weight)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.gz"))[:6])
def test_shuffled_track_analyses_as_sorted(name: str) -> None:
    track = read_track(CORPUS / name).track
    # Rows at the same time of a flight keep their input order: one of each, to shuffle freely.
    track = track.drop_duplicates([s.FLIGHT_ID, s.TIME]).reset_index(drop=True)
    p = prepare(track)
    track = track.take(p.order).reset_index(drop=True)
    assert prepare(track).in_order
    # Shuffled, but each flight's first row first, in flight order: the same flight codes.
    rng = np.random.default_rng(7)
    rest = np.setdiff1d(np.arange(len(track)), p.starts)
    shuffled = track.take(np.r_[p.starts, rng.permutation(rest)])
    assert not prepare(shuffled).in_order
    a, b = analyse(track), analyse(shuffled)
    pd.testing.assert_frame_equal(b.track.loc[track.index], a.track, check_exact=True)
    for frame in ("gaps", "intervals", "flights"):
        x, y = getattr(a, frame), getattr(b, frame)
        if frame == "gaps":  # the rows either side are numbered in the input frame
            cols = ["row_before", "row_after"]
            x, y = x.drop(columns=cols), y.drop(columns=cols)
        pd.testing.assert_frame_equal(y, x, check_exact=True)


@pytest.mark.parametrize("threshold", [0.0, 10.0, 45.0, 90.0, 179.0, 180.0])
def test_track_mismatch_filter_keeps_every_firing_window(threshold: float) -> None:
    # With a negative threshold every window's turn is computed (no cosine pre-test): those
    # above ``threshold`` are exactly what the pre-tested computation reports.
    fired = 0
    for path in sorted(CORPUS.glob("*.gz"))[:8]:
        p = prepare(read_track(path).track)
        ui = np.arange(p.n)
        none = np.zeros(p.n, dtype=bool)
        every = window_rules(p, IntegrityParams(track_mismatch_deg=-1.0), ui, none, none)
        got = window_rules(p, IntegrityParams(track_mismatch_deg=threshold), ui, none, none)
        full = every["track_diff_deg"]
        with np.errstate(invalid="ignore"):
            expected = np.where(full > threshold, full, np.nan)
        np.testing.assert_array_equal(got["track_diff_deg"], expected)
        fired += int(np.isfinite(expected).sum())
    assert fired > 0 or threshold >= 179.0  # some windows turn by 0, 10, 45 and 90 degrees
