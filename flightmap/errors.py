"""Errors flightmap reports to its users.

Only :class:`InputError` is meant to reach a person: the CLI prints its one-line message and
exits with code 2, without a traceback. Library code raises it for anything wrong with a file or
a value that came from outside (case files, track files, command-line options).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["InputError", "printable"]

# C0 and C1 control characters (but newline and tab), DEL, and the Unicode bidirectional
# controls that can make a terminal show text in another order than it is ("Trojan Source").
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but \t \n), DEL, C1
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, isolates
)


def printable(text: str) -> str:
    r"""``text`` safe to print on a terminal: control characters (escape sequences that could
    recolour, retitle or rewrite the terminal, carriage returns that hide a line) and bidi
    overrides become visible escapes; newlines and tabs stay.

    >>> printable("AHY\x1b[2J8243\u202e")
    'AHY\\x1b[2J8243\\u202e'
    """
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
        # A message must stay on one line whatever the input contained, and print safely.
        return printable(": ".join(" ".join(str(p).split()) for p in parts))
