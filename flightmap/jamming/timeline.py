"""The DuckDB engine's main path: files read in time order, aircraft analysed as they finish.

Traffic files come in time slices (OpenSky's hourly state vectors, ``convert``'s Parquet): an
aircraft's rows are spread over a few consecutive files, and a flight ends for good once the
aircraft has been silent for :data:`flightmap.tracks.FLIGHT_GAP` (split_flights starts a new
flight after such a silence, whatever comes next). So no global sort is needed: DuckDB reads one
file at a time (straight from the input for Parquet in flightmap's schema, projected to the
staging layout in SQL; from the staged copy for the other formats), the rows are grouped by
aircraft in memory (an integer sort), and every aircraft silent for longer than the gap before
the earliest start of the files still to come is analysed and dropped
(:func:`flightmap.jamming.batch.cells_of_batch`); the others wait for the next file with their
current flight only. Memory is one file plus the flights in progress, whatever the number of
files.

With ``parts`` > 1 the aircraft are split by a hash of their key (DuckDB's ``hash``) and each
part is streamed by its own process: every process reads all files but keeps its part (reading
is a few percent of the time), and nothing but the small counts crosses between processes.

:func:`time_ordered` says when this path applies (files that overlap in time by more than the
gap would hold many flights open; :mod:`flightmap.jamming.duckdb_engine` sorts those out of
core instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap.errors import InputError
from flightmap.jamming.batch import BATCH_ROWS, GridOptions, cells_of_sorted
from flightmap.jamming.inputs import AIRCRAFT, T_NS
from flightmap.jamming.rows import Labels, Rows, duplicates, encode, sort_order
from flightmap.jamming.sources import Source

__all__ = ["BYTES_PER_ROW", "stream_cells", "time_ordered"]

BYTES_PER_ROW: Final = 500
"""Python memory per row held by a streaming process (the file's rows, the flights carried over
and the analysis arrays): measured 475 on the 20.7M-report day of ``benchmarks/area.md``
(663 MB peak, 250 MB of it before any report, for about 870,000 rows held)."""


def _max_gap_ns() -> int:
    from flightmap.tracks import FLIGHT_GAP

    return int(FLIGHT_GAP.value)


def time_ordered(sources: list[Source], memory_bytes: int | None) -> bool:
    """Whether streaming in time order suits ``sources``: taken by their first report, each
    starts at most :data:`flightmap.tracks.FLIGHT_GAP` before every earlier one has ended
    (time slices, not overlapping day-long files), and, with a budget, what the processes
    hold together fits in it: the largest file and the flights carried over, as many rows
    again (:data:`BYTES_PER_ROW` each; streaming processes hold a share each)."""
    if memory_bytes is not None and sources:
        if 2 * max(src.rows for src in sources) * BYTES_PER_ROW > memory_bytes:
            return False
    ordered = sorted(sources, key=lambda src: src.t_min)
    latest = None
    for src in ordered:
        if latest is not None and src.t_min < latest - _max_gap_ns():
            return False
        latest = src.t_max if latest is None else max(latest, src.t_max)
    return True


def _finished(t: Any, codes: Any, cutoff: int | None) -> Any:
    """Rows (times ``t`` in ns and aircraft ``codes``, sorted by aircraft and time) whose
    flight cannot continue: all but each aircraft's last flight if that one's last report is at
    or after ``cutoff`` (None: everything is finished)."""
    n = len(t)
    if cutoff is None or n == 0:
        return np.ones(n, dtype=bool)
    new_aircraft = np.ones(n, dtype=bool)
    new_aircraft[1:] = codes[1:] != codes[:-1]
    new_run = new_aircraft.copy()
    new_run[1:] |= np.diff(t) > _max_gap_ns()
    run = np.cumsum(new_run) - 1
    aircraft = np.cumsum(new_aircraft) - 1
    last = np.append(np.flatnonzero(new_aircraft[1:]), n - 1)  # last row of each aircraft
    open_run = np.where(t[last] >= cutoff, run[last], -1)
    return run != open_run[aircraft]


def stream_cells(
    sources: list[Source],
    options: GridOptions,
    *,
    part: int = 0,
    parts: int = 1,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
    batch_rows: int = BATCH_ROWS,
    strict: bool = False,
) -> tuple[list[pd.DataFrame], list[InputError]]:
    """Counts per window and cell (:func:`flightmap.jamming.batch.cells_of_batch`) of the
    aircraft of part ``part`` of ``parts`` in ``sources``, read in time order, and the files
    that could not be read after all (a corrupt page past the footer and the time column the
    sources checked): left out, or, with ``strict``, raised.

    Raises
    ------
    InputError
        With ``strict``, a file DuckDB cannot read.
    """
    import duckdb

    from flightmap.jamming.duckdb_engine import connect

    con = connect(memory_limit, temp_directory or Path("."), threads=1)
    try:
        ordered = sorted(sources, key=lambda src: src.t_min)
        # The earliest start among the files still to come, after each file.
        horizon: list[int | None] = [*(src.t_min for src in ordered[1:]), None]
        where = f" WHERE hash({AIRCRAFT}) % {parts} = {part}" if parts > 1 else ""
        out: list[pd.DataFrame] = []
        labels = Labels()
        carry: Rows | None = None
        skipped: list[InputError] = []
        for src, next_start in zip(ordered, horizon, strict=True):
            try:
                table = con.sql(f"SELECT * FROM ({src.sql}){where}").to_arrow_table()
            except duckdb.OutOfMemoryException:
                raise
            except duckdb.Error as exc:
                msg = " ".join(str(exc).split())[:120]
                error = InputError(f"not a readable Parquet file ({msg})", path=src.path)
                if strict:
                    raise error from None
                skipped.append(error)
                continue
            rows = encode(table, labels)
            if carry is not None:
                rows = Rows.concat([carry, rows])
            order = sort_order(rows)
            same = duplicates(rows, order)
            if same.any():
                order = order[~same]
            codes = rows.column(AIRCRAFT).view("uint32")[order]
            cutoff = None if next_start is None else int(next_start) - _max_gap_ns()
            done = _finished(rows.cols[T_NS][order], codes, cutoff)
            # One take of the finished rows and one of the others, both in sorted order.
            finished = rows.take(order[done])
            carry = rows.take(order[~done]) if not done.all() else None
            out.extend(cells_of_sorted(finished, labels, options, batch_rows))
        return out, skipped
    finally:
        con.close()
