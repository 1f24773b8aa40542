"""Inputs of an area run: which files, and each file as rows in the *staging* layout.

:func:`expand_inputs` turns the command line's files, folders and globs into a sorted list of
files. :func:`load_file` reads one of them (any format :func:`flightmap.readers.read_track`
reads, or Parquet in flightmap's schema as ``flightmap convert`` writes it) and returns it in the
staging layout (:data:`STAGING_SCHEMA`): the columns the analysis uses, times as integer
nanoseconds (exact through Parquet and DuckDB, whose timestamps stop at microseconds), the
aircraft key every engine partitions by, and a sequence number that orders equal times the same
way in every engine. It never writes; :mod:`flightmap.jamming.staging` does.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.errors import InputError

__all__ = ["AIRCRAFT", "SEQ", "STAGING_SCHEMA", "TP_NS", "T_NS", "expand_inputs", "load_file"]

AIRCRAFT: Final = "aircraft"
"""Staging column: the aircraft (``icao24``, else ``callsign``, else ``flight_id``); every
engine keeps an aircraft's rows together, so its flights are cut and analysed whole."""
T_NS: Final = "t_ns"
"""Staging column: ``time`` in nanoseconds since the epoch (UTC)."""
TP_NS: Final = "tp_ns"
"""Staging column: ``position_time`` in nanoseconds (null: not given)."""
SEQ: Final = "seq"
"""Staging column: file number times 2**40 plus the row's number in its file; the tie-break
after (aircraft, time)."""

_FLOATS: Final = (
    s.LAT,
    s.LON,
    s.GS_KT,
    s.TRACK_DEG,
    s.ALT_BARO_FT,
    s.ALT_GEOM_FT,
    s.NIC,
    s.NAC_P,
)
_BOOLS: Final = (s.STALE, s.ON_GROUND, s.NEW_LEG)
_STRINGS: Final = (s.ICAO24, s.CALLSIGN, s.FLIGHT_ID, s.CATEGORY, s.SOURCE)

STAGING_SCHEMA: Final = pa.schema(
    [
        (AIRCRAFT, pa.string()),
        (T_NS, pa.int64()),
        (TP_NS, pa.int64()),
        (SEQ, pa.int64()),
        *[(c, pa.float64()) for c in _FLOATS],
        *[(c, pa.bool_()) for c in _BOOLS],
        *[(c, pa.string()) for c in _STRINGS],
    ]
)
"""The staging layout: one row per report, whatever the input format."""

INPUT_SUFFIXES: Final = (".csv", ".csv.gz", ".json", ".json.gz", ".gz", ".kml", ".parquet")
"""Files a folder is searched for (other files in it are left alone)."""


def _is_input(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith(".") and name.endswith(INPUT_SUFFIXES)


def expand_inputs(items: list[str] | list[Path]) -> list[Path]:
    """Files named by ``items``: files as they are, folders searched recursively for
    :data:`INPUT_SUFFIXES`, globs (``*``, ``?``, ``[``, ``**``) expanded; sorted, each once.

    Raises
    ------
    InputError
        A path that does not exist, a glob or folder that matches no file.
    """
    out: dict[Path, None] = {}
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in found if p.is_file()]
            if not files:
                raise InputError("no file matches this pattern", path=text)
        else:
            path = Path(text)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if _is_input(p))
                if not files:
                    # The reader's words (the single-file command said the same).
                    raise InputError("is a directory, expected a track file", path=path)
            elif path.exists():
                files = [path]
            else:
                raise InputError("no such file", path=path)
        out.update(dict.fromkeys(files))
    return sorted(out)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise InputError(f"not a readable Parquet file ({msg})", path=path) from None
    for col in (s.TIME, s.LAT, s.LON):
        if col not in df.columns:
            raise InputError(
                "column missing (expected flightmap's track schema)", path=path, field=col
            )
    if not isinstance(df[s.TIME].dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"times must be tz-aware (UTC), got {df[s.TIME].dtype}", path=path, field=s.TIME
        )
    if s.FLIGHT_ID not in df.columns and s.ICAO24 not in df.columns:
        raise InputError("needs flight_id or icao24", path=path, field=s.FLIGHT_ID)
    return df


def _ns(series: pd.Series) -> np.ndarray:
    values = series.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
    return np.asarray(values.view("int64"))


def staging_table(track: pd.DataFrame, file_no: int) -> pa.Table:
    """A canonical track (:mod:`flightmap.schema`) in the staging layout."""
    n = len(track)
    if track[s.TIME].isna().any():
        raise InputError("time is missing (NaT)", field=s.TIME)
    cols: dict[str, pa.Array] = {}
    key = pd.Series([None] * n, dtype=object, index=track.index)
    for col in (s.FLIGHT_ID, s.CALLSIGN, s.ICAO24):  # the last one given wins
        if col in track.columns:
            values = track[col].astype(object)
            key = values.where(values.notna(), key)
    cols[AIRCRAFT] = pa.array(key.to_numpy(), pa.string(), from_pandas=True)
    cols[T_NS] = pa.array(_ns(track[s.TIME]), pa.int64())
    if s.POSITION_TIME in track.columns:
        tp = track[s.POSITION_TIME]
        cols[TP_NS] = pa.array(_ns(tp), pa.int64(), mask=tp.isna().to_numpy())
    else:
        cols[TP_NS] = pa.nulls(n, pa.int64())
    cols[SEQ] = pa.array((file_no << 40) + np.arange(n, dtype="int64"), pa.int64())
    for col in _FLOATS:
        if col in track.columns:
            vals = track[col].to_numpy(dtype="float64", na_value=np.nan)
            cols[col] = pa.array(vals, pa.float64(), mask=np.isnan(vals))
        else:
            cols[col] = pa.nulls(n, pa.float64())
    for col in _BOOLS:
        if col in track.columns:
            series = track[col]
            cols[col] = pa.array(
                series.to_numpy(dtype=bool, na_value=False),
                pa.bool_(),
                mask=series.isna().to_numpy(),
            )
        else:
            cols[col] = pa.nulls(n, pa.bool_())
    for col in _STRINGS:
        if col in track.columns:
            values = track[col].astype(object)
            values = values.where(values.isna(), values.astype(str))
            cols[col] = pa.array(values.to_numpy(), pa.string(), from_pandas=True)
        else:
            cols[col] = pa.nulls(n, pa.string())
    return pa.Table.from_pydict(cols, schema=STAGING_SCHEMA)


def load_file(
    path: Path,
    file_no: int,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
) -> tuple[pa.Table, int]:
    """One input file in the staging layout, and the number of problems its reader flagged.

    Parquet files (``.parquet``) are read as flightmap's track schema; anything else goes
    through :func:`flightmap.readers.read_track` (``fmt``, ``mapping``, ``tz`` as there).

    Raises
    ------
    InputError
        The file cannot be read (the reader's message, with the file and line).
    """
    if path.name.lower().endswith(".parquet") and fmt is None:
        track, problems = _read_parquet(path), 0
    else:
        from flightmap.readers import read_track

        result = read_track(path, fmt, mapping=mapping, tz=tz)
        track, problems = result.track, len(result.flags)
    try:
        return staging_table(track, file_no), problems
    except InputError as exc:
        raise InputError(exc.message, path=path, field=exc.field) from None
