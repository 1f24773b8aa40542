"""Events on the track (flightmap.analysis.placement): interpolated between fixes, inferred
inside gaps and beyond the ends, and the plausibility of the case's own legs.

The track flies east on the equator (one degree of longitude = 111,319.49 m), a fix every
10 s, 0.02 degree apart (2,226.39 m, 432.8 kt), ground speed 430 kt, with no positions from
200 s to 790 s (a 10-minute gap between the fixes at 190 s and 800 s).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.analysis import (
    PLACEMENT_COLUMNS,
    analyse,
    case_events,
    leg_speeds,
    place_events,
    region_at,
)
from flightmap.analysis.speeds import E190_MAX_SPEED_KT
from flightmap.geodesy import KT_MS

DEG_M = 111_319.490793
T0 = pd.Timestamp("2024-12-25T05:00:00Z")


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    n = 120
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: "p-1",
            s.TIME: T0 + pd.to_timedelta(np.arange(n) * 10, unit="s"),
            s.LAT: np.zeros(n),
            s.LON: np.arange(n) * 0.02,
            s.GS_KT: 430.0,
        }
    )
    df.loc[20:79, [s.LAT, s.LON]] = np.nan
    return analyse(df)


def events(*rows: tuple[str, float, float]) -> pd.DataFrame:
    """Events ``(id, seconds after T0, time uncertainty s)``."""
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "time": [T0 + pd.Timedelta(seconds=r[1]) for r in rows],
            "uncertainty_s": [r[2] for r in rows],
        }
    )


def test_interpolated_between_fixes(analysis) -> None:  # type: ignore[no-untyped-def]
    placed = place_events(analysis, events(("mid", 55.0, 0.0)))
    assert list(placed.columns) == list(PLACEMENT_COLUMNS)
    row = placed.iloc[0]
    assert (row["method"], row["inferred"], row[s.FLIGHT_ID]) == ("interpolated", False, "p-1")
    # Halfway between the fixes at 50 s (0.10 degree) and 60 s (0.12 degree).
    assert (row["lat"], row["lon"]) == (pytest.approx(0.0, abs=1e-12), pytest.approx(0.11))
    # Radius: each fix reachable in 5 s at 1.1 x the leg speed (222.64 m/s > 430 kt):
    # the lens of two disks of r = 1.1 * 222.64 * 5 m around fixes d = 2,226.39 m apart has
    # its corners at sqrt(r^2 - (d/2)^2) from the midpoint.
    d = 0.02 * DEG_M
    r = 1.1 * (d / 10) * 5
    assert row["radius_m"] == pytest.approx(math.sqrt(r * r - (d / 2) ** 2), rel=1e-3)
    assert row["fix_before"] == T0 + pd.Timedelta(seconds=50)
    # A time known to +-30 s widens it by what the aircraft flies in 30 s.
    vague = place_events(analysis, events(("vague", 55.0, 30.0))).iloc[0]
    assert vague["radius_m"] > 30 * 222.0


def test_inside_a_gap_is_the_inferred_instant_region(analysis) -> None:  # type: ignore[no-untyped-def]
    placed = place_events(analysis, events(("in_gap", 490.0, 0.0)), max_speed_kt=500.0)
    row = placed.iloc[0]
    assert (row["method"], row["inferred"]) == ("gap", True)
    a_t, b_t = T0 + pd.Timedelta(seconds=190), T0 + pd.Timedelta(seconds=800)
    assert (row["fix_before"], row["fix_after"]) == (a_t, b_t)
    expected = region_at(
        T0 + pd.Timedelta(seconds=490), (0.0, 0.38), a_t, (0.0, 1.6), b_t, 500.0, n=180
    )
    assert row["geometry"].equals_exact(expected, 1e-9)
    # 300 s from A and 310 s from B at 500 kt: disks of 77.2 km and 79.7 km around fixes
    # 135.8 km apart; the region lies between them on the equator.
    reach_a, reach_b = 500 * KT_MS * 300, 500 * KT_MS * 310
    assert row["geometry"].bounds[0] == pytest.approx(1.6 - reach_b / DEG_M, abs=1e-6)
    assert row["geometry"].bounds[2] == pytest.approx(0.38 + reach_a / DEG_M, abs=1e-6)
    assert row["area_km2"] > 0 and row["radius_m"] > 0


def test_before_after_and_far_from_the_track(analysis) -> None:  # type: ignore[no-untyped-def]
    placed = place_events(
        analysis,
        events(("early", -300.0, 0.0), ("late", 1190.0 + 60.0, 0.0), ("far", 9000.0, 0.0)),
        max_speed_kt=360.0,
    ).set_index("id")
    early = placed.loc["early"]
    assert (early["method"], early["inferred"]) == ("before_track", True)
    # 300 s before the first fix at 360 kt: a disk of 30 NM around (0, 0).
    assert early["geometry"].bounds[2] == pytest.approx(30 * 1852 / DEG_M, abs=1e-6)
    assert placed.loc["late", "method"] == "after_track"
    far = placed.loc["far"]
    assert (far["method"], far["geometry"]) == ("no_track", None)
    assert pd.isna(far[s.FLIGHT_ID]) and math.isnan(far["lat"])
    with pytest.raises(ValueError, match="timezone-aware"):
        place_events(analysis, pd.DataFrame({"id": ["x"], "time": [pd.Timestamp("2024-12-25")]}))


def test_case_events_and_leg_plausibility(case) -> None:  # type: ignore[no-untyped-def]
    ev = case_events(case)
    bang = ev.set_index("id").loc["first_bang"]
    assert (bang["lat"], bang["position_uncertainty_m"]) == (43.388302, 20_000.0)
    assert ev["time"].dt.tz is not None
    legs = leg_speeds(ev)
    assert legs["plausible"].all()  # every leg of the case is flyable at 585.6 kt
    takeoff = legs.iloc[0]
    # Baku to Grozny (485.0 km) from 03:55 to 04:50: 3,300 s; times known to +-60 s and
    # +-300 s, so at least 485.0 km / 3,660 s = 257.6 kt.
    assert (takeoff["from_id"], takeoff["to_id"]) == ("takeoff", "approach_1")
    assert takeoff["distance_km"] == pytest.approx(484.97, abs=0.01)
    assert takeoff["min_speed_kt"] == pytest.approx(484_965.6 / 3660 / KT_MS, rel=1e-4)


def test_impossible_leg_is_flagged() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "time": [T0, T0 + pd.Timedelta(minutes=10)],
            "uncertainty_s": [0.0, 0.0],
            "title": ["", ""],
            "lat": [0.0, 0.0],
            "lon": [0.0, 5.0],  # 556.6 km in 600 s: 1,803 kt
            "position_uncertainty_m": [np.nan, 0.0],
        }
    )
    leg = leg_speeds(frame).iloc[0]
    assert leg["min_speed_kt"] == pytest.approx(5 * DEG_M / 600 / KT_MS, rel=1e-9)
    assert not leg["plausible"]
    assert leg["note"] == (
        "a to b: 556.6 km in 600 s needs at least 1,803 kt, more than the "
        f"{E190_MAX_SPEED_KT:,.0f} kt maximum: the times or places cannot both be right."
    )
    assert leg_speeds(frame, max_speed_kt=2000.0)["plausible"].all()


@pytest.mark.parametrize("size_deg", [1e-7, 1e-4, 0.5])
def test_region_diameter_is_the_longest_geodesic_chord(size_deg: float) -> None:
    """From centimetres to tens of kilometres: the diameter is the longest geodesic distance
    between two vertices, measured pair by pair here with geodesy.distance_m."""
    import itertools

    import shapely

    from flightmap.analysis import region_size
    from flightmap.geodesy import distance_m

    d = size_deg
    pts = [(45.0, 43.0), (45.0 + d, 43.0), (45.0, 43.0 + 0.7 * d), (45.0 + 0.4 * d, 43.0 + d)]
    geom = shapely.Polygon(pts)  # (lon, lat)
    longest = max(distance_m((a[1], a[0]), (b[1], b[0])) for a, b in itertools.combinations(pts, 2))
    assert region_size(geom)["diameter_km"] == pytest.approx(longest / 1000.0, rel=1e-9)
