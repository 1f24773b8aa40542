"""The Dask engine: the same per-aircraft stage on a Dask cluster, one task per aircraft bucket.

The staged Parquet files are cut into ``partitions`` buckets by a hash of the aircraft key
(DuckDB's ``hash``, the same in every process), so each task holds whole aircraft; a task reads
its bucket with DuckDB on the worker (filtered scan, sorted like the DuckDB engine) and runs
:func:`flightmap.jamming.batch.cells_of_batch`. The client gathers the small per-flight results
and aggregates them once, so the cells and counts equal DuckDB's and pandas'.

The staged files must be readable by every worker at the same path: on a real cluster, put the
work folder on a shared file system (NFS, a mounted bucket). ``scheduler``: the address of a
running scheduler (``tcp://host:8786``); without it a local cluster of ``workers`` processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from flightmap.jamming.batch import GridOptions, cells_of_batch
from flightmap.jamming.inputs import AIRCRAFT
from flightmap.jamming.staging import Progress

__all__ = ["ROWS_PER_TASK", "bucket_cells", "run_dask"]

ROWS_PER_TASK: Final = 1_000_000
"""Rows per task aimed at: as the DuckDB engine's batches, so a worker's memory is the same."""


def bucket_cells(
    staged: list[str], bucket: int, buckets: int, options: GridOptions, memory_limit: str | None
) -> pd.DataFrame:
    """Per-flight cell counts of the aircraft in one bucket (runs on a worker)."""
    import tempfile

    from flightmap.jamming.duckdb_engine import connect, sorted_query

    with tempfile.TemporaryDirectory(prefix="flightmap-dask-") as tmp:
        con = connect(memory_limit, Path(tmp), threads=1)
        try:
            where = f"hash({AIRCRAFT}) % {int(buckets)} = {int(bucket)}"
            table = con.sql(sorted_query(where), params={"files": staged}).to_arrow_table()
        finally:
            con.close()
    return cells_of_batch(table, options)


def run_dask(
    staged: list[Path],
    rows: int,
    options: GridOptions,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    memory_limit: str | None = None,
    progress: Progress | None = None,
) -> list[pd.DataFrame]:
    """Per-flight cell counts of every aircraft in the staged files, on a Dask cluster."""
    import dask.distributed

    dist: Any = dask.distributed  # untyped

    cluster = None
    if scheduler:
        client = dist.Client(scheduler)
    else:
        cluster = dist.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=memory_limit or "auto",
        )
        client = dist.Client(cluster)
    try:
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        buckets = max(n_workers, -(-rows // ROWS_PER_TASK))
        files = [str(p.resolve()) for p in staged]
        futures = [
            client.submit(bucket_cells, files, b, buckets, options, None, pure=False)
            for b in range(buckets)
        ]
        parts = []
        for k, fut in enumerate(dist.as_completed(futures), 1):
            parts.append(fut.result())
            if progress:
                progress(f"dask: {k} of {buckets} aircraft buckets done")
        return parts
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
