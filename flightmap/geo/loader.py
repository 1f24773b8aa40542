"""Finding, loading and validating case folders (see :mod:`flightmap.geo`).

Every problem raises :class:`~flightmap.errors.InputError` naming the file, the line or feature
and the field.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flightmap.errors import InputError
from flightmap.geo.model import (
    CONFIDENCE,
    DEFAULT_CASE,
    EVIDENCE,
    SOURCE_KINDS,
    Case,
    Claim,
    Conflict,
    Event,
    Leg,
    Source,
    Waypoint,
    Zone,
)
from flightmap.resources import data_dir

__all__ = ["case_dirs", "list_cases", "load_case", "parse_utc"]

_CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# --------------------------------------------------------------------------- finding cases


def case_dirs() -> list[Path]:
    """Folders searched for cases: ``$FLIGHTMAP_CASES`` (``os.pathsep``-separated), then the
    cases shipped with flightmap."""
    dirs = [Path(p) for p in os.environ.get("FLIGHTMAP_CASES", "").split(os.pathsep) if p]
    dirs.append(data_dir() / "cases")
    return dirs


def list_cases() -> list[str]:
    """Names of the available cases, sorted."""
    names = {
        p.name
        for d in case_dirs()
        if d.is_dir()
        for p in d.iterdir()
        if (p / "case.toml").is_file() and _CASE_NAME.match(p.name)
    }
    return sorted(names)


_NAME_RULE = "lowercase letters, digits, '.', '-', '_', starting with a letter or digit"


def _looks_like_path(name: str) -> bool:
    """A path rather than a name: it has a separator (either kind, on any system) or is a
    relative step (``.``, ``..``)."""
    return "/" in name or "\\" in name or os.sep in name or name in (".", "..")


def _resolve_case(name: str | Path) -> Path:
    """The folder of a case: a name is looked up in :func:`case_dirs` only (it can name no
    other folder: no separators, no ``..``); a path is taken as given but must be a case folder.
    """
    path = Path(name)
    if isinstance(name, Path) or _looks_like_path(name) or (path.is_dir() and path.exists()):
        if not (path / "case.toml").is_file():
            raise InputError(
                "not a case folder (no case.toml); give a case name (" + _NAME_RULE + ", never "
                "'/' or '..') or the path of a folder holding case.toml",
                path=path,
            )
        return path.resolve()
    if not _CASE_NAME.match(str(name)):
        raise InputError(f"invalid case name {str(name)!r}: expected {_NAME_RULE}")
    for d in case_dirs():
        candidate = d / str(name)
        if (candidate / "case.toml").is_file():
            return candidate.resolve()
    available = ", ".join(list_cases()) or "none"
    raise InputError(f"unknown case {str(name)!r} (available: {available})")


def load_case(name: str | Path = DEFAULT_CASE) -> Case:
    """Load and validate a case by name (``"j2-8243"``) or folder path.

    Results are cached until one of the case's files changes.

    Raises
    ------
    InputError
        If the case cannot be found or any file in it is invalid; the message names the file,
        the line or feature and the field.
    """
    path = _resolve_case(name)
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.iterdir()))
    return _load_case_cached(path, stamp)


@cache
def _load_case_cached(path: Path, _stamp: tuple[tuple[str, int, int], ...]) -> Case:
    return _CaseReader(path).read()


# --------------------------------------------------------------------------- parsing


class _Row:
    """One CSV row or GeoJSON feature's properties, with where it came from, and typed
    accessors that raise :class:`InputError` naming the file, place and field."""

    def __init__(self, path: Path, where: str, values: Mapping[str, Any]) -> None:
        self.path, self.where, self.values = path, where, values

    def error(self, field_: str, message: str) -> InputError:
        return InputError(message, path=self.path, where=self.where, field=field_)

    def text(self, field_: str, *, required: bool = False) -> str:
        raw = self.values.get(field_)
        if raw is not None and not isinstance(raw, str):
            raise self.error(field_, f"expected text, got {type(raw).__name__}")
        value = (raw or "").strip()
        if required and not value:
            raise self.error(field_, "is empty (a value is required)")
        return value

    def ident(self, field_: str = "id") -> str:
        value = self.text(field_, required=True)
        if not _ID.match(value):
            raise self.error(field_, f"invalid id {value!r}: expected letters, digits, _ . -")
        return value

    def choice(self, field_: str, allowed: tuple[str, ...]) -> str:
        value = self.text(field_, required=True)
        if value not in allowed:
            raise self.error(field_, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def number(self, field_: str, lo: float, hi: float, *, required: bool = False) -> float | None:
        raw = self.text(field_, required=required)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.error(field_, f"{raw!r} is not a number") from None
        if not lo <= value <= hi:
            raise self.error(field_, f"{value:g} out of range [{lo:g}, {hi:g}]")
        return value

    def ids(self, field_: str, *, required: bool = False) -> tuple[str, ...]:
        raw = self.text(field_, required=required)
        items = tuple(s.strip() for s in raw.split(";") if s.strip())
        for item in items:
            if not _ID.match(item):
                raise self.error(field_, f"invalid id {item!r} in list {raw!r}")
        return items

    def time(self, field_: str) -> datetime | None:
        raw = self.text(field_)
        if not raw:
            return None
        try:
            return parse_utc(raw)
        except ValueError as exc:
            raise self.error(field_, str(exc)) from None


def parse_utc(text: str) -> datetime:
    """Parse an ISO 8601 time with an explicit offset and return it in UTC.

    Naive times are refused: a case must say which clock a time is on.

    >>> parse_utc("2024-12-25T08:13:32+03:00").isoformat()
    '2024-12-25T05:13:32+00:00'
    >>> parse_utc("2024-12-25T05:13:32")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: naive time '2024-12-25T05:13:32': expected ISO 8601 with a UTC offset, ...
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time (expected e.g. 2024-12-25T05:13:32Z)"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive time {text!r}: expected ISO 8601 with a UTC offset, e.g. 2024-12-25T05:13:32Z"
        )
    return value.astimezone(UTC)


