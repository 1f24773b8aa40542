"""The per-aircraft stage every engine runs on a batch of whole aircraft.

:func:`cells_of_batch` takes rows in the staging layout (:mod:`flightmap.jamming.inputs`) of
some aircraft, all of each one's rows, cuts them into flights
(:func:`flightmap.tracks.split_flights`: across file boundaries too), finds each report's
integrity state with the rules of ``flightmap analyse``
(:func:`flightmap.analysis.report_states.report_states`) and returns the counts per cell and
window (:func:`flightmap.analysis.area.window_cell_counts`). Every step works flight by flight,
so the results of any split of the aircraft into batches add up to the same grid
(:func:`grid_of_cells`): what makes DuckDB, Dask and pandas agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap.analysis.area import (
    MAX_INTERP_S,
    WINDOW_CELL_COLUMNS,
    grid_from_window_cells,
    window_cell_counts,
)
from flightmap.analysis.params import IntegrityParams
from flightmap.jamming.inputs import AIRCRAFT
from flightmap.jamming.rows import Labels, Rows, duplicates, encode, sort_order, track_of

__all__ = [
    "BATCH_ROWS",
    "GridOptions",
    "cells_of_batch",
    "cells_of_rows",
    "cells_of_sorted",
    "grid_of_cells",
]

BATCH_ROWS: Final = 80_000
"""Rows of whole aircraft analysed at a time. On the benchmark day of ``benchmarks/area.md``,
800,000 rows took 0.86 us a row in batches of 80,000, 0.98 in batches of 20,000 or 150,000 and
1.4 in one (a batch's arrays stay in the processor caches); in the streamed run, a quarter of
the aircraft took 7.6 to 8.5 CPU-s with batches of 80,000 and 7.8 to 7.9 with 400,000, and the
peak RSS fell from 670 to 620 MB."""


@dataclass(frozen=True)
class GridOptions:
    """How reports become cells (see :func:`flightmap.analysis.area.jamming_grid`)."""

    window: pd.Timedelta = pd.Timedelta(hours=1)  # noqa: RUF009 (immutable)
    grid: str = "h3"
    resolution: int = 4
    cell_deg: float = 0.4
    min_aircraft: int = 3
    bad_share: float = 0.5
    sample_s: float = 10.0
    max_carry_s: float = 600.0
    max_interp_s: float = MAX_INTERP_S
    params: IntegrityParams = IntegrityParams()  # noqa: RUF009 (frozen)


def cells_of_rows(rows: Rows, labels: Labels, options: GridOptions) -> pd.DataFrame:
    """:func:`cells_of_batch` on rows sorted by :func:`flightmap.jamming.rows.sort_order`,
    duplicates dropped."""
    from flightmap.analysis._prep import prepare
    from flightmap.analysis.report_states import report_states
    from flightmap.tracks import split_flights

    if rows.n == 0:
        return pd.DataFrame({c: [] for c in WINDOW_CELL_COLUMNS})
    p = prepare(split_flights(track_of(rows, labels)))
    state, fix = report_states(p, options.params)
    return window_cell_counts(
        p,
        state,
        fix,
        window=options.window,
        grid=options.grid,
        resolution=options.resolution,
        cell_deg=options.cell_deg,
        sample_s=options.sample_s,
        bad_share=options.bad_share,
        max_carry_s=options.max_carry_s,
        max_interp_s=options.max_interp_s,
    )


def cells_of_batch(
    table: pa.Table, options: GridOptions, *, presorted: bool = False
) -> pd.DataFrame:
    """Per window and cell, the counts of the whole aircraft in ``table`` (staging layout;
    columns :data:`flightmap.analysis.area.WINDOW_CELL_COLUMNS`; ``presorted``: sorted by
    aircraft, time and sequence already). Their integrity states come from
    :func:`flightmap.analysis.report_states.report_states`: the rules of ``flightmap analyse``.
    """
    labels = Labels()
    rows = encode(table, labels)
    order = np.arange(rows.n) if presorted else sort_order(rows)
    same = duplicates(rows, order)
    if same.any():
        order = order[~same]
    parts = cells_of_sorted(rows.take(order), labels, options)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def cells_of_sorted(
    rows: Rows, labels: Labels, options: GridOptions, batch_rows: int = BATCH_ROWS
) -> list[pd.DataFrame]:
    """:func:`cells_of_rows` on slices of about ``batch_rows`` rows of whole aircraft (rows
    sorted by aircraft code: ascending, as :func:`flightmap.jamming.rows.sort_order` leaves
    them, or in order of appearance)."""
    codes = rows.column(AIRCRAFT).view("uint32")
    n, start = rows.n, 0
    out: list[pd.DataFrame] = []
    while start < n or not out:
        end = min(start + batch_rows, n)
        if end < n:  # forward to the end of the aircraft at ``end`` (it may be longer)
            end = int(np.searchsorted(codes, codes[end - 1], side="right"))
        out.append(cells_of_rows(rows.take(slice(start, end)), labels, options))
        start = end
    return out


def grid_of_cells(parts: list[pd.DataFrame], options: GridOptions) -> pd.DataFrame:
    """The grid (:data:`flightmap.analysis.area.GRID_COLUMNS`) from the batches' results."""
    parts = [p for p in parts if len(p)]
    counts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return grid_from_window_cells(
        counts,
        window=options.window,
        grid=options.grid,
        cell_deg=options.cell_deg,
        min_aircraft=options.min_aircraft,
    )
