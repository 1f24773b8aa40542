"""Reading the inputs of an area run one file at a time: progress, corrupt files, staging.

:func:`read_inputs` yields each readable file in the staging layout and records the ones it
skips (a corrupt file among many is reported with its file and line and left out; with
``strict`` the first one ends the run). :func:`stage_to_parquet` writes them to a folder of
Parquet files, the form the DuckDB and Dask engines read (in parallel, out of core). Nothing
here writes the run's output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from flightmap.errors import InputError
from flightmap.jamming.inputs import load_file

__all__ = ["Progress", "ReadLog", "read_inputs", "stage_to_parquet"]

Progress = Callable[[str], None]
"""Receives one line of progress (the CLI prints it on stderr)."""


@dataclass
class ReadLog:
    """What reading the inputs found."""

    files: int = 0
    """Files read."""
    rows: int = 0
    """Reports read."""
    problems: int = 0
    """Values the readers flagged in files read (bad values set to NA, rows dropped)."""
    skipped: list[InputError] = field(default_factory=list)
    """One error per file left out, with its file and line."""


def read_inputs(
    files: list[Path],
    log: ReadLog,
    *,
    strict: bool = False,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: Progress | None = None,
) -> Iterator[pa.Table]:
    """Each readable file of ``files`` in the staging layout, in order; ``log`` is updated.

    Raises
    ------
    InputError
        With ``strict``, the first file that cannot be read; without, when none can.
    """
    n = len(files)
    for i, path in enumerate(files):
        try:
            table, problems = load_file(path, i, fmt=fmt, mapping=mapping, tz=tz)
        except InputError as exc:
            if strict or n == 1:
                raise
            log.skipped.append(exc)
            if progress:
                progress(f"[{i + 1}/{n}] skipped {exc.one_line()}")
            continue
        log.files += 1
        log.rows += table.num_rows
        log.problems += problems
        if progress:
            flagged = f", {problems:,} values flagged" if problems else ""
            progress(f"[{i + 1}/{n}] {path}: {table.num_rows:,} reports{flagged}")
        yield table
    if log.files == 0:
        raise InputError(f"none of the {n} input files could be read", path=files[0].parent)


def stage_to_parquet(tables: Iterator[pa.Table], folder: Path) -> list[Path]:
    """Write each table to ``folder/part-NNNNN.parquet``; returns the paths."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k, table in enumerate(tables):
        path = folder / f"part-{k:05d}.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=256_000)
        out.append(path)
    return out
