"""The per-flight table of an analysis (:attr:`TrackAnalysis.flights
<flightmap.analysis.integrity.TrackAnalysis>`): one row per flight with its identifiers, times,
counts, cadence and gap threshold, built from whole-track arrays (no loop over flights).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis._prep import B1, F8, I8, Prepared, string_runs

__all__ = ["flight_table"]


def _most_frequent(
    flight: I8, code: I8, n_f: int, n_codes: int, weight: I8 | None = None
) -> tuple[I8, I8]:
    """Per flight that has any code, the most frequent code (ties: the smallest); ``weight``:
    how many times each (flight, code) item counts (once when omitted).

    >>> _most_frequent(np.array([0, 0, 0, 2]), np.array([1, 0, 1, 0]), 3, 2)
    (array([0, 2]), array([1, 0]))
    >>> _most_frequent(np.array([0, 0, 2]), np.array([1, 0, 0]), 3, 2, np.array([2, 1, 1]))
    (array([0, 2]), array([1, 0]))
    """
    if n_f * n_codes <= 1 << 24:
        counts = np.bincount(flight * n_codes + code, weight, minlength=n_f * n_codes)
        counts = counts.reshape(n_f, n_codes)
        found = np.flatnonzero(counts.max(axis=1) > 0)
        return found, counts[found].argmax(axis=1)
    # Many flights and many values (a large multi-aircraft file): count the pairs that occur.
    if weight is None:
        pairs, counts = np.unique(flight * n_codes + code, return_counts=True)
    else:
        pairs, inverse = np.unique(flight * n_codes + code, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weight, minlength=pairs.size)
    f, c = pairs // n_codes, pairs % n_codes
    order = np.lexsort((c, -counts, f))
    first = np.r_[True, f[order][1:] != f[order][:-1]]
    return f[order][first], c[order][first]


def flight_table(track: pd.DataFrame, p: Prepared, fix: B1, cadence: F8, thr: F8) -> pd.DataFrame:
    """The flights frame of :class:`~flightmap.analysis.integrity.TrackAnalysis`: per flight
    of ``p`` (in its order), its id, most frequent callsign and ICAO address, first and last
    report time (UTC), reports, fixes (``fix``: per row of ``p``), median cadence and gap
    threshold (``cadence``, ``thr``: seconds, one per flight)."""
    n_f = len(p.flight_ids)
    out = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.Series(p.flight_ids, dtype=s.STR_DTYPE),
            s.CALLSIGN: pd.Series([None] * n_f, dtype=s.STR_DTYPE),
            s.ICAO24: pd.Series([None] * n_f, dtype=s.STR_DTYPE),
            "start": pd.to_datetime(p.t[p.starts], unit="ns", utc=True),
            "end": pd.to_datetime(p.t[p.ends - 1], unit="ns", utc=True),
            "points": p.ends - p.starts,
            "fixes": p.ends - p.starts if fix.all() else np.bincount(p.flight[fix], minlength=n_f),
            "cadence_s": cadence,
            "threshold_s": thr,
        }
    )
    for col in (s.CALLSIGN, s.ICAO24):
        if col not in track.columns or not track[col].notna().any():
            continue
        # Counted run by run (a value repeats over a flight's rows): runs of one value and
        # flight. Factorised as stored (Arrow strings hash without building Python objects),
        # then renumbered by first appearance in (flight, time) order: ties go to the value
        # seen first. Rows in order: only the runs' values are factorised.
        runs = string_runs(track[col]) if p.in_order else None
        if runs is not None:
            brk = np.zeros(p.n, dtype=bool)
            brk[runs] = True
            brk[p.starts] = True
            rs = np.flatnonzero(brk)
            raw, stored = pd.factorize(track[col].take(rs))
            raw_rs = np.asarray(raw, dtype="int64")
        else:
            raw, stored = pd.factorize(track[col])
            raw = np.asarray(raw, dtype="int64")
            if not p.in_order:
                raw = raw[p.order]
            brk = np.ones(raw.size, dtype=bool)
            brk[1:] = (raw[1:] != raw[:-1]) | (p.flight[1:] != p.flight[:-1])
            rs = np.flatnonzero(brk)
            raw_rs = raw[rs]
        length = np.diff(np.append(rs, p.n))
        ok = raw_rs >= 0
        if not ok.any():
            continue
        rs, length = rs[ok], length[ok]
        codes, seen = pd.factorize(raw_rs[ok])
        uniques = np.asarray(stored, dtype=object)[seen]
        col_values = np.full(n_f, None, dtype=object)
        best_flight, best_code = _most_frequent(
            p.flight[rs], np.asarray(codes), n_f, len(uniques), length
        )
        col_values[best_flight] = uniques[best_code]
        out[col] = pd.Series(col_values, dtype=s.STR_DTYPE)
    return out
