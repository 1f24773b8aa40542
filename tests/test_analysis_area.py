"""Area aggregation (flightmap.analysis.area): share of aircraft with bad GNSS per cell and hour.

Five flights cross the same 0.4-degree cell near 10.1 N, 20.1 E between 05:00 and 05:04 UTC:
one clean, one with NIC 3 throughout (degraded), one with NIC 3 in 3 of its 10 reports (under
the 50 % needed to count as bad), one with NACp 0 (position lost) and one whose positions stop
after 3 reports while 20 more reports arrive (a gap: position lost, placed at its last fix). A
sixth flight is alone in another cell.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from flightmap import schema as s
from flightmap.analysis import analyse, geodesic_area_m2, jamming_geojson, jamming_grid
from flightmap.analysis.area import _cell_ids, _latlon_cells, _latlon_polygon, cell_names
from flightmap.errors import InputError

T0 = pd.Timestamp("2024-12-25T05:00:00Z")


def flight(
    fid: str, n: int = 10, lat: float = 10.1, lon: float = 20.1, **cols: object
) -> dict[str, list[object]]:
    return {
        s.FLIGHT_ID: [fid] * n,
        s.TIME: list(T0 + pd.to_timedelta(np.arange(n) * 10, unit="s")),
        s.LAT: list(lat + np.arange(n) * 0.001),
        s.LON: [lon] * n,
        **{k: list(v) if isinstance(v, list | np.ndarray) else [v] * n for k, v in cols.items()},
    }


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    parts = [
        flight("clean", nic=8),
        flight("nic3", nic=3),
        flight("some_nic3", nic=[3, 3, 3] + [8] * 7),
        flight("nacp0", nic=8, nac_p=0),
        flight("gap", n=23, nic=8),
        flight("alone", lat=-30.0, lon=-60.0, nic=8),
    ]
    frames = [pd.DataFrame(p) for p in parts]
    frames[4].loc[3:, [s.LAT, s.LON]] = np.nan
    df = pd.concat(frames, ignore_index=True)
    df[s.NIC] = df[s.NIC].astype("Int8")
    df[s.NAC_P] = df[s.NAC_P].astype("Int8")
    return analyse(df.sort_values(s.TIME, kind="stable", ignore_index=True))


def test_share_of_bad_aircraft_per_cell(analysis) -> None:  # type: ignore[no-untyped-def]
    grid = jamming_grid(analysis, grid="latlon", cell_deg=0.4)
    assert len(grid) == 2
    busy = grid.sort_values("aircraft").iloc[-1]
    # Band floor((10.1 + 90) / 0.4) = 250; 886 cells in that band (360 cos(10.2 deg) / 0.4);
    # column floor((20.1 + 180) / 360 * 886) = 492.
    assert busy["cell"] == "250:492"
    assert (busy["aircraft"], busy["bad_aircraft"], busy["degraded"]) == (5, 3, 1)
    assert (busy["position_lost"], busy["spoofed"]) == (2, 0)
    assert busy["share_bad"] == pytest.approx(0.6)
    assert busy["level"] == "high"
    assert busy["reports"] == 10 * 4 + 23
    assert (busy["window_start"], busy["window_end"]) == (T0, T0 + pd.Timedelta(hours=1))
    alone = grid.sort_values("aircraft").iloc[0]
    assert (alone["aircraft"], alone["level"]) == (1, "few")
    assert busy["geometry"].contains(Point(20.1, 10.1))


def test_geojson_and_windows(analysis) -> None:  # type: ignore[no-untyped-def]
    grid = jamming_grid(analysis, grid="latlon", window="2min")
    assert sorted(grid["window_start"].unique()) == [T0, T0 + pd.Timedelta(minutes=2)]
    doc = json.loads(json.dumps(jamming_geojson(grid), allow_nan=False))
    assert doc["type"] == "FeatureCollection"
    props = doc["features"][0]["properties"]
    assert props["window_start"] == "2024-12-25T05:00:00+00:00"
    assert set(props) >= {"cell", "aircraft", "bad_aircraft", "share_bad", "level"}
    assert doc["features"][0]["geometry"]["type"] == "Polygon"


def test_h3_cells(analysis) -> None:  # type: ignore[no-untyped-def]
    h3 = pytest.importorskip("h3")
    grid = jamming_grid(analysis, grid="h3", resolution=4)
    cells = set(grid["cell"])
    assert h3.latlng_to_cell(10.1, 20.1, 4) in cells
    assert h3.latlng_to_cell(-30.0, -60.0, 4) in cells
    hexagon = grid[grid["cell"] == h3.latlng_to_cell(10.1, 20.1, 4)].iloc[0]
    assert len(hexagon["geometry"].exterior.coords) == 7  # six corners, closed
    assert hexagon["aircraft"] == 5


def test_h3_cells_by_array_equal_the_h3_library(monkeypatch: pytest.MonkeyPatch) -> None:
    # h3ronpy (Rust, whole arrays) and h3 (C, one call per point, the fallback when h3ronpy is
    # missing) give the same cells, here on 20,000 points spread over the globe and cell edges.
    h3 = pytest.importorskip("h3")
    pytest.importorskip("h3ronpy")
    rng = np.random.default_rng(18)
    lat, lon = rng.uniform(-89.9, 89.9, 20_000), rng.uniform(-180.0, 180.0, 20_000)
    by_array = _cell_ids(lat, lon, "h3", 4, 0.4)
    monkeypatch.setitem(sys.modules, "h3ronpy.vector", None)  # import fails: the fallback
    by_call = _cell_ids(lat, lon, "h3", 4, 0.4)
    np.testing.assert_array_equal(by_array, by_call)
    names = cell_names(by_array[:3], "h3")
    assert names == [h3.latlng_to_cell(a, b, 4) for a, b in zip(lat[:3], lon[:3], strict=True)]


def test_latlon_cells_have_equal_areas() -> None:
    band, col = _latlon_cells(np.array([0.1, 60.1]), np.array([0.1, 0.1]), 0.4)
    areas = [
        geodesic_area_m2(_latlon_polygon(int(b), int(c), 0.4))
        for b, c in zip(band, col, strict=True)
    ]
    assert areas[0] == pytest.approx(areas[1], rel=0.02)
    assert areas[0] / 1e6 == pytest.approx(0.4 * 110.6 * 0.4 * 111.3, rel=0.01)
    assert math.isclose(_latlon_polygon(int(band[1]), int(col[1]), 0.4).bounds[1], 60.0)


def test_needs_an_analysed_track() -> None:
    with pytest.raises(InputError, match="analyse"):
        jamming_grid(pd.DataFrame({s.FLIGHT_ID: ["a"], s.LAT: [0.0], s.LON: [0.0]}))
    with pytest.raises(InputError, match="unknown grid"):
        df = pd.DataFrame(flight("x"))
        jamming_grid(analyse(df), grid="squares")
