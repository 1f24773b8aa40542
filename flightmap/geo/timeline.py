"""The timeline of a case as JSON-ready data and as an aligned text table (UTC and local).

The JSON keeps the truth model: each event's time evidence and, apart from it, the evidence,
basis and uncertainty of its place; the altitudes and speeds its sources state; the claims and
the waypoints, claims and conflicts (both sides), so every ``conflicts_with`` id resolves.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from zoneinfo import ZoneInfo

from flightmap.geo.model import Case, Event

__all__ = ["item_record", "timeline_json", "timeline_table"]


def timeline_json(c: Case) -> dict[str, Any]:
    """The timeline of case ``c`` as a JSON-ready dict; times ISO 8601 with offset."""
    events = []
    for ev in c.events:
        events.append(
            {
                "id": ev.id,
                "time": ev.time.isoformat(),
                "local": {z: ev.time.astimezone(ZoneInfo(z)).isoformat() for z, _ in c.timezones},
                "uncertainty_s": ev.uncertainty_s,
                "title": ev.title,
                "description": ev.description,
                "category": ev.category,
                "evidence": ev.evidence,
                "confidence": ev.confidence,
                "sources": [
                    {
                        "id": s,
                        "title": c.sources[s].title,
                        "publisher": c.sources[s].publisher,
                        "url": c.sources[s].url or None,
                    }
                    for s in ev.sources
                ],
                "conflicts_with": list(ev.conflicts_with),
                "relative_to": ev.relative_to or None,
                "offset_s": ev.offset_s,
                "waypoint": ev.waypoint or None,
                "position": _position(c, ev),
                "alt_ft": ev.alt_ft,
                "gs_kt": ev.gs_kt,
                "basis": ev.basis or None,
            }
        )
    return {
        "case": c.id,
        "title": c.title,
        "timezones": [{"zone": z, "label": label} for z, label in c.timezones],
        "events": events,
        "waypoints": [
            {
                **item_record(w),
                "uncertainty_m": None if w.uncertainty_km is None else w.uncertainty_km * 1000.0,
            }
            for w in c.waypoints.values()
        ],
        "claims": [item_record(k) for k in c.claims.values()],
        "conflicts": [item_record(k) for k in c.conflicts],
    }


def item_record(item: Any) -> dict[str, Any]:
    """A case record (waypoint, claim, conflict, ...) as a JSON-ready dict: every field, tuples
    of ids as lists, empty text as None.

    >>> from flightmap.geo.model import Conflict
    >>> item_record(Conflict("k", "topic", ("a",), ("b", "c"), "says", ""))["side_b"]
    ['b', 'c']
    """
    out: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, str):
            value = value or None
        out[f.name] = value
    return out


def _position(c: Case, ev: Event) -> dict[str, Any] | None:
    """Where ``ev`` is drawn and what the place rests on, or None without a place."""
    place = c.placement(ev)
    if place is None:
        return None
    return {
        "lat": place.position.lat,
        "lon": place.position.lon,
        "waypoint": place.waypoint,
        "evidence": place.evidence,
        "basis": place.basis or None,
        "uncertainty_m": place.uncertainty_m,
    }


def timeline_table(c: Case) -> str:
    """The timeline of case ``c`` as an aligned text table."""
    zones = [z for z, _ in c.timezones]
    header = ["UTC", *[z.split("/")[-1] for z in zones], "evidence", "conf.", "event", "sources"]
    rows = [header]
    for ev in c.events:
        local = [ev.time.astimezone(ZoneInfo(z)).strftime("%H:%M:%S") for z in zones]
        title = ev.title + (
            f"  [conflicts: {', '.join(ev.conflicts_with)}]" if ev.conflicts_with else ""
        )
        rows.append(
            [
                ev.time.strftime("%H:%M:%S"),
                *local,
                ev.evidence,
                ev.confidence,
                title,
                ";".join(ev.sources),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 2)]
    lines = [
        "  ".join([*(v.ljust(w) for v, w in zip(r, widths, strict=False)), *r[len(widths) :]])
        for r in rows
    ]
    day = c.events[0].time.strftime("%Y-%m-%d") if c.events else ""
    note = f"{c.title}: times on {day}; local columns: {', '.join(zones)}"
    return "\n".join([note, *lines])
