"""Track rendering on a synthetic 1-million-point track: the page stays small, and the line as
drawn (decoded back from the page) stays within the stated maximum deviation of every point."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from flightmap import render
from flightmap import schema as s
from flightmap.analysis import analyse
from flightmap.simplify import mercator

N = 1_000_000


def synthetic_track(n: int = N, seed: int = 8243, per_flight: int = 10_000) -> pd.DataFrame:
    """``n`` reports in flights of ``per_flight`` reports, one per second at 230 m/s, each
    wandering from 40N 45E with a random-walk heading and 5 m of position noise."""
    rng = np.random.default_rng(seed)
    k = np.arange(n) % per_flight
    heading = rng.uniform(0, 2 * np.pi, n // per_flight + 1)[np.arange(n) // per_flight]
    turn = rng.normal(0, 0.003, n)
    turn[k == 0] = 0.0
    heading = heading + pd.Series(turn).groupby(np.arange(n) // per_flight).cumsum().to_numpy()
    step_n = 230.0 * np.cos(heading)
    step_e = 230.0 * np.sin(heading)
    groups = np.arange(n) // per_flight
    north = pd.Series(step_n).groupby(groups).cumsum().to_numpy()
    east = pd.Series(step_e).groupby(groups).cumsum().to_numpy()
    lat = 40.0 + north / 111_320.0 + rng.normal(0, 5 / 111_320.0, n)
    lon = 45.0 + east / (111_320.0 * np.cos(np.radians(lat)))
    alt = pd.Series(rng.normal(0, 5, n)).groupby(groups).cumsum().to_numpy() + 30_000
    frame = pd.DataFrame(
        {
            s.FLIGHT_ID: [f"f{g:03d}-1" for g in groups],
            s.TIME: pd.Timestamp("2024-12-25T00:00:00Z")
            + pd.to_timedelta(k, unit="s")
            + pd.to_timedelta(groups, unit="D"),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: alt.round(),
            s.GS_KT: 447.0,
            s.CALLSIGN: "AHY8243",
            s.ICAO24: "abc123",
        }
    )
    return s.conform(frame)


def _raw(text: str) -> list[int]:
    """Google polyline varints (an implementation independent of flightmap.simplify)."""
    out, i = [], 0
    while i < len(text):
        shift = result = 0
        while True:
            b = ord(text[i]) - 63
            i += 1
            result |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                break
        out.append(~(result >> 1) if result & 1 else result >> 1)
    return out


def _payload(page: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r"var data = (\{.*?\});\n", page)
    assert match, "no track payload in the page"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def big() -> tuple[pd.DataFrame, str]:
    track = synthetic_track()
    return track, render.render_html(render.build_map(None, analyse(track), max_error_m=25.0))


def test_one_million_points_fit_in_1_5_mb(big: tuple[pd.DataFrame, str]) -> None:
    from flightmap.render._basemap import PAGE_BUDGET

    _, page = big
    size = len(page.encode())
    print(f"1M-point map: {size / 1e6:.2f} MB")
    # Both track layers (altitude, GNSS integrity) in 1.5 MB, plus the offline basemap's budget.
    assert size <= 1_500_000 + PAGE_BUDGET


def test_drawn_line_within_25_m_of_every_point(big: tuple[pd.DataFrame, str]) -> None:
    track, page = big
    payload = _payload(page)
    flights = {f["label"].split(" · ")[0]: f for f in payload["flights"]}
    assert len(flights) == N // 10_000
    worst, covered = 0.0, 0
    for fid, rows in track.groupby(s.FLIGHT_ID):
        flight = flights[fid]
        t_all = (rows[s.TIME].astype("int64") // 10**9 - flight["t0"]).to_numpy()
        lat_all, lon_all = rows[s.LAT].to_numpy(), rows[s.LON].to_numpy()
        for chunk in flight["chunks"]:
            d = np.array(_raw(chunk["p"]), dtype=float)
            vlat, vlon = np.cumsum(d[0::2]) / 1e5, np.cumsum(d[1::2]) / 1e5
            vt = np.cumsum(_raw(chunk["t"]))
            inside = (t_all >= vt[0]) & (t_all <= vt[-1])
            covered += int(inside.sum())
            px, py = mercator(lat_all[inside], lon_all[inside])
            vx, vy = mercator(vlat, vlon)
            seg = np.clip(np.searchsorted(vt, t_all[inside], side="right") - 1, 0, len(vt) - 2)
            ax, ay, bx, by = vx[seg], vy[seg], vx[seg + 1], vy[seg + 1]
            dx, dy = bx - ax, by - ay
            u = np.clip(
                ((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0, 1
            )
            dist = np.hypot(px - ax - u * dx, py - ay - u * dy) * np.cos(
                np.radians(lat_all[inside])
            )
            worst = max(worst, float(dist.max()))
    print(
        f"max deviation {worst:.2f} m, vertices {payload['points_out']} of {payload['points_in']}"
    )
    assert covered >= N  # every point lies on a drawn chunk (chunk ends are counted twice)
    assert worst <= 25.0
    assert payload["points_out"] < N / 10


def test_render_is_deterministic_for_tracks() -> None:
    track = synthetic_track(20_000)
    a = render.render_html(render.build_map(None, analyse(track)))
    b = render.render_html(render.build_map(None, analyse(track)))
    assert a == b


def test_gap_without_positions_is_not_drawn() -> None:
    track = synthetic_track(2_000)
    silent = slice(800, 1_200)
    track.loc[track.index[silent], [s.LAT, s.LON]] = np.nan
    payload = _payload(render.render_html(render.build_map(None, analyse(track))))
    (flight,) = payload["flights"]
    times = [np.cumsum(_raw(c["t"])) for c in flight["chunks"]]
    # No drawn segment spans the silent stretch (seconds 800 to 1199).
    for vt in times:
        assert not (vt[0] < 800 and vt[-1] >= 1_200)
    assert any(vt[-1] == 799 for vt in times) and any(vt[0] == 1_200 for vt in times)


def test_no_line_into_a_fix_after_a_reported_silence() -> None:
    # readsb marks the first position after a silence (flags bit 0): the drawn line breaks there.
    track = synthetic_track(2_000)
    track[s.POS_GAP_BEFORE] = False
    track.loc[track.index[1_000], s.POS_GAP_BEFORE] = True
    payload = _payload(render.render_html(render.build_map(None, analyse(track))))
    (flight,) = payload["flights"]
    times = [np.cumsum(_raw(c["t"])) for c in flight["chunks"]]
    for vt in times:
        assert not (vt[0] < 1_000 <= vt[-1])  # no drawn segment from 999 into 1000
    assert any(vt[0] == 1_000 for vt in times)


def test_absurd_altitudes_and_speeds_are_drawn_as_missing() -> None:
    """A frame built in Python skips the readers' range checks: infinite or absurd values must
    not overflow the integer arrays of the page; they are drawn as missing (-100000)."""
    track = synthetic_track(10)
    alt = [35_000.0, np.inf, -np.inf, 1e300, np.nan, 36_000.4, 1e7, -1e8, 35_000.0, 35_000.0]
    track[s.ALT_BARO_FT] = alt
    track[s.GS_KT] = [450.0, 1e19, 451.6, *[450.0] * 7]
    payload = _payload(render.render_html(render.build_map(None, analyse(track), max_error_m=0.0)))
    (flight,) = payload["flights"]
    drawn: dict[int, tuple[int, int]] = {}  # second of the flight -> (altitude, speed)
    for c in flight["chunks"]:  # neighbouring chunks share their end vertex
        for sec, a, g in zip(*(np.cumsum(_raw(c[k])) for k in "tag"), strict=True):
            drawn[int(sec)] = (int(a), int(g))
    na = -100_000
    assert sorted(drawn) == list(range(10))
    assert [drawn[i][0] for i in range(10)] == [
        *[35_000, na, na, na, na, 36_000, 10_000_000, na, 35_000, 35_000]
    ]
    assert [drawn[i][1] for i in range(10)] == [450, na, 452, *[450] * 7]
    # The profile chart: the same values, missing ones as null.
    profile = render.render_html(render.build_map(None, analyse(track)))
    values = re.findall(r'"(?:alt|gs)":([^,}]+)', profile)
    assert "null" in values and len(values) >= 20
    assert all(v == "null" or abs(int(v)) <= 10_000_000 for v in values)
