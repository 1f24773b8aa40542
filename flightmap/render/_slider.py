"""The aircraft on the time slider: thinned positions of each flight, each shown from its
time to the next one's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.flights import Flights, flights_of
from flightmap.render._tracklayer import floats

__all__ = ["SLIDER_POINTS", "slider_features"]

#: Largest number of aircraft positions on the time slider, shared by all flights.
SLIDER_POINTS = 1500


def slider_features(track: pd.DataFrame, flights: Flights | None = None) -> list[dict[str, Any]]:
    """Aircraft positions for the time slider, at most :data:`SLIDER_POINTS` in all (at least
    two per flight), each shown from its time to the next one's (``start``/``end`` in ms).
    ``flights`` is :func:`flights_of` of ``track``, when the caller already has it."""
    fl = flights if flights is not None else flights_of(track)
    per_flight = max(SLIDER_POINTS // max(fl.count, 1), 2)
    lat_all, lon_all = floats(track, s.LAT), floats(track, s.LON)
    rows = fl.thin(~np.isnan(lat_all) & ~np.isnan(lon_all), per_flight)
    ms = (fl.t_ns[rows] // 1_000_000).tolist()
    code = fl.row_code[rows]
    last = np.r_[code[1:] != code[:-1], True].tolist()
    feats: list[dict[str, Any]] = []
    for i, (lat, lon) in enumerate(
        zip(lat_all[rows].tolist(), lon_all[rows].tolist(), strict=True)
    ):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                # Styled by the replay's script (render/_case.py TRACK_AIRCRAFT): 1,500
                # positions need not repeat it.
                "properties": {
                    "replay": "track",
                    "start": ms[i],
                    "end": ms[i] + 1000 if last[i] else ms[i + 1],
                    "endExclusive": not last[i],
                },
            }
        )
    return feats
