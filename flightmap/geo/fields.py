"""Fields of a case file, checked one by one: :class:`Row` (a CSV row or a GeoJSON feature's
properties, with typed accessors) and :func:`parse_utc` (times with an explicit offset).

Every accessor raises :class:`~flightmap.errors.InputError` naming the file, the line or feature
and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flightmap.errors import InputError

__all__ = ["ID", "Row", "not_none", "parse_utc"]

# An item id: letters, digits, ``_ . -``, not starting with a punctuation mark.
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Row:
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
        if not ID.match(value):
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
            if not ID.match(item):
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


def not_none(value: _T | None) -> _T:
    assert value is not None  # guaranteed by required=True
    return value
