"""Placement of positionless reports in the jamming grid (flightmap.analysis.area): inside a
bounded gap they go on the geodesic between the fixes either side, at their time.

On the generated day (tests/jamming_day.py: 180 aircraft over 3 hours, a 150 km jammer on from
01:00 to 02:00 UTC), carrying every positionless report to the last fix put it on the jammer's
edge: its centre cell saw 1 aircraft in the jammed hour. With interpolation the whole disc is
high and the centre cell sees every aircraft that crossed it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from jamming_day import DAY, Jammer, distance_km, generate_day

from flightmap.analysis import analyse
from flightmap.analysis.area import MAX_INTERP_S, aircraft_cells, jamming_grid

JAMMER = Jammer()
JAM_HOUR = DAY + pd.Timedelta(hours=JAMMER.hours[0])
CELL_HALF_DIAGONAL_KM = 40.0  # a 0.4-degree cell at 54.5 N: 44.5 km high, 44.6 km wide


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    return analyse(generate_day(JAMMER))


def _with_distance(grid: pd.DataFrame) -> pd.DataFrame:
    centres = [g.centroid for g in grid["geometry"]]
    return grid.assign(d_km=[distance_km(JAMMER, c.y, c.x) for c in centres])


def test_jammed_disc_is_high_not_a_ring(analysis) -> None:  # type: ignore[no-untyped-def]
    grid = _with_distance(jamming_grid(analysis, grid="latlon"))
    jam = grid[grid["window_start"] == JAM_HOUR]
    inside = jam[jam["d_km"] < JAMMER.radius_km - CELL_HALF_DIAGONAL_KM]
    assert len(inside) >= 20
    assert (inside["level"] == "high").all()
    assert (inside["interpolated"] > 0).all()
    outside = jam[jam["d_km"] > JAMMER.radius_km + CELL_HALF_DIAGONAL_KM]
    assert len(outside) >= 20
    assert (outside["bad_aircraft"] == 0).all()
    # Other hours: the jammer is off, nothing is bad, nothing is interpolated.
    other = grid[grid["window_start"] != JAM_HOUR]
    assert other["bad_aircraft"].sum() == 0
    assert other["interpolated"].sum() == 0


def test_carrying_to_the_last_fix_left_the_centre_empty(analysis) -> None:  # type: ignore[no-untyped-def]
    def centre(max_interp_s: float) -> pd.Series:
        grid = _with_distance(jamming_grid(analysis, grid="latlon", max_interp_s=max_interp_s))
        jam = grid[grid["window_start"] == JAM_HOUR]
        return jam.sort_values("d_km").iloc[0]

    placed, carried = centre(MAX_INTERP_S), centre(0.0)
    assert placed["d_km"] == carried["d_km"] < 20  # the same cell, near the centre
    assert placed["aircraft"] >= 20 and placed["level"] == "high"
    assert carried["aircraft"] <= 2 and carried["level"] == "few"  # the old ring's hole


def test_every_positionless_report_in_a_crossing_is_interpolated(analysis) -> None:  # type: ignore[no-untyped-def]
    per = aircraft_cells(analysis, grid="latlon")
    track = analysis.track
    lost = track[track["lat"].isna()]
    # Every aircraft leaves the jammer's disc (the region is 400 km wide, the disc 150 km),
    # unless it is still inside at the end of the day; none is: the last entries are at 02:59
    # and the jammer is off by then.
    assert per["interpolated"].sum() == len(lost)
    assert per[list(("nominal", "degraded", "position_lost", "spoofed"))].to_numpy().sum() == len(
        track
    )


def test_gaps_longer_than_the_limit_are_carried_not_interpolated(analysis) -> None:  # type: ignore[no-untyped-def]
    # The longest crossing of the 300 km disc at 450 kt takes 21.6 min: a 10-min limit leaves
    # out the crossings near the centre; they are then carried at most max_carry_s (10 min).
    per = aircraft_cells(analysis, grid="latlon", max_interp_s=600.0)
    full = aircraft_cells(analysis, grid="latlon")
    assert 0 < per["interpolated"].sum() < full["interpolated"].sum()
