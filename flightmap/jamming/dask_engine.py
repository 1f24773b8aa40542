"""The Dask engine: the per-aircraft stage on a Dask cluster, partitioned by aircraft.

Each input file is read and staged by a task on a worker (the readers are the slow part; they
run in parallel over the files). The staged Parquet files are then cut into buckets by a hash of
the aircraft key (DuckDB's ``hash``, the same in every process), about :data:`ROWS_PER_TASK`
rows each, so a task holds whole aircraft; it reads its bucket with DuckDB on the worker (a
filtered scan, sorted as the DuckDB engine sorts) and runs
:func:`flightmap.jamming.batch.cells_of_batch`. The client gathers the small per-flight results
and aggregates them once, so the cells and counts equal DuckDB's and pandas'.

On a real cluster (the workers must run the same flightmap and see the work folder at the same
path, e.g. NFS)::

    dask scheduler --port 8786                                   # on one host
    dask worker tcp://HOST:8786 --nworkers 8 --nthreads 1 --memory-limit 2GiB   # on each host
    flightmap jamming /shared/opensky/2024-12/ -o dec.parquet --engine dask \
        --scheduler tcp://HOST:8786 --work-dir /shared/tmp

Without ``--scheduler``, a local cluster of ``--workers`` processes is started and stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from flightmap.jamming.batch import GridOptions, cells_of_batch
from flightmap.jamming.inputs import AIRCRAFT
from flightmap.jamming.staging import Progress, ReadLog

__all__ = ["ROWS_PER_TASK", "bucket_cells", "run_dask", "stage_file"]

ROWS_PER_TASK: Final = 1_000_000
"""Rows per task aimed at: as the DuckDB engine's batches, so a worker's memory is the same."""


def stage_file(
    path: str,
    file_no: int,
    out: str,
    fmt: str | None,
    mapping: dict[str, str] | None,
    tz: str | None,
) -> tuple[int, int] | str:
    """Read and stage one input file (runs on a worker): ``(reports, problems)``, or the
    reader's one-line error."""
    from flightmap.errors import InputError
    from flightmap.jamming.inputs import load_file
    from flightmap.jamming.staging import write_staged

    try:
        table, problems = load_file(Path(path), file_no, fmt=fmt, mapping=mapping, tz=tz)
    except InputError as exc:
        return exc.one_line()  # the text crosses processes; InputError's fields would not
    write_staged(table, Path(out))
    return table.num_rows, problems


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
    return cells_of_batch(table, options, presorted=True)


def run_dask(
    files: list[Path],
    options: GridOptions,
    log: ReadLog,
    *,
    folder: Path,
    strict: bool = False,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    memory_limit: str | None = None,
    progress: Progress | None = None,
) -> list[pd.DataFrame]:
    """Per-flight cell counts of every aircraft in ``files``, on a Dask cluster; the staged
    files go to ``folder`` (which every worker must see); ``log`` is updated."""
    import dask.distributed

    from flightmap.errors import InputError
    from flightmap.jamming.staging import none_read, note_file

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
        folder.mkdir(parents=True, exist_ok=True)
        outs = [str((folder / f"part-{k:05d}.parquet").resolve()) for k in range(len(files))]
        staging = [
            client.submit(stage_file, str(p.resolve()), k, outs[k], fmt, mapping, tz, pure=False)
            for k, p in enumerate(files)
        ]
        staged = []
        for k, fut in enumerate(staging):  # in file order: the same log as the other engines
            got = fut.result()
            outcome = InputError(got) if isinstance(got, str) else got
            if note_file(log, k, files, outcome, strict=strict, progress=progress):
                staged.append(outs[k])
        none_read(log, files)
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        buckets = max(n_workers, -(-log.rows // ROWS_PER_TASK))
        futures = [
            client.submit(bucket_cells, staged, b, buckets, options, None, pure=False)
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
