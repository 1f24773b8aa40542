"""The per-aircraft stage every engine runs on a batch of whole aircraft.

:func:`cells_of_batch` takes rows in the staging layout (:mod:`flightmap.jamming.inputs`) of
some aircraft, all of each one's rows, cuts them into flights
(:func:`flightmap.tracks.split_flights`: across file boundaries too), runs the single-flight
analysis (:func:`flightmap.analysis.analyse`, the same rules as ``flightmap analyse``) and
returns each flight's reports per cell and window
(:func:`flightmap.analysis.area.aircraft_cells`). Every step works flight by flight, so the
concatenated results of any split of the aircraft into batches are the same rows: what makes
DuckDB, Dask and pandas agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.analysis.area import (
    AIRCRAFT_CELL_COLUMNS,
    MAX_INTERP_S,
    aircraft_cells,
    grid_from_aircraft_cells,
)
from flightmap.analysis.params import IntegrityParams
from flightmap.jamming.inputs import AIRCRAFT, SEQ, T_NS, TP_NS

__all__ = ["GridOptions", "cells_of_batch", "from_staging", "grid_of_cells"]


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


def from_staging(table: pa.Table, *, presorted: bool = False) -> pd.DataFrame:
    """Rows in the staging layout as a canonical track, sorted by (aircraft, time, sequence)
    (``presorted``: they already are), exact duplicates dropped; ``icao24`` is set to the
    aircraft key, so flights are cut by the same key as batches."""
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
    if not presorted:
        df = df.sort_values([AIRCRAFT, T_NS, SEQ], kind="stable", ignore_index=True)
    # The same report in two files (overlapping downloads, a file given twice) counts once; the
    # readers drop such duplicates within a file.
    same = df.duplicated(subset=[c for c in df.columns if c != SEQ], keep="first")
    if same.any():
        df = df[~same.to_numpy()].reset_index(drop=True)
    df[s.TIME] = pd.to_datetime(df[T_NS].to_numpy(dtype="int64"), unit="ns", utc=True)
    tp = df[TP_NS]
    if tp.notna().any():
        ns = tp.to_numpy(dtype="float64", na_value=np.nan)
        times = pd.to_datetime(np.where(np.isnan(ns), 0, ns).astype("int64"), unit="ns", utc=True)
        df[s.POSITION_TIME] = pd.Series(times).mask(np.isnan(ns))
    df[s.ICAO24] = df[AIRCRAFT]
    for col in (s.STALE, s.ON_GROUND, s.NEW_LEG):
        if df[col].isna().all():
            df = df.drop(columns=col)
    out: pd.DataFrame = df.drop(columns=[T_NS, TP_NS, SEQ])
    return out


def cells_of_batch(
    table: pa.Table, options: GridOptions, *, presorted: bool = False
) -> pd.DataFrame:
    """Per flight, cell and window, the reports by state (columns
    :data:`flightmap.analysis.area.AIRCRAFT_CELL_COLUMNS`) of the whole aircraft in ``table``
    (``presorted``: sorted by aircraft, time and sequence already, as DuckDB returns them)."""
    from flightmap.analysis.integrity import analyse
    from flightmap.tracks import split_flights

    if table.num_rows == 0:
        return pd.DataFrame({c: [] for c in AIRCRAFT_CELL_COLUMNS})
    track = split_flights(from_staging(table, presorted=presorted))
    return aircraft_cells(
        analyse(track, options.params),
        window=options.window,
        grid=options.grid,
        resolution=options.resolution,
        cell_deg=options.cell_deg,
        sample_s=options.sample_s,
        max_carry_s=options.max_carry_s,
        max_interp_s=options.max_interp_s,
    )


def grid_of_cells(parts: list[pd.DataFrame], options: GridOptions) -> pd.DataFrame:
    """The grid (:data:`flightmap.analysis.area.GRID_COLUMNS`) from the batches' results."""
    parts = [p for p in parts if len(p)]
    per = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return grid_from_aircraft_cells(
        per,
        window=options.window,
        grid=options.grid,
        cell_deg=options.cell_deg,
        bad_share=options.bad_share,
        min_aircraft=options.min_aircraft,
    )
