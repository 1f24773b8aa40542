"""What every format reader hands to :func:`flightmap.readers.read_track`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Raw:
    """Reports as read from one file, before cleaning and flight splitting.

    Attributes
    ----------
    frame : pandas.DataFrame
        Schema columns (any subset) in input order; ``time`` tz-aware UTC, NaT where the time
        was unusable (those rows are dropped later; their flags are already raised); ``record``
        always set. Text columns may be ``Categorical`` (cheaper to sort and compare by
        aircraft); :func:`flightmap.schema.conform` makes them text.
    lat_field, lon_field, time_field : str
        The input's names for these fields, for messages.
    mapping : dict[str, str]
        Schema column -> input field it was read from (shown by ``inspect``).
    """

    frame: pd.DataFrame
    lat_field: str
    lon_field: str
    time_field: str
    mapping: dict[str, str] = field(default_factory=dict)
