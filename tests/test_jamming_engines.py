"""``flightmap jamming`` over many files (flightmap.jamming): inputs, engines, corrupt files.

The input is the generated day of tests/jamming_day.py (a 150 km jammer on from 01:00 to 02:00
UTC) cut into hourly files: Parquet in flightmap's schema, and one hour as OpenSky CSV (gzip).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from jamming_day import (
    DAY,
    Jammer,
    distance_km,
    generate_day,
    write_hourly_parquet,
    write_opensky_csv,
)
from typer.testing import CliRunner

from flightmap.cli import app
from flightmap.grid import read_grid
from flightmap.jamming import GridOptions, area_grid
from flightmap.jamming.batch import grid_of_cells
from flightmap.jamming.duckdb_engine import run_duckdb
from flightmap.jamming.staging import ReadLog, read_inputs, stage_to_parquet

pytest.importorskip("duckdb")

JAMMER = Jammer()
OPTIONS = GridOptions(grid="latlon")
COUNTS = ["aircraft", "bad_aircraft", "degraded", "position_lost", "spoofed", "reports"]


@pytest.fixture(scope="module")
def day() -> pd.DataFrame:
    return generate_day(JAMMER, per_hour=30)


@pytest.fixture(scope="module")
def hourly(day: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("day")
    write_hourly_parquet(day, folder)
    return folder


def _cells(grid: pd.DataFrame) -> pd.DataFrame:
    return grid.drop(columns="geometry").reset_index(drop=True)


def test_engines_agree_and_batches_cut_between_aircraft(hourly: Path, tmp_path: Path) -> None:
    by_pandas = area_grid([str(hourly)], OPTIONS, engine="pandas")
    by_duckdb = area_grid([str(hourly / "*.parquet")], OPTIONS, engine="duckdb", memory_limit="64M")
    assert (by_pandas.log.files, by_duckdb.log.files) == (4, 4)
    pd.testing.assert_frame_equal(_cells(by_pandas.grid), _cells(by_duckdb.grid))
    # Batches of 2,000 rows (about 6 aircraft each): the same cells.
    log = ReadLog()
    staged = stage_to_parquet(read_inputs(sorted(hourly.glob("*.parquet")), log), tmp_path / "s")
    parts = run_duckdb(staged, OPTIONS, temp_directory=tmp_path / "spill", batch_rows=2_000)
    assert len(parts) > 10
    pd.testing.assert_frame_equal(_cells(grid_of_cells(parts, OPTIONS)), _cells(by_pandas.grid))
    # The same batches analysed by two processes.
    pooled = run_duckdb(
        staged, OPTIONS, temp_directory=tmp_path / "spill", batch_rows=8_000, jobs=2
    )
    pd.testing.assert_frame_equal(_cells(grid_of_cells(pooled, OPTIONS)), _cells(by_pandas.grid))


def test_flights_are_cut_across_files(hourly: Path, day: pd.DataFrame) -> None:
    # Aircraft crossing an hour boundary are in two files but one flight: each aircraft is
    # counted once per cell and window, as when the day is one file.
    from flightmap.analysis import analyse, jamming_grid

    whole = jamming_grid(analyse(day), grid="latlon")
    split = area_grid([str(hourly)], OPTIONS, engine="duckdb").grid
    pd.testing.assert_frame_equal(_cells(whole), _cells(split), check_dtype=False)


def test_a_file_given_twice_counts_once(hourly: Path, tmp_path: Path) -> None:
    hour = hourly / "states_01.parquet"
    copy = tmp_path / "copy_of_states_01.parquet"
    copy.write_bytes(hour.read_bytes())
    once = area_grid([str(hour)], OPTIONS, engine="duckdb")
    twice = area_grid([str(hour), str(copy)], OPTIONS, engine="duckdb")
    assert twice.log.rows == 2 * once.log.rows > 0
    pd.testing.assert_frame_equal(_cells(once.grid), _cells(twice.grid))


def test_cli_day_of_files_to_geojson_the_map_reads(hourly: Path, tmp_path: Path) -> None:
    out = tmp_path / "zones.geojson"
    result = CliRunner().invoke(app, ["jamming", str(hourly), "-o", str(out), "--grid", "latlon"])
    assert result.exit_code == 0, result.output
    assert "engine duckdb" in result.stdout and "4 files" in result.stdout
    assert "[4/4]" in result.stderr  # progress over files
    cells = read_grid(out)  # what render --jamming-grid reads
    assert cells
    props = json.loads(out.read_text())["features"][0]["properties"]
    assert {"interpolated", "position_lost", "degraded", "spoofed", "reports"} <= set(props)
    jam = [
        c
        for c in cells
        if c["window_start"] == DAY + pd.Timedelta(hours=1)
        and distance_km(JAMMER, c["geometry"].centroid.y, c["geometry"].centroid.x) < 100
        and c["aircraft"] >= 3
    ]
    assert jam and all(c["level"] == "high" for c in jam)
    quiet = [c for c in cells if c["window_start"] != DAY + pd.Timedelta(hours=1)]
    assert quiet and all(c["bad_aircraft"] == 0 for c in quiet)


def test_cli_parquet_output_and_opensky_csv_input(day: pd.DataFrame, tmp_path: Path) -> None:
    hour = day[
        (day["time"] >= DAY + pd.Timedelta(hours=1)) & (day["time"] < DAY + pd.Timedelta(hours=2))
    ]
    csv = write_opensky_csv(hour, tmp_path / "states_2024-12-25-01.csv.gz")
    out = tmp_path / "zones.parquet"
    args = ["jamming", str(csv), "-o", str(out), "--grid", "latlon", "--engine", "duckdb"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pandas()
    # Every report is placed but those of aircraft already inside the jammer when the file
    # starts (no fix before them in this file) or still inside more than 10 min before it ends.
    assert 0.9 * len(hour) < table["reports"].sum() < len(hour)
    assert (table["interpolated"] > 0).any()
    centre = table.loc[[distance_km(JAMMER, *_centroid_latlon(w)) < 60 for w in table["geometry"]]]
    assert len(centre) and (centre["level"] == "high").all()
    far = table.loc[[distance_km(JAMMER, *_centroid_latlon(w)) > 250 for w in table["geometry"]]]
    assert len(far) > 20 and (far["bad_aircraft"] == 0).all()


def _centroid_latlon(wkb: bytes) -> tuple[float, float]:
    from shapely import from_wkb

    c = from_wkb(wkb).centroid
    return c.y, c.x


def test_corrupt_file_is_skipped_or_fails_with_strict(hourly: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(hourly.glob("*.parquet"))[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    bad = folder / "states_bad.csv"
    bad.write_text("time,icao24,lat,lon\nabc,4b0000,1,2\n")
    out = tmp_path / "zones.geojson"
    args = ["jamming", str(folder), "-o", str(out), "--grid", "latlon"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"flightmap: warning: skipped {bad}: line 2: field time:" in result.stderr
    assert "1 files skipped" in result.stdout
    assert out.exists()
    out.unlink()
    strict = CliRunner().invoke(app, [*args, "--strict"])
    assert strict.exit_code == 2
    assert f"\nflightmap: error: {bad}: line 2: field time:" in strict.stderr
    assert not out.exists() and not list(tmp_path.glob(".zones*"))  # nothing partial


def test_bad_options_fail_before_reading(hourly: Path, tmp_path: Path) -> None:
    cases = {
        ("-o", str(tmp_path / "zones.kml")): "unknown output type '.kml'",
        ("--engine", "spark"): "unknown engine 'spark'",
        ("--memory-limit", "lots"): "invalid size 'lots'",
        ("--grid", "squares"): "unknown grid 'squares'",
    }
    for extra, message in cases.items():
        args = ["jamming", str(hourly), "-o", str(tmp_path / "z.geojson"), *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.stderr
        assert "[1/4]" not in result.stderr
    # A limit too small even to spill: one line, exit 2, nothing written.
    out = tmp_path / "tiny.geojson"
    tiny = CliRunner().invoke(app, ["jamming", str(hourly), "-o", str(out), "--memory-limit", "1M"])
    assert tiny.exit_code == 2
    assert "field --memory-limit: DuckDB needs more memory than 1MiB" in tiny.stderr
    assert "raise the limit" in tiny.stderr.splitlines()[-1] and not out.exists()
    missing = CliRunner().invoke(app, ["jamming", str(tmp_path / "nope*.csv"), "-o", "z.geojson"])
    assert missing.exit_code == 2 and "no file matches this pattern" in missing.stderr
