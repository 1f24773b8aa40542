"""Errors flightmap reports to its users.

Only :class:`InputError` is meant to reach a person: the CLI prints its one-line message and
exits with code 2, without a traceback. Library code raises it for anything wrong with a file or
a value that came from outside (case files, track files, command-line options).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError"]


class InputError(ValueError):
    """A problem with user-supplied input, reported in one line.

    Parameters
    ----------
    message : str
        What is wrong and what was expected, e.g. ``"latitude 91.0 out of range [-90, 90]"``.
    path : str or Path, optional
        The file the input came from.
    where : str, optional
        The place inside the file: ``"line 12"``, ``"row 3"``, ``"feature 2"``, ``"record 40"``.
    field : str, optional
        The column, key or property at fault.

    Examples
    --------
    >>> str(InputError("expected a number", path="t.csv", where="line 3", field="lat"))
    't.csv: line 3: field lat: expected a number'
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        where: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.where = where
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return the message as a single line: ``file: place: field F: message``."""
        parts = [p for p in (self.path, self.where) if p]
        if self.field:
            parts.append(f"field {self.field}")
        parts.append(self.message)
        # A message must stay on one line whatever the input contained.
        return ": ".join(" ".join(str(p).split()) for p in parts)
