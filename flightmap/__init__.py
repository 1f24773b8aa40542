"""flightmap: reconstruct and map the flight paths of aviation incidents.

The package is a library first; the ``flightmap`` command is a thin layer over it. The Python
API (:mod:`flightmap.api`), imported on first use so ``import flightmap`` stays light (no
pandas, no folium):

- :func:`read_track` -> :class:`Track`: a flight-tracker file in the canonical schema;
- :func:`analyse` -> :class:`~flightmap.analysis.TrackAnalysis`: gaps and GNSS integrity;
- :func:`load_case` -> :class:`~flightmap.geo.Case`: an incident's waypoints, events, zones;
- :func:`build_map` -> ``folium.Map``: the interactive map of a case and tracks;
- :func:`explore`: a map of a path, track, frame, analysis or case in one call.

Packages: :mod:`flightmap.readers` (track formats), :mod:`flightmap.analysis`,
:mod:`flightmap.geo` (cases and geodesy), :mod:`flightmap.render` (the only importer of
folium), :mod:`flightmap.cli` (the command line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Track", "__version__", "analyse", "build_map", "explore", "load_case", "read_track"]

if TYPE_CHECKING:
    from flightmap.api import Track, analyse, build_map, explore, load_case, read_track

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    """The API's names, imported from :mod:`flightmap.api` when first used."""
    if name in _API:
        from flightmap import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'flightmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
