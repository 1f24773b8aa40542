"""The Dask engine: the per-aircraft stage on a Dask cluster, partitioned by aircraft.

Two rounds of tasks:

1. one task per input file reads it (Parquet in flightmap's schema through DuckDB's projection,
   as the DuckDB engine does; other formats through the readers, the slow part, in parallel
   over the files) and writes its rows into ``buckets`` Parquet folders by a stable hash of the
   aircraft key (CRC-32: the same in every process, unlike Python's ``hash``): a shuffle
   through the work folder;
2. one task per bucket reads its folder (whole aircraft, about :data:`ROWS_PER_TASK` rows) and
   runs :func:`flightmap.jamming.batch.cells_of_batch`.

The client gathers the small per-flight results and aggregates them once, so the cells and
counts equal DuckDB's and pandas'. Each row is read from the inputs once and from the work
folder once, whatever the number of buckets.

On a real cluster (the workers must run the same flightmap and see the inputs and the work
folder at the same paths, e.g. on NFS)::

    dask scheduler --port 8786                                   # on one host
    dask worker tcp://HOST:8786 --nworkers 8 --nthreads 1 --memory-limit 2GiB   # on each host
    flightmap jamming /shared/opensky/2024-12/ -o dec.parquet --engine dask \
        --scheduler tcp://HOST:8786 --work-dir /shared/tmp

Without ``--scheduler``, a local cluster of ``--workers`` processes is started and stopped.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap.jamming.batch import GridOptions, cells_of_batch
from flightmap.jamming.inputs import AIRCRAFT, STAGING_SCHEMA
from flightmap.jamming.staging import Progress, ReadLog

__all__ = [
    "BYTES_PER_ROW",
    "BYTES_PER_TASK_ROW",
    "ROWS_PER_TASK",
    "bucket_cells",
    "bucket_of",
    "run_dask",
    "stage_file",
]

ROWS_PER_TASK: Final = 1_000_000
"""Rows per bucket aimed at without a memory limit (measured: a worker peaks under 1 GB)."""

BYTES_PER_TASK_ROW: Final = 2_000
"""Worker memory per row of its bucket: a worker peaks at about 1 kB per row (reading,
sorting, analysing), doubled for safety; with a memory limit, buckets hold at most
limit / this many rows."""

BYTES_PER_ROW: Final = 20
"""Input bytes per report, to choose the number of buckets before reading: measured 26 for
gzip OpenSky CSV, 21 for flightmap's Parquet; an overestimate of rows only makes buckets
smaller."""


def bucket_of(keys: pa.ChunkedArray | pa.Array, buckets: int) -> np.ndarray[Any, Any]:
    """The bucket of each aircraft key: CRC-32 of its UTF-8 text modulo ``buckets``.

    >>> bucket_of(pa.array(["4b1805", "4b1805", "3c6444"]), 7).tolist()
    [1, 1, 6]
    """
    arr = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    enc = arr.dictionary_encode()  # hashes the keys in Arrow: no Python string per row
    uniques = [*enc.dictionary.to_pylist(), None]  # the last one for a missing key
    per_key = np.array(
        [zlib.crc32(str(k).encode("utf-8")) % buckets for k in uniques], dtype="int64"
    )
    codes = np.asarray(enc.indices.fill_null(len(uniques) - 1).to_numpy(), dtype="int64")
    return np.asarray(per_key[codes], dtype="int64")


def _read_staging(
    path: Path,
    file_no: int,
    fmt: str | None,
    mapping: dict[str, str] | None,
    tz: str | None,
) -> tuple[pa.Table, int]:
    """One file in the staging layout and its problems: Parquet in flightmap's schema through
    DuckDB's projection (:func:`flightmap.jamming.sources.parquet_source`, as the DuckDB engine
    reads it), anything else through the readers."""
    from flightmap.jamming.inputs import load_file

    if path.name.lower().endswith(".parquet") and fmt is None:
        import duckdb

        from flightmap.jamming.sources import parquet_source

        con = duckdb.connect(config={"threads": 1})
        try:
            src = parquet_source(path, file_no, con)
            if src is not None:
                return con.sql(src.sql).to_arrow_table(), 0
        finally:
            con.close()
    return load_file(path, file_no, fmt=fmt, mapping=mapping, tz=tz)


def stage_file(
    path: str,
    file_no: int,
    folder: str,
    buckets: int,
    fmt: str | None,
    mapping: dict[str, str] | None,
    tz: str | None,
) -> tuple[int, int] | str:
    """Read one input file and write its rows to the bucket folders (runs on a worker):
    ``(reports, problems)``, or the reader's one-line error."""
    from flightmap.errors import InputError
    from flightmap.jamming.staging import write_staged

    try:
        table, problems = _read_staging(Path(path), file_no, fmt, mapping, tz)
    except InputError as exc:
        return exc.one_line()  # the text crosses processes; InputError's fields would not
    bucket = bucket_of(table.column(AIRCRAFT), buckets)
    for b in np.unique(bucket).tolist():
        part = Path(folder) / f"bucket-{b:05d}"
        part.mkdir(parents=True, exist_ok=True)
        write_staged(table.filter(pa.array(bucket == b)), part / f"file-{file_no:06d}.parquet")
    return table.num_rows, problems


def bucket_cells(folder: str, options: GridOptions) -> pd.DataFrame:
    """Per-flight cell counts of the aircraft of one bucket folder (runs on a worker)."""
    import pyarrow.parquet as pq

    files = sorted(Path(folder).glob("*.parquet"))
    if not files:
        return cells_of_batch(STAGING_SCHEMA.empty_table(), options)
    # Files hold the columns their input had: missing ones become nulls.
    tables = [pq.read_table(f) for f in files]
    return cells_of_batch(pa.concat_tables(tables, promote_options="default"), options)


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
    import dask.utils

    from flightmap.errors import InputError
    from flightmap.jamming.staging import none_read, note_file

    dist: Any = dask.distributed  # untyped
    cluster = None
    if scheduler:
        client = dist.Client(scheduler)
    else:
        # numpy's huge-page advice off in the workers, as in the DuckDB engine's
        # (flightmap.jamming.duckdb_engine._worker_pool): read when they import numpy.
        key, before = "NUMPY_MADVISE_HUGEPAGE", os.environ.get("NUMPY_MADVISE_HUGEPAGE")
        os.environ.setdefault(key, "0")
        try:
            cluster = dist.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                memory_limit=memory_limit or "auto",
            )
        finally:
            if before is None:
                del os.environ[key]
        client = dist.Client(cluster)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        size = sum(p.stat().st_size for p in files)
        per_task = ROWS_PER_TASK
        if memory_limit:
            per_task = min(
                per_task, max(dask.utils.parse_bytes(memory_limit) // BYTES_PER_TASK_ROW, 10_000)
            )
        buckets = max(n_workers, -(-size // (BYTES_PER_ROW * per_task)))
        root = str(folder.resolve())
        staging = [
            client.submit(
                stage_file, str(p.resolve()), k, root, buckets, fmt, mapping, tz, pure=False
            )
            for k, p in enumerate(files)
        ]
        for k, fut in enumerate(staging):  # in file order: the same log as the other engines
            got = fut.result()
            outcome = InputError(got) if isinstance(got, str) else got
            note_file(log, k, files, outcome, strict=strict, progress=progress)
        none_read(log, files)
        futures = [
            client.submit(bucket_cells, f"{root}/bucket-{b:05d}", options, pure=False)
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
