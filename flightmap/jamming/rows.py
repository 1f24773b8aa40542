"""Reports in the staging layout as numpy arrays, text as integer codes: what batches are made of.

Sorting, cutting and carrying millions of rows from one file to the next costs little when every
column is a number: :func:`encode` turns an Arrow table in the staging layout
(:data:`flightmap.jamming.inputs.STAGING_SCHEMA`) into :class:`Rows`, whose text columns are
codes into :class:`Labels` shared by all the batches of a run (each distinct text is hashed once
per file, then only integers move). :func:`track_of` builds the canonical track the analysis
reads, text columns as Categoricals (as the readers hand them over). Nulls: NaN for floats,
-1 for booleans (int8) and text codes, :data:`NULL_NS` for ``tp_ns``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.jamming.inputs import AIRCRAFT, SEQ, STAGING_SCHEMA, T_NS, TP_NS

__all__ = ["NULL_NS", "Labels", "Rows", "duplicates", "encode", "sort_order", "track_of"]

NULL_NS: Final = int(np.iinfo(np.int64).min)
"""``tp_ns`` of a report without a position time."""

Array = np.ndarray[Any, Any]


class Labels:
    """The distinct values of each text column met so far, numbered in order of appearance."""

    def __init__(self) -> None:
        self._index: dict[str, pd.Index] = {}

    def codes(self, name: str, column: pa.ChunkedArray | pa.Array) -> Array:
        """Codes (int32, -1 for null) of the values of text column ``name``."""
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if arr.null_count == len(arr):
            return np.full(len(arr), -1, dtype="int32")
        enc = arr.dictionary_encode()
        local = pd.Index(enc.dictionary.to_pylist(), dtype=object)
        index = self._index.get(name)
        if index is None:
            index = self._index[name] = local
            mapping = np.arange(len(local), dtype="int32")
        else:
            mapping = np.asarray(index.get_indexer(local), dtype="int32")
            new = mapping < 0
            if new.any():
                mapping[new] = np.arange(len(index), len(index) + int(new.sum()), dtype="int32")
                index = self._index[name] = index.append(local[new])
        mapping = np.append(mapping, np.int32(-1))  # the null code -1 maps to itself
        found = np.asarray(enc.indices.fill_null(-1).to_numpy(), dtype="int64")
        return np.asarray(mapping[found], dtype="int32")

    def categorical(self, name: str, codes: Array) -> pd.Categorical:
        """The values of ``codes`` (of column ``name``) as a Categorical."""
        return pd.Categorical.from_codes(codes, categories=self._index.get(name, pd.Index([])))


_TEXT: Final = frozenset(f.name for f in STAGING_SCHEMA if pa.types.is_string(f.type))
_KIND: Final = {
    f.name: (
        "text"
        if f.name in _TEXT
        else "float"
        if pa.types.is_floating(f.type)
        else "bool"
        if pa.types.is_boolean(f.type)
        else "int"
    )
    for f in STAGING_SCHEMA
}
_NULL: Final = {
    "text": (-1, "int32"),
    "float": (np.nan, "float64"),
    "bool": (-1, "int8"),
    "int": (NULL_NS, "int64"),
}


@dataclass(frozen=True)
class Rows:
    """Rows of the staging layout, one numpy array per column (see the module docstring)."""

    cols: dict[str, Array]

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.cols[T_NS])

    def take(self, idx: Array | slice) -> Rows:
        """The rows ``idx`` (indices or a mask)."""
        return Rows({k: v[idx] for k, v in self.cols.items()})

    def column(self, name: str) -> Array:
        """Column ``name``, all null when it is not held."""
        if name in self.cols:
            return self.cols[name]
        return np.full(self.n, *_NULL[_KIND[name]])

    @staticmethod
    def concat(parts: list[Rows]) -> Rows:
        """The rows of ``parts`` one after the other."""
        if len(parts) == 1:
            return parts[0]
        names = [f.name for f in STAGING_SCHEMA if any(f.name in p.cols for p in parts)]
        return Rows({k: np.concatenate([p.column(k) for p in parts]) for k in names})


def encode(table: pa.Table, labels: Labels) -> Rows:
    """``table`` (the staging layout's columns, by name; absent ones are null) as
    :class:`Rows`, its text coded with ``labels``; columns without a value are not held
    (:meth:`Rows.column` gives them as nulls)."""
    cols: dict[str, Array] = {}
    present = set(table.column_names)
    for field in STAGING_SCHEMA:
        if field.name not in present:
            continue
        col = table.column(field.name)
        if field.name in (T_NS, SEQ):
            cols[field.name] = np.asarray(col.to_numpy(), dtype="int64")
        elif col.null_count == len(col):
            continue
        elif field.name in _TEXT:
            cols[field.name] = labels.codes(field.name, col)
        elif field.name == TP_NS:
            cols[field.name] = np.asarray(col.fill_null(NULL_NS).to_numpy(), dtype="int64")
        elif pa.types.is_floating(field.type):
            cols[field.name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype="float64")
        else:
            cols[field.name] = np.asarray(
                col.cast(pa.int8()).fill_null(-1).to_numpy(zero_copy_only=False), dtype="int8"
            )
    return Rows(cols)


def sort_order(rows: Rows) -> Array:
    """The order of ``rows`` by (aircraft code, time, sequence); aircraft in code order, a
    missing key last."""
    codes, t, seq = rows.column(AIRCRAFT).view("uint32"), rows.cols[T_NS], rows.cols[SEQ]
    # Each aircraft's rows mostly come in time order (files are time slices): a stable sort on
    # the key (numpy sorts small integers with a radix sort) is then enough; checked, and a
    # full sort on (key, time, sequence) otherwise.
    order = np.asarray(np.argsort(codes, kind="stable"), dtype="int64")
    c, ts, ss = codes[order], t[order], seq[order]
    dt = np.diff(ts)
    back = (c[1:] == c[:-1]) & ((dt < 0) | ((dt == 0) & (np.diff(ss) < 0)))
    if back.any():
        return np.asarray(np.lexsort((seq, t, codes)), dtype="int64")
    return order


def duplicates(rows: Rows, order: Array) -> Array:
    """Of ``rows`` taken in ``order`` (:func:`sort_order`), those repeating an earlier one in
    every column but the sequence: the same report in two files (overlapping downloads, a file
    given twice) counts once; the readers drop such duplicates within a file."""
    n = len(order)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    codes, t = rows.column(AIRCRAFT)[order], rows.cols[T_NS][order]
    same = np.zeros(n, dtype=bool)
    same[1:] = (t[1:] == t[:-1]) & (codes[1:] == codes[:-1])
    if not same.any():
        return out
    # Only rows sharing aircraft and time with a neighbour can repeat one another.
    cand = np.flatnonzero(same | np.append(same[1:], False))
    sub = pd.DataFrame({k: v[order[cand]] for k, v in rows.cols.items() if k != SEQ})
    out[cand] = sub.duplicated(keep="first").to_numpy()
    return out


def track_of(rows: Rows, labels: Labels) -> pd.DataFrame:
    """``rows`` as a canonical track (:mod:`flightmap.schema`), in their order; ``icao24`` is
    the aircraft key, so flights are cut by the same key as batches. Columns without a value
    are left out (the analysis reads them as absent), and ``flight_id`` too
    (:func:`flightmap.tracks.split_flights` sets it)."""
    c = rows.cols
    out: dict[str, Any] = {s.TIME: pd.to_datetime(c[T_NS], unit="ns", utc=True)}
    if TP_NS in c:
        tp = c[TP_NS]
        missing = tp == NULL_NS
        if not missing.all():
            times = pd.to_datetime(np.where(missing, 0, tp), unit="ns", utc=True)
            out[s.POSITION_TIME] = pd.Series(times).mask(missing).array
    for field in STAGING_SCHEMA:
        name = field.name
        if name in (AIRCRAFT, T_NS, TP_NS, SEQ, s.FLIGHT_ID, s.ICAO24) or name not in c:
            continue
        values = c[name]
        if pa.types.is_floating(field.type):
            if not np.isnan(values).all():
                out[name] = values
        elif name in _TEXT:
            if (values >= 0).any():
                out[name] = labels.categorical(name, values)
        elif (values >= 0).any():  # booleans
            out[name] = pd.arrays.BooleanArray(values == 1, values < 0)
    out[s.ICAO24] = labels.categorical(AIRCRAFT, rows.column(AIRCRAFT))
    return pd.DataFrame(out)
