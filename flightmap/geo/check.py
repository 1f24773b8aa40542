"""Every problem of a case at once (``flightmap check``), where :func:`flightmap.geo.load_case`
stops at the first.

Each file is read on its own and each row or feature checked on its own, so one bad line
does not hide the others; then the checks across files run on what could be read. Problems are
:class:`~flightmap.errors.InputError` naming the file, the line or item and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flightmap.errors import InputError
from flightmap.geo.folders import resolve_case
from flightmap.geo.meta import read_meta, read_regions, read_tracks, read_window
from flightmap.geo.model import Claim, Conflict, Event, Leg, Source, Waypoint, Zone
from flightmap.geo.references import reference_problems, resolve_times, unique_id_problems
from flightmap.geo.tables import (
    read_claims,
    read_conflicts,
    read_events,
    read_legs,
    read_sources,
    read_waypoints,
)
from flightmap.geo.zones import read_zones

__all__ = ["CaseCheck", "check_case"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class CaseCheck:
    """The result of :func:`check_case`: the case folder, every problem found (in file order),
    and the number of items of each kind that could be read."""

    path: Path
    problems: tuple[InputError, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        """True when the case has no problem (it loads with ``load_case``)."""
        return not self.problems


def check_case(name: str | Path) -> CaseCheck:
    """Check every file of a case by name or path and return all the problems found.

    Raises
    ------
    InputError
        Only if the case cannot be found (an unknown name, a folder without ``case.toml``).
    """
    folder = resolve_case(name)
    problems: list[InputError] = []

    def attempt(read: Callable[[], _T], default: _T) -> _T:
        """``read()``, or ``default`` after noting the problem that stopped it."""
        try:
            return read()
        except InputError as exc:
            problems.append(exc)
            return default

    meta: dict[str, Any] = attempt(lambda: read_meta(folder), {})
    no_sources: dict[str, Source] = {}
    sources = attempt(lambda: read_sources(folder, problems), no_sources)
    no_waypoints: dict[str, Waypoint] = {}
    waypoints = attempt(lambda: read_waypoints(folder, problems), no_waypoints)
    no_events: list[Event] = []
    events = resolve_times(
        folder, attempt(lambda: read_events(folder, problems), no_events), problems
    )
    no_claims: dict[str, Claim] = {}
    claims = attempt(lambda: read_claims(folder, problems), no_claims)
    no_legs: tuple[Leg, ...] = ()
    legs = attempt(lambda: read_legs(folder, problems), no_legs)
    no_conflicts: tuple[Conflict, ...] = ()
    conflicts = attempt(lambda: read_conflicts(folder, problems), no_conflicts)
    no_zones: tuple[Zone, ...] = ()
    zones = attempt(lambda: tuple(read_zones(folder, problems)), no_zones)
    problems += unique_id_problems(folder, waypoints, events, claims, legs, zones)
    problems += reference_problems(
        folder, sources, waypoints, events, claims, legs, zones, conflicts
    )
    if meta:
        for read in (
            lambda: read_regions(folder, meta, {e.id for e in events}),
            lambda: read_tracks(folder, meta, set(sources)),
            lambda: read_window(folder, meta),
        ):
            attempt(read, None)
    counts = {
        "sources": len(sources),
        "waypoints": len(waypoints),
        "events": len(events),
        "claims": len(claims),
        "legs": len(legs),
        "conflicts": len(conflicts),
        "zones": len(zones),
    }
    return CaseCheck(path=folder, problems=tuple(problems), counts=counts)
