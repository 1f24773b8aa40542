"""The CSV tables of a case (``sources.csv``, ``waypoints.csv``, ``events.csv``, ``claims.csv``,
``legs.csv``, ``conflicts.csv``): their columns, and each row checked into its record.

Events keep their relative times unresolved here (see
:func:`flightmap.geo.references.resolve_times`); ids are checked unique within each table, and
across tables and files by :mod:`flightmap.geo.references`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flightmap.errors import InputError
from flightmap.geo.fields import Row, not_none
from flightmap.geo.model import (
    CONFIDENCE,
    EVIDENCE,
    SOURCE_KINDS,
    Claim,
    Conflict,
    Event,
    Leg,
    Source,
    Waypoint,
)

__all__ = [
    "COLUMNS",
    "Problems",
    "read_claims",
    "read_conflicts",
    "read_events",
    "read_legs",
    "read_sources",
    "read_waypoints",
]

_T = TypeVar("_T")

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Required and optional columns of each CSV file (documented in data/README.md).
COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    "sources.csv": (["id", "title", "publisher", "url", "kind"], ["date", "note"]),
    "waypoints.csv": (
        ["id", "name", "kind", "lat", "lon", "evidence", "confidence", "sources"],
        ["elev_ft", "icao", "iata", "uncertainty_km", "basis", "note"],
    ),
    "events.csv": (
        ["id", "time", "title", "category", "evidence", "confidence", "sources"],
        [
            "relative_to",
            "offset_s",
            "uncertainty_s",
            "description",
            "waypoint",
            "position_uncertainty_km",
            "basis",
            "position_basis",
            "position_evidence",
            "alt_ft",
            "gs_kt",
        ],
    ),
    "claims.csv": (["id", "subject", "statement", "evidence", "confidence", "sources"], ["basis"]),
    "legs.csv": (["id", "from", "to", "label", "evidence", "confidence", "sources"], ["basis"]),
    "conflicts.csv": (["id", "topic", "side_a", "side_b", "summary"], ["handling"]),
}


Problems = list[InputError] | None
"""Where a reader puts the problems of single rows and goes on (``flightmap check``), or None
to raise the first one."""


def _rows(
    folder: Path, name: str, build: Any, *, optional: bool = False, problems: Problems = None
) -> Iterator[Any]:
    """The records of the CSV file ``name``; a bad row raises, or with ``problems`` is added to
    it and skipped (a bad file or header always raises)."""
    path = folder / name
    if not path.is_file():
        if optional:
            return
        raise InputError("missing file (required in every case)", path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    required, allowed = COLUMNS[name]
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", path=path, where="line 1")
    unknown = [c for c in header if c not in required and c not in allowed]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(required + allowed)}",
            path=path,
            where="line 1",
        )
    start = 2
    for values in reader:
        where, start = f"line {start}", reader.line_num + 1
        if None in values:
            problem = InputError(
                f"{len(header) + len(values[None])} fields, expected {len(header)} "
                "(a comma inside an unquoted value?)",
                path=path,
                where=where,
            )
            if problems is None:
                raise problem
            problems.append(problem)
            continue
        row = Row(path, where, values)
        if not any((v or "").strip() for v in values.values()):
            continue
        try:
            yield build(row)
        except InputError as exc:
            if problems is None:
                raise
            problems.append(exc)


def _index(
    folder: Path, name: str, items: Iterator[_T], problems: Problems = None
) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for item in items:
        item_id = str(getattr(item, "id"))  # noqa: B009  (records of several types)
        if item_id in out:
            problem = InputError(f"duplicate id {item_id!r}", path=folder / name, field="id")
            if problems is None:
                raise problem
            problems.append(problem)
        out[item_id] = item
    return out


def _source(row: Row) -> Source:
    url = row.text("url")
    if url and not re.match(r"^https?://[^\s\"'<>]+$", url):
        raise row.error("url", f"{url!r} is not an http(s) URL")
    date = row.text("date")
    if date and not _DATE.match(date):
        raise row.error("date", f"{date!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    return Source(
        id=row.ident(),
        title=row.text("title", required=True),
        publisher=row.text("publisher", required=True),
        date=date,
        url=url,
        kind=row.choice("kind", SOURCE_KINDS),
        note=row.text("note"),
    )


def _waypoint(row: Row) -> Waypoint:
    evidence = row.choice("evidence", EVIDENCE)
    basis = row.text("basis", required=evidence == "inferred")
    icao, name, iata = row.text("icao"), row.text("name"), row.text("iata")
    uncertainty_km = row.number("uncertainty_km", 0.0, 20000.0)
    if icao and not row.text("lat") and not row.text("lon"):
        # An airport by code: coordinates (and a name, IATA code) from the shipped list.
        from flightmap.geo.airports import AIRPORTS_VERSION, ROUNDING_KM, airport

        place = airport(icao)
        if place is None:
            raise row.error(
                "icao", f"{icao!r} is not in {AIRPORTS_VERSION}: give lat and lon from a source"
            )
        lat, lon = place.lat, place.lon
        name, iata = name or f"{place.name} · {place.code}", iata or place.name
        uncertainty_km = ROUNDING_KM if uncertainty_km is None else uncertainty_km
        filled = f"lat, lon from {AIRPORTS_VERSION} by ICAO code {place.code} (0.001 degree)"
        basis = f"{basis}; {filled}" if basis else filled
    else:
        lat = not_none(row.number("lat", -90.0, 90.0, required=True))
        lon = not_none(row.number("lon", -180.0, 180.0, required=True))
    if not name:
        raise row.error("name", "is empty (a value is required)")
    return Waypoint(
        id=row.ident(),
        name=name,
        kind=row.text("kind", required=True),
        lat=lat,
        lon=lon,
        elev_ft=row.number("elev_ft", -1500.0, 30000.0),
        icao=icao,
        iata=iata,
        uncertainty_km=uncertainty_km,
        evidence=evidence,
        confidence=row.choice("confidence", CONFIDENCE),
        sources=row.ids("sources", required=True),
        basis=basis,
        note=row.text("note"),
    )


def _event(row: Row) -> Event:
    evidence = row.choice("evidence", EVIDENCE)
    when = row.time("time")
    relative_to = row.text("relative_to")
    offset = row.number("offset_s", -86400.0 * 366, 86400.0 * 366)
    if when is None and not relative_to:
        raise row.error("time", "is empty: give a time, or relative_to and offset_s")
    if when is not None and relative_to:
        raise row.error("relative_to", "give either time or relative_to, not both")
    if relative_to and offset is None:
        raise row.error("offset_s", "is empty (required with relative_to)")
    waypoint = row.text("waypoint")
    return Event(
        id=row.ident(),
        # A placeholder until relative times are resolved; replaced in _resolve_times.
        time=when if when is not None else datetime.min.replace(tzinfo=UTC),
        title=row.text("title", required=True),
        description=row.text("description"),
        category=row.text("category", required=True),
        evidence=evidence,
        confidence=row.choice("confidence", CONFIDENCE),
        sources=row.ids("sources", required=True),
        uncertainty_s=row.number("uncertainty_s", 0.0, 86400.0) or 0.0,
        relative_to=relative_to,
        offset_s=offset,
        waypoint=waypoint,
        position_uncertainty_km=row.number("position_uncertainty_km", 0.0, 20000.0),
        basis=row.text("basis", required=evidence == "inferred"),
        position_basis=row.text("position_basis", required=bool(waypoint)),
        # A place not stated as observed or reported is a placement made here: inferred.
        position_evidence=(
            (
                row.choice("position_evidence", EVIDENCE)
                if row.text("position_evidence")
                else "inferred"
            )
            if waypoint
            else _no_position_evidence(row)
        ),
        alt_ft=row.number("alt_ft", -2000.0, 60000.0),
        gs_kt=row.number("gs_kt", 0.0, 1000.0),
    )


def _no_position_evidence(row: Row) -> str:
    if row.text("position_evidence"):
        raise row.error("position_evidence", "given without a waypoint (the event has no place)")
    return ""


def _claim(row: Row) -> Claim:
    evidence = row.choice("evidence", EVIDENCE)
    return Claim(
        id=row.ident(),
        subject=row.text("subject", required=True),
        statement=row.text("statement", required=True),
        evidence=evidence,
        confidence=row.choice("confidence", CONFIDENCE),
        sources=row.ids("sources", required=True),
        basis=row.text("basis", required=evidence == "inferred"),
    )


def _leg(row: Row) -> Leg:
    evidence = row.choice("evidence", EVIDENCE)
    return Leg(
        id=row.ident(),
        start=row.ident("from"),
        end=row.ident("to"),
        label=row.text("label", required=True),
        evidence=evidence,
        confidence=row.choice("confidence", CONFIDENCE),
        sources=row.ids("sources", required=True),
        basis=row.text("basis", required=evidence == "inferred"),
    )


def _conflict(row: Row) -> Conflict:
    return Conflict(
        id=row.ident(),
        topic=row.text("topic", required=True),
        side_a=row.ids("side_a", required=True),
        side_b=row.ids("side_b", required=True),
        summary=row.text("summary", required=True),
        handling=row.text("handling"),
    )


def read_sources(folder: Path, problems: Problems = None) -> dict[str, Source]:
    """``sources.csv`` (required), by id."""
    rows = _rows(folder, "sources.csv", _source, problems=problems)
    return _index(folder, "sources.csv", rows, problems)


def read_waypoints(folder: Path, problems: Problems = None) -> dict[str, Waypoint]:
    """``waypoints.csv`` (required), by id."""
    rows = _rows(folder, "waypoints.csv", _waypoint, problems=problems)
    return _index(folder, "waypoints.csv", rows, problems)


def read_events(folder: Path, problems: Problems = None) -> list[Event]:
    """``events.csv`` (required), in file order, relative times not yet resolved."""
    return list(_rows(folder, "events.csv", _event, problems=problems))


def read_claims(folder: Path, problems: Problems = None) -> dict[str, Claim]:
    """``claims.csv`` (optional), by id."""
    rows = _rows(folder, "claims.csv", _claim, optional=True, problems=problems)
    return _index(folder, "claims.csv", rows, problems)


def read_legs(folder: Path, problems: Problems = None) -> tuple[Leg, ...]:
    """``legs.csv`` (optional), in file order."""
    return tuple(_rows(folder, "legs.csv", _leg, optional=True, problems=problems))


def read_conflicts(folder: Path, problems: Problems = None) -> tuple[Conflict, ...]:
    """``conflicts.csv`` (optional), in file order."""
    return tuple(_rows(folder, "conflicts.csv", _conflict, optional=True, problems=problems))
