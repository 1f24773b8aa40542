"""The Python API as a notebook uses it: read_track -> analyse -> build_map / explore."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import folium
import pandas as pd
import pytest

import flightmap
from flightmap import render
from flightmap import schema as s
from flightmap.analysis import TrackAnalysis
from flightmap.errors import InputError

DATA = Path(__file__).parent / "data" / "tracks"
LAX = DATA / "fr24_anz1005.csv"  # ANZ1005 leaving Los Angeles (33.94 N, 118.4 W)


def _page(m: folium.Map) -> str:
    assert isinstance(m, folium.Map)
    return render.render_html(m)


def test_import_flightmap_is_light() -> None:
    code = (
        "import sys, flightmap\n"
        "heavy = [m for m in ('pandas', 'folium', 'numpy', 'shapely') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
        "assert callable(flightmap.read_track)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_api_names_are_public_and_documented() -> None:
    for name in ("read_track", "analyse", "load_case", "build_map", "explore", "Track"):
        obj = getattr(flightmap, name)
        assert obj.__doc__, name
        assert name in dir(flightmap)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        flightmap.nope  # noqa: B018


def test_read_analyse_map_in_three_lines() -> None:
    track = flightmap.read_track(LAX)
    assert track.format == "fr24_csv"
    assert track.track[s.CALLSIGN].iloc[0] == "ANZ1005"
    result = flightmap.analyse(track, aircraft="any")
    assert isinstance(result, TrackAnalysis)
    page = _page(flightmap.build_map(None, [result]))
    assert "ANZ1005" in page and "fm-track-alt" in page and "fm-track-integrity" in page


@pytest.mark.parametrize("how", ["path", "str", "track", "frame", "analysis"])
def test_explore_draws_the_flight_from_anything(how: str) -> None:
    track = flightmap.read_track(LAX)
    obj = {
        "path": LAX,
        "str": str(LAX),
        "track": track,
        "frame": track.track,
        "analysis": flightmap.analyse(track),
    }[how]
    m = flightmap.explore(obj)
    page = _page(m)
    assert "ANZ1005" in page
    (south, west), (north, east) = m.get_bounds()
    assert south <= 33.93 and north >= 33.94 and west <= -118.6 and east >= -118.43


def test_explore_a_case_and_build_map_with_case_and_track() -> None:
    case = flightmap.load_case("j2-8243")
    assert "Grozny" in _page(flightmap.explore(case))
    assert "J2-8243" in _page(flightmap.explore("j2-8243"))
    m = flightmap.build_map(case=case, tracks=[flightmap.analyse(flightmap.read_track(LAX))])
    page = _page(m)
    assert "ANZ1005" in page and "Events on the track" in page


def test_the_cli_and_the_api_draw_the_same_page(tmp_path: Path) -> None:
    from flightmap.pipeline import render_page

    case = flightmap.load_case("j2-8243")
    for args in ((None, [LAX]), (case, [LAX]), (case, [])):
        cli_page = render_page(*args).html
        assert "flightmap-manifest" in cli_page
        assert render.render_html(flightmap.build_map(*args)) == cli_page
    # From a frame there is no file to record: the same map without the manifest.
    frame_page = render.render_html(flightmap.build_map(None, [flightmap.read_track(LAX)]))
    manifest = re.compile(r'\s*<script [^>]*id="flightmap-manifest">.*?</script>', re.S)
    assert not manifest.search(frame_page)
    assert manifest.sub("", render_page(None, [LAX]).html) == frame_page


def test_several_tracks_keep_their_flights_apart() -> None:
    frame = flightmap.read_track(LAX).track
    m = flightmap.build_map(None, [frame, frame])
    page = _page(m)
    assert "ANZ1005" in page
    result = flightmap.analyse(frame)
    both = flightmap.api._gathered([frame, frame])
    assert sorted(both[s.FLIGHT_ID].unique()) == sorted(
        [*result.track[s.FLIGHT_ID].unique(), *(result.track[s.FLIGHT_ID] + "@2").unique()]
    )


def test_bad_inputs_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing to draw"):
        flightmap.build_map()
    with pytest.raises(InputError, match="max_error_m"):
        flightmap.build_map(None, [LAX], max_error_m=-1)
    with pytest.raises(TypeError, match="expected a Track"):
        flightmap.analyse(42)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        flightmap.read_track(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="max-speed-kt"):
        flightmap.analyse(LAX, max_speed_kt=-5)
    assert isinstance(flightmap.read_track(LAX).track, pd.DataFrame)


def test_a_case_made_from_a_track_draws_its_track(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flightmap.cli import app
    from flightmap.pipeline import render_page

    made = CliRunner().invoke(
        app, ["new-case", "lax-test", "--from-track", str(LAX), "--dir", str(tmp_path)]
    )
    assert made.exit_code == 0, made.output
    case = flightmap.load_case(tmp_path / "lax-test")
    assert case.tracks
    page = render_page(case).html  # no --track: the case's own file is drawn
    assert "ANZ1005" in page and "fm-track-alt" in page
    assert render.render_html(flightmap.build_map(case)) == page
