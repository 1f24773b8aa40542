"""The DuckDB engine's time-ordered streaming (flightmap.jamming.timeline) and its sources.

Files that are time slices are streamed: aircraft are analysed once silent for FLIGHT_GAP before
the next file starts, in parts by aircraft hash. Whatever the cut (parts, batch sizes, file
order), the grid equals the one of the whole day analysed at once; files overlapping in time go
through the out-of-core sort and give the same grid too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from jamming_day import DAY, generate_day, write_hourly_parquet

from flightmap import schema as s
from flightmap.analysis import analyse, jamming_grid
from flightmap.errors import InputError
from flightmap.jamming import GridOptions, area_grid
from flightmap.jamming.batch import grid_of_cells
from flightmap.jamming.duckdb_engine import connect
from flightmap.jamming.sources import sources_of
from flightmap.jamming.staging import ReadLog
from flightmap.jamming.timeline import stream_cells, time_ordered

pytest.importorskip("duckdb")

OPTIONS = GridOptions(grid="latlon")


@pytest.fixture(scope="module")
def day() -> pd.DataFrame:
    return generate_day(per_hour=30)


@pytest.fixture(scope="module")
def whole(day: pd.DataFrame) -> pd.DataFrame:
    return jamming_grid(analyse(day), grid="latlon").drop(columns="geometry")


def _cells(grid: pd.DataFrame) -> pd.DataFrame:
    return grid.drop(columns="geometry").reset_index(drop=True)


def test_streamed_parts_and_batches_equal_the_whole_day(
    day: pd.DataFrame, whole: pd.DataFrame, tmp_path: Path
) -> None:
    files = write_hourly_parquet(day, tmp_path / "day")
    con = connect(None, tmp_path / "spill")
    log = ReadLog()
    sources = sources_of(files, log, tmp_path / "staged", con)
    con.close()
    assert log.rows == len(day) and not list((tmp_path / "staged").iterdir())  # read in place
    assert time_ordered(sources, None)
    for parts, batch_rows in ((1, 400_000), (3, 700)):
        counts = [
            c
            for k in range(parts)
            for c in stream_cells(sources, OPTIONS, part=k, parts=parts, batch_rows=batch_rows)[0]
        ]
        got = _cells(grid_of_cells(counts, OPTIONS))
        pd.testing.assert_frame_equal(got, whole, check_dtype=False)


def test_overlapping_files_are_sorted_instead(
    day: pd.DataFrame, whole: pd.DataFrame, tmp_path: Path
) -> None:
    # Each aircraft in a file of its own, all spanning the day: not time slices.
    folder = tmp_path / "by_aircraft"
    folder.mkdir()
    icao = day[s.ICAO24].astype(str)
    for k, (_, part) in enumerate(day.groupby(icao.str[-1], sort=True)):
        part.to_parquet(folder / f"group_{k:02d}.parquet", index=False)
    lines: list[str] = []
    run = area_grid([str(folder)], OPTIONS, engine="duckdb", progress=lines.append)
    assert any("sorting them by aircraft" in line for line in lines)
    pd.testing.assert_frame_equal(_cells(run.grid), whole, check_dtype=False)


def test_a_file_starting_late_keeps_flights_open(
    day: pd.DataFrame, whole: pd.DataFrame, tmp_path: Path
) -> None:
    # Hour files plus an hour cut in two halves, the second half listed first: the horizon is
    # the earliest start still to come, whatever the file names say.
    folder = tmp_path / "halves"
    files = write_hourly_parquet(day, folder)
    second = pd.read_parquet(files[1])
    cut = DAY + pd.Timedelta(hours=1, minutes=30)
    second[second[s.TIME] < cut].to_parquet(folder / "z_states_01a.parquet", index=False)
    second[second[s.TIME] >= cut].to_parquet(folder / "a_states_01b.parquet", index=False)
    files[1].unlink()
    run = area_grid([str(folder)], OPTIONS, engine="duckdb", workers=2)
    pd.testing.assert_frame_equal(_cells(run.grid), whole, check_dtype=False)


def test_files_read_by_two_processes_skip_a_corrupt_one(day: pd.DataFrame, tmp_path: Path) -> None:
    from jamming_day import write_opensky_csv

    hour = (day[s.TIME] - DAY) // pd.Timedelta(hours=1)
    for h in (0, 1):
        write_opensky_csv(day[hour == h], tmp_path / f"states_{h:02d}.csv.gz")
    (tmp_path / "states_01b.csv").write_text("time,icao24,lat,lon\nabc,4b0000,1,2\n")
    one = area_grid([str(tmp_path / "*.gz")], OPTIONS, engine="duckdb", workers=1)
    two = area_grid([str(tmp_path)], OPTIONS, engine="duckdb", workers=2)
    assert (two.log.files, len(two.log.skipped)) == (2, 1)
    assert "states_01b.csv: line 2: field time:" in two.log.skipped[0].one_line()
    assert one.log.rows == two.log.rows > 0
    pd.testing.assert_frame_equal(_cells(one.grid), _cells(two.grid))


def test_a_file_corrupt_past_its_footer_is_skipped_or_fails_with_strict(
    day: pd.DataFrame, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    files = write_hourly_parquet(day, tmp_path / "day")
    bad = files[2]
    meta = pq.ParquetFile(bad).metadata
    lat = meta.schema.names.index(s.LAT)
    offset = meta.row_group(0).column(lat).data_page_offset
    with bad.open("r+b") as fh:  # the footer and the time column stay readable
        fh.seek(offset)
        fh.write(b"\xff" * 64)
    without = [f for f in files if f != bad]
    expected = area_grid([str(f) for f in without], OPTIONS, engine="duckdb", workers=1)
    for workers in (1, 2):
        run = area_grid([str(tmp_path / "day")], OPTIONS, engine="duckdb", workers=workers)
        assert (run.log.files, run.log.rows) == (expected.log.files, expected.log.rows)
        assert [str(bad) in e.one_line() for e in run.log.skipped] == [True]
        pd.testing.assert_frame_equal(_cells(run.grid), _cells(expected.grid))
    with pytest.raises(InputError, match="not a readable Parquet file"):
        area_grid([str(tmp_path / "day")], OPTIONS, engine="duckdb", workers=2, strict=True)
