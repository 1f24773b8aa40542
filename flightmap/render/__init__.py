"""The interactive HTML map: the only module that imports folium.

:func:`build_map` turns a :class:`~flightmap.geo.Case` into a :class:`folium.Map` with named
layers (waypoints, route legs styled by evidence class, events, zones, an offline coastline
layer), popups that cite their sources, a legend, a title panel and a "Methods and sources"
panel. :func:`render_html` returns the page as text, byte-identical for identical inputs, and
:func:`write_html` writes it atomically.

Every text that comes from a file (titles, notes, source names, URLs, callsigns) goes through
:func:`esc` before it reaches HTML or JavaScript. Coordinates are converted to folium's
``(lat, lon)`` order here, from named fields, never by position.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import folium
from branca.element import Element, Figure
from folium import plugins

from flightmap.atomic import write_text
from flightmap.geo import Case
from flightmap.render._case import (
    events_layer,
    legs_layer,
    offline_layer,
    replay,
    waypoint_layer,
    zones_layer,
)
from flightmap.render._html import esc
from flightmap.render._panels import CSS, title_panel
from flightmap.render._style import EVIDENCE_STYLE

__all__ = ["EVIDENCE_STYLE", "build_map", "esc", "render_html", "write_html"]

# --------------------------------------------------------------------------- assembly


def build_map(case: Case, *, tiles: str = "OpenStreetMap") -> folium.Map:
    """Build the interactive map of ``case``.

    Parameters
    ----------
    case : Case
        A validated case from :func:`flightmap.geo.load_case`.
    tiles : str
        Name of the base layer shown first: ``"OpenStreetMap"`` or ``"Esri.WorldImagery"``.

    Returns
    -------
    folium.Map
        The map, with a layer control, legend and panels; fitted to the case's waypoints.
    """
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    bases = {
        "OpenStreetMap": "Street map (OpenStreetMap)",
        "Esri.WorldImagery": "Satellite (Esri World Imagery)",
    }
    if tiles not in bases:
        raise ValueError(f"unknown tiles {tiles!r}: expected one of {', '.join(bases)}")
    for name in sorted(bases, key=lambda n: n != tiles):
        folium.TileLayer(name, name=bases[name], show=name == tiles).add_to(m)
    offline_layer().add_to(m)
    zones_layer(case).add_to(m)
    legs_layer(case).add_to(m)
    waypoint_layer(case).add_to(m)
    events_layer(case).add_to(m)
    replay(case, m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="kilometers").add_to(m)
    plugins.MousePosition(position="bottomright", separator=" , ", prefix="lat , lon:").add_to(m)
    plugins.MiniMap(position="bottomright", toggle_display=True, zoom_level_offset=-5).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(CSS), name="fm_css")
    root.html.add_child(Element(title_panel(case)), name="fm_title")
    lats = [w.lat for w in case.waypoints.values()]
    lons = [w.lon for w in case.waypoints.values()]
    # Keep the data clear of the title panel (left) and the time slider (bottom).
    m.fit_bounds(
        [[min(lats), min(lons)], [max(lats), max(lons)]],
        padding_top_left=(330, 20),
        padding_bottom_right=(20, 110),
    )
    return m


def _stable_ids(root: Element) -> None:
    """Give every element a sequential id, so the same map renders to the same bytes.

    folium names each element with 16 random bytes; the names end up in the page as JavaScript
    variable names. Renumbering in tree order (children, then elements held as attributes, such
    as a MiniMap's tile layer or a Figure's header) keeps them unique and reproducible.
    """
    counter = 0
    seen: set[int] = set()

    def walk(el: Element) -> None:
        nonlocal counter
        if id(el) in seen:
            return
        seen.add(id(el))
        children = list(el._children.values())
        held = [
            v
            for k, v in vars(el).items()
            if k != "_parent" and isinstance(v, Element) and v is not el and v not in children
        ]
        for child in [*children, *held]:
            if id(child) not in seen:
                child._id = f"{counter:04x}"
                counter += 1
        el._children = OrderedDict((c.get_name(), c) for c in children)
        for child in [*children, *held]:
            walk(child)

    walk(root)


def render_html(m: folium.Map) -> str:
    """The complete HTML page of ``m``, byte-identical for identical maps."""
    root = m.get_root()
    assert isinstance(root, Figure)
    _stable_ids(root)
    return str(root.render())


def write_html(path: str | os.PathLike[str], page: str) -> Path:
    """Write ``page`` to ``path`` atomically (see :mod:`flightmap.atomic`).

    A failure at any point leaves a previous file at ``path`` untouched.
    """
    return write_text(path, page)
