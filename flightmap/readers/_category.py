"""The ADS-B emitter category (schema ``category``) from the readers' raw values.

Two spellings exist: readsb's text (``"A3"``, DO-260B set letter and code) and OpenSky's number
(REST ``states[17]``, :data:`flightmap.schema.OPENSKY_CATEGORIES`). Both become the schema's
text, ``A0`` to ``D7`` upper-case; any other value is flagged ``bad_value`` and set to NA.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.readers._json_values import shown_value
from flightmap.readers._problems import Problems
from flightmap.readers._text import on_uniques

# OpenSky's numbers for "no category": 0 no information at all, 1 no ADS-B emitter category
# information. NA, not a problem.
_OPENSKY_NONE = frozenset({0, 1})


def category_text(
    values: pd.Series, records: np.ndarray, field_name: str, problems: Problems
) -> pd.Series:
    """readsb-style category text (``"a3 "`` too) to the schema's ``category``.

    Parameters
    ----------
    values : pandas.Series
        Text, NA where the source says nothing (one value per record).
    records : numpy.ndarray
        Record numbers, same length.
    field_name : str
        Source field, for the flags.
    problems : Problems
        Collects a ``bad_value`` flag for each value that is not a category.

    Returns
    -------
    pandas.Series
        ``str`` dtype: the category upper-case, matching :data:`flightmap.schema.CATEGORY_PATTERN`,
        or NA (what was NA, and what was flagged).

    Examples
    --------
    >>> from pathlib import Path
    >>> p = Problems("record", Path("t.json"))
    >>> category_text(pd.Series(["a3 ", None, "E1", "B2"]), np.arange(1, 5), "c", p).tolist()
    ['A3', nan, nan, 'B2']
    >>> p.frame()[["record", "value", "code"]].values.tolist()
    [[3, 'E1', 'bad_value']]
    """
    text = on_uniques(values, lambda u: u.str.strip().str.upper())
    matches = text.str.fullmatch(s.CATEGORY_PATTERN).to_numpy(dtype=bool, na_value=False)
    ok = matches | text.isna().to_numpy()
    if not ok.all():
        bad = ~ok
        problems.add(
            records[bad],
            field_name,
            values.to_numpy(dtype=object)[bad],
            "bad_value",
            "not an emitter category (a letter A to D and a digit 0 to 7, e.g. A3)",
            "set to NA",
        )
        text = text.where(ok)
    return text.reset_index(drop=True)


def opensky_category(
    values: tuple[object, ...] | list[object],
    records: np.ndarray,
    field_name: str,
    problems: Problems,
) -> pd.Series:
    """OpenSky's category numbers (JSON values) to the schema's ``category``.

    0 and 1 ("no information") and nulls give NA; integers 2 to 20 the DO-260B text
    (:data:`flightmap.schema.OPENSKY_CATEGORIES`); anything else (another number, text, a
    boolean) is flagged ``bad_value`` and set to NA.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = Problems("record", Path("t.json"))
    >>> opensky_category([4, 10, 1, None, 21, "A3"], np.arange(1, 7), "c", p).tolist()
    ['A3', 'B2', nan, nan, nan, nan]
    >>> p.frame()[["record", "value"]].values.tolist()
    [[5, '21'], [6, 'A3']]
    """
    out: list[str | None] = []
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if type(v) is int and v in s.OPENSKY_CATEGORIES:  # not a bool, not 4.0
            out.append(s.OPENSKY_CATEGORIES[v])
            continue
        out.append(None)
        bad[i] = v is not None and not (type(v) is int and v in _OPENSKY_NONE)
    if bad.any():
        problems.add(
            records[bad],
            field_name,
            [shown_value(values[i]) for i in np.flatnonzero(bad)],
            "bad_value",
            "not an OpenSky emitter category (an integer from 0 to 20)",
            "set to NA",
        )
    return pd.Series(out, dtype=s.STR_DTYPE)
