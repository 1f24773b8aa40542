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

__all__ = [
    "Progress",
    "ReadLog",
    "none_read",
    "note_file",
    "read_inputs",
    "stage_to_parquet",
    "write_staged",
]

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


def note_file(
    log: ReadLog,
    k: int,
    files: list[Path],
    outcome: tuple[int, int] | InputError,
    *,
    strict: bool,
    progress: Progress | None,
) -> bool:
    """Record file ``k``'s outcome, ``(reports, problems)`` or its error, in ``log``; True if
    it was read. Raises the error with ``strict`` (or when it is the only file)."""
    n, path = len(files), files[k]
    if isinstance(outcome, InputError):
        if strict or n == 1:
            raise outcome
        log.skipped.append(outcome)
        if progress:
            progress(f"[{k + 1}/{n}] skipped {outcome.one_line()}")
        return False
    rows, problems = outcome
    log.files += 1
    log.rows += rows
    log.problems += problems
    if progress:
        flagged = f", {problems:,} values flagged" if problems else ""
        progress(f"[{k + 1}/{n}] {path}: {rows:,} reports{flagged}")
    return True


def none_read(log: ReadLog, files: list[Path]) -> None:
    """Raise if no file of ``files`` could be read."""
    if log.files == 0:
        raise InputError(
            f"none of the {len(files)} input files could be read", path=files[0].parent
        )


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
    for k, path in enumerate(files):
        try:
            table, problems = load_file(path, k, fmt=fmt, mapping=mapping, tz=tz)
        except InputError as exc:
            note_file(log, k, files, exc, strict=strict, progress=progress)
            continue
        note_file(log, k, files, (table.num_rows, problems), strict=strict, progress=progress)
        yield table
    none_read(log, files)


def stage_to_parquet(tables: Iterator[pa.Table], folder: Path) -> list[Path]:
    """Write each table to ``folder/part-NNNNN.parquet``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_staged(table, folder / f"part-{k:05d}.parquet") for k, table in enumerate(tables)]


def write_staged(table: pa.Table, path: Path) -> Path:
    """Write one staged table (zstd Parquet, row groups DuckDB reads in parallel)."""
    import pyarrow.parquet as pq

    pq.write_table(table, path, compression="zstd", row_group_size=256_000)
    return path
