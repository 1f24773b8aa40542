"""The five folium plugins the map uses, loaded without the other thirty-odd.

``import folium.plugins`` runs the package's ``__init__``, which imports every plugin module and
compiles each one's Jinja template: about 0.12 s, a tenth of a whole ``flightmap render`` of
the default case (measured with ``python -X importtime``; benchmarks/README.md, row 4a). Each
plugin module the map needs imports only ``folium`` and ``branca`` by absolute name, so it is
loaded here from its file under its own dotted name and registered in :data:`sys.modules`. A
later ``import folium.plugins`` (a notebook user's, say) runs the package ``__init__`` as
usual, finds these modules already imported and reuses them, so the classes are the same
objects either way; if ``folium.plugins`` is imported already, it is used as is.
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


def _plugin(module: str) -> ModuleType:
    """The module ``folium.plugins.<module>``, imported without the package ``__init__``."""
    name = f"folium.plugins.{module}"
    if name in sys.modules:
        return sys.modules[name]
    package = sys.modules.get("folium.plugins")
    if package is not None:  # the whole package is imported already: use it
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


def __getattr__(name: str) -> object:
    # PEP 562: each class is loaded on first use, so ``--help`` and the CLI's other commands
    # never load a plugin.
    modules = {
        "Fullscreen": "fullscreen",
        "MeasureControl": "measure_control",
        "MiniMap": "minimap",
        "MousePosition": "mouse_position",
        "Timeline": "timeline",
        "TimelineSlider": "timeline",
    }
    if name not in modules:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_plugin(modules[name]), name)
    globals()[name] = value
    return value
