"""Opening a track file: existence, gzip, binary junk, the head used to detect the format.

Everything wrong at this level becomes an :class:`InputError` naming the file and, where it
helps, the byte offset. Nothing here knows about track formats.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from flightmap.errors import InputError

HEAD_BYTES: Final = 64 * 1024
"""Bytes of (decompressed) content read to detect the format."""

PROGRESS_MIN_BYTES: Final = 20_000_000
"""Inputs at least this large get a progress bar when one is asked for (about a second of
reading on the machines flightmap targets)."""

_GZIP_MAGIC: Final = b"\x1f\x8b"
_BOM: Final = codecs.BOM_UTF8


@dataclass(frozen=True)
class Input:
    """A track file that exists and starts like text.

    Attributes
    ----------
    path : Path
        The file.
    size : int
        Size on disk, bytes (compressed size for gzip).
    gzipped : bool
        The file is gzip-compressed (by content, whatever its name).
    head : str
        The first :data:`HEAD_BYTES` of the decompressed content, decoded as UTF-8, without a
        byte-order mark. May end in the middle of a line.
    complete : bool
        ``head`` holds the whole content.
    """

    path: Path
    size: int
    gzipped: bool
    head: str
    complete: bool


def _gzip_error(path: Path, exc: BaseException) -> InputError:
    return InputError(f"corrupt or truncated gzip data ({exc})", path=path)


def check_text(data: bytes, path: Path, *, offset: int = 0, final: bool = True) -> str:
    """Decode ``data`` as UTF-8 text or raise :class:`InputError` for binary content.

    Parameters
    ----------
    data : bytes
        Content, possibly only the start of the file (``final=False``).
    path : Path
        File, for the message.
    offset : int
        Byte offset of ``data`` in the decompressed content, for the message.
    final : bool
        ``data`` runs to the end of the content; if not, a multi-byte character cut at the end
        is not an error.
    """
    if data.startswith(_BOM) and offset == 0:
        data = data[len(_BOM) :]
        offset += len(_BOM)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            "binary data (NUL byte), not a track file", path=path, where=f"byte {offset + nul}"
        )
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}), not a track file",
            path=path,
            where=f"byte {offset + exc.start}",
        ) from None


def probe(path: str | Path) -> Input:
    """Open ``path`` far enough to know it is a non-empty text file, maybe gzipped.

    Raises
    ------
    InputError
        Missing file, directory, empty file, corrupt gzip, binary content.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=p)
    if p.is_dir():
        raise InputError("is a directory, expected a track file", path=p)
    try:
        size = p.stat().st_size
        with p.open("rb") as f:
            raw = f.read(HEAD_BYTES)
            gzipped = raw.startswith(_GZIP_MAGIC)
            if gzipped:
                f.seek(0)
                head, complete = _gunzip_head(f, p)
            else:
                head, complete = raw, len(raw) < HEAD_BYTES
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=p) from None
    if not head.strip(b" \t\r\n" + _BOM):
        raise InputError("file is empty" + (" after gzip decompression" if gzipped else ""), path=p)
    text = check_text(head, p, final=complete)
    if text.startswith("\ufeff"):
        text = text[1:]
    return Input(path=p, size=size, gzipped=gzipped, head=text, complete=complete)


def _gunzip_head(f: IO[bytes], path: Path) -> tuple[bytes, bool]:
    d = zlib.decompressobj(wbits=31)
    out = b""
    try:
        while len(out) < HEAD_BYTES:
            chunk = f.read(HEAD_BYTES)
            if not chunk:
                if not d.eof:
                    raise _gzip_error(path, EOFError("compressed file ended early"))
                return out, True
            out += d.decompress(chunk, HEAD_BYTES - len(out))
            while d.unconsumed_tail and len(out) < HEAD_BYTES:
                out += d.decompress(d.unconsumed_tail, HEAD_BYTES - len(out))
            if d.eof:
                return out, True
    except zlib.error as exc:
        raise _gzip_error(path, exc) from None
    return out[:HEAD_BYTES], False


class ContentReader(io.RawIOBase):
    """A raw binary stream over the (decompressed) content of an input.

    Turns gzip failures met while reading into :class:`InputError` and drives the progress
    bar, if any.
    """

    def __init__(self, inner: IO[bytes], path: Path, on_read: _Progress | None) -> None:
        super().__init__()
        self._inner = inner
        self._path = path
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zlib.error) as exc:
            raise _gzip_error(self._path, exc) from None
        n = len(data)
        buffer[:n] = data
        if self._on_read is not None:
            self._on_read.update()
        return n


class _Progress:
    """A rich progress bar over the bytes read from the file on disk."""

    def __init__(self, raw: IO[bytes], total: int, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._raw = raw
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(label, total=total)
        self._bar.start()

    def update(self) -> None:
        self._bar.update(self._task, completed=self._raw.tell())

    def close(self) -> None:
        self._bar.stop()


def wants_progress(inp: Input, progress: bool) -> bool:
    """A progress bar is shown when asked for and the file is large enough to need one."""
    return progress and inp.size >= PROGRESS_MIN_BYTES


@contextmanager
def open_content(inp: Input, *, progress: bool = False) -> Iterator[ContentReader]:
    """Open the decompressed content of ``inp`` as a buffered-friendly raw stream.

    A progress bar (on stderr, removed when done) is shown when ``progress`` is true and the
    file is at least :data:`PROGRESS_MIN_BYTES` on disk.
    """
    try:
        raw = inp.path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=inp.path) from None
    bar = None
    try:
        if wants_progress(inp, progress):
            bar = _Progress(raw, inp.size, f"reading {inp.path.name}")
        inner: IO[bytes] = (
            gzip.GzipFile(fileobj=raw, mode="rb") if inp.gzipped else raw  # type: ignore[assignment]
        )
        yield ContentReader(inner, inp.path, bar)
    finally:
        if bar is not None:
            bar.close()
        raw.close()


def read_all(inp: Input, *, progress: bool = False) -> str:
    """Return the whole decompressed content of ``inp`` as text.

    Raises
    ------
    InputError
        Corrupt gzip, binary data, invalid UTF-8 anywhere in the file.
    """
    chunks: list[bytes] = []
    with open_content(inp, progress=progress) as stream:
        buf = io.BufferedReader(stream, 1 << 20)
        while chunk := buf.read(1 << 20):
            chunks.append(chunk)
    return check_text(b"".join(chunks), inp.path)


def load_json(inp: Input, *, progress: bool = False) -> Any:
    """Parse a (possibly gzipped) JSON file; truncated or invalid JSON is an :class:`InputError`."""
    text = read_all(inp, progress=progress)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON ({exc.msg})",
            path=inp.path,
            where=f"line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=inp.path) from None
