"""Gaps (flightmap.analysis.gaps): cadence-adapted thresholds, kinds, ends of flights, distances.

Tracks fly east along the equator, where one degree of longitude is exactly 111,319.49 m on
WGS84 (a * pi / 180), so gap distances can be checked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.analysis import GAP_COLUMNS, IntegrityParams, analyse, find_gaps

DEG_M = 111_319.490793  # WGS84 a * pi / 180
T0 = pd.Timestamp("2024-12-25T04:00:00Z")


def track(n: int = 30, dt_s: float = 10.0, step_deg: float = 0.02) -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.FLIGHT_ID: "g-1",
            s.TIME: T0 + pd.to_timedelta(np.arange(n) * dt_s, unit="s"),
            s.LAT: np.zeros(n),
            s.LON: np.arange(n) * step_deg,
            s.GS_KT: 430.0,
        }
    )


def test_gap_between_fixes_with_distance_and_speed() -> None:
    df = track()
    df.loc[10:14, [s.LAT, s.LON]] = np.nan  # altitude-only reports from 100 s to 140 s
    g = find_gaps(df)
    assert list(g.columns) == list(GAP_COLUMNS)
    assert len(g) == 1
    row = g.iloc[0]
    assert row["start"] == T0 + pd.Timedelta(seconds=90)  # fix 9
    assert row["end"] == T0 + pd.Timedelta(seconds=150)  # fix 15
    assert (row["duration_s"], row["kind"], row["reports"], row["without_position"]) == (
        60.0,
        "no_position",
        5,
        5,
    )
    # Fixes 9 and 15: 6 steps of 0.02 degree along the equator.
    assert row["distance_m"] == pytest.approx(0.12 * DEG_M, abs=0.01)
    assert row["implied_speed_kt"] == pytest.approx(0.12 * DEG_M / 60 / (1852 / 3600), abs=1e-6)
    assert (row["lat_before"], row["lon_before"], row["lon_after"]) == (0.0, 0.18, 0.30)
    assert (row["row_before"], row["row_after"]) == (9, 15)


def test_threshold_adapts_to_cadence() -> None:
    sparse = track(dt_s=30.0, step_deg=0.06)  # median 30 s: threshold max(60, 4 * 30) = 120 s
    hole_100 = sparse.drop(index=[10, 11]).reset_index(drop=True)  # 90 s between fixes
    assert find_gaps(hole_100).empty
    hole_150 = sparse.drop(index=[10, 11, 12, 13]).reset_index(drop=True)  # 150 s
    g = find_gaps(hole_150)
    assert (len(g), g["threshold_s"].iloc[0], g["kind"].iloc[0]) == (1, 120.0, "no_data")
    assert find_gaps(hole_150, IntegrityParams(gap_cadence_factor=6.0)).empty


def test_kinds_stale_and_spoofed() -> None:
    df = track()
    df[s.STALE] = pd.array([False] * 30, dtype="boolean")
    df.loc[10:16, s.STALE] = True
    assert find_gaps(df)["kind"].tolist() == ["stale"]
    df = track()
    # Positions 10-16 shown impossible elsewhere (e.g. spoofed) do not count as fixes.
    untrusted = np.zeros(30, dtype=bool)
    untrusted[10:17] = True
    g = find_gaps(df, untrusted=untrusted)
    assert (g["kind"].iloc[0], g["spoofed"].iloc[0], g["duration_s"].iloc[0]) == (
        "spoofed",
        7,
        80.0,
    )


def test_gaps_at_the_ends_and_flights_without_position() -> None:
    df = track()
    df.loc[:7, [s.LAT, s.LON]] = np.nan  # first fix at 80 s
    df.loc[24:, [s.LAT, s.LON]] = np.nan  # last fix at 230 s, last report at 290 s
    blind = track(n=3)
    blind[[s.LAT, s.LON]] = np.nan
    blind[s.FLIGHT_ID] = "h-1"
    g = find_gaps(pd.concat([df, blind], ignore_index=True))
    assert g[s.FLIGHT_ID].tolist() == ["g-1", "g-1", "h-1"]
    lead, trail, whole = (g.iloc[i] for i in range(3))
    assert (lead["start"], lead["end"], lead["reports"]) == (T0, T0 + pd.Timedelta(seconds=80), 8)
    assert np.isnan(lead["lat_before"]) and lead["lon_after"] == pytest.approx(0.16)
    assert np.isnan(lead["distance_m"])
    assert (trail["duration_s"], trail["reports"]) == (60.0, 6)
    assert pd.isna(trail["row_after"])
    assert (whole["reports"], whole["duration_s"]) == (3, 20.0)


def test_analysis_marks_rows_in_gaps() -> None:
    df = track()
    df.loc[10:14, [s.LAT, s.LON]] = np.nan
    a = analyse(df)
    assert a.track["gap_id"].tolist() == [pd.NA] * 10 + [0] * 5 + [pd.NA] * 15
    assert a.flights[["cadence_s", "threshold_s", "fixes"]].values.tolist() == [[10.0, 60.0, 25]]
    # A shorter hole (40 s) is no gap: the reports are nominal.
    short = track()
    short.loc[10:12, [s.LAT, s.LON]] = np.nan
    assert analyse(short).gaps.empty
    assert set(analyse(short).track["state"]) == {"nominal"}
