"""Opening a track file: existence, size, gzip, binary junk, the head used to detect the format.

Everything wrong at this level becomes an :class:`InputError` naming the file and, where it
helps, the line and byte offset. Nothing here knows about track formats.

Size limit (:mod:`flightmap.limits`): no input larger than
:func:`~flightmap.limits.max_input_bytes` is read, counted after gzip decompression; files parsed
whole in memory (JSON, KML, and CSV files that need the line-by-line reader) may be at most
:func:`~flightmap.limits.whole_file_bytes`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from flightmap.errors import InputError
from flightmap.limits import (
    MAX_INPUT_ENV,
    human_size,
    max_input_bytes,
    too_large,
    whole_file_bytes,
)

HEAD_BYTES: Final = 64 * 1024
"""Bytes of (decompressed) content read to detect the format."""

PROGRESS_MIN_BYTES: Final = 20_000_000
"""Inputs at least this large get a progress bar when one is asked for (about a second of
reading on the machines flightmap targets)."""

_GZIP_MAGIC: Final = b"\x1f\x8b"
PARQUET_MAGIC: Final = b"PAR1"
_BOM: Final = codecs.BOM_UTF8
_WIDE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

MAX_JSON_DEPTH: Final = 500
"""Nesting reported as too deep when the JSON parser gives up (real tracks nest 3 levels)."""


def check_whole_file(inp: Input, what: str) -> None:
    """Refuse an input too large to be parsed whole in memory (before reading it)."""
    limit = whole_file_bytes()
    if inp.size > limit:
        raise InputError(
            f"too large for {what}: {human_size(inp.size)} on disk, more than "
            f"{human_size(limit)} (an eighth of the input limit, as the parsed form takes "
            f"several times the file's size; raise it with {MAX_INPUT_ENV}=SIZE or flightmap "
            "--max-input-size SIZE)",
            path=inp.path,
        )


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
        byte-order mark. May end in the middle of a line. Empty for Parquet.
    complete : bool
        ``head`` holds the whole content.
    parquet : bool
        The file is Parquet (starts with ``PAR1``), the one binary input read.
    """

    path: Path
    size: int
    gzipped: bool
    head: str
    complete: bool
    parquet: bool = False


def _gzip_error(path: Path, exc: BaseException, at: int | None = None) -> InputError:
    where = f"compressed byte {at}" if at is not None else None
    return InputError(f"corrupt or truncated gzip data ({exc})", path=path, where=where)


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
    if offset == 0:
        for bom, name in _WIDE_BOMS:
            if data.startswith(bom):
                raise InputError(
                    f"{name} text, not UTF-8: save the file as UTF-8", path=path, where="byte 0"
                )
    if data.startswith(_BOM) and offset == 0:
        data = data[len(_BOM) :]
        offset += len(_BOM)
    nul = data.find(b"\x00")
    if nul >= 0:
        sample = data[:64]
        if (
            offset <= len(_BOM)
            and len(sample) >= 4
            and (
                sample[1::2].count(0) * 4 >= len(sample) * 3
                or sample[0::2].count(0) * 4 >= len(sample) * 3
            )
        ):
            raise InputError(
                "UTF-16 text without a byte-order mark, not UTF-8: save the file as UTF-8",
                path=path,
                where="byte 0",
            )
        raise InputError(
            "binary data (NUL byte), not a track file", path=path, where=f"byte {offset + nul}"
        )
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}; Latin-1 or "
            "Windows-1252?): save the file as UTF-8",
            path=path,
            where=f"byte {offset + exc.start}",
        ) from None


