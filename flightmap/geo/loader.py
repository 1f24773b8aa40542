"""Loading a case: its folder found, each file read and checked, the checks across files, the
:class:`~flightmap.geo.model.Case` assembled (see :mod:`flightmap.geo`).

The parts live beside this module, one concept each: :mod:`.folders` (where cases are),
:mod:`.fields` (one field checked), :mod:`.meta` (``case.toml``), :mod:`.tables` (the CSV
files), :mod:`.zones` (``zones.geojson``), :mod:`.references` (checks across files). Every
problem raises :class:`~flightmap.errors.InputError` naming the file, the line or feature and
the field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flightmap.geo.folders import resolve_case
from flightmap.geo.meta import read_meta, read_regions, read_tracks, read_window
from flightmap.geo.model import DEFAULT_CASE, Case
from flightmap.geo.references import (
    link_conflicts,
    raise_first,
    reference_problems,
    resolve_times,
    unique_id_problems,
)
from flightmap.geo.tables import (
    read_claims,
    read_conflicts,
    read_events,
    read_legs,
    read_sources,
    read_waypoints,
)
from flightmap.geo.zones import read_zones

__all__ = ["load_case"]


def load_case(name: str | Path = DEFAULT_CASE) -> Case:
    """Load and validate a case by name (``"j2-8243"``) or folder path.

    Results are cached until one of the case's files changes.

    Raises
    ------
    InputError
        If the case cannot be found or any file in it is invalid; the message names the file,
        the line or feature and the field.
    """
    path = resolve_case(name)
    # Every file counts, tracks/ included: a case's track is checked against its SHA-256.
    stamp = tuple(
        (p.relative_to(path).as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(path.rglob("*"))
        if p.is_file()
    )
    return _load_case_cached(path, stamp)


@cache
def _load_case_cached(path: Path, _stamp: tuple[tuple[str, int, int], ...]) -> Case:
    return _assemble(path)


def _assemble(folder: Path) -> Case:
    """Read every file of the case ``folder`` (in this order, so the first problem reported is
    the same on every run), check them against each other and build the case."""
    meta = read_meta(folder)
    sources = read_sources(folder)
    waypoints = read_waypoints(folder)
    events = resolve_times(folder, read_events(folder))
    claims = read_claims(folder)
    legs = read_legs(folder)
    conflicts = read_conflicts(folder)
    zones = tuple(read_zones(folder))

    raise_first(unique_id_problems(folder, waypoints, events, claims, legs, zones))
    raise_first(
        reference_problems(folder, sources, waypoints, events, claims, legs, zones, conflicts)
    )
    waypoints, events_t, claims = link_conflicts(conflicts, waypoints, events, claims)
    return Case(
        id=str(meta["id"]),
        path=folder,
        title=str(meta["title"]),
        summary=str(meta.get("summary", "")),
        flight={str(k): str(v) for k, v in dict(meta.get("flight", {})).items()},
        timezones=tuple((tz["zone"], tz.get("label", tz["zone"])) for tz in meta["timezones"]),
        sources=sources,
        waypoints=waypoints,
        events=tuple(sorted(events_t, key=lambda e: (e.time, e.id))),
        claims=claims,
        legs=legs,
        zones=zones,
        conflicts=conflicts,
        regions=read_regions(folder, meta, {e.id for e in events_t}),
        tracks=read_tracks(folder, meta, set(sources)),
        window=read_window(folder, meta),
    )
