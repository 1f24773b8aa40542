"""The six folium plugins the map uses, and, for the command line, a way to load only them.

``import folium.plugins`` runs the package's ``__init__``, which imports every plugin module and
compiles each one's Jinja template: about 0.12 s, a tenth of a whole ``flightmap render`` of
the default case (measured with ``python -X importtime``; benchmarks/README.md, row 4a).

By default the classes come from ``folium.plugins`` as usual. The command line, a process that
renders one page and exits, calls :func:`load_alone` first: then each plugin module the map
needs (they import only ``folium`` and ``branca``, by absolute name) is loaded from its file
under its own dotted name and registered in :data:`sys.modules`, without the package. A library
user's process is left alone, since there ``import folium.plugins.fullscreen`` or the attribute
``folium.plugins.fullscreen`` would not find a module loaded that way.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from folium.plugins.fullscreen import Fullscreen
    from folium.plugins.measure_control import MeasureControl
    from folium.plugins.minimap import MiniMap
    from folium.plugins.mouse_position import MousePosition
    from folium.plugins.timeline import Timeline, TimelineSlider

__all__ = [
    "Fullscreen",
    "MeasureControl",
    "MiniMap",
    "MousePosition",
    "Timeline",
    "TimelineSlider",
]


_ALONE = {"on": False}


def load_alone() -> None:
    """From now on, load the plugins the map uses from their own modules, without importing
    the rest of ``folium.plugins`` (for a process that only renders: the command line)."""
    _ALONE["on"] = True


def _plugin(module: str) -> ModuleType:
    """The module ``folium.plugins.<module>``: through the package as usual, or, after
    :func:`load_alone` and while the package is not imported, alone."""
    name = f"folium.plugins.{module}"
    if name in sys.modules:
        return sys.modules[name]
    if not _ALONE["on"] or "folium.plugins" in sys.modules:
        return importlib.import_module(name)
    spec = importlib.util.find_spec("folium.plugins")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("folium.plugins not found: is folium installed?")
    found = importlib.machinery.PathFinder.find_spec(name, list(spec.submodule_search_locations))
    if found is None or found.loader is None:
        raise ImportError(f"{name} not found: this folium has no such plugin module")
    mod = importlib.util.module_from_spec(found)
    sys.modules[name] = mod
    try:
        found.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    return mod


#: The module of each class in ``folium.plugins``.
_MODULE_OF = {
    "Fullscreen": "fullscreen",
    "MeasureControl": "measure_control",
    "MiniMap": "minimap",
    "MousePosition": "mouse_position",
    "Timeline": "timeline",
    "TimelineSlider": "timeline",
}


def __getattr__(name: str) -> object:
    # PEP 562: each class is loaded on first use (by then the command line has chosen).
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_plugin(_MODULE_OF[name]), name)
    globals()[name] = value
    return value
