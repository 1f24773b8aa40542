"""flightmap: reconstruct and map the flight paths of aviation incidents.

The package is a library first; the ``flightmap`` command is a thin layer over it.

- :mod:`flightmap.geo`: case files (waypoints, events, zones, sources) and geodesy.
- :mod:`flightmap.render`: the interactive HTML map (the only module importing folium).
- :mod:`flightmap.cli`: the typer command-line interface.

Heavy modules are imported lazily so that ``flightmap --help`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
