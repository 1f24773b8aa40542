"""The input size limit: how large a file flightmap reads, and the error beyond it.

No input larger than :func:`max_input_bytes` is read (2 GiB unless the environment variable
``FLIGHTMAP_MAX_INPUT_SIZE`` or ``flightmap --max-input-size`` says otherwise), counted after
gzip decompression, so neither a huge file nor a small gzip bomb can exhaust memory. Files that
are parsed whole in memory (JSON, KML, and CSV files that need the line-by-line reader) may be
an eighth of that (:func:`whole_file_bytes`): their parsed form takes several times their size.

Public, for every package that reads a file (the track readers, the jamming-grid reader, the
command line, which sets the limit). Light: imports neither pandas nor the readers, so that
``flightmap --help`` stays fast.

>>> set_max_input_bytes(parse_size("64M")); max_input_bytes(), whole_file_bytes()
(67108864, 8388608)
>>> set_max_input_bytes(None)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from flightmap.errors import InputError

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "MAX_INPUT_ENV",
    "WHOLE_FILE_SHARE",
    "human_size",
    "max_input_bytes",
    "parse_size",
    "set_max_input_bytes",
    "too_large",
    "whole_file_bytes",
]

MAX_INPUT_ENV: Final = "FLIGHTMAP_MAX_INPUT_SIZE"
"""Environment variable holding the largest input size (``2G``, ``500M``, ``1000000``)."""

DEFAULT_MAX_INPUT_BYTES: Final = 2 * 1024**3
"""Largest input read, bytes after decompression, unless configured: 2 GiB."""

WHOLE_FILE_SHARE: Final = 8
"""Inputs parsed whole in memory (JSON, KML, irregular CSV) may be at most the limit over this."""

_override: int | None = None

_UNITS: Final = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """Bytes from ``"2G"``, ``"2GiB"``, ``"500M"``, ``"64k"`` or ``"1000000"`` (units are powers
    of 1024).

    >>> parse_size("2G"), parse_size("1.5 KiB"), parse_size("1000")
    (2147483648, 1536, 1000)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", text)
    if not m or float(m.group(1)) <= 0:
        raise InputError(
            f"invalid size {text!r}: expected a number of bytes, optionally with K, M, G or T "
            "(powers of 1024), e.g. 2G",
            field=MAX_INPUT_ENV,
        )
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def set_max_input_bytes(limit: int | None) -> None:
    """Set the input size limit for this process (None: back to the environment or default)."""
    global _override
    _override = limit


def max_input_bytes() -> int:
    """The largest input read, bytes after decompression: :func:`set_max_input_bytes`, else
    ``$FLIGHTMAP_MAX_INPUT_SIZE``, else :data:`DEFAULT_MAX_INPUT_BYTES`."""
    if _override is not None:
        return _override
    env = os.environ.get(MAX_INPUT_ENV, "").strip()
    return parse_size(env) if env else DEFAULT_MAX_INPUT_BYTES


def whole_file_bytes() -> int:
    """The largest input parsed whole in memory (JSON, KML, irregular CSV), bytes after
    decompression: :func:`max_input_bytes` over :data:`WHOLE_FILE_SHARE`."""
    return max_input_bytes() // WHOLE_FILE_SHARE


def human_size(n: float) -> str:
    """``2 GiB``, ``1.5 MiB``, ``300 bytes``.

    >>> human_size(2 * 1024**3), human_size(1536), human_size(12)
    ('2 GiB', '1.5 KiB', '12 bytes')
    """
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(n)} bytes"


def too_large(path: Path, limit: int, size: int | None = None) -> InputError:
    """The error for an input beyond the size limit: ``size`` on disk, or (None) a compressed
    file found to decompress to more than the limit."""
    what = f"is {human_size(size)}, more than" if size is not None else "decompresses to more than"
    return InputError(
        f"too large: {what} the limit of {human_size(limit)} "
        f"(raise it with {MAX_INPUT_ENV}=SIZE or flightmap --max-input-size SIZE)",
        path=path,
    )
