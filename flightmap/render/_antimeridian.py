"""Pages whose data crosses the antimeridian: drawn in longitudes [0, 360).

Leaflet draws a longitude where it is: a flight from Fiji (178 E) to Samoa (172 W) would sit
at both edges of a world map, and a view fitted to it would be the whole world. When the
data's longitudes span less in [0, 360) than in [-180, 180) (:func:`pacific_span`), the page
is drawn in [0, 360) instead: the first view is fitted to the data's longitudes in that frame,
and a script (:class:`Lon360`, added right after the map is made) moves every layer added to
the map with a longitude below 0 by +360 (lines, areas, marks, the slider's aircraft, the
basemap's land, then the place names, which read ``window.fmLon360``). Data and exports keep
their longitudes in [-180, 180); only the drawing moves. Other pages are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from branca.element import MacroElement
from jinja2 import Template

__all__ = ["Lon360", "pacific_span"]


def pacific_span(lons: Sequence[float] | np.ndarray) -> tuple[float, float] | None:
    """``(west, east)`` of ``lons`` (degrees) in [0, 360) when that span is shorter than in
    [-180, 180): the data crosses the antimeridian; else None.

    >>> pacific_span([178.0, -179.0, -172.5])
    (178.0, 187.5)
    >>> pacific_span([45.0, 49.9]) is None
    True
    """
    a = np.asarray(lons, dtype="float64")
    a = a[np.isfinite(a)]
    if a.size == 0 or a.min() >= 0 or a.max() < 0:  # one side of 0: nothing to gain
        return None
    shifted = np.mod(a, 360.0)
    if shifted.max() - shifted.min() < a.max() - a.min():
        return float(shifted.min()), float(shifted.max())
    return None


class Lon360(MacroElement):
    """Moves every layer added to the map with a longitude below 0 by +360 (once per layer)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            window.fmLon360 = true;
            function east(ll) {
                if (Array.isArray(ll)) { return ll.map(east); }
                return ll.lng < 0 ? L.latLng(ll.lat, ll.lng + 360, ll.alt) : ll;
            }
            function move(layer) {
                if (layer._fmLon360) { return; }
                layer._fmLon360 = true;
                if (layer.getLatLngs && layer.setLatLngs) {
                    layer.setLatLngs(east(layer.getLatLngs()));
                } else if (layer.getLatLng && layer.setLatLng && layer.getLatLng()) {
                    var p = layer.getLatLng();
                    if (p.lng < 0) { layer.setLatLng(east(p)); }
                }
            }
            map.on('layeradd', function (e) { move(e.layer); });
            map.eachLayer(move);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Lon360"
