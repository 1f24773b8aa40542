"""Values taken from parsed JSON (readsb traces, OpenSky REST states): numbers and text.

A JSON number is a number and JSON text is text: anything else in their place (``"40.5"``,
booleans, lists, objects, ``NaN``) is flagged in a
:class:`~flightmap.readers._problems.Problems` collector, shown short, and set to NA.
"""

from __future__ import annotations

import reprlib
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema
from flightmap.readers._numbers import finite
from flightmap.readers._problems import Problems
from flightmap.readers._text import no_surrogates

_NUMBER_TYPES: Final = frozenset({float, int, type(None)})
_TEXT_TYPES: Final = frozenset({str, type(None)})


def object_numbers(
    values: tuple[object, ...] | list[object],
    rec: np.ndarray,
    field: str,
    problems: Problems,
    *,
    scale: float = 1.0,
) -> np.ndarray:
    """Numbers from JSON values (None -> NaN) times ``scale``.

    Anything else (text, even ``"40.5"``, booleans, lists, objects, ``NaN``/``Infinity``, ints
    too large for a float) is flagged and set to NA: a JSON number is a number, nothing else.
    """
    vals = values if isinstance(values, list) else list(values)
    n = len(vals)
    out: np.ndarray | None = None
    wrong = np.zeros(n, dtype=bool)
    if set(map(type, vals)) <= _NUMBER_TYPES:
        try:
            out = np.array(vals, dtype="float64")
        except OverflowError:
            out = None
    if out is None:
        out = np.full(n, np.nan)
        for i, v in enumerate(vals):
            kind = type(v)
            if kind is float or kind is int:
                try:
                    out[i] = float(v)  # type: ignore[arg-type]
                except OverflowError:
                    wrong[i] = True
            elif v is not None:
                wrong[i] = True
        _flag_json_values(problems, rec, field, vals, wrong, "not a number")
    nan = np.flatnonzero(np.isnan(out))
    # Every NaN a null or a flagged value (counted in C): no NaN parsed from the text.
    if nan.size and nan.size != vals.count(None) + int(wrong.sum()):
        # JSON has no NaN, but Python's parser reads one: a NaN that is not a null is flagged.
        real = np.array([i for i in nan if vals[i] is not None and not wrong[i]], dtype="int64")
        if real.size:
            problems.add(
                rec[real],
                field,
                ["NaN"] * real.size,
                "bad_value",
                "not a finite number",
                "set to NA",
            )
    return finite(out, rec, field, problems, scale=scale)


def _flag_json_values(
    problems: Problems,
    rec: np.ndarray,
    field: str,
    vals: list[object],
    wrong: np.ndarray,
    problem: str,
) -> None:
    """Flag the JSON values where ``wrong`` (shown short) as ``bad_value``, set to NA."""
    if wrong.any():
        shown = [shown_value(vals[i]) for i in np.flatnonzero(wrong)]
        problems.add(rec[wrong], field, shown, "bad_value", problem, "set to NA")


def shown_value(value: object) -> str:
    """A JSON value (however long or deeply nested) as at most 60 characters, for a flag."""
    if isinstance(value, str):
        text = no_surrogates(value) or ""
    elif value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    else:
        r = reprlib.Repr()
        r.maxlevel, r.maxstring, r.maxother, r.maxlist, r.maxdict = 3, 40, 40, 6, 4
        text = r.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def object_text(
    values: tuple[object, ...] | list[object], rec: np.ndarray, field: str, problems: Problems
) -> pd.Series:
    """Text from JSON values (None -> NA); anything else is flagged and set to NA."""
    vals = values if isinstance(values, list) else list(values)
    if set(map(type, vals)) <= _TEXT_TYPES:
        wrong = np.zeros(len(vals), dtype=bool)
    else:
        wrong = np.array([v is not None and not isinstance(v, str) for v in vals], dtype=bool)
    if wrong.any():
        _flag_json_values(problems, rec, field, vals, wrong, "not text")
        vals = [None if w else v for v, w in zip(vals, wrong, strict=True)]
    try:
        arr = pa.array(vals, type=pa.large_string())
    except UnicodeEncodeError:
        # JSON may hold lone surrogates ("\\ud800"), which no UTF-8 text can: U+FFFD instead.
        arr = pa.array([no_surrogates(v) for v in vals], type=pa.large_string())
    return pd.Series(arr, dtype=schema.STR_DTYPE)
