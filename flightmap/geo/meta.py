"""``case.toml``: the case's id, title, summary, flight, time zones and map regions.

:func:`read_meta` checks what the case needs before any other file is read (id matching the
folder, known IANA zones); :func:`read_regions` checks the optional ``[regions]`` table once the
event ids are known.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flightmap.errors import InputError
from flightmap.geo.fields import ID, parse_utc
from flightmap.geo.folders import CASE_NAME, NAME_RULE
from flightmap.geo.model import CaseTrack

__all__ = ["read_meta", "read_regions", "read_tracks", "read_window"]


def read_meta(folder: Path) -> dict[str, Any]:
    """``case.toml`` of the case ``folder`` as a dict, with ``id`` (the folder's name),
    ``title`` and ``timezones`` (known IANA zones) checked."""
    path = folder / "case.toml"
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid TOML: {exc}", path=path) from None
    for key in ("id", "title", "timezones"):
        if key not in meta:
            raise InputError("missing (required)", path=path, field=key)
    if not isinstance(meta["id"], str) or not CASE_NAME.match(meta["id"]):
        # The id names output files (outputs/<id>.html): it must be a plain file name.
        raise InputError(
            f"invalid case id {meta['id']!r}: expected {NAME_RULE}", path=path, field="id"
        )
    if meta["id"] != folder.name:
        raise InputError(
            f"{meta['id']!r} does not match the folder name {folder.name!r}",
            path=path,
            field="id",
        )
    tzs = meta["timezones"]
    if not isinstance(tzs, list) or not tzs:
        raise InputError("expected a list of [[timezones]] tables", path=path, field="timezones")
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


def read_regions(folder: Path, meta: Mapping[str, Any], event_ids: set[str]) -> dict[str, Any]:
    """The optional ``[regions]`` table: ``start``/``end`` event ids, ``instants`` ids."""
    spec = meta.get("regions")
    if spec is None:
        return {}
    path = folder / "case.toml"
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


def read_tracks(
    folder: Path, meta: Mapping[str, Any], source_ids: set[str]
) -> tuple[CaseTrack, ...]:
    """The optional ``[[tracks]]`` tables: ``file`` (a path inside the case folder), ``source``
    (a ``sources.csv`` id) and ``sha256`` (the file's, checked: a changed track is refused)."""
    from flightmap.manifest import sha256_file

    spec = meta.get("tracks", [])
    path = folder / "case.toml"
    if not isinstance(spec, list):
        raise InputError("expected a list of [[tracks]] tables", path=path, field="tracks")
    out = []
    for i, t in enumerate(spec, 1):
        where = f"tracks {i}"
        if not isinstance(t, dict):
            raise InputError("expected a table", path=path, where=where)
        rel = t.get("file")
        if (
            not isinstance(rel, str)
            or not rel
            or Path(rel).is_absolute()
            or ".." in Path(rel).parts
        ):
            raise InputError(
                f"{rel!r}: expected a relative path inside the case folder",
                path=path,
                where=where,
                field="file",
            )
        file = folder / rel
        if not file.is_file():
            raise InputError(
                f"{rel!r} is not a file of the case", path=path, where=where, field="file"
            )
        source = t.get("source")
        if not isinstance(source, str) or not ID.match(source) or source not in source_ids:
            raise InputError(
                f"{source!r} is not a source id of sources.csv",
                path=path,
                where=where,
                field="source",
            )
        sha = t.get("sha256")
        if not isinstance(sha, str) or sha.lower() != sha256_file(file):
            raise InputError(
                f"does not match the SHA-256 of {rel} (the file changed since it was cited: "
                "check it, then update sha256 here and in its source's note)",
                path=path,
                where=where,
                field="sha256",
            )
        out.append(CaseTrack(path=file, source=source, sha256=sha.lower()))
    return tuple(out)


def read_window(folder: Path, meta: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    """The optional ``[window]`` table: ``start`` and ``end`` (ISO 8601 with offset), UTC."""
    spec = meta.get("window")
    if spec is None:
        return None
    path = folder / "case.toml"
    if not isinstance(spec, dict):
        raise InputError("expected a table", path=path, field="window")
    times = []
    for key in ("start", "end"):
        try:
            times.append(parse_utc(str(spec.get(key, ""))))
        except ValueError as exc:
            raise InputError(str(exc), path=path, field=f"window.{key}") from None
    if times[1] < times[0]:
        raise InputError("is before window.start", path=path, field="window.end")
    return times[0], times[1]
