"""Writing a jamming grid: GeoJSON (what ``flightmap render --jamming-grid`` draws) or Parquet
(one row per cell and window, the polygon as WKB in ``geometry``). Atomic: the file appears
complete or not at all (:mod:`flightmap.atomic`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Final

import pandas as pd

from flightmap.errors import InputError

__all__ = ["GRID_SUFFIXES", "write_grid"]

GRID_SUFFIXES: Final = (".geojson", ".parquet")


def write_grid(grid: pd.DataFrame, path: Path) -> Path:
    """Write ``grid`` (:data:`flightmap.analysis.area.GRID_COLUMNS`) to ``path``, by suffix.

    Raises
    ------
    InputError
        The suffix is neither ``.geojson`` nor ``.parquet``.
    """
    from flightmap.atomic import atomic_write, write_text

    suffix = path.suffix.lower()
    if suffix == ".geojson":
        from flightmap.analysis.area import jamming_geojson

        doc = jamming_geojson(grid)
        return write_text(path, json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n")
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        from shapely import to_wkb

        frame = grid.assign(geometry=list(to_wkb(list(grid["geometry"]))) if len(grid) else [])
        table = pa.Table.from_pandas(frame, preserve_index=False)

        def write(fh: IO[bytes]) -> None:
            pq.write_table(table, fh)

        return atomic_write(path, write, binary=True)
    raise InputError(
        f"unknown output type {suffix or '(none)'!r}; expected {' or '.join(GRID_SUFFIXES)}",
        path=path,
        field="--output",
    )
