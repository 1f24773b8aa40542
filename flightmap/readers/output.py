"""Writing a canonical track to CSV, Parquet or GeoJSON, atomically.

The file appears complete or not at all: it is written to a temporary file in the same folder
and moved into place with :func:`os.replace`. Nothing else in flightmap writes track files.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flightmap import schema as s
from flightmap.errors import InputError

__all__ = ["OUTPUT_TYPES", "output_type", "write_track"]

OUTPUT_TYPES: Final = {".csv": "csv", ".parquet": "parquet", ".geojson": "geojson"}


def output_type(path: str | Path) -> str:
    """``"csv"``, ``"parquet"`` or ``"geojson"`` from the file name; :class:`InputError` if none.

    >>> output_type("out/AHY8243.geojson")
    'geojson'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_TYPES:
        raise InputError(
            f"unknown output type {suffix or '(none)'!r}; expected {', '.join(OUTPUT_TYPES)}",
            path=path,
            field="--output",
        )
    return OUTPUT_TYPES[suffix]


def write_track(track: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical track to ``path``; the type follows the suffix.

    - ``.csv``: the schema's columns; times as ISO 8601 UTC to the millisecond
      (``2024-12-25T04:13:30.500Z``); NA as empty fields. ``read_track`` reads it back.
    - ``.parquet``: the frame as is (dtypes and time zone kept).
    - ``.geojson``: a FeatureCollection, one Point feature per report (``[lon, lat]``;
      ``null`` geometry for reports without a position) with every other column as properties.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        Unknown suffix or missing folder.
    """
    out = Path(path)
    kind = output_type(out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("folder does not exist", path=folder, field="--output")
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            if kind == "csv":
                _write_csv(track, f)
            elif kind == "parquet":
                track.to_parquet(f, index=False)
            else:
                _write_geojson(track, f)
        os.chmod(tmp, _mode_for(out))  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return out


def _mode_for(path: Path) -> int:
    """The mode a new file would get (umask applied), or the mode of the file it replaces."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _arrow(track: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(track, preserve_index=False)
    i = table.schema.get_field_index(s.TIME)
    times = pc.cast(table.column(i), pa.timestamp("ms", tz="UTC"), safe=False)
    text = pc.binary_join_element_wise(
        pc.strftime(times, format="%Y-%m-%dT%H:%M:%S", locale="C"), "Z", ""
    )
    return table.set_column(i, s.TIME, text)


def _write_csv(track: pd.DataFrame, f: IO[bytes]) -> None:
    pacsv.write_csv(_arrow(track), f, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _write_geojson(track: pd.DataFrame, f: IO[bytes]) -> None:
    lat = track[s.LAT].to_numpy(dtype="float64")
    lon = track[s.LON].to_numpy(dtype="float64")
    has = ~np.isnan(lat) & ~np.isnan(lon)
    point = (
        '{"type":"Point","coordinates":['
        + pd.Series(lon).astype(s.STR_DTYPE)
        + ","
        + pd.Series(lat).astype(s.STR_DTYPE)
        + "]}"
    )
    geometry = point.where(pd.Series(has), "null")
    props = track.drop(columns=[s.LAT, s.LON]).reset_index(drop=True)
    props[s.TIME] = _arrow(track[[s.TIME]]).column(0).to_pandas()
    lines = pd.Series(props.to_json(orient="records", lines=True).splitlines(), dtype=s.STR_DTYPE)
    features = '{"type":"Feature","geometry":' + geometry + ',"properties":' + lines + "}"
    f.write(b'{"type":"FeatureCollection","features":[\n')
    f.write(",\n".join(features.tolist()).encode())
    f.write(b"\n]}\n")
