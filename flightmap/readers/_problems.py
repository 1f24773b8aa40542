"""The collector of quality flags a read raises: one row per value dropped or changed.

Every conversion helper of the readers (:mod:`._numbers`, :mod:`._times`, :mod:`._json_values`,
:mod:`._positions`) records its flags in a :class:`Problems`; :func:`flightmap.readers.read_track`
turns them into the flags frame (columns :data:`flightmap.schema.FLAG_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from flightmap import schema
from flightmap.readers._text import no_surrogates


@dataclass
class Problems:
    """Collects quality flags, in vectorised chunks, for the flags frame of a read."""

    record_kind: str
    path: Path
    _parts: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        records: np.ndarray | pd.Series,
        field_name: str | None,
        values: np.ndarray | pd.Series | list[str] | list[str | None] | None,
        code: str,
        problem: str | np.ndarray | pd.Series,
        action: str,
    ) -> None:
        """Record one flag per element of ``records`` (``values``: raw text, same length)."""
        rec = np.asarray(records, dtype="int64")
        if rec.size == 0:
            return
        n = rec.size
        vals = (
            pd.Series([None] * n, dtype=schema.STR_DTYPE)
            if values is None
            else _text_series(np.asarray(values, dtype=object))
        )
        prob = (
            pd.Series([problem] * n, dtype=schema.STR_DTYPE)
            if isinstance(problem, str)
            else pd.Series(np.asarray(problem, dtype=object), dtype=schema.STR_DTYPE)
        )
        self._parts.append(
            pd.DataFrame(
                {
                    schema.RECORD: rec,
                    "field": pd.Series([field_name] * n, dtype=schema.STR_DTYPE),
                    "value": vals,
                    "code": pd.Series([code] * n, dtype=schema.STR_DTYPE),
                    "problem": prob,
                    "action": pd.Series([action] * n, dtype=schema.STR_DTYPE),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """All flags so far, sorted by record (stable), as a new frame."""
        if not self._parts:
            return schema.empty_flags()
        out = pd.concat(self._parts, ignore_index=True)
        return out.sort_values(schema.RECORD, kind="stable", ignore_index=True)

    def where(self, record: int) -> str:
        """``"line 12"`` or ``"record 12"``, for messages."""
        return f"{self.record_kind} {record}"


def _text_series(values: np.ndarray) -> pd.Series:
    try:
        return pd.Series(values, dtype=schema.STR_DTYPE)
    except UnicodeEncodeError:  # lone surrogates, from JSON
        return pd.Series([no_surrogates(v) for v in values], dtype=schema.STR_DTYPE)


def set_to_na(
    values: np.ndarray,
    bad: np.ndarray,
    records: np.ndarray,
    field_name: str,
    problems: Problems,
    code: str,
    problem: str | np.ndarray,
    *,
    shown: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Flag the ``values`` where ``bad`` (action ``set to NA``) and return them with NaN there.

    ``values`` are float64, one per record of ``records``; ``problem`` is one text, or one per
    flagged value; ``shown`` is what each flag shows as the value (default: ``values``; numbers
    become text). Without a bad value, ``values`` itself is returned (no copy).

    >>> p = Problems("line", Path("t.csv"))
    >>> set_to_na(np.array([1.0, -5.0]), np.array([False, True]), np.array([2, 3]), "rc", p,
    ...           "out_of_range", "negative").tolist()
    [1.0, nan]
    >>> p.frame()[["record", "value", "action"]].values.tolist()
    [[3, '-5.0', 'set to NA']]
    """
    if not bad.any():
        return values
    if shown is None:
        flagged = values[bad]
    elif isinstance(shown, pd.Series):
        flagged = shown[bad].to_numpy()
    else:
        flagged = shown[bad]
    if flagged.dtype.kind in "fiu":
        flagged = flagged.astype(str)
    problems.add(records[bad], field_name, flagged, code, problem, "set to NA")
    return np.where(bad, np.nan, values)
