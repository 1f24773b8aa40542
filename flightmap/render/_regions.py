"""Where-could-it-have-been regions on the map: inferred, so dotted, with their basis in the
popup and in the Methods panel.

Regions arrive as the frames analysis returns (:func:`flightmap.analysis.case_regions`,
:func:`flightmap.analysis.gap_regions`); every label and popup is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd

from flightmap.render._case import AREAS_PANE, constant_style, rounded_geojson
from flightmap.render._html import esc, popup
from flightmap.style import EVIDENCE_STYLE

__all__ = ["MAX_GAP_REGIONS", "DrawnRegion", "case_region_items", "gap_region_items"]

#: Largest number of gap regions drawn (the largest first); the rest are listed by analyse.
MAX_GAP_REGIONS = 200


@dataclass(frozen=True)
class DrawnRegion:
    """A region as the map draws it."""

    geometry: Any
    """shapely (Multi)Polygon, ``(lon, lat)``."""
    label: str
    """Plain text (escaped where it is written)."""
    popup_html: str
    """The popup, escaped HTML."""


def region_popup(title: str, basis: str, area_km2: float, speed_kt: float) -> str:
    """Escaped popup HTML of a region: title, evidence (inferred), area, speed and basis."""
    return (
        f"<div class='fm-popup'><h4>{esc(title)}</h4>"
        f"<p><b>Evidence:</b> inferred &middot; area {area_km2:,.0f} km² at a maximum speed of "
        f"{speed_kt:.1f} kt</p><p><b>Basis:</b> {esc(basis)}</p></div>"
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def case_region_items(frame: pd.DataFrame) -> list[DrawnRegion]:
    """The case's regions (:func:`flightmap.analysis.case_regions`) with labels and popups."""
    out = []
    for r in _records(frame):
        if r["geometry"] is None or r["geometry"].is_empty:
            continue
        label = (
            f"Where it could have been between {r['start']:%H:%M:%S} and {r['end']:%H:%M:%S} UTC"
            if r["kind"] == "gap"
            else f"Where it could have been at {r['time']:%H:%M:%S} UTC ({r['id']})"
        )
        popup_html = region_popup(label, r["basis"], r["area_km2"], r["max_speed_kt"])
        out.append(DrawnRegion(r["geometry"], label, popup_html))
    return out


def gap_region_items(frame: pd.DataFrame) -> list[DrawnRegion]:
    """A track's gap regions (:func:`flightmap.analysis.gap_regions`), the
    :data:`MAX_GAP_REGIONS` largest, with labels and popups."""
    frame = frame[frame["geometry"].notna()].sort_values("area_km2", ascending=False)
    out = []
    for r in _records(frame.head(MAX_GAP_REGIONS)):
        label = (
            f"{r['flight_id']}: where it could have been, {r['start']:%H:%M:%S} to "
            f"{r['end']:%H:%M:%S} UTC"
        )
        radii = [
            f"{name} by {r[key]:,.0f} m"
            for name, key in (("A", "r_before_m"), ("B", "r_after_m"))
            if r[key] > 0  # NaN (no fix) and 0 (NACp unknown) add nothing
        ]
        grown = ""
        if radii:
            grown = f"; grown by the fixes' position error (95 % bound of NACp): {', '.join(radii)}"
        basis = (
            f"Gap of kind '{r['kind']}': every point P with d(A, P) + d(P, B) <= v (t1 - t0), "
            f"geodesic, between the fixes before (A) and after (B) the gap ({r['shape']}){grown}"
        )
        popup_html = region_popup(label, basis, r["area_km2"], r["max_speed_kt"])
        out.append(DrawnRegion(r["geometry"], label, popup_html))
    return out


def regions_layer(regions: Sequence[DrawnRegion]) -> folium.FeatureGroup:
    """Where-could-it-have-been regions: inferred, so dotted outlines with a faint tint, in the
    areas pane under every line and mark; only the outline takes a click (its popup gives the
    basis), so a region never hides the route or an event."""
    layer = folium.FeatureGroup(name="Where it could have been (inferred)", show=True)
    for region in regions:
        gj = folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": rounded_geojson(region.geometry)},
            style_function=constant_style(
                {
                    "color": "#6a3d9a",
                    "weight": 2,
                    "dashArray": EVIDENCE_STYLE["inferred"]["dash_array"],
                    "fillColor": "#cab2d6",
                    "fillOpacity": 0.03,
                    "className": "fm-region",
                }
            ),
            tooltip=folium.Tooltip(esc(region.label), sticky=True),
            pane=AREAS_PANE,
        )
        popup(region.popup_html).add_to(gj)
        gj.add_to(layer)
    return layer
