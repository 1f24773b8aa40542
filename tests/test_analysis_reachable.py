"""Where-could-it-have-been regions (flightmap.analysis.reachable) and the speeds behind them.

Exact geometry is checked on the equator, a geodesic of WGS84 along which one degree of
longitude is a * pi / 180 = 111,319.49 m: between A = (0, 0) and B = (0, 1 degree) with a
budget of two degrees, the region reaches exactly half a degree beyond each focus.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from flightmap.analysis import (
    E190_MAX_SPEED_KT,
    E190_MAX_TAS_KT,
    ellipse_region,
    ellipse_regions,
    geodesic_area_m2,
    lens_region,
    reach_m,
    reachable_region,
    region_at,
)
from flightmap.analysis.speeds import crossover_altitude_m, max_tas_kt
from flightmap.geodesy import KT_MS, distances_m

DEG_M = 111_319.490793  # WGS84 a * pi / 180
T0 = pd.Timestamp("2024-12-25T05:00:00Z")


def vertices(poly: object) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(poly.exterior.coords)[:-1]  # type: ignore[attr-defined]
    return xy[:, 1], xy[:, 0]


def test_ellipse_on_the_equator() -> None:
    # 1,200 s at the speed that flies two degrees: 2 * 111,319.49 m / 1,200 s = 360.6 kt.
    v_kt = 2 * DEG_M / 1200 / KT_MS
    region = reachable_region((0.0, 0.0), T0, (0.0, 1.0), T0 + pd.Timedelta(seconds=1200), v_kt)
    west, _, east, north = region.bounds
    assert (west, east) == (pytest.approx(-0.5, abs=1e-7), pytest.approx(1.5, abs=1e-7))
    lat, lon = vertices(region)
    d_sum = distances_m(lat, lon, 0.0, 0.0) + distances_m(lat, lon, 0.0, 1.0)
    assert d_sum == pytest.approx(np.full(lat.size, 2 * DEG_M), abs=0.05)  # every vertex on it
    # Semi-minor axis: the point of the 0.5 degree meridian at one degree from each focus.
    assert distances_m(north, 0.5, 0.0, 0.0)[()] == pytest.approx(DEG_M, abs=1.0)
    # Area close to the planar ellipse pi * a * b, a = 111.3 km, b = sqrt(a^2 - (a/2)^2).
    a = DEG_M
    assert geodesic_area_m2(region) == pytest.approx(math.pi * a * math.sqrt(0.75) * a, rel=2e-3)


def test_uncertain_endpoint_grows_the_region() -> None:
    # A known within 20 km: beyond each focus the region reaches (L - d + r) / 2.
    region = ellipse_region((0.0, 0.0), (0.0, 1.0), 2 * DEG_M, r_a_m=20_000.0)
    beyond = (DEG_M + 20_000.0) / 2 / DEG_M
    assert region.bounds[0] == pytest.approx(-beyond, abs=1e-7)
    assert region.bounds[2] == pytest.approx(1.0 + beyond, abs=1e-7)
    plain = ellipse_region((0.0, 0.0), (0.0, 1.0), 2 * DEG_M)
    assert region.contains(plain.buffer(-1e-6))


def test_one_end_unknown_is_a_disk() -> None:
    t1 = T0 + pd.Timedelta(minutes=30)
    region = reachable_region((0.0, 0.0), T0, None, t1, 360.0, r_a_m=1000.0)
    radius = 360 * 1852 / 2 + 1000.0  # 30 min at 360 kt = 180 NM, plus the radius
    assert region.bounds[2] == pytest.approx(radius / DEG_M, abs=1e-6)
    assert geodesic_area_m2(region) == pytest.approx(math.pi * radius**2, rel=5e-3)


def test_instant_region_is_the_lens_of_two_disks() -> None:
    # 1,200 s gap at 360.6 kt (two degrees); at 800 s from A: 1.333 degree from A, 0.667 from B.
    v_kt = 2 * DEG_M / 1200 / KT_MS
    t1 = T0 + pd.Timedelta(seconds=1200)
    lens = region_at(T0 + pd.Timedelta(seconds=800), (0.0, 0.0), T0, (0.0, 1.0), t1, v_kt)
    assert lens.bounds[0] == pytest.approx(1.0 - 2 / 3, abs=1e-7)
    assert lens.bounds[2] == pytest.approx(4 / 3, abs=1e-7)
    lat, lon = vertices(lens)
    da, db = distances_m(lat, lon, 0.0, 0.0), distances_m(lat, lon, 0.0, 1.0)
    assert np.all((da <= 4 / 3 * DEG_M + 0.02) & (db <= 2 / 3 * DEG_M + 0.02))
    ellipse = reachable_region((0.0, 0.0), T0, (0.0, 1.0), t1, v_kt)
    assert ellipse.buffer(1e-6).contains(lens)
    with pytest.raises(ValueError, match="timezone-aware"):
        region_at(pd.Timestamp("2024-12-25 05:10"), (0.0, 0.0), T0, None, t1, 300.0)


def test_impossible_gap_is_empty_and_batches_agree() -> None:
    assert ellipse_region((0.0, 0.0), (0.0, 1.0), 0.9 * DEG_M).is_empty
    assert lens_region((0.0, 0.0), 0.4 * DEG_M, (0.0, 1.0), 0.5 * DEG_M).is_empty
    batch = ellipse_regions(
        [0.0, 0.0, 10.0],
        [0.0, 0.0, 20.0],
        0.0,
        [1.0, 1.0, 20.5],
        [
            2 * DEG_M,
            0.5 * DEG_M,
            3 * DEG_M,
        ],
    )
    single = ellipse_region((10.0, 20.0), (0.0, 20.5), 3 * DEG_M)
    assert batch[1].is_empty
    assert batch[0].equals_exact(ellipse_region((0.0, 0.0), (0.0, 1.0), 2 * DEG_M), 1e-9)
    assert batch[2].equals_exact(single, 1e-9)


def test_e190_speed_derivation() -> None:
    # ISA crossover of 320 kt CAS and M 0.82: the ERJ 170/190 data sheet switches from Vmo to
    # Mmo at 8,805 m; the ISA computation gives 8,796 m.
    assert crossover_altitude_m(320.0, 0.82) == pytest.approx(8805.0, abs=15.0)
    assert E190_MAX_TAS_KT == pytest.approx(485.6, abs=0.05)
    assert E190_MAX_SPEED_KT == pytest.approx(E190_MAX_TAS_KT + 100.0)
    # Stratospheric crossover: the speed of sound there is 573.6 kt.
    assert max_tas_kt(250.0, 0.95) == pytest.approx(0.95 * 573.57, abs=0.1)
    assert reach_m(E190_MAX_SPEED_KT, 3600.0) == pytest.approx(585.6285 * 1852.0, rel=1e-6)


def test_j2_8243_regions(case: object) -> None:
    from flightmap.analysis import case_regions

    regions = case_regions(case).set_index("id")
    v = E190_MAX_SPEED_KT * KT_MS  # 301.3 m/s
    # Hit at 05:13:31 (+-1 s, within 20 km of Grozny airport) to impact at 06:27:58 (+-1 s):
    # 4,469 s of flight, 1,346.4 km at 585.6 kt; the region is that long plus 20 km.
    gap = regions.loc["first_bang->impact"]
    budget = v * 4469.0
    assert budget / 1000 == pytest.approx(1346.39, abs=0.01)
    assert gap["diameter_km"] == pytest.approx((budget + 20_000.0) / 1000, abs=0.1)
    assert gap["area_km2"] == pytest.approx(1.390e6, rel=2e-3)
    # Kovyor at 05:21:42 (+-1 s): 493 s from the earliest hit time: a disk of 148.5 + 20 km
    # around Grozny airport (the crash site is far outside reach of it).
    kover = regions.loc["kover"]
    r_kover = v * 493.0 + 20_000.0
    assert kover["reach_a_km"] == pytest.approx(r_kover / 1000, abs=1e-6)
    assert kover["area_km2"] == pytest.approx(math.pi * (r_kover / 1000) ** 2, rel=5e-3)
    # ADS-B back at 06:07 (+-60 s): within 1,259 s + 60 s of the crash: 397.4 km around it.
    back = regions.loc["adsb_back"]
    r_back = v * (1259.0 + 60.0)
    assert back["reach_b_km"] == pytest.approx(r_back / 1000, abs=1e-6)
    assert back["area_km2"] == pytest.approx(math.pi * (r_back / 1000) ** 2, rel=5e-3)
    # Both instants lie inside the gap region; the case's own points are where they should be.
    grozny = case.waypoint("URMG")  # type: ignore[attr-defined]
    crash = case.waypoint("CRASH")  # type: ignore[attr-defined]
    adsb = case.waypoint("ADSB_BACK")  # type: ignore[attr-defined]
    assert gap["geometry"].buffer(1e-6).contains(kover["geometry"])
    assert gap["geometry"].buffer(1e-6).contains(back["geometry"])
    assert kover["geometry"].contains(Point(grozny.lon, grozny.lat))
    assert not kover["geometry"].contains(Point(crash.lon, crash.lat))
    assert back["geometry"].contains(Point(adsb.lon, adsb.lat))
