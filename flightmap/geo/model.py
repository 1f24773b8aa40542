"""Case records: sources, waypoints, events, claims, legs, zones, conflicts and the case.

Frozen dataclasses with units in their docstrings; :class:`Case` looks items up by id and gives
the timeline as a DataFrame. Loading and validation are in :mod:`flightmap.geo.loader`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from flightmap.geodesy import LatLon, distance_m, geodesic_line

__all__ = [
    "CONFIDENCE",
    "DEFAULT_CASE",
    "EVIDENCE",
    "SOURCE_KINDS",
    "Case",
    "CaseTrack",
    "Claim",
    "Conflict",
    "Event",
    "Leg",
    "Placement",
    "Source",
    "Waypoint",
    "Zone",
]

DEFAULT_CASE = "j2-8243"
EVIDENCE = ("observed", "reported", "inferred")
CONFIDENCE = ("high", "medium", "low")
SOURCE_KINDS = (
    "official_report",
    "news",
    "leak",
    "dataset",
    "social",
    "forum",
    "encyclopedia",
)
Evidence = Literal["observed", "reported", "inferred"]
Confidence = Literal["high", "medium", "low"]

# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Source:
    """A document or data set that items cite (one row of ``sources.csv``)."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Waypoint:
    """A named point: airport, air base, crash site or a point derived here.

    ``lat``/``lon`` are WGS84 degrees, ``elev_ft`` feet above mean sea level,
    ``uncertainty_km`` the radius within which the true point is believed to lie (None when the
    point is a surveyed reference).
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    evidence: str
    confidence: str
    sources: tuple[str, ...]
    elev_ft: float | None = None
    icao: str = ""
    iata: str = ""
    uncertainty_km: float | None = None
    basis: str = ""
    note: str = ""
    conflicts_with: tuple[str, ...] = ()

    @property
    def latlon(self) -> LatLon:
        """The point as ``(lat, lon)``, the order folium wants."""
        return LatLon(self.lat, self.lon)


@dataclass(frozen=True)
class Event:
    """A timestamped event. ``time`` is a timezone-aware UTC datetime.

    ``uncertainty_s`` is the half-width in seconds of the interval the stated time stands for
    (1 for a time given to the second, 60 for a minute, 300 for "about"). ``waypoint`` is the
    id of the waypoint where the event is drawn, if any, with ``position_uncertainty_km`` and
    ``position_basis`` saying how good that placement is and ``position_evidence`` (observed,
    reported or inferred) what kind of evidence the *place* rests on, apart from the time's
    ``evidence``: an event reported to the second but drawn at an airport reference point
    because nobody published where it happened has a reported time and an inferred position.
    ``alt_ft`` (feet) and ``gs_kt``
    (knots) are an altitude and a ground speed that the event's own sources state for that
    moment (reported values, not a measured track), or None.
    """

    id: str
    time: datetime
    title: str
    description: str
    category: str
    evidence: str
    confidence: str
    sources: tuple[str, ...]
    uncertainty_s: float = 0.0
    relative_to: str = ""
    offset_s: float | None = None
    waypoint: str = ""
    position_uncertainty_km: float | None = None
    basis: str = ""
    position_basis: str = ""
    position_evidence: str = ""
    alt_ft: float | None = None
    gs_kt: float | None = None
    conflicts_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where an event is drawn and what that place rests on (see :meth:`Case.placement`).

    ``position`` is ``(lat, lon)`` in WGS84 degrees; ``evidence`` the position's evidence
    class (not the event time's); ``basis`` why it is drawn there; ``uncertainty_m`` the
    radius in metres within which the true place is believed to lie (the event's
    ``position_uncertainty_km``, else its waypoint's ``uncertainty_km``), None when no source
    or derivation states one; ``alt_ft`` the altitude (feet) the event's sources state, or None.
    """

    waypoint: str
    position: LatLon
    evidence: str
    basis: str
    uncertainty_m: float | None
    alt_ft: float | None


@dataclass(frozen=True)
class Claim:
    """A statement by a source that is neither a timed event nor a position."""

    id: str
    subject: str
    statement: str
    evidence: str
    confidence: str
    sources: tuple[str, ...]
    basis: str = ""
    conflicts_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Leg:
    """A route leg drawn as the geodesic between two waypoints."""

    id: str
    start: str
    end: str
    label: str
    evidence: str
    confidence: str
    sources: tuple[str, ...]
    basis: str = ""


@dataclass(frozen=True)
class Zone:
    """An area (jamming zone, restricted airspace) valid from ``valid_from`` to ``valid_to`` (UTC).

    ``geometry`` is a shapely geometry in ``(lon, lat)`` order; ``valid_to`` is None when no
    source gives an end. ``last_attested`` (UTC, optional) is the latest time a source shows
    the zone still in effect: without a stated end, the zone is known to be in effect only up
    to then (:meth:`status_at`). ``construction`` holds the parameters the outline was drawn
    from.
    """

    id: str
    name: str
    kind: str
    geometry: Any
    valid_from: datetime
    valid_to: datetime | None
    evidence: str
    confidence: str
    sources: tuple[str, ...]
    basis: str
    construction: Mapping[str, Any] = field(default_factory=dict)
    last_attested: datetime | None = None

    def status_at(self, when: datetime) -> Literal["before", "in_effect", "ended", "unknown"]:
        """What the sources say of the zone at ``when`` (timezone-aware): ``before`` its
        start, ``in_effect``, ``ended`` after a stated end, or ``unknown`` after the last time
        a source attests it when no source gives an end (never "still in effect")."""
        if when < self.valid_from:
            return "before"
        if self.valid_to is not None:
            return "in_effect" if when <= self.valid_to else "ended"
        known_until = self.last_attested or self.valid_from
        return "in_effect" if when <= known_until else "unknown"


