"""A case's where-could-it-have-been regions, kept in the on-disk cache (:mod:`flightmap.cache`).

Computing them takes thousands of geodesic solutions (about a second); a case map is drawn
many times with the same events. The key holds every value the regions depend on, so an edited
case is never drawn from a stale entry.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pandas as pd

from flightmap.analysis.speeds import E190_MAX_SPEED_KT

if TYPE_CHECKING:
    from flightmap.geo import Case

__all__ = ["case_regions_cached"]

_REGION_TIMES = ("time", "start", "end")
_REGION_NUMBERS = ("max_speed_kt", "reach_a_km", "reach_b_km", "area_km2", "diameter_km")
#: Version of the stored form of case regions (dump/load below); part of the cache key.
_REGIONS_FORMAT = 1


def _exact(value: Any) -> Any:
    """A JSON value that tells apart any two different inputs: times as integer nanoseconds,
    floats as floats (JSON keeps their shortest exact repr), NA as None."""
    if isinstance(value, pd.Timestamp):
        return int(value.value)
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    if isinstance(value, float | int | str | bool):
        return value
    return str(value)


def case_regions_cached(case: Case) -> pd.DataFrame:
    """The case's where-could-it-have-been regions (:func:`flightmap.analysis.case_regions`
    with the case's ``regions`` settings), from the on-disk cache (:mod:`flightmap.cache`) when
    the same events, settings and code made them before.

    The key holds every value ``case_regions`` reads, exactly (the case's events with their
    times in nanoseconds, places and uncertainties as floats, the settings, the maximum
    speed), the source of the modules that compute and store regions, and the numpy, shapely
    and pyproj versions. Geometries are stored as WKB, floats and times exactly, so a cached
    frame equals a computed one; an entry that does not have the expected shape is computed
    again.
    """
    import importlib.metadata

    import numpy as np
    import shapely

    from flightmap import cache, geodesy, regions
    from flightmap.analysis import _prep, case_reach, placement, reachable

    spec = case.regions
    ids = [f"{spec['start']}->{spec['end']}", *spec["instants"]]
    events = case_reach.case_events(case)
    modules = [case_reach, reachable, placement, _prep, geodesy, regions, sys.modules[__name__]]
    key = {
        "format": _REGIONS_FORMAT,
        "case": case.id,
        "events": [{k: _exact(v) for k, v in r.items()} for r in _records(events)],
        "spec": spec,
        "max_speed_kt": E190_MAX_SPEED_KT,
        "code": cache.code_fingerprint(modules),
        # pyproj by its metadata: a hit must not import it (0.05-0.1 s).
        "versions": [np.__version__, shapely.__version__, importlib.metadata.version("pyproj")],
    }

    def compute() -> pd.DataFrame:
        return case_reach.case_regions(
            case, start=spec["start"], end=spec["end"], instants=spec["instants"]
        )

    def dump(frame: pd.DataFrame) -> dict[str, Any]:
        rows = []
        for r in _records(frame):
            for col in _REGION_TIMES:
                r[col] = None if pd.isna(r[col]) else r[col].isoformat()
            r["geometry"] = (
                None if r["geometry"] is None else shapely.to_wkb(r["geometry"], hex=True)
            )
            rows.append(r)
        return {"columns": list(frame.columns), "rows": rows}

    def load(data: dict[str, Any]) -> pd.DataFrame:
        # Anything unexpected raises, and cache.cached computes the regions instead.
        frame = pd.DataFrame(data["rows"], columns=data["columns"])
        if frame["id"].tolist() != ids or frame["kind"].tolist() != ["gap"] + ["instant"] * (
            len(ids) - 1
        ):
            raise ValueError("cached regions are not the case's")
        for col in _REGION_TIMES:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        if frame[["start", "end"]].isna().any(axis=None) or frame["time"].iloc[1:].isna().any():
            raise ValueError("cached regions lack a time")
        numbers = frame[list(_REGION_NUMBERS)].to_numpy(dtype="float64")
        if not np.isfinite(numbers).all() or not all(isinstance(b, str) for b in frame["basis"]):
            raise ValueError("cached regions have a bad value")
        geoms = [None if g is None else shapely.from_wkb(g) for g in frame["geometry"]]
        if any(g is not None and g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms):
            raise ValueError("cached regions have a bad geometry")
        frame["geometry"] = geoms
        return frame

    return cache.cached("case-regions", key, compute, dump, load)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]