_T = TypeVar("_T")


class _CaseReader:
    """Reads one case folder. Each ``_read_*`` method owns one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Case:
        meta = self._read_meta()
        sources = self._index("sources.csv", self._rows("sources.csv", self._source))
        waypoints = self._index("waypoints.csv", self._rows("waypoints.csv", self._waypoint))
        events = self._resolve_times(list(self._rows("events.csv", self._event)))
        claims = self._index("claims.csv", self._rows("claims.csv", self._claim, optional=True))
        legs = tuple(self._rows("legs.csv", self._leg, optional=True))
        conflicts = tuple(self._rows("conflicts.csv", self._conflict, optional=True))
        zones = tuple(self._read_zones())

        self._check_unique_ids(waypoints, events, claims, legs, zones)
        self._check_references(sources, waypoints, events, claims, legs, zones, conflicts)
        waypoints, events_t, claims = self._link_conflicts(conflicts, waypoints, events, claims)
        return Case(
            id=str(meta["id"]),
            path=self.path,
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
            regions=self._regions(meta, {e.id for e in events_t}),
        )

    # -- files ---------------------------------------------------------------

    def _regions(self, meta: Mapping[str, Any], event_ids: set[str]) -> dict[str, Any]:
        """The optional ``[regions]`` table: ``start``/``end`` event ids, ``instants`` ids."""
        spec = meta.get("regions")
        if spec is None:
            return {}
        path = self.path / "case.toml"
        if not isinstance(spec, dict):
            raise InputError("expected a table", path=path, field="regions")
        for key in ("start", "end"):
            if spec.get(key) not in event_ids:
                raise InputError(
                    f"{spec.get(key)!r} is not an event id", path=path, field=f"regions.{key}"
                )
        instants = spec.get("instants", [])
        if not isinstance(instants, list) or any(i not in event_ids for i in instants):
            raise InputError(
                f"expected a list of event ids, got {instants!r}",
                path=path,
                field="regions.instants",
            )
        return {"start": spec["start"], "end": spec["end"], "instants": list(instants)}

    def _read_meta(self) -> dict[str, Any]:
        path = self.path / "case.toml"
        try:
            meta = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"invalid TOML: {exc}", path=path) from None
        for key in ("id", "title", "timezones"):
            if key not in meta:
                raise InputError("missing (required)", path=path, field=key)
        if not isinstance(meta["id"], str) or not _CASE_NAME.match(meta["id"]):
            # The id names output files (outputs/<id>.html): it must be a plain file name.
            raise InputError(
                f"invalid case id {meta['id']!r}: expected {_NAME_RULE}", path=path, field="id"
            )
        if meta["id"] != self.path.name:
            raise InputError(
                f"{meta['id']!r} does not match the folder name {self.path.name!r}",
                path=path,
                field="id",
            )
        tzs = meta["timezones"]
        if not isinstance(tzs, list) or not tzs:
            raise InputError(
                "expected a list of [[timezones]] tables", path=path, field="timezones"
            )
        for i, tz in enumerate(tzs, 1):
            if not isinstance(tz, dict) or "zone" not in tz:
                raise InputError(
                    "expected a table with a 'zone' key", path=path, where=f"timezones {i}"
                )
            try:
                ZoneInfo(str(tz["zone"]))
            except (ZoneInfoNotFoundError, ValueError):
                raise InputError(
                    f"unknown IANA time zone {tz['zone']!r}", path=path, where=f"timezones {i}"
                ) from None
        return meta

    def _rows(self, name: str, build: Any, *, optional: bool = False) -> Iterator[Any]:
        path = self.path / name
        if not path.is_file():
            if optional:
                return
            raise InputError("missing file (required in every case)", path=path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path
            ) from None
        reader = csv.DictReader(text.splitlines(keepends=True))
        required, allowed = _COLUMNS[name]
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
            if None in values:
                raise InputError(
                    f"{len(header) + len(values[None])} fields, expected {len(header)} "
                    "(a comma inside an unquoted value?)",
                    path=path,
                    where=f"line {start}",
                )
            row = _Row(path, f"line {start}", values)
            start = reader.line_num + 1
            if not any((v or "").strip() for v in values.values()):
                continue
            yield build(row)

    def _index(self, name: str, items: Iterator[_T]) -> dict[str, _T]:
        out: dict[str, _T] = {}
        for item in items:
            item_id = str(getattr(item, "id"))  # noqa: B009  (records of several types)
            if item_id in out:
                raise InputError(f"duplicate id {item_id!r}", path=self.path / name, field="id")
            out[item_id] = item
        return out

    def _source(self, row: _Row) -> Source:
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

    def _waypoint(self, row: _Row) -> Waypoint:
        evidence = row.choice("evidence", EVIDENCE)
        basis = row.text("basis", required=evidence == "inferred")
        return Waypoint(
            id=row.ident(),
            name=row.text("name", required=True),
            kind=row.text("kind", required=True),
            lat=_not_none(row.number("lat", -90.0, 90.0, required=True)),
            lon=_not_none(row.number("lon", -180.0, 180.0, required=True)),
            elev_ft=row.number("elev_ft", -1500.0, 30000.0),
            icao=row.text("icao"),
            iata=row.text("iata"),
            uncertainty_km=row.number("uncertainty_km", 0.0, 20000.0),
            evidence=evidence,
            confidence=row.choice("confidence", CONFIDENCE),
            sources=row.ids("sources", required=True),
            basis=basis,
            note=row.text("note"),
        )

    def _event(self, row: _Row) -> Event:
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
            alt_ft=row.number("alt_ft", -2000.0, 60000.0),
            gs_kt=row.number("gs_kt", 0.0, 1000.0),
        )

    def _claim(self, row: _Row) -> Claim:
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

    def _leg(self, row: _Row) -> Leg:
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

    def _conflict(self, row: _Row) -> Conflict:
        return Conflict(
            id=row.ident(),
            topic=row.text("topic", required=True),
            side_a=row.ids("side_a", required=True),
            side_b=row.ids("side_b", required=True),
            summary=row.text("summary", required=True),
            handling=row.text("handling"),
        )

    def _read_zones(self) -> Iterator[Zone]:
        path = self.path / "zones.geojson"
        if not path.is_file():
            return
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}", path=path, where=f"line {exc.lineno} column {exc.colno}"
            ) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise InputError("expected a GeoJSON FeatureCollection", path=path, field="type")
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError("expected a list", path=path, field="features")
        for i, feat in enumerate(features, 1):
            props = feat.get("properties") if isinstance(feat, dict) else None
            if not isinstance(props, dict):
                raise InputError(
                    "expected an object", path=path, where=f"feature {i}", field="properties"
                )
            label = props.get("id")
            row = _Row(
                path, f"feature {i}" + (f" ({label})" if isinstance(label, str) else ""), props
            )
            yield self._zone(row, feat.get("geometry"))

    def _zone(self, row: _Row, geometry: Any) -> Zone:
        from shapely.geometry import shape

        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise row.error("geometry", f"invalid GeoJSON geometry ({exc})") from None
        if geom.is_empty or not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise row.error("geometry", "expected a valid, non-empty Polygon or MultiPolygon")
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise row.error("geometry", "coordinates out of range (expected lon, lat in degrees)")
        sources = row.values.get("sources")
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(s, str) and _ID.match(s) for s in sources)
        ):
            raise row.error("sources", "expected a non-empty list of source ids")
        valid_from = row.time("valid_from")
        if valid_from is None:
            raise row.error("valid_from", "is empty (a value is required)")
        valid_to = row.time("valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise row.error("valid_to", "is before valid_from")
        construction = row.values.get("construction", {})
        if not isinstance(construction, dict):
            raise row.error("construction", "expected an object")
        return Zone(
            id=row.ident(),
            name=row.text("name", required=True),
            kind=row.text("kind", required=True),
            geometry=geom,
            valid_from=valid_from,
            valid_to=valid_to,
            evidence=row.choice("evidence", EVIDENCE),
            confidence=row.choice("confidence", CONFIDENCE),
            sources=tuple(sources),
            basis=row.text("basis", required=True),
            construction=construction,
        )

    # -- cross-file checks -----------------------------------------------------

    def _resolve_times(self, events: list[Event]) -> list[Event]:
        by_id = {e.id: e for e in events}
        path = self.path / "events.csv"
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

        return [resolve(e, ()) for e in events]

    def _check_unique_ids(
        self,
        waypoints: Mapping[str, Waypoint],
        events: list[Event],
        claims: Mapping[str, Claim],
        legs: tuple[Leg, ...],
        zones: tuple[Zone, ...],
    ) -> None:
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
                    raise InputError(
                        f"duplicate id {item_id!r} (also in {seen[item_id]}); ids must be "
                        "unique across the case",
                        path=self.path / name,
                        field="id",
                    )
                seen[item_id] = name

    def _check_references(
        self,
        sources: Mapping[str, Source],
        waypoints: Mapping[str, Waypoint],
        events: list[Event],
        claims: Mapping[str, Claim],
        legs: tuple[Leg, ...],
        zones: tuple[Zone, ...],
        conflicts: tuple[Conflict, ...],
    ) -> None:
        def check_sources(name: str, item_id: str, ids: tuple[str, ...]) -> None:
            for s in ids:
                if s not in sources:
                    raise InputError(
                        f"unknown source id {s!r} (not in sources.csv)",
                        path=self.path / name,
                        where=f"item {item_id}",
                        field="sources",
                    )

        for w in waypoints.values():
            check_sources("waypoints.csv", w.id, w.sources)
        for e in events:
            check_sources("events.csv", e.id, e.sources)
            if e.waypoint and e.waypoint not in waypoints:
                raise InputError(
                    f"unknown waypoint id {e.waypoint!r}",
                    path=self.path / "events.csv",
                    where=f"item {e.id}",
                    field="waypoint",
                )
        for c in claims.values():
            check_sources("claims.csv", c.id, c.sources)
        for g in legs:
            check_sources("legs.csv", g.id, g.sources)
            for end, fld in ((g.start, "from"), (g.end, "to")):
                if end not in waypoints:
                    raise InputError(
                        f"unknown waypoint id {end!r}",
                        path=self.path / "legs.csv",
                        where=f"item {g.id}",
                        field=fld,
                    )
        for z in zones:
            check_sources("zones.geojson", z.id, z.sources)
        known = set(waypoints) | {e.id for e in events} | set(claims)
        for k in conflicts:
            for fld, side in (("side_a", k.side_a), ("side_b", k.side_b)):
                for item_id in side:
                    if item_id not in known:
                        raise InputError(
                            f"unknown item id {item_id!r} (not a waypoint, event or claim)",
                            path=self.path / "conflicts.csv",
                            where=f"conflict {k.id}",
                            field=fld,
                        )
            overlap = set(k.side_a) & set(k.side_b)
            if overlap:
                raise InputError(
                    f"{sorted(overlap)[0]!r} is on both sides",
                    path=self.path / "conflicts.csv",
                    where=f"conflict {k.id}",
                    field="side_b",
                )

    def _link_conflicts(
        self,
        conflicts: tuple[Conflict, ...],
        waypoints: dict[str, Waypoint],
        events: list[Event],
        claims: dict[str, Claim],
    ) -> tuple[dict[str, Waypoint], list[Event], dict[str, Claim]]:
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


def _not_none(value: _T | None) -> _T:
    assert value is not None  # guaranteed by required=True
    return value


# Required and optional columns of each CSV file (documented in data/README.md).
_COLUMNS: dict[str, tuple[list[str], list[str]]] = {
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
            "alt_ft",
            "gs_kt",
        ],
    ),
    "claims.csv": (["id", "subject", "statement", "evidence", "confidence", "sources"], ["basis"]),
    "legs.csv": (["id", "from", "to", "label", "evidence", "confidence", "sources"], ["basis"]),
    "conflicts.csv": (["id", "topic", "side_a", "side_b", "summary"], ["handling"]),
}
