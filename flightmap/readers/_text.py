"""Text columns of the readers: null tokens, stripping, squawks, per-distinct-value work.

Each helper takes a raw column (one value per input record) and returns text in the schema's
string dtype (or a ``Categorical``, see :func:`on_uniques`), NA where there is no value. Nothing
here raises flags: text is never unreadable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap import schema

# Text read as "no value" (pyarrow's CSV defaults, used by the slow path too).
NULL_TOKENS: Final = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "n/a",
        "nan",
        "null",
        "None",
    }
)


def as_text(values: pd.Series) -> pd.Series:
    """Return ``values`` as the schema's string dtype (numbers formatted, NA kept)."""
    if values.dtype == schema.STR_DTYPE:
        return values
    return values.astype(schema.STR_DTYPE)


DISTINCT_SAMPLE: Final = 4096
"""Values of a text column looked at to tell repeated text (callsigns) from nearly unique text
(positions, times): see :func:`on_uniques`."""


def on_uniques(
    values: pd.Series,
    fn: Callable[[pd.Series], pd.Series],
    *,
    codes: bool = False,
    per_value: bool | None = None,
) -> pd.Series:
    """Apply a text transformation to each distinct value once, then spread the results.

    Aircraft addresses, callsigns and squawks repeat over millions of rows but take few
    distinct values: dictionary-encoding first makes the string work nearly free. Positions
    and times are nearly all distinct, and dictionary-encoding a million of them costs more
    than the work itself (1.2 s against 0.04 s): when more than half of the first
    :data:`DISTINCT_SAMPLE` values are distinct, ``fn`` runs on the whole column instead (with
    ``per_value``, True or False, the caller decides). Both ways give the same result: ``fn``
    works value by value, and NA stays NA.

    With ``codes``, the result is a pandas ``Categorical`` of the transformed values (NA where
    ``fn`` gives NA), not text: the track's code (:func:`flightmap.tracks.clean`,
    :func:`flightmap.tracks.split_flights`) then compares and groups integers instead of hashing
    millions of strings again, and :func:`flightmap.schema.conform` turns it into text.
    """
    rows: np.ndarray | None = None  # index of each row's value in ``uniques``, -1 for NA
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques, rows = _categories_in_order(values)
        take_at: pa.Array | pa.ChunkedArray = pa.array(rows, mask=rows < 0)
    else:
        arr = pa.chunked_array(
            [pa.array(as_text(values), type=pa.large_string(), from_pandas=True)]
            if not isinstance(values.array, pd.arrays.ArrowStringArray)
            else pa.array(values, type=pa.large_string())
        )
        if len(arr) == 0:
            out = fn(as_text(values).reset_index(drop=True))
            return (
                out.astype(pd.CategoricalDtype(pd.Index([], dtype=schema.STR_DTYPE)))
                if codes
                else out
            )
        if per_value is None:
            sample = arr.slice(0, DISTINCT_SAMPLE)
            per_value = pc.count_distinct(sample, mode="all").as_py() * 2 > len(sample)
        if per_value:
            return _on_values(as_text(values).reset_index(drop=True), fn, codes=codes)
        enc = arr.dictionary_encode().unify_dictionaries()
        take_at = pa.chunked_array([c.indices for c in enc.chunks], type=enc.type.index_type)
        uniques = pd.Series(enc.chunk(0).dictionary, dtype=schema.STR_DTYPE)
    if codes:
        if rows is None:
            rows = pc.fill_null(take_at, -1).to_numpy()
        # Transformed values may coincide ("ABC" and "abc ") or be NA: number them again.
        new, categories = pd.factorize(fn(uniques), use_na_sentinel=True)
        remap = np.append(np.asarray(new, dtype="int32"), np.int32(-1))  # index -1: null
        return pd.Series(
            pd.Categorical.from_codes(
                remap[rows], categories=pd.Index(np.asarray(categories), dtype=schema.STR_DTYPE)
            )
        )
    mapped = pa.array(fn(uniques), type=pa.large_string(), from_pandas=True)
    return pd.Series(pc.take(mapped, take_at), dtype=schema.STR_DTYPE)


def _on_values(text: pd.Series, fn: Callable[[pd.Series], pd.Series], *, codes: bool) -> pd.Series:
    """:func:`on_uniques` value by value: ``fn`` on the whole column (NA kept NA, as the
    dictionary way never shows NA to ``fn``); categories, with ``codes``, in order of first
    appearance, as the dictionary way numbers them."""
    out = fn(text).astype(schema.STR_DTYPE).where(text.notna())
    if not codes:
        return out.reset_index(drop=True)
    new, categories = pd.factorize(out, use_na_sentinel=True)
    return pd.Series(
        pd.Categorical.from_codes(
            np.asarray(new, dtype="int32"),
            categories=pd.Index(np.asarray(categories), dtype=schema.STR_DTYPE),
        )
    )


def _categories_in_order(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The distinct values of a Categorical (a text column the CSV parser dictionary-encoded)
    in order of first appearance, as ``dictionary_encode`` gives them for text, and each row's
    index among them (-1 for NA)."""
    codes = values.cat.codes.to_numpy()
    seen = pd.unique(codes)
    seen = seen[seen >= 0]
    position = np.full(len(values.cat.categories) + 1, -1, dtype="int64")  # index -1: NA
    position[seen] = np.arange(len(seen))
    uniques = as_text(pd.Series(values.cat.categories[seen])).reset_index(drop=True)
    return uniques, position[codes]


def clean_text(
    values: pd.Series, *, lower: bool = False, codes: bool = False, per_value: bool | None = None
) -> pd.Series:
    """Strip spaces; empty strings and null tokens become NA; optionally lower-case.

    ``codes``: return a ``Categorical``; ``per_value``: how the work is done (the same
    result either way); see :func:`on_uniques`.

    >>> clean_text(pd.Series([" SWR123 ", "", "NaN", None, "ABC"]), lower=True).tolist()
    ['swr123', nan, nan, nan, 'abc']
    """

    def fix(u: pd.Series) -> pd.Series:
        u = u.str.strip()
        if lower:
            u = u.str.lower()
        return u.where(~u.isin(list(NULL_TOKENS)))

    return on_uniques(values, fix, codes=codes, per_value=per_value)


def squawk_text(
    values: pd.Series, *, codes: bool = False, per_value: bool | None = None
) -> pd.Series:
    """Mode A codes as 4-digit text: ``"7700"``; numbers read as ``1234.0`` lose the ``.0``;
    codes that lost leading zeros (``123``) get them back. ``codes``, ``per_value``: see
    :func:`on_uniques`.

    >>> squawk_text(pd.Series(["7700", "123", "1234.0", None])).tolist()
    ['7700', '0123', '1234', nan]
    """

    def fix(u: pd.Series) -> pd.Series:
        u = u.str.strip()
        u = u.where(~u.isin(list(NULL_TOKENS))).str.replace(r"\.0+$", "", regex=True)
        short = u.str.fullmatch(r"\d{1,3}").fillna(False).to_numpy(dtype=bool)
        return u.where(~short, u.str.zfill(4))

    return on_uniques(values, fix, codes=codes, per_value=per_value)


def no_surrogates(value: object) -> str | None:
    """Text with lone surrogates replaced by U+FFFD (None for what is not text)."""
    if not isinstance(value, str):
        return None if pd.isna(value) else str(value)  # type: ignore[call-overload]
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def constant_str(value: str, n: int) -> pd.Series:
    """A string column holding ``value`` ``n`` times, built without Python objects."""
    return pd.Series(pa.repeat(pa.scalar(value, pa.large_string()), n), dtype=schema.STR_DTYPE)
