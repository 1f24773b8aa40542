"""The DuckDB engine: inputs read by DuckDB, streamed in time order or sorted out of core.

:func:`run_inputs` is the engine. DuckDB (embedded, no server) reads every input as the
staging layout (:mod:`flightmap.jamming.sources`: Parquet in flightmap's schema in place, other
formats staged by the readers). When the files are time slices (hourly OpenSky files, a day of
``convert`` output), one process per core streams a share of the aircraft through them in time
order (:mod:`flightmap.jamming.timeline`): no sort, each file read once per process, memory one
file plus the flights in progress. Otherwise (files overlapping in time, or a file too large
for the budget) :func:`run_duckdb` has DuckDB sort every row by (aircraft, time, sequence)
within ``memory_limit``, spilling to ``temp_directory`` beyond it; the sorted rows are fetched
as Arrow record batches, gathered up to ``batch_rows``, cut after the last complete aircraft
and handed to :func:`flightmap.jamming.batch.cells_of_batch`, so memory is bounded by
``memory_limit`` plus a batch, whatever the input.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
import pyarrow as pa

from flightmap.errors import InputError
from flightmap.jamming.batch import GridOptions, cells_of_batch
from flightmap.jamming.inputs import AIRCRAFT, SEQ, T_NS
from flightmap.jamming.sources import Source
from flightmap.jamming.staging import Progress, ReadLog

if TYPE_CHECKING:
    import duckdb

__all__ = ["BATCH_ROWS", "connect", "run_duckdb", "run_inputs", "sorted_query"]

BATCH_ROWS: Final = 250_000
"""Rows analysed at a time (as :data:`flightmap.analysis.integrity.CHUNK`). Measured on 6.2M
rows with a 512 MiB DuckDB limit: peak RSS 1.19 GB with batches of 250,000 rows, 1.89 GB with
1,000,000, for 3 % more time."""


def connect(
    memory_limit: str | None, temp_directory: Path, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory limit (``"1GB"``; DuckDB's default, 80 % of RAM,
    when None) spilling to ``temp_directory``."""
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(temp_directory)
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    # Sorting needs no insertion order on top of ORDER BY: lets DuckDB stream more.
    config["preserve_insertion_order"] = False
    return duckdb.connect(config=config)


def sorted_query(sources: list[Source]) -> str:
    """SQL reading ``sources`` (the staging layout) sorted by aircraft, time and sequence."""
    union = " UNION ALL BY NAME ".join(f"({src.sql})" for src in sources)
    return f"SELECT * FROM ({union}) ORDER BY {AIRCRAFT}, {T_NS}, {SEQ}"


def _as_sources(staged: list[Path] | list[Source]) -> list[Source]:
    return [
        item
        if isinstance(item, Source)
        else Source(item, f"SELECT * FROM read_parquet('{item}')", 0, 0, 0)
        for item in staged
    ]


def _cut(table: pa.Table) -> int:
    """Rows before the last aircraft of ``table`` (0 if it holds one aircraft)."""
    import pyarrow.compute as pc

    keys = table.column(AIRCRAFT)
    other = pc.indices_nonzero(pc.fill_null(pc.not_equal(keys, keys[-1]), True))
    return int(other[-1].as_py()) + 1 if len(other) else 0


