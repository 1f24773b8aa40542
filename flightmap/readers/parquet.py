"""Parquet in flightmap's track schema, as ``flightmap convert FILE -o OUT.parquet`` writes it.

The file already holds a canonical track (:mod:`flightmap.schema`): flights split, values
converted and flagged, ``source`` naming the format it was first read from, ``record`` the
line or entry there. It is read back as it is: columns missing from the file are added as NA
(:func:`flightmap.schema.conform`), columns the schema does not know are ignored, rows are put in
time order if they are not, and the frame is checked (:func:`flightmap.schema.validate`).
Nothing is cleaned or split again, so the flight ids, flags and record numbers are those of the
first read. ``time``, ``lat``, ``lon`` and ``flight_id`` must be there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.errors import InputError

REQUIRED: Final = (s.TIME, s.LAT, s.LON, s.FLIGHT_ID)


def read_parquet_track(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a track written by ``flightmap convert``: the canonical frame and its mapping
    (schema column -> the same column in the file).

    Raises
    ------
    InputError
        Not a readable Parquet file; a required column missing; a column of the wrong type
        (naive times, text latitudes...); any value :func:`flightmap.schema.validate` refuses.
    """
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
        wanted = [c.name for c in s.COLUMNS if c.name in names]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise InputError(
                "column missing: expected flightmap's track schema (flightmap convert "
                "FILE -o OUT.parquet)",
                path=path,
                field=missing[0],
            )
        table = pq.read_table(path, columns=wanted)
    except (OSError, ValueError, pa.ArrowException) as exc:
        if isinstance(exc, InputError):
            raise
        msg = " ".join(str(exc).split())[:120]
        raise InputError(f"not a readable Parquet file ({msg})", path=path) from None
    if table.num_rows == 0:
        raise InputError("no reports: the file holds no rows", path=path)
    df = table.to_pandas(types_mapper=_pandas_type)
    for col in s.COLUMNS:
        if col.name in df.columns and str(df[col.name].dtype) != col.dtype:
            df[col.name] = _convert(df[col.name], col, path)
    t = s.epoch_ns(df[s.TIME])
    if (np.diff(t) < 0).any():
        df = df.iloc[np.argsort(t, kind="stable")].reset_index(drop=True)
    track = s.conform(df)
    s.validate(track, path=path)
    return track, {c: c for c in wanted}


def _pandas_type(t: pa.DataType) -> object:
    """Text as the schema's ``str`` dtype (Arrow-backed); other types as pandas maps them."""
    if pa.types.is_large_string(t) or pa.types.is_string(t):
        return s.STR_DTYPE
    return None


def _convert(values: pd.Series, col: s.Column, path: Path) -> pd.Series:
    """A column whose stored type is not the schema's: cast where that loses nothing (int8 with
    nulls read as float, int32 records...), else the schema's one-line error."""
    dtype = values.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    out: pd.Series
    try:
        if col.dtype == "datetime64[ns, UTC]" and isinstance(dtype, pd.DatetimeTZDtype):
            out = values.dt.tz_convert("UTC").astype(s.TIME_DTYPE)
            return out
        if (col.dtype in ("float64", "int64", "Int8") and numeric) or (
            col.dtype == "boolean" and pd.api.types.is_bool_dtype(dtype)
        ):
            out = values.astype(pd.api.types.pandas_dtype(col.dtype))
            return out
    except (TypeError, ValueError, OverflowError):
        pass
    if col.dtype == "str" and isinstance(values.dtype, pd.CategoricalDtype):
        return s.as_str(values)
    raise InputError(
        f"stored as {values.dtype}, expected {col.dtype} (flightmap's track schema)",
        path=path,
        field=col.name,
    )
