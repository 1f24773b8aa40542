"""``case.toml``: the case's id, title, summary, flight, time zones and map regions.

:func:`read_meta` checks what the case needs before any other file is read (id matching the
folder, known IANA zones); :func:`read_regions` checks the optional ``[regions]`` table once the
event ids are known.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flightmap.errors import InputError
from flightmap.geo.folders import CASE_NAME, NAME_RULE

__all__ = ["read_meta", "read_regions"]


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