@dataclass(frozen=True)
class Conflict:
    """Two sides that disagree; each side lists item ids (events, waypoints, claims)."""

    id: str
    topic: str
    side_a: tuple[str, ...]
    side_b: tuple[str, ...]
    summary: str
    handling: str


@dataclass(frozen=True)
class CaseTrack:
    """A track file that is part of a case (a ``[[tracks]]`` table of ``case.toml``).

    ``path`` is the file inside the case folder, ``source`` the id of the ``sources.csv`` row
    citing it and ``sha256`` its hex SHA-256, checked on loading.
    """

    path: Path
    source: str
    sha256: str


@dataclass(frozen=True)
class Case:
    """A validated case. Look items up by id with :meth:`event`, :meth:`waypoint`, :meth:`item`."""

    id: str
    path: Path
    title: str
    summary: str
    flight: Mapping[str, str]
    timezones: tuple[tuple[str, str], ...]
    sources: Mapping[str, Source]
    waypoints: Mapping[str, Waypoint]
    events: tuple[Event, ...]
    claims: Mapping[str, Claim]
    legs: tuple[Leg, ...]
    zones: tuple[Zone, ...]
    conflicts: tuple[Conflict, ...]
    regions: Mapping[str, Any] = field(default_factory=dict)
    tracks: tuple[CaseTrack, ...] = ()
    window: tuple[datetime, datetime] | None = None
    """First and last report time (UTC) of the case's tracks (``[window]``), or None."""

    def event(self, event_id: str) -> Event:
        """The event with this id (``KeyError`` naming the id if there is none)."""
        for ev in self.events:
            if ev.id == event_id:
                return ev
        raise KeyError(f"no event {event_id!r} in case {self.id}")

    def waypoint(self, waypoint_id: str) -> Waypoint:
        """The waypoint with this id."""
        try:
            return self.waypoints[waypoint_id]
        except KeyError:
            raise KeyError(f"no waypoint {waypoint_id!r} in case {self.id}") from None

    def item(self, item_id: str) -> Waypoint | Event | Claim:
        """Any waypoint, event or claim by id (ids are unique across the case)."""
        if item_id in self.waypoints:
            return self.waypoints[item_id]
        if item_id in self.claims:
            return self.claims[item_id]
        return self.event(item_id)

    def event_position(self, ev: Event) -> LatLon | None:
        """Where ``ev`` is drawn: its waypoint's ``(lat, lon)``, or None if it has no place."""
        return self.waypoints[ev.waypoint].latlon if ev.waypoint else None

    def placement(self, ev: Event) -> Placement | None:
        """Where ``ev`` is drawn, with the evidence, basis and uncertainty of that place, or
        None if it has no place."""
        if not ev.waypoint:
            return None
        w = self.waypoints[ev.waypoint]
        km = (
            ev.position_uncertainty_km
            if ev.position_uncertainty_km is not None
            else w.uncertainty_km
        )
        return Placement(
            waypoint=w.id,
            position=w.latlon,
            evidence=ev.position_evidence or "inferred",
            basis=ev.position_basis,
            uncertainty_m=None if km is None else km * 1000.0,
            alt_ft=ev.alt_ft,
        )

    def leg_points(self, leg: Leg, spacing_m: float = 5000.0) -> list[LatLon]:
        """The densified geodesic of ``leg`` as ``(lat, lon)`` points."""
        return geodesic_line(
            self.waypoints[leg.start].latlon, self.waypoints[leg.end].latlon, spacing_m
        )

    def leg_length_m(self, leg: Leg) -> float:
        """Geodesic length of ``leg`` in metres."""
        return distance_m(self.waypoints[leg.start].latlon, self.waypoints[leg.end].latlon)

    def zone_at(self, when: datetime) -> list[Zone]:
        """The zones a source shows in effect at ``when`` (a timezone-aware datetime): past a
        zone's ``last_attested`` time, a zone without a stated end is not listed (its status is
        unknown, see :meth:`Zone.status_at`)."""
        return [z for z in self.zones if z.status_at(when) == "in_effect"]

    def timeline(self) -> Any:
        """The events as a DataFrame sorted by UTC time, with local times in the case's zones.

        Columns: ``id``, ``time_utc`` (tz-aware UTC), one ``time_<zone>`` column per case
        time zone (tz-aware, e.g. ``time_Asia/Baku``), ``title``, ``category``, ``evidence``,
        ``confidence``, ``uncertainty_s``, ``sources`` and ``conflicts_with`` (``;``-joined ids),
        ``relative_to``, ``offset_s``, ``waypoint``, ``position_evidence`` (empty without a
        waypoint), ``position_uncertainty_km``, ``alt_ft`` (feet) and ``gs_kt`` (knots), the
        last three NaN where not stated.
        """
        import pandas as pd

        rows = []
        for ev in self.events:
            row: dict[str, Any] = {"id": ev.id, "time_utc": pd.Timestamp(ev.time)}
            for zone, _label in self.timezones:
                row[f"time_{zone}"] = pd.Timestamp(ev.time).tz_convert(zone)
            row.update(
                title=ev.title,
                category=ev.category,
                evidence=ev.evidence,
                confidence=ev.confidence,
                uncertainty_s=ev.uncertainty_s,
                sources=";".join(ev.sources),
                conflicts_with=";".join(ev.conflicts_with),
                relative_to=ev.relative_to,
                offset_s=ev.offset_s,
                waypoint=ev.waypoint,
                position_evidence=ev.position_evidence if ev.waypoint else "",
                position_uncertainty_km=ev.position_uncertainty_km,
                alt_ft=ev.alt_ft,
                gs_kt=ev.gs_kt,
            )
            rows.append(row)
        return pd.DataFrame(rows)