def _whole_aircraft(reader: Any, batch_rows: int) -> Iterator[pa.Table]:
    """Tables of about ``batch_rows`` sorted rows, each ending after an aircraft's last row."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in reader:
        pending.append(batch)
        held += batch.num_rows
        if held < batch_rows:
            continue
        table = pa.Table.from_batches(pending)
        cut = _cut(table)
        if cut == 0:  # one aircraft longer than a batch: keep gathering
            continue
        yield table.slice(0, cut)
        rest = table.slice(cut)
        pending, held = rest.to_batches(), rest.num_rows
    if held:
        yield pa.Table.from_batches(pending)


def _presorted_cells(table: pa.Table, options: GridOptions) -> pd.DataFrame:
    return cells_of_batch(table, options, presorted=True)


def run_duckdb(
    staged: list[Path] | list[Source],
    options: GridOptions,
    *,
    temp_directory: Path,
    memory_limit: str | None = None,
    batch_rows: int = BATCH_ROWS,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[pd.DataFrame]:
    """Per-flight cell counts of every aircraft in the staged files, batch by batch; with
    ``jobs`` > 1, batches are analysed in that many processes (at most ``jobs`` + 1 batches in
    memory at once), while DuckDB keeps producing them.

    Raises
    ------
    InputError
        DuckDB ran out of memory (the limit is too small even for spilling).
    """
    import duckdb

    con = connect(memory_limit, temp_directory)
    pool = None
    try:
        sources = _as_sources(staged)
        union = " UNION ALL ".join(f"(SELECT {T_NS} FROM ({src.sql}))" for src in sources)
        total = int(con.sql(f"SELECT count(*) FROM ({union})").fetchall()[0][0])
        reader: Any = con.sql(sorted_query(sources)).to_arrow_reader(min(batch_rows, 122_880))
        parts: list[pd.DataFrame] = []
        running: deque[tuple[int, Future[pd.DataFrame]]] = deque()
        done = 0

        def finish(rows: int, part: pd.DataFrame) -> None:
            nonlocal done
            parts.append(part)
            done += rows
            if progress:
                progress(f"analysed {done:,} of {total:,} reports")

        if jobs > 1 and total > batch_rows:
            # spawn, not fork: DuckDB's threads are running in this process.
            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
        for table in _whole_aircraft(reader, batch_rows):
            if pool is None:
                finish(table.num_rows, _presorted_cells(table, options))
                continue
            running.append((table.num_rows, pool.submit(_presorted_cells, table, options)))
            while len(running) > jobs:
                rows, fut = running.popleft()
                finish(rows, fut.result())
        while running:
            rows, fut = running.popleft()
            finish(rows, fut.result())
        return parts
    except duckdb.OutOfMemoryException as exc:
        raise _too_small(exc, memory_limit) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        con.close()


def _too_small(exc: Exception, memory_limit: str | None) -> Exception:
    """The one-line error for DuckDB running out of memory under ``memory_limit``."""
    from flightmap.errors import InputError

    first = str(exc).splitlines()[0]
    return InputError(
        f"DuckDB needs more memory than {memory_limit} ({first}); raise the limit",
        field="--memory-limit",
    )


def _bytes(memory_limit: str | None) -> int | None:
    """A DuckDB size (``"1024MiB"``, as ``flightmap.jamming._duckdb_size`` writes it), bytes."""
    if memory_limit is None:
        return None
    return int(memory_limit.removesuffix("MiB")) * 2**20


def run_inputs(
    files: list[Path],
    options: GridOptions,
    log: ReadLog,
    *,
    folder: Path,
    strict: bool = False,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    memory_limit: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[pd.DataFrame]:
    """Counts per window and cell of every aircraft in ``files``, the DuckDB engine's way:
    the files as :func:`flightmap.jamming.sources.sources_of` makes them, streamed in time
    order by ``workers`` processes (:mod:`flightmap.jamming.timeline`) when they are time
    slices, else sorted out of core (:func:`run_duckdb`). ``folder``: staged copies and spill.

    Raises
    ------
    InputError
        As :func:`sources_of` and :func:`run_duckdb`.
    """
    import duckdb

    from flightmap.jamming.sources import sources_of
    from flightmap.jamming.timeline import stream_cells, time_ordered

    spill = folder / "spill"
    parts = max(1, workers or os.cpu_count() or 1)
    pool = None
    if parts > 1:
        pool = _worker_pool(parts)
    try:
        con = connect(memory_limit, spill)
        try:
            sources = sources_of(
                files,
                log,
                folder / "staged",
                con,
                strict=strict,
                fmt=fmt,
                mapping=mapping,
                tz=tz,
                pool=pool,
                progress=progress,
            )
        finally:
            con.close()
        budget = _bytes(memory_limit)
        if not time_ordered(sources, budget):
            if progress:
                progress(
                    "the files overlap in time, or one does not fit the memory limit: "
                    "sorting them by aircraft out of core"
                )
            if pool is not None:
                pool.shutdown()
                pool = None
            return run_duckdb(
                sources,
                options,
                temp_directory=spill,
                memory_limit=memory_limit,
                jobs=workers or 1,
                progress=progress,
            )
        rows = sum(src.rows for src in sources)
        if pool is None:
            out, skipped = stream_cells(
                sources,
                options,
                memory_limit=memory_limit,
                temp_directory=spill,
                strict=strict,
            )
            if progress:
                progress(f"analysed {rows:,} reports in time order")
        else:
            each = f"{budget // parts // 2**20}MiB" if budget else None
            futures = [
                pool.submit(
                    stream_cells,
                    sources,
                    options,
                    part=k,
                    parts=parts,
                    memory_limit=each,
                    temp_directory=spill,
                    strict=strict,
                )
                for k in range(parts)
            ]
            out, skipped = [], []
            for k, fut in enumerate(futures):
                got, lost = fut.result()
                out.extend(got)
                skipped.extend(lost)
                if progress:
                    progress(f"analysed part {k + 1} of {parts} ({rows:,} reports in all)")
        _skipped_late(log, sources, skipped, files, progress)
        return out
    except duckdb.OutOfMemoryException as exc:
        raise _too_small(exc, memory_limit) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _skipped_late(
    log: ReadLog,
    sources: list[Source],
    skipped: list[InputError],
    files: list[Path],
    progress: Progress | None,
) -> None:
    """Take the files the streaming processes could not read out of ``log`` (each process
    reports them: once each)."""
    from flightmap.jamming.staging import none_read

    seen: set[str] = set()
    for error in skipped:
        text = error.one_line()  # the error crossed processes as this text
        if text in seen:
            continue
        seen.add(text)
        log.skipped.append(error)
        log.files -= 1
        log.rows -= sum(src.rows for src in sources if text.startswith(f"{src.path}: "))
        if progress:
            progress(f"skipped {text}")
    none_read(log, files)


def _worker_pool(processes: int) -> ProcessPoolExecutor:
    """A pool of ``processes`` fresh interpreters, started now (they import while the inputs
    are listed and staged), with numpy's huge pages off unless the environment says otherwise:
    numpy advises the kernel to back large arrays with huge pages, and where transparent huge
    pages defragment on such advice (Linux's default "madvise") the page faults of the
    analysis' many short-lived arrays cost 8 to 10 s of system time on the 20.7M-report day of
    ``benchmarks/area.md`` (38 CPU-s in all), 3.6 s without."""
    key, before = "NUMPY_MADVISE_HUGEPAGE", os.environ.get("NUMPY_MADVISE_HUGEPAGE")
    os.environ.setdefault(key, "0")  # read by numpy when the workers import it
    try:
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        for _ in range(processes):
            pool.submit(_warm)  # each submit starts one process, with this environment
    finally:
        if before is None:
            del os.environ[key]
    return pool


def _warm() -> None:
    """Import what a streaming worker runs (in a fresh process)."""
    import flightmap.analysis.area
    import flightmap.analysis.report_states
    import flightmap.jamming.timeline
    import flightmap.tracks  # noqa: F401
