"""The Dask engine (flightmap.jamming.dask_engine) on a 2-worker local cluster: the same cells
and counts as DuckDB on the generated day of tests/jamming_day.py, cut into hourly files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from jamming_day import generate_day, write_hourly_parquet

from flightmap.jamming import GridOptions, area_grid

pytest.importorskip("duckdb")
distributed = pytest.importorskip("distributed")


def test_dask_two_workers_equal_duckdb(tmp_path: Path) -> None:
    write_hourly_parquet(generate_day(per_hour=30), tmp_path / "day")
    (tmp_path / "day" / "states_bad.csv").write_text("time,icao24,lat,lon\nabc,4b0000,1,2\n")
    options = GridOptions(grid="latlon")
    by_duckdb = area_grid([str(tmp_path / "day")], options, engine="duckdb")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    lines: list[str] = []
    try:
        by_dask = area_grid(
            [str(tmp_path / "day")],
            options,
            engine="dask",
            scheduler=cluster.scheduler_address,
            work_dir=tmp_path / "work",
            progress=lines.append,
        )
        assert len(cluster.scheduler_info["workers"]) == 2
    finally:
        cluster.close()
    assert by_dask.engine == "dask" and any("aircraft buckets done" in x for x in lines)
    # Files are read on the workers; the corrupt one is reported as the DuckDB engine does.
    assert (by_dask.log.files, by_dask.log.rows) == (by_duckdb.log.files, by_duckdb.log.rows)
    assert [str(e) for e in by_dask.log.skipped] == [str(e) for e in by_duckdb.log.skipped]
    assert "states_bad.csv: line 2: field time:" in str(by_dask.log.skipped[0])
    assert len(by_duckdb.grid) > 100 and (by_duckdb.grid["level"] == "high").any()
    pd.testing.assert_frame_equal(
        by_duckdb.grid.drop(columns="geometry"), by_dask.grid.drop(columns="geometry")
    )
    assert list(by_duckdb.grid["geometry"]) == list(by_dask.grid["geometry"])
