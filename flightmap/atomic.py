"""Atomic file output: a file appears complete or not at all.

Everything flightmap writes (maps, exports, converted tracks, zone files) goes through
:func:`atomic_write`: the content is written to a temporary file in the target's folder,
flushed to disk, and moved into place with :func:`os.replace`, so an error or an interruption
mid-write (even a crash or power cut) leaves any previous file untouched and no partial file
behind. A target that is a symbolic link is replaced by the new file: the link's destination
is never written through.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "write_bytes", "write_text"]


def _default_mode(target: Path) -> int:
    """The mode a plain ``open()`` would give (or the existing file's), not mkstemp's 0600."""
    if target.is_file() and not target.is_symlink():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[Any]], object], *, binary: bool = False
) -> Path:
    """Call ``write(fh)`` on a temporary file next to ``path``, then rename it to ``path``.

    Parameters
    ----------
    path : path-like
        The target; its folder is created if needed.
    write : callable
        Receives the open temporary file (text UTF-8, or binary with ``binary=True``).

    Returns
    -------
    Path
        The target path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        fh: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
        with fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points to it
        os.chmod(tmp, _default_mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.strerror and exc.filename is None:
            exc.filename = str(target)  # "No space left on device" alone says not which file
        raise
    _sync_folder(target.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda fh: fh.write(text))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda fh: fh.write(data), binary=True)
