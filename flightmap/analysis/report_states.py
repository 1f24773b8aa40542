"""The integrity state and fix flag of every report of many flights at once, without intervals.

:func:`report_states` is the per-report half of :func:`flightmap.analysis.integrity.analyse`:
the same composition of the rules (:func:`flightmap.analysis.integrity.chunk_states`: rules,
gap thresholds, reappearance, gaps, states), on the sorted arrays of
:func:`flightmap.analysis._prep.prepare`, chunk by chunk of whole flights. It skips what the
area grid does not need (intervals, their sentences, the per-flight summary, the gather back
into the input's row order): on a day of traffic that is a third of the time of ``analyse``.
``tests/test_analysis_report_states.py`` checks that both give the same states and fixes. It
never reads files.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from flightmap.analysis._prep import B1, Prepared
from flightmap.analysis.integrity import chunk_states
from flightmap.analysis.params import IntegrityParams

__all__ = ["CHUNK", "report_states"]

CHUNK: Final = 250_000
"""Rows evaluated at a time (whole flights), as :data:`flightmap.analysis.integrity.CHUNK`:
arrays of this size stay in the processor caches."""


def _chunk_states(p: Prepared, params: IntegrityParams) -> tuple[NDArray[np.int8], B1]:
    c = chunk_states(p, params)  # the rules as analyse composes them, without the intervals
    return c.state, np.asarray(c.fix, dtype=bool)


def report_states(
    p: Prepared, params: IntegrityParams | None = None
) -> tuple[NDArray[np.int8], B1]:
    """State code (index in :data:`flightmap.analysis.rules.STATES`) and fix flag of each row of
    ``p``, in ``p``'s sorted order (flight, then time).

    Equal to the ``state`` codes and ``fix`` column of :func:`~flightmap.analysis.analyse`'s
    track taken in the order ``p.order``.
    """
    params = params or IntegrityParams()
    parts = [_chunk_states(p.flights_slice(f0, f1), params) for f0, f1 in p.chunks(CHUNK)]
    if not parts:
        return np.zeros(0, dtype="int8"), np.zeros(0, dtype=bool)
    if len(parts) == 1:
        return parts[0]
    return (
        np.concatenate([c[0] for c in parts]),
        np.concatenate([c[1] for c in parts]),
    )
