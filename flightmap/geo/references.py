"""Checks across the files of a case: relative event times resolved, ids unique across the
case, every reference (sources, waypoints, events, claims) known, conflicts linked both ways.

Every problem raises :class:`~flightmap.errors.InputError` naming the file, the item and the
field: :func:`unique_id_problems` and :func:`reference_problems` yield them all (``flightmap
check`` lists them), :func:`raise_first` raises the first (:func:`~flightmap.geo.load_case`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from flightmap.errors import InputError
from flightmap.geo.model import Claim, Conflict, Event, Leg, Source, Waypoint, Zone

__all__ = [
    "link_conflicts",
    "raise_first",
    "reference_problems",
    "resolve_times",
    "unique_id_problems",
]

# Strength of an evidence class: a measured position beats a stated one beats a derived one.
_RANK = {"inferred": 0, "reported": 1, "observed": 2}


def resolve_times(
    folder: Path, events: list[Event], problems: list[InputError] | None = None
) -> list[Event]:
    """``events`` (same order) with each ``relative_to`` time set to its base event's time
    plus ``offset_s`` seconds; unknown bases and cycles raise, or with ``problems`` are added
    to it (the event keeps a placeholder time)."""
    by_id = {e.id: e for e in events}
    path = folder / "events.csv"
    resolved: dict[str, Event] = {}

    def resolve(ev: Event, chain: tuple[str, ...]) -> Event:
        if ev.id in resolved:
            return resolved[ev.id]
        if not ev.relative_to:
            resolved[ev.id] = ev
            return ev
        if ev.relative_to in chain or ev.relative_to == ev.id:
            cycle = " -> ".join((*chain, ev.id, ev.relative_to))
            raise InputError(
                f"relative times form a cycle: {cycle}",
                path=path,
                where=f"event {ev.id}",
                field="relative_to",
            )
        base = by_id.get(ev.relative_to)
        if base is None:
            raise InputError(
                f"unknown event id {ev.relative_to!r}",
                path=path,
                where=f"event {ev.id}",
                field="relative_to",
            )
        base = resolve(base, (*chain, ev.id))
        out = replace(ev, time=base.time + timedelta(seconds=ev.offset_s or 0.0))
        resolved[ev.id] = out
        return out

    out = []
    for e in events:
        try:
            out.append(resolve(e, ()))
        except InputError as exc:
            if problems is None:
                raise
            if not any(str(p) == str(exc) for p in problems):
                problems.append(exc)
            out.append(e)
    return out


def raise_first(problems: Iterable[InputError]) -> None:
    """Raise the first of ``problems``, if any (what :func:`flightmap.geo.load_case` does with
    :func:`unique_id_problems` and :func:`reference_problems`)."""
    for problem in problems:
        raise problem


def unique_id_problems(
    folder: Path,
    waypoints: Mapping[str, Waypoint],
    events: list[Event],
    claims: Mapping[str, Claim],
    legs: tuple[Leg, ...],
    zones: tuple[Zone, ...],
) -> Iterator[InputError]:
    """Every id used twice anywhere in the case (one namespace for every file), as an error
    naming the file."""
    seen: dict[str, str] = {}
    groups: list[tuple[str, list[str]]] = [
        ("waypoints.csv", [w.id for w in waypoints.values()]),
        ("events.csv", [e.id for e in events]),
        ("claims.csv", list(claims)),
        ("legs.csv", [g.id for g in legs]),
        ("zones.geojson", [z.id for z in zones]),
    ]
    for name, ids in groups:
        for item_id in ids:
            if item_id in seen:
                yield InputError(
                    f"duplicate id {item_id!r} (also in {seen[item_id]}); ids must be "
                    "unique across the case",
                    path=folder / name,
                    field="id",
                )
            seen[item_id] = name


def reference_problems(
    folder: Path,
    sources: Mapping[str, Source],
    waypoints: Mapping[str, Waypoint],
    events: list[Event],
    claims: Mapping[str, Claim],
    legs: tuple[Leg, ...],
    zones: tuple[Zone, ...],
    conflicts: tuple[Conflict, ...],
) -> Iterator[InputError]:
    """Every reference to an unknown item (source ids, event waypoints and their evidence, leg
    ends, conflict sides, which must not share an item), in file order."""

    def unknown(message: str, name: str, item_id: str, field_: str) -> InputError:
        return InputError(message, path=folder / name, where=f"item {item_id}", field=field_)

    def check_sources(name: str, item_id: str, ids: tuple[str, ...]) -> Iterator[InputError]:
        for s in ids:
            if s not in sources:
                yield unknown(
                    f"unknown source id {s!r} (not in sources.csv)", name, item_id, "sources"
                )

    for w in waypoints.values():
        yield from check_sources("waypoints.csv", w.id, w.sources)
    for e in events:
        yield from check_sources("events.csv", e.id, e.sources)
        if e.waypoint and e.waypoint not in waypoints:
            yield unknown(f"unknown waypoint id {e.waypoint!r}", "events.csv", e.id, "waypoint")
        elif e.waypoint and _RANK[e.position_evidence] > _RANK[waypoints[e.waypoint].evidence]:
            yield unknown(
                f"{e.position_evidence!r} is stronger than the evidence of waypoint "
                f"{e.waypoint} ({waypoints[e.waypoint].evidence}): a place is no better than "
                "the point it is drawn at",
                "events.csv",
                e.id,
                "position_evidence",
            )
    for c in claims.values():
        yield from check_sources("claims.csv", c.id, c.sources)
    for g in legs:
        yield from check_sources("legs.csv", g.id, g.sources)
        for end, fld in ((g.start, "from"), (g.end, "to")):
            if end not in waypoints:
                yield unknown(f"unknown waypoint id {end!r}", "legs.csv", g.id, fld)
    for z in zones:
        yield from check_sources("zones.geojson", z.id, z.sources)
    known = set(waypoints) | {e.id for e in events} | set(claims)
    for k in conflicts:
        for fld, side in (("side_a", k.side_a), ("side_b", k.side_b)):
            for item_id in side:
                if item_id not in known:
                    yield InputError(
                        f"unknown item id {item_id!r} (not a waypoint, event or claim)",
                        path=folder / "conflicts.csv",
                        where=f"conflict {k.id}",
                        field=fld,
                    )
        overlap = set(k.side_a) & set(k.side_b)
        if overlap:
            yield InputError(
                f"{sorted(overlap)[0]!r} is on both sides",
                path=folder / "conflicts.csv",
                where=f"conflict {k.id}",
                field="side_b",
            )


def link_conflicts(
    conflicts: tuple[Conflict, ...],
    waypoints: dict[str, Waypoint],
    events: list[Event],
    claims: dict[str, Claim],
) -> tuple[dict[str, Waypoint], list[Event], dict[str, Claim]]:
    """New waypoints, events and claims with ``conflicts_with`` set from ``conflicts``, both
    ways (each item lists the items on the other side of every conflict it is in)."""
    links: dict[str, list[str]] = {}
    for k in conflicts:
        for a in k.side_a:
            links.setdefault(a, []).extend(k.side_b)
        for b in k.side_b:
            links.setdefault(b, []).extend(k.side_a)

    def linked(item_id: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(links.get(item_id, ())))

    return (
        {i: replace(w, conflicts_with=linked(i)) for i, w in waypoints.items()},
        [replace(e, conflicts_with=linked(e.id)) for e in events],
        {i: replace(c, conflicts_with=linked(i)) for i, c in claims.items()},
    )
