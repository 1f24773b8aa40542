"""Jamming grid files: read and check the GeoJSON that ``flightmap jamming`` writes, for a map.

Reading only; :func:`flightmap.analysis.jamming_grid` computes the cells and
:func:`flightmap.analysis.jamming_geojson` writes them.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

from flightmap.errors import InputError

__all__ = ["GRID_LEVELS", "GridCell", "read_grid"]


class GridCell(TypedDict):
    """One cell of a jamming grid in one time window."""

    geometry: Any
    """The cell polygon (shapely, ``(lon, lat)``)."""
    level: str
    """One of :data:`GRID_LEVELS`."""
    share_bad: float
    """Share of aircraft with degraded, lost or spoofed positions, 0 to 1."""
    aircraft: int
    """Aircraft seen in the cell during the window."""
    bad_aircraft: int
    """Of those, aircraft with a bad GNSS state."""
    window_start: datetime
    """Start of the window (UTC)."""
    window_end: datetime
    """End of the window (UTC)."""


GRID_LEVELS = ("low", "medium", "high", "few")


def read_grid(source: str | os.PathLike[str]) -> list[GridCell]:
    """Read a ``flightmap jamming`` GeoJSON file, checking what the map will use.

    Returns the features; each has a Polygon geometry and the properties ``level`` (one of
    :data:`GRID_LEVELS`), ``share_bad`` (0 to 1), ``aircraft`` and ``bad_aircraft`` (counts),
    ``window_start`` and ``window_end`` (ISO 8601 with offset).
    """
    from shapely.geometry import shape

    from flightmap.geo import parse_utc
    from flightmap.limits import too_large, whole_file_bytes

    path = Path(source)

    limit = whole_file_bytes()
    try:
        size = Path(path).stat().st_size
        if size > limit:
            raise too_large(Path(path), limit, size)
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=path, where=f"line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=path) from None
    except ValueError as exc:  # e.g. integers of more than 4300 digits
        raise InputError(f"invalid JSON ({' '.join(str(exc).split())[:100]})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=path) from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise InputError(
            "expected a GeoJSON FeatureCollection with features", path=path, field="features"
        )
    out = []
    for i, f in enumerate(feats, 1):
        where = f"feature {i}"
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            raise InputError("expected an object", path=path, where=where, field="properties")
        try:
            geom = shape(f.get("geometry"))
        except Exception:  # shapely raises several types for bad GeoJSON
            raise InputError("invalid geometry", path=path, where=where, field="geometry") from None
        if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError("expected a polygon", path=path, where=where, field="geometry")
        if props.get("level") not in GRID_LEVELS:
            raise InputError(
                f"expected one of {', '.join(GRID_LEVELS)}", path=path, where=where, field="level"
            )
        share = props.get("share_bad")
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
            raise InputError(
                "expected a share between 0 and 1", path=path, where=where, field="share_bad"
            )
        for key in ("aircraft", "bad_aircraft"):
            count = props.get(key)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InputError("expected a count", path=path, where=where, field=key)
        times = {}
        for key in ("window_start", "window_end"):
            try:
                times[key] = parse_utc(str(props.get(key)))
            except ValueError as exc:
                raise InputError(str(exc), path=path, where=where, field=key) from None
        out.append(
            GridCell(
                geometry=geom,
                level=props["level"],
                share_bad=float(share),
                aircraft=props["aircraft"],
                bad_aircraft=props["bad_aircraft"],
                window_start=times["window_start"],
                window_end=times["window_end"],
            )
        )
    return out
