"""GNSS integrity on the map: the track layer coloured by state, the note each point shows
(the state and the rules that fired, in words), and the intervals shaded on the profile.

Everything comes from one :class:`flightmap.analysis.TrackAnalysis`; states are read as the
codes of its categorical ``state`` column, in the order of
:data:`flightmap.schema.INTEGRITY_STATES`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.render._html import esc

if TYPE_CHECKING:
    from flightmap.analysis import TrackAnalysis

__all__ = ["interval_notes", "shaded_intervals", "state_codes"]


def state_codes(analysis: TrackAnalysis) -> np.ndarray:
    """Per track row, the index of its state in :data:`flightmap.schema.INTEGRITY_STATES`
    (-1 where there is none)."""
    from flightmap.analysis import STATE

    states = analysis.track[STATE]
    if isinstance(states.dtype, pd.CategoricalDtype) and tuple(states.cat.categories) == tuple(
        s.INTEGRITY_STATES
    ):
        return np.asarray(states.cat.codes.to_numpy(), dtype=np.int64)
    # A frame built by hand: compare with each name once (vectorised, no loop over rows).
    values = states.astype(object).to_numpy()
    codes = np.full(len(values), -1, dtype=np.int64)
    for i, name in enumerate(s.INTEGRITY_STATES):
        codes[values == name] = i
    return codes


@functools.cache
def _clock_texts() -> Any:
    """``HH:MM:SS`` for every second of a day, to look times up instead of formatting each."""
    day = np.arange(86_400)
    hh, mm, ss = (
        pd.Series(x).astype(str).str.zfill(2) for x in (day // 3600, day // 60 % 60, day % 60)
    )
    return (hh + ":" + mm + ":" + ss).to_numpy(dtype=object)


def interval_notes(analysis: TrackAnalysis) -> list[str]:
    """Per track row, escaped HTML naming its integrity interval's state and the rules that fired
    ("" in nominal intervals).

    Every row belongs to exactly one interval (``interval_id`` from the analysis: intervals are
    half-open, so the first nominal report after a degraded interval is nominal). Each note is
    written once per interval and given to its rows by indexing, so the cost does not grow with
    rows times intervals.
    """
    from flightmap.analysis import INTERVAL_ID

    iv = analysis.intervals
    if len(analysis.track) == 0 or len(iv) == 0:
        return [""] * len(analysis.track)
    bad = np.flatnonzero((iv["state"].astype(str) != s.NOMINAL).to_numpy())
    per_interval = np.full(len(iv), "", dtype=object)
    if bad.size:
        sub = iv.iloc[bad]
        codes = sub["rule_codes"]
        silent = ((codes.str.len() == 1) & (codes.str[0] == "no_reports")).to_numpy()
        label = sub["state"].astype(str).str.replace("_", " ", regex=False).to_numpy(dtype=object)
        label[silent] = "position lost (no reports received)"

        def escaped(texts: Any) -> Any:
            # Escape each distinct text once: many intervals share their sentences.
            k, uniques = pd.factorize(np.asarray(texts, dtype=object))
            return pd.Series(np.asarray([esc(u) for u in uniques], dtype=object)[k])

        def hms(col: str) -> Any:
            sec = sub[col].to_numpy(dtype="datetime64[s]").view("int64") % 86_400
            return pd.Series(_clock_texts()[sec])

        rules = escaped(sub["rules"].map(" ".join))
        notes = (
            "<b>GNSS " + escaped(label) + "</b> " + hms("start") + " to " + hms("end") + " UTC: "
        ) + rules
        per_interval[bad] = notes.to_numpy(dtype=object)
    ids = analysis.track[INTERVAL_ID].to_numpy(dtype="int64")
    out: list[str] = per_interval[ids].tolist()
    return out


def shaded_intervals(analysis: TrackAnalysis) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """The intervals to shade on the profile: every one that is not nominal, as
    ``(start, end, label)`` in UTC."""
    out = []
    for iv in analysis.intervals.to_dict(orient="records"):
        if iv["state"] == s.NOMINAL:
            continue
        label = f"GNSS {iv['state']}"
        if list(iv["rule_codes"]) == ["no_reports"]:
            label = "no reports received"
        out.append((iv["start"], iv["end"], label))
    return out
