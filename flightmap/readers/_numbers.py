"""Numeric columns of the readers: text or numbers to float64, booleans and small codes.

Each helper takes a raw column (strings or numbers, one value per input record), the record
numbers, and a :class:`~flightmap.readers._problems.Problems` collector; it returns clean values
in schema units and records a flag for each value it could not use. All helpers are vectorised.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap.readers._problems import Problems, set_to_na
from flightmap.readers._text import clean_text

# Unit conversions. 1 ft = 0.3048 m exactly and 1 NM = 1852 m exactly (international
# yard and pound agreement, 1959; International Hydrographic Conference, 1929).
M_PER_FT: Final = 0.3048
M_PER_NM: Final = 1852.0
FT_PER_M: Final = 1.0 / M_PER_FT  # 3.280839895...
KT_PER_MS: Final = 3600.0 / M_PER_NM  # 1.943844492...
FPM_PER_MS: Final = 60.0 / M_PER_FT  # 196.850393...

NUMBER: Final = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"


def to_float(
    values: pd.Series,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    *,
    scale: float = 1.0,
) -> np.ndarray:
    """Return ``values`` as float64 times ``scale``; unreadable values become NaN and a flag.

    Non-finite numbers (``inf``, ``1e400``) and numbers that overflow once scaled count as
    unreadable.
    """
    if values.dtype.kind in "fiub":
        raw = (
            values.to_numpy(copy=False)
            if values.dtype == "float64"
            else values.to_numpy(dtype="float64", na_value=np.nan)
        )
        shown: pd.Series | None = None
    else:
        text = clean_text(values)
        raw, shaped = text_numbers(text)
        shown = text  # only the flagged values become Python strings
        bad = text.notna().to_numpy() & ~shaped
        if bad.any():
            problems.add(
                records[bad],
                field_name,
                text[bad].to_numpy(),
                "bad_value",
                "not a number",
                "set to NA",
            )
    return finite(raw, records, field_name, problems, scale=scale, shown=shown)


def finite(
    raw: np.ndarray,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    *,
    scale: float = 1.0,
    shown: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """``raw * scale`` with infinities (given, or from an overflow) set to NaN and flagged.

    ``shown``: what each flag shows as the value (default ``raw``), one per value."""
    if scale != 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            out = raw * scale
    else:
        out = raw
    bad = np.isinf(out)
    if bad.any():
        out = set_to_na(
            out,
            bad,
            records,
            field_name,
            problems,
            "bad_value",
            np.where(np.isinf(raw[bad]), "not a finite number", "number too large"),
            shown=shown if shown is not None else raw,
        )
    return out


def text_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse text in Arrow: (float64 values, NaN where not a number; mask of number-shaped)."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    shaped = pc.fill_null(pc.match_substring_regex(arr, NUMBER), False)
    if (pc.sum(shaped).as_py() or 0) == len(arr) - arr.null_count:
        only = arr  # every value present is a number: no copy of the text without the others
    else:
        only = pc.if_else(shaped, arr, pa.scalar(None, pa.large_string()))
    num = np.asarray(pc.cast(only, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    return num, np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)


def to_bool(
    values: pd.Series, records: np.ndarray, field_name: str, problems: Problems
) -> pd.Series:
    """Return ``values`` as nullable booleans (true/false/1/0/yes/no, any case)."""
    if values.dtype == "bool" or values.dtype == "boolean":
        return values.astype("boolean").reset_index(drop=True)
    text = clean_text(values, lower=True)
    mapping = {
        "true": True,
        "1": True,
        "yes": True,
        "t": True,
        "1.0": True,
        "false": False,
        "0": False,
        "no": False,
        "f": False,
        "0.0": False,
    }
    mapped = text.map(mapping)
    out = pd.Series(pd.array(mapped.to_numpy(dtype=object), dtype="boolean"))
    bad = text.notna().to_numpy() & out.isna().to_numpy()
    if bad.any():
        problems.add(
            records[bad],
            field_name,
            text[bad].to_numpy(),
            "bad_value",
            "not true or false",
            "set to NA",
        )
    return out


def to_small_int(
    values: np.ndarray, records: np.ndarray, field_name: str, problems: Problems, lo: int, hi: int
) -> pd.Series:
    """Float codes to ``Int8``; values outside [lo, hi] or not whole are flagged and set to NA."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((values < lo) | (values > hi) | (values != np.round(values)))
    problem = f"not an integer in [{lo}, {hi}]"
    values = set_to_na(values, bad, records, field_name, problems, "out_of_range", problem)
    return pd.Series(pd.array(values, dtype="Float64")).astype("Int8")
