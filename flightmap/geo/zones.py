"""``zones.geojson`` (optional): each feature checked into a :class:`~flightmap.geo.model.Zone`
(a valid Polygon or MultiPolygon in lon, lat degrees, its sources and validity times).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flightmap.errors import InputError
from flightmap.geo.fields import ID, Row
from flightmap.geo.model import CONFIDENCE, EVIDENCE, Zone

__all__ = ["read_zones"]


def read_zones(folder: Path, problems: list[InputError] | None = None) -> Iterator[Zone]:
    """The zones of ``zones.geojson`` in the case ``folder``, in file order (none without the
    file). A bad feature raises, or with ``problems`` is added to it and skipped."""
    path = folder / "zones.geojson"
    if not path.is_file():
        return
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=path, where=f"line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection", path=path, field="type")
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError("expected a list", path=path, field="features")
    for i, feat in enumerate(features, 1):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            problem = InputError(
                "expected an object", path=path, where=f"feature {i}", field="properties"
            )
            if problems is None:
                raise problem
            problems.append(problem)
            continue
        label = props.get("id")
        row = Row(path, f"feature {i}" + (f" ({label})" if isinstance(label, str) else ""), props)
        try:
            zone = _zone(row, feat.get("geometry"))
        except InputError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        yield zone


def _zone(row: Row, geometry: Any) -> Zone:
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for bad GeoJSON
        raise row.error("geometry", f"invalid GeoJSON geometry ({exc})") from None
    if geom.is_empty or not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise row.error("geometry", "expected a valid, non-empty Polygon or MultiPolygon")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise row.error("geometry", "coordinates out of range (expected lon, lat in degrees)")
    sources = row.values.get("sources")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and ID.match(s) for s in sources)
    ):
        raise row.error("sources", "expected a non-empty list of source ids")
    valid_from = row.time("valid_from")
    if valid_from is None:
        raise row.error("valid_from", "is empty (a value is required)")
    valid_to = row.time("valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise row.error("valid_to", "is before valid_from")
    last_attested = row.time("last_attested")
    if last_attested is not None and last_attested < valid_from:
        raise row.error("last_attested", "is before valid_from")
    if last_attested is not None and valid_to is not None and last_attested > valid_to:
        raise row.error("last_attested", "is after valid_to")
    construction = row.values.get("construction", {})
    if not isinstance(construction, dict):
        raise row.error("construction", "expected an object")
    return Zone(
        id=row.ident(),
        name=row.text("name", required=True),
        kind=row.text("kind", required=True),
        geometry=geom,
        valid_from=valid_from,
        valid_to=valid_to,
        evidence=row.choice("evidence", EVIDENCE),
        confidence=row.choice("confidence", CONFIDENCE),
        sources=tuple(sources),
        basis=row.text("basis", required=True),
        construction=construction,
        last_attested=last_attested,
    )
