"""Rebuild the inferred points and zone outlines of the J2-8243 case from their inputs.

Nobody published where J2-8243 crossed the Caspian coast, where its ADS-B positions came back at
06:07 UTC, or the outline of any jamming zone. This script derives them openly from sourced
inputs and writes them, with a ``basis`` saying how, into ``data/cases/j2-8243/waypoints.csv``
(rows whose ids are in :data:`DERIVED`) and ``data/cases/j2-8243/zones.geojson``.
``tests/test_case_derivations.py`` re-runs :func:`derive_points` and fails if the files drift.

Usage::

    python scripts/derive_j2_8243.py          # rewrite the derived rows and zones.geojson
    python scripts/derive_j2_8243.py --check  # exit 1 if the files differ from a rebuild
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

from flightmap import basemap, regions
from flightmap.geodesy import LatLon, destination, distance_m, midpoint

CASE_DIR = Path(__file__).resolve().parents[1] / "data" / "cases" / "j2-8243"

# Khankala air base (OurAirports ident XRMU) runway 08/26 ends, OurAirports runways.csv id 350226.
XRMU_08 = LatLon(43.296872, 45.769793)
XRMU_26 = LatLon(43.298411, 45.787975)
# VChK-OGPU claim: "about 18 km NNW of Grozny airport" (NNW = 337.5 degrees).
VCHK_DISTANCE_M = 18_000.0
VCHK_BEARING_DEG = 337.5
# Coastline sampling step along the Grozny-Aktau geodesic, metres.
COAST_STEP_M = 50.0

DERIVED = ("XRMU", "HIT_VCHK", "CASPIAN_W", "CASPIAN_E", "ADSB_BACK")


def _read_waypoints() -> tuple[list[str], list[dict[str, str]]]:
    with (CASE_DIR / "waypoints.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def derive_points() -> dict[str, dict[str, Any]]:
    """Derived waypoints: id -> ``{"lat", "lon", "uncertainty_km", "basis"}``."""
    _, rows = _read_waypoints()
    ref = {
        r["id"]: LatLon(float(r["lat"]), float(r["lon"])) for r in rows if r["id"] not in DERIVED
    }
    grv, sco = ref["URMG"], ref["UATE"]
    out: dict[str, dict[str, Any]] = {}

    khk = midpoint(XRMU_08, XRMU_26)
    out["XRMU"] = {
        "point": khk,
        "uncertainty_km": None,
        "basis": (
            f"Geodesic midpoint of the OurAirports runway 08/26 ends ({XRMU_08.lat}, "
            f"{XRMU_08.lon}) and ({XRMU_26.lat}, {XRMU_26.lon}), runways.csv id 350226"
        ),
    }

    hit = destination(grv, VCHK_BEARING_DEG, VCHK_DISTANCE_M)
    out["HIT_VCHK"] = {
        "point": hit,
        "uncertainty_km": 5.0,
        "basis": (
            f"Geodesic destination {VCHK_DISTANCE_M / 1000:g} km at {VCHK_BEARING_DEG}° (NNW) from "
            "the URMG airport reference point, as claimed by VChK-OGPU; uncertainty of 5 km "
            "because 'about 18 km NNW' is a rounded verbal claim"
        ),
    }

    crossings = basemap.coast_crossings(grv, sco, COAST_STEP_M)
    # The open-sea stretch is the longest run between a land-to-sea and the next sea-to-land
    # crossing; smaller runs are bays and spits near the Dagestan coast.
    stretches = [
        (a[0], b[0])
        for a, b in itertools.pairwise(crossings)
        if a[1] == "land_to_sea" and b[1] == "sea_to_land"
    ]
    west, east = max(stretches, key=lambda s: distance_m(*s))
    n_before = sum(
        1 for c in crossings if c[0] != west and distance_m(grv, c[0]) < distance_m(grv, west)
    )
    meta = basemap.land_meta()
    dataset = f"{meta['source']} ({meta['source_file']}, sha256 {meta['source_sha256'][:12]}…)"
    common = (
        f"the geodesic from the URMG to the UATE airport reference points, sampled every "
        f"{COAST_STEP_M:g} m against {dataset}"
    )
    accuracy = (
        "The 1:10m coastline, as quantised by world-atlas, is good to a few hundred metres here"
    )
    out["CASPIAN_W"] = {
        "point": west,
        "uncertainty_km": None,
        "basis": (
            f"Last land-to-sea crossing of {common} before the open Caspian "
            f"({n_before} earlier crossing(s) are bays or spits of the Dagestan coast). "
            f"Marks where the direct line meets the sea, not where the aircraft did. {accuracy}"
        ),
    }
    out["CASPIAN_E"] = {
        "point": east,
        "uncertainty_km": None,
        "basis": f"First sea-to-land crossing of {common} after the open Caspian. {accuracy}",
    }
    sea_m = distance_m(west, east)
    out["ADSB_BACK"] = {
        "point": midpoint(west, east),
        "uncertainty_km": float(math.ceil(sea_m / 2 / 1000)),
        "basis": (
            f"FR24 says only 'over the Caspian Sea' at 06:07. Drawn at the geodesic midpoint of "
            f"the open-sea stretch CASPIAN_W to CASPIAN_E ({sea_m / 1000:.1f} km), with an "
            f"uncertainty radius of half that stretch, rounded up to whole km"
        ),
    }
    for v in out.values():
        v["lat"] = round(v["point"].lat, 6)
        v["lon"] = round(v["point"].lon, 6)
    return out


# Zones: nobody published their outlines; each construction says exactly how it is drawn.
ZONES: list[dict[str, Any]] = [
    {
        "id": "ew_enroute",
        "name": "Reported GPS jamming en route (Dagestan coast to Grozny)",
        "kind": "gnss_interference",
        "valid_from": "2024-12-25T04:25:00Z",
        "valid_to": None,
        "last_attested": "2024-12-25T05:13:31Z",
        "evidence": "inferred",
        "confidence": "low",
        "sources": [
            "fr24-blog-simpleflying",
            "fr24-kursiv",
            "reuters-2024-12-26",
            "forum-isf",
            "flightglobal-161665",
            "repost-uz",
        ],
        "construction": {"type": "corridor", "from": "URML", "to": "URMG", "half_width_km": 40},
        "basis": (
            "No outline published. Corridor of 40 km either side of the geodesic from Makhachkala "
            "URML (near where a forum reading of FR24's map puts the last valid position) to "
            "Grozny URMG: the stretch over which FR24's data went bad and the crew reported both "
            "GPS lost. Valid from FR24's last valid position (04:25). No source gives an end: the "
            "latest one showing GPS still lost on this stretch is the preliminary report at the "
            "first bang near Grozny (05:13:31: neither GPS received satellites, the DME nothing; "
            "Flightglobal 161665, repost.uz), so the zone is known in effect until then and its "
            "state is unknown afterwards. FR24's positions came back at 06:07 over the Caspian "
            "Sea, after the aircraft had left the corridor: that dates the aircraft's exit, not "
            "the end of the jamming"
        ),
    },
    {
        "id": "ew_grozny",
        "name": "Grozny approach area: no GPS, no DME",
        "kind": "gnss_interference",
        "valid_from": "2024-12-25T04:36:57Z",
        "valid_to": "2024-12-25T05:26:58Z",
        "evidence": "inferred",
        "confidence": "low",
        "sources": ["baza-vsalde", "flightglobal-161665", "anewz-2532", "kz-mot-prelim"],
        "construction": {"type": "disk", "center": "URMG", "radius_km": 25},
        "basis": (
            "No outline published. Disk of 25 km around the Grozny airport reference point, "
            "chosen to hold the approach and the claimed hit point 18 km NNW. Valid from the "
            "crew's 'both GPS lost' call to Grozny (04:36:57) to the end of contact with Grozny "
            "(05:26:58); at the hit (05:13:31) neither GPS nor DME worked (preliminary report)"
        ),
    },
    {
        "id": "kover_grozny",
        "name": "'Kovyor' (Carpet) plan: Grozny airspace closed",
        "kind": "airspace_closure",
        "valid_from": "2024-12-25T05:21:42Z",
        "valid_to": None,
        "evidence": "inferred",
        "confidence": "low",
        "sources": ["apa-459893", "trend-4001661", "flightglobal-161234"],
        "construction": {"type": "disk", "center": "URMG", "radius_km": 50},
        "basis": (
            "The extent of the plan is not published. Drawn for display only as a disk of 50 km "
            "around the Grozny airport reference point. Valid from 05:21:42, when coordinating "
            "ATC passed the plan on; no source gives its end"
        ),
    },
]


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 5)
    if isinstance(obj, list | tuple):
        return [_round_coords(x) for x in obj]
    return obj


def build_zones(waypoints: dict[str, LatLon]) -> dict[str, Any]:
    """The zones as a GeoJSON FeatureCollection, outlines built from their constructions."""
    from shapely.geometry import mapping

    features = []
    for z in ZONES:
        geom = regions.from_construction(z["construction"], waypoints)
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": dict(z),
                "geometry": {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"])},
            }
        )
    return {
        "type": "FeatureCollection",
        "generator": "scripts/derive_j2_8243.py",
        "coordinate_order": "lon,lat (RFC 7946)",
        "features": features,
    }


def render_files() -> dict[Path, str]:
    """The new contents of waypoints.csv and zones.geojson."""
    fields, rows = _read_waypoints()
    derived = derive_points()
    for r in rows:
        if r["id"] in derived:
            d = derived[r["id"]]
            r["lat"], r["lon"] = f"{d['lat']:.6f}", f"{d['lon']:.6f}"
            r["uncertainty_km"] = "" if d["uncertainty_km"] is None else f"{d['uncertainty_km']:g}"
            r["basis"] = d["basis"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    points = {r["id"]: LatLon(float(r["lat"]), float(r["lon"])) for r in rows}
    zones = json.dumps(build_zones(points), indent=1, ensure_ascii=False) + "\n"
    return {CASE_DIR / "waypoints.csv": buf.getvalue(), CASE_DIR / "zones.geojson": zones}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on drift")
    args = parser.parse_args(argv)
    drift = False
    for path, text in render_files().items():
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != text:
            drift = True
            if not args.check:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path}")
    if args.check and drift:
        print("derived case data differ from a rebuild; run scripts/derive_j2_8243.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
