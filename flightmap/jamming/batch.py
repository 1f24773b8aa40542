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
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.analysis.area import (
    MAX_INTERP_S,
    WINDOW_CELL_COLUMNS,
    grid_from_window_cells,
    window_cell_counts,
)
from flightmap.analysis.params import IntegrityParams
from flightmap.jamming.inputs import AIRCRAFT, SEQ, T_NS, TP_NS

__all__ = [
    "GridOptions",
    "aircraft_codes",
    "cells_of_batch",
    "from_staging",
    "grid_of_cells",
    "sort_order",
]


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


def aircraft_codes(table: pa.Table) -> np.ndarray[Any, np.dtype[np.int64]]:
    """An integer per row of ``table`` (staging layout), the same for the same aircraft key
    (in no particular order; a missing key gets the largest)."""
    keys = table.column(AIRCRAFT).combine_chunks().dictionary_encode()
    codes = np.asarray(keys.indices.fill_null(len(keys.dictionary)).to_numpy(), dtype="int64")
    return codes


def sort_order(
    table: pa.Table, codes: np.ndarray[Any, np.dtype[np.int64]] | None = None
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The row order of ``table`` (staging layout) by (aircraft code, time, sequence), with
    ``codes`` from :func:`aircraft_codes` (computed when not given)."""
    if codes is None:
        codes = aircraft_codes(table)
    t = np.asarray(table.column(T_NS).to_numpy(), dtype="int64")
    seq = np.asarray(table.column(SEQ).to_numpy(), dtype="int64")
    # Each aircraft's rows mostly come in time order (files are time slices): a stable sort on
    # the key (numpy sorts small integers with a radix sort) is then enough; checked, and a
    # full sort on (key, time, sequence) otherwise.
    small = codes.astype("int32") if codes.size and codes.max() < 2**31 - 1 else codes
    order = np.asarray(np.argsort(small, kind="stable"), dtype="int64")
    c, ts, ss = codes[order], t[order], seq[order]
    dt = np.diff(ts)
    back = (c[1:] == c[:-1]) & ((dt < 0) | ((dt == 0) & (np.diff(ss) < 0)))
    if back.any():
        return np.asarray(np.lexsort((seq, t, codes)), dtype="int64")
    return order


def _duplicates(table: pa.Table) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows of ``table`` (sorted) repeating an earlier row in every column but the sequence."""
    import pyarrow.compute as pc

    n = table.num_rows
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    key = table.column(AIRCRAFT)
    t = np.asarray(table.column(T_NS).to_numpy(), dtype="int64")
    same = np.zeros(n, dtype=bool)
    same[1:] = t[1:] == t[:-1]
    if not same.any():
        return out
    same_key = pc.fill_null(pc.equal(key.slice(1), key.slice(0, n - 1)), False)
    same[1:] &= np.asarray(same_key.to_numpy(zero_copy_only=False), dtype=bool)
    if not same.any():
        return out
    # Only rows sharing aircraft and time with a neighbour can repeat one another.
    cand = np.flatnonzero(same | np.append(same[1:], False))
    sub = table.take(pa.array(cand)).drop_columns([SEQ])
    sub_df = sub.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
    out[cand] = sub_df.duplicated(keep="first").to_numpy()
    return out


def from_staging(table: pa.Table, *, presorted: bool = False) -> pd.DataFrame:
    """Rows in the staging layout as a canonical track, sorted by (aircraft, time, sequence)
    (``presorted``: they already are), exact duplicates dropped; ``icao24`` is set to the
    aircraft key, so flights are cut by the same key as batches. Columns that are null
    throughout are left out (the analysis reads them as absent), and ``flight_id`` too
    (:func:`flightmap.tracks.split_flights` sets it)."""
    if not presorted and table.num_rows > 1:
        table = table.take(pa.array(sort_order(table)))
    # The same report in two files (overlapping downloads, a file given twice) counts once; the
    # readers drop such duplicates within a file.
    same = _duplicates(table)
    if same.any():
        table = table.filter(pa.array(~same))
    t = np.asarray(table.column(T_NS).to_numpy(), dtype="int64")
    cols: dict[str, Any] = {s.TIME: pd.to_datetime(t, unit="ns", utc=True)}
    tp = table.column(TP_NS)
    if tp.null_count < len(tp):
        # Exact nanoseconds (a float64 would round them to 256 ns).
        missing = np.asarray(tp.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        ns = np.asarray(tp.fill_null(0).to_numpy(zero_copy_only=False), dtype="int64")
        times = pd.to_datetime(ns, unit="ns", utc=True)
        cols[s.POSITION_TIME] = pd.Series(times).mask(missing).array
    strings = {pa.string(): pd.StringDtype(na_value=np.nan)}.get
    for name in table.column_names:
        col = table.column(name)
        if name in (AIRCRAFT, T_NS, TP_NS, SEQ, s.FLIGHT_ID, s.ICAO24) or col.null_count == len(
            col
        ):
            continue
        if pa.types.is_floating(col.type):
            cols[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype="float64")
        elif pa.types.is_boolean(col.type):
            cols[name] = col.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get).array
        else:
            cols[name] = col.to_pandas(types_mapper=strings).array
    cols[s.ICAO24] = table.column(AIRCRAFT).to_pandas(types_mapper=strings).array
    return pd.DataFrame(cols)


def cells_of_batch(
    table: pa.Table, options: GridOptions, *, presorted: bool = False
) -> pd.DataFrame:
    """Per window and cell, the counts of the whole aircraft in ``table`` (columns
    :data:`flightmap.analysis.area.WINDOW_CELL_COLUMNS`; ``presorted``: sorted by aircraft,
    time and sequence already). Their integrity states come from
    :func:`flightmap.analysis.report_states.report_states`: the rules of ``flightmap analyse``."""
    from flightmap.analysis._prep import prepare
    from flightmap.analysis.report_states import report_states
    from flightmap.tracks import split_flights

    if table.num_rows == 0:
        return pd.DataFrame({c: [] for c in WINDOW_CELL_COLUMNS})
    p = prepare(split_flights(from_staging(table, presorted=presorted)))
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