def probe(path: str | Path) -> Input:
    """Open ``path`` far enough to know it is a non-empty text file, maybe gzipped, or a
    Parquet file (``Input.parquet``; its content is left to the Parquet reader).

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
    limit = max_input_bytes()
    try:
        size = p.stat().st_size
        if size > limit:
            raise too_large(p, limit, size)
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
    if not gzipped and head.startswith(PARQUET_MAGIC):
        return Input(path=p, size=size, gzipped=False, head="", complete=False, parquet=True)
    if not head.strip(b" \t\r\n" + _BOM):
        raise InputError(
            "file is empty" + (" after gzip decompression" if gzipped else ""),
            path=p,
            where="line 1",
        )
    if gzipped and head.startswith(_GZIP_MAGIC):
        raise InputError(
            "compressed twice (gzip inside gzip): decompress it once first", path=p, where="byte 0"
        )
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
                    raise _gzip_error(path, EOFError("compressed file ended early"), f.tell())
                return out, True
            out += d.decompress(chunk, HEAD_BYTES - len(out))
            while d.unconsumed_tail and len(out) < HEAD_BYTES:
                out += d.decompress(d.unconsumed_tail, HEAD_BYTES - len(out))
            if d.eof:
                return out, True
    except zlib.error as exc:
        raise _gzip_error(path, exc, f.tell()) from None
    return out[:HEAD_BYTES], False


class ContentReader(io.RawIOBase):
    """A raw binary stream over the (decompressed) content of an input.

    Turns gzip failures met while reading into :class:`InputError`, stops at the size limit
    (:func:`max_input_bytes`, counted after decompression) and drives the progress bar, if any.
    """

    def __init__(
        self,
        inner: IO[bytes],
        path: Path,
        on_read: _Progress | None,
        raw: IO[bytes] | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._path = path
        self._on_read = on_read
        self._raw = raw
        self._limit = limit if limit is not None else max_input_bytes()
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zlib.error) as exc:
            at = self._raw.tell() if self._raw is not None and not self._raw.closed else None
            raise _gzip_error(self._path, exc, at) from None
        n = len(data)
        self._count += n
        if self._count > self._limit:
            raise too_large(self._path, self._limit)
        buffer[:n] = data
        if self._on_read is not None:
            self._on_read.update()
        return n


class _Progress:
    """A rich progress bar over the bytes read from the file on disk; nothing at all when
    stderr is not a terminal (a log file or a pipe gets no bar, not even a blank line)."""

    def __init__(self, raw: IO[bytes], total: int, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._raw = raw
        console = Console(stderr=True)
        self._bar: Progress | None = None
        if not console.is_terminal:
            return
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task(label, total=total)
        self._bar.start()

    def update(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self._raw.tell())

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def wants_progress(inp: Input, progress: bool) -> bool:
    """A progress bar is shown when asked for, the file is large enough to need one and
    stderr is a terminal (else nothing would show: rich is not even imported, and a CSV
    parser reads the file itself rather than through the bar's stream)."""
    return progress and inp.size >= PROGRESS_MIN_BYTES and stderr_is_terminal()


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal, where a progress bar can be drawn."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


@contextmanager
def open_content(
    inp: Input, *, progress: bool = False, limit: int | None = None
) -> Iterator[ContentReader]:
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
        yield ContentReader(inner, inp.path, bar, raw=raw if inp.gzipped else None, limit=limit)
    finally:
        if bar is not None:
            bar.close()
        raw.close()


def read_all(inp: Input, *, progress: bool = False, limit: int | None = None) -> str:
    """Return the whole decompressed content of ``inp`` as text.

    Parameters
    ----------
    limit : int, optional
        Largest decompressed size, bytes (default :func:`max_input_bytes`).

    Raises
    ------
    InputError
        Corrupt gzip, binary data, invalid UTF-8 anywhere in the file, too large.
    """
    chunks: list[bytes] = []
    with open_content(inp, progress=progress, limit=limit) as stream:
        buf = io.BufferedReader(stream, 1 << 20)
        while chunk := buf.read(1 << 20):
            chunks.append(chunk)
    return check_text(b"".join(chunks), inp.path)


def load_json(inp: Input, *, progress: bool = False) -> Any:
    """Parse a (possibly gzipped) JSON file; truncated or invalid JSON is an :class:`InputError`."""
    check_whole_file(inp, "a JSON file")
    text = read_all(inp, progress=progress, limit=whole_file_bytes())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON ({exc.msg})",
            path=inp.path,
            where=f"line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:
        raise InputError(
            f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)",
            path=inp.path,
            where=_too_deep(text),
        ) from None
    except ValueError as exc:
        # Integers of more than 4300 digits (sys.get_int_max_str_digits) and the like.
        raise InputError(
            f"invalid JSON ({' '.join(str(exc).split())[:120]})",
            path=inp.path,
            where=_number_place(text),
        ) from None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line} column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def _too_deep(text: str) -> str | None:
    """Where JSON ``text`` first nests deeper than :data:`MAX_JSON_DEPTH` (error path only)."""
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        c = m.group(0)
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return _line_col(text, m.start())
        elif c in "]}":
            depth -= 1
    return None


def _number_place(text: str) -> str | None:
    """Where the first number of more than 4300 digits is (error path only)."""
    m = re.search(r"\d{4300}", text)
    return _line_col(text, m.start()) if m else None
