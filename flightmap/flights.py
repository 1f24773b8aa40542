"""Rows of a canonical track by flight, and the runs of fresh positions that maps and exports
draw as separate lines: one definition of each, shared by render, export and tracks.

Functions take frames in the :mod:`flightmap.schema` layout and return new arrays or frames;
inputs are never modified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from flightmap import schema as s

__all__ = ["RUN_GAP", "Flights", "flights_of", "fresh_positions", "position_runs", "run_starts"]

RUN_GAP: Final = pd.Timedelta(minutes=3)
"""Two fresh positions further apart in time than this are not joined on a map: the aircraft
could have flown anywhere in between."""


@dataclass(frozen=True)
class Flights:
    """A track's rows grouped by flight, as ``groupby(flight_id, sort=True)`` groups them
    (flights in id order, rows in track order inside a flight, rows without an id left out),
    as positional indices, with what every layer needs per flight."""

    order: np.ndarray  # row positions, flight after flight
    code: np.ndarray  # flight number (0..) of each entry of ``order``
    bounds: np.ndarray  # flight k is order[bounds[k]:bounds[k + 1]]
    labels: list[str]  # "flight_id · callsign · icao24" (callsign and icao24 of its first row)
    t_ns: np.ndarray  # per row (track order): nanoseconds since the epoch
    row_code: np.ndarray  # per row (track order): its flight number, -1 without a flight id
    ids: list[str]  # flight ids, in flight-number order (sorted)

    @property
    def count(self) -> int:
        return len(self.labels)

    def first_rows(self) -> np.ndarray:
        return np.asarray(self.order[self.bounds[:-1]], dtype=np.intp)

    def thin(self, counted: np.ndarray, per_flight: int) -> np.ndarray:
        """Row positions of every ``step``-th counted row of each flight (the first one included),
        ``step`` chosen per flight so that it keeps at most ``per_flight`` rows."""
        sel = np.flatnonzero(counted[self.order])
        code = self.code[sel]
        n = np.bincount(code, minlength=self.count)
        step = np.maximum(-(-n // per_flight), 1)
        rank = np.arange(len(sel)) - (np.cumsum(n) - n)[code]
        return np.asarray(self.order[sel[rank % step[code] == 0]], dtype=np.intp)


def flights_of(track: pd.DataFrame) -> Flights:
    """The flights of ``track``: row order by flight, codes, bounds, labels and times (ns),
    computed once per map and shared by its track layers, slider and profile."""
    codes, ids = pd.factorize(track[s.FLIGHT_ID], sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    if len(codes) < 2 or bool(np.all(codes[1:] >= codes[:-1])):
        order = np.arange(len(codes))
    else:
        order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    code = codes[order]
    bounds = np.searchsorted(code, np.arange(len(ids) + 1), side="left")
    first = order[bounds[:-1]]
    labels = []
    extra = [track[c].iloc[first].to_numpy(dtype=object) for c in (s.CALLSIGN, s.ICAO24)]
    for k, fid in enumerate(ids):
        parts = [str(fid)] + [str(col[k]) for col in extra if not pd.isna(col[k])]
        labels.append(" · ".join(parts))
    return Flights(
        order, code, bounds, labels, s.epoch_ns(track[s.TIME]), codes, [str(f) for f in ids]
    )


def position_runs(df: pd.DataFrame, *, max_gap: pd.Timedelta = RUN_GAP) -> list[pd.DataFrame]:
    """Split a flight's rows into runs of consecutive fresh positions, to draw as separate lines.

    A fresh position is a row with ``lat``/``lon`` and not ``stale``. A run ends at any row
    without a fresh position (altitude-only or stale reports), where two fresh positions are
    more than ``max_gap`` apart, and where ``flight_id`` changes; a new run starts at a row whose
    ``pos_gap_before`` is true (the source says no position came for a while before it). So the
    gaps in reception show as gaps on a map, not as straight lines across them.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of one flight (or several: runs never span two), sorted by time.
    max_gap : pandas.Timedelta
        Longest time between two joined positions.

    Returns
    -------
    list of pandas.DataFrame
        Row slices of ``df`` (new frames under copy-on-write; the original index labels are
        kept), in order; each has at least one row.

    Examples
    --------
    >>> t = pd.to_datetime([0, 10, 20, 30, 400], unit="s", utc=True)
    >>> df = pd.DataFrame({"time": t, "lat": [0, 1, None, 3, 4.0], "lon": 0.0})
    >>> [r.index.tolist() for r in position_runs(df)]
    [[0, 1], [3], [4]]
    >>> gap = pd.array([False, False, True, False], dtype="boolean")
    >>> df = pd.DataFrame({"time": t[:4], "lat": [0, 1, 2, 3.0], "lon": 0.0,
    ...                    "pos_gap_before": gap})
    >>> [r.index.tolist() for r in position_runs(df)]
    [[0, 1], [2, 3]]
    """
    if len(df) == 0:
        return []
    fid = df[s.FLIGHT_ID].to_numpy() if s.FLIGHT_ID in df.columns else None
    rows, start = run_starts(df, np.arange(len(df)), fid, max_gap=max_gap)
    if rows.size == 0:
        return []
    return [df.iloc[chunk] for chunk in np.split(rows, np.flatnonzero(start[1:]) + 1)]


def fresh_positions(df: pd.DataFrame) -> np.ndarray:
    """Per row, whether it holds a fresh position: ``lat`` and ``lon`` given, not ``stale``."""
    fresh = df[s.LAT].notna().to_numpy() & df[s.LON].notna().to_numpy()
    if s.STALE in df.columns:
        fresh &= ~df[s.STALE].fillna(False).to_numpy(dtype=bool)
    return np.asarray(fresh, dtype=bool)


def run_starts(
    df: pd.DataFrame,
    order: np.ndarray,
    flight: np.ndarray | None = None,
    *,
    max_gap: pd.Timedelta = RUN_GAP,
    t_ns: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The rule that cuts rows into runs of fresh positions, shared by maps and exports.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical track rows.
    order : ndarray of int
        Row positions of ``df`` in drawing order: each flight's rows together, in time order.
    flight : ndarray, optional
        Per entry of ``order``, its flight (any comparable value); a change starts a run.
    max_gap : pandas.Timedelta
        Longest time between two joined positions.
    t_ns : ndarray of int64, optional
        :func:`flightmap.schema.epoch_ns` of ``df``'s times, when the caller has it.

    Returns
    -------
    rows, start : ndarray of int, ndarray of bool
        The fresh positions (:func:`fresh_positions`) of ``order``, in that order, and per
        entry whether a run starts there: at the first one, after a row without a fresh
        position, after a silence longer than ``max_gap``, at a row whose ``pos_gap_before``
        is true (the source says no position came for a while), where the flight changes, and
        where the track crosses the antimeridian (longitude from near +180 to near -180 or
        back: joined, the two positions would make a line right round the world; GeoJSON,
        RFC 7946 section 3.1.9, cuts lines there too).
    """
    fresh = fresh_positions(df)
    pos = np.flatnonzero(fresh[order])
    rows = np.asarray(order[pos], dtype=np.intp)
    t = (s.epoch_ns(df[s.TIME]) if t_ns is None else t_ns)[rows]
    start = np.ones(len(rows), dtype=bool)
    start[1:] = (np.diff(pos) > 1) | (np.diff(t) > max_gap.value)
    if s.POS_GAP_BEFORE in df.columns:
        start[1:] |= df[s.POS_GAP_BEFORE].fillna(False).to_numpy(dtype=bool)[rows][1:]
    if flight is not None:
        code = np.asarray(flight)[pos]
        start[1:] |= code[1:] != code[:-1]
    lon = df[s.LON].to_numpy(dtype="float64", na_value=np.nan)[rows]
    start[1:] |= np.abs(np.diff(lon)) > 180.0
    return rows, start
