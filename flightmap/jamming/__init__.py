"""Area jamming over many files: the share of aircraft with bad GNSS per cell and window.

:func:`area_grid` reads files, folders or globs of multi-aircraft data (any format
:func:`flightmap.readers.read_track` reads, or Parquet in flightmap's schema) and returns the
grid of :func:`flightmap.analysis.area.jamming_grid`, computed by one of three engines that give
the same cells and counts:

- ``duckdb`` (the default for more than one file, or with a memory limit): time slices
  streamed by one process per core, other inputs sorted out of core,
  :mod:`flightmap.jamming.duckdb_engine`;
- ``dask``: a Dask cluster, local or remote, :mod:`flightmap.jamming.dask_engine`;
- ``pandas``: everything in memory (one file), as ``flightmap analyse`` does.

Every engine runs the same per-aircraft stage on whole aircraft
(:func:`flightmap.jamming.batch.cells_of_batch`: flights, integrity states by the rules of
``flightmap analyse``, counts per window and cell), then adds the counts up once
(:func:`flightmap.jamming.batch.grid_of_cells`). DuckDB and Dask are optional
(``pip install 'flightmap[area]'``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from flightmap.errors import InputError
from flightmap.jamming.batch import GridOptions, cells_of_batch, grid_of_cells
from flightmap.jamming.inputs import expand_inputs
from flightmap.jamming.output import GRID_SUFFIXES, write_grid
from flightmap.jamming.staging import Progress, ReadLog, read_inputs

__all__ = ["ENGINES", "AreaRun", "GridOptions", "area_grid", "default_engine", "write_grid"]

ENGINES: Final = ("duckdb", "dask", "pandas")


@dataclass(frozen=True)
class AreaRun:
    """The result of :func:`area_grid`."""

    grid: pd.DataFrame
    """One row per cell and window (:data:`flightmap.analysis.area.GRID_COLUMNS`)."""
    log: ReadLog
    """Files and reports read, files skipped."""
    engine: str
    """The engine that ran."""


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def default_engine(n_files: int, memory_limit: str | None) -> str:
    """``duckdb`` for more than one file or a memory budget (when installed), else ``pandas``.

    >>> default_engine(1, None)
    'pandas'
    """
    if (n_files > 1 or memory_limit) and _installed("duckdb"):
        return "duckdb"
    return "pandas"


def _duckdb_size(memory_limit: str | None) -> str | None:
    from flightmap.limits import parse_size

    if memory_limit is None:
        return None
    try:
        return f"{parse_size(memory_limit) // 2**20}MiB"
    except InputError as exc:
        raise InputError(exc.message, field="--memory-limit") from None


def area_grid(
    inputs: list[str] | list[Path],
    options: GridOptions | None = None,
    *,
    output: Path | None = None,
    engine: str | None = None,
    memory_limit: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    strict: bool = False,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    work_dir: Path | None = None,
    progress: Progress | None = None,
) -> AreaRun:
    """The jamming grid of every aircraft in ``inputs``.

    Parameters
    ----------
    inputs : list of str or Path
        Files, folders (searched recursively) and globs.
    options : GridOptions, optional
        Grid, windows, thresholds and integrity parameters.
    output : Path, optional
        The file the grid will be written to: its type is checked before any input is read.
    engine : {"duckdb", "dask", "pandas"}, optional
        Default: :func:`default_engine`.
    memory_limit : str, optional
        DuckDB's memory budget (and each Dask worker's), e.g. ``"2G"``.
    scheduler : str, optional
        Dask scheduler address (``tcp://host:8786``); without it, a local cluster of
        ``workers`` processes.
    workers : int, optional
        Processes of the DuckDB engine (default: the number of cores when the files are time
        slices, each streaming a share of the aircraft; 1 for the out-of-core sort, whose
        batches cross processes, which was slower on the shared 2-core machine of
        ``benchmarks/area.md``), or of the local Dask cluster (default: the number of cores).
    strict : bool
        Fail on the first unreadable file instead of skipping it.
    fmt, mapping, tz
        As :func:`flightmap.readers.read_track`, for every file (Parquet excepted).
    work_dir : Path, optional
        Where staged files and DuckDB's spill go (a temporary folder inside it, removed at the
        end); on a real Dask cluster, a folder every worker sees at the same path.
    progress : callable, optional
        Receives progress lines.

    Raises
    ------
    InputError
        Unknown engine, engine not installed, no input, unreadable input (see ``strict``).
    """
    options = options or GridOptions()
    if options.grid not in ("h3", "latlon"):
        raise InputError(f"unknown grid {options.grid!r}; expected h3 or latlon", field="--grid")
    if output is not None and output.suffix.lower() not in GRID_SUFFIXES:
        raise InputError(
            f"unknown output type {output.suffix or '(none)'!r}; expected "
            f"{' or '.join(GRID_SUFFIXES)}",
            path=output,
            field="--output",
        )
    files = expand_inputs(inputs)
    engine = engine or default_engine(len(files), memory_limit)
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}; expected {', '.join(ENGINES)}", field="--engine"
        )
    for module in {"duckdb": ["duckdb"], "dask": ["distributed"]}.get(engine, []):
        if not _installed(module):
            raise InputError(
                f"the {engine} engine needs the {module} package: pip install 'flightmap[area]'",
                field="--engine",
            )
    duck_limit = _duckdb_size(memory_limit)
    log = ReadLog()
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    if engine == "dask":
        from flightmap.jamming.dask_engine import run_dask

        with tempfile.TemporaryDirectory(prefix=".flightmap-area-", dir=work_dir) as tmp:
            parts = run_dask(
                files,
                options,
                log,
                folder=Path(tmp) / "staged",
                strict=strict,
                fmt=fmt,
                mapping=mapping,
                tz=tz,
                scheduler=scheduler,
                workers=workers or os.cpu_count() or 1,
                memory_limit=duck_limit,
                progress=progress,
            )
        return AreaRun(grid=grid_of_cells(parts, options), log=log, engine=engine)
    if engine == "duckdb":
        from flightmap.jamming.duckdb_engine import run_inputs

        with tempfile.TemporaryDirectory(prefix=".flightmap-area-", dir=work_dir) as tmp:
            parts = run_inputs(
                files,
                options,
                log,
                folder=Path(tmp),
                strict=strict,
                fmt=fmt,
                mapping=mapping,
                tz=tz,
                memory_limit=duck_limit,
                workers=workers,
                progress=progress,
            )
        return AreaRun(grid=grid_of_cells(parts, options), log=log, engine=engine)
    import pyarrow as pa

    tables = read_inputs(
        files, log, strict=strict, fmt=fmt, mapping=mapping, tz=tz, progress=progress
    )
    parts = [cells_of_batch(pa.concat_tables(list(tables)), options)]
    return AreaRun(grid=grid_of_cells(parts, options), log=log, engine=engine)
