"""Reading a CSV file into columns with the input line number of every row.

Fast path: :func:`pyarrow.csv.read_csv` with typed columns, refusing blank lines and quoted
newlines so that row i is line i + 2. If a value does not convert, pyarrow reads the file again
as text (the per-value checks of :mod:`._numbers`, :mod:`._times` and :mod:`._positions` then
flag the bad ones). Otherwise (ragged rows, blank lines, quoted newlines) a last pass reads the
file with :mod:`csv`, which knows the line of every record.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from flightmap import schema
from flightmap.errors import InputError
from flightmap.limits import whole_file_bytes
from flightmap.readers._numbers import NUMBER
from flightmap.readers._problems import Problems
from flightmap.readers._source import (
    Input,
    check_whole_file,
    open_content,
    read_all,
    wants_progress,
)
from flightmap.readers._text import NULL_TOKENS
from flightmap.readers._times import ISO_WITH_ZONE

_BLOCK: Final = 1 << 22
USE_THREADS: Final = True
"""Whether pyarrow parses and converts CSV columns on several threads (see :func:`_fast`)."""

TEXT_CODES: Final = pa.dictionary(pa.int32(), pa.large_string())
"""Fast-path type for text columns of few distinct values (addresses, callsigns, squawks):
dictionary-encoded by the parser, on all cores, and handed over as a ``Categorical`` (see
:func:`flightmap.readers._text.on_uniques`) instead of a string per row."""


@dataclass(frozen=True)
class CsvTable:
    """Columns of a CSV file, by header name, and the line of each row.

    Attributes
    ----------
    header : list[str]
        Column names as in the file, stripped of spaces.
    columns : dict[str, pandas.Series]
        The requested columns: typed as asked on the fast path, text on the slow path.
    lines : numpy.ndarray
        int64, 1-based line number of each row.
    """

    header: list[str]
    columns: dict[str, pd.Series]
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)


def header_of(inp: Input) -> list[str]:
    """The header row of a CSV input (from its head), stripped names.

    Raises
    ------
    InputError
        The first line is not a CSV row.
    """
    first = inp.head.splitlines()[0] if inp.head else ""
    try:
        row = next(csv.reader([first]))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"unreadable CSV header ({exc})", path=inp.path, where="line 1") from None
    return [name.strip() for name in row]


def time_type(inp: Input, column: str) -> pa.DataType:
    """The fast-path type for a time column, from its value on the first data line: float
    seconds, ISO 8601 with a zone (parsed by pyarrow), or text (checked value by value).

    A guess only: if another line does not fit, the file is read again as text.
    """
    lines = inp.head.splitlines()
    header = header_of(inp)
    if len(lines) < 2 or column not in header:
        return pa.large_string()
    try:
        row = next(csv.reader([lines[1]]))
    except (csv.Error, StopIteration):
        return pa.large_string()
    i = header.index(column)
    value = row[i].strip() if i < len(row) else ""
    if re.fullmatch(NUMBER, value):
        return pa.float64()
    if re.fullmatch(ISO_WITH_ZONE, value):
        return pa.timestamp("ns", tz="UTC")
    return pa.large_string()


def read_csv(
    inp: Input,
    wanted: list[str],
    types: dict[str, pa.DataType],
    problems: Problems,
    *,
    progress: bool = False,
) -> CsvTable:
    """Read the ``wanted`` columns of a CSV file that has a header line.

    Parameters
    ----------
    inp : Input
        The probed file.
    wanted : list[str]
        Header names to keep (all must be in the header).
    types : dict[str, pyarrow.DataType]
        Types for the fast path; a column not listed is read as text.
    problems : Problems
        Receives a ``bad_row`` flag per record with the wrong number of fields.
    progress : bool
        Show a progress bar for large files.

    Raises
    ------
    InputError
        Header only (no data rows), unreadable CSV, invalid UTF-8.
    """
    header = header_of(inp)
    col_types = {name: types.get(name, pa.large_string()) for name in wanted}
    table = _fast(inp, header, wanted, col_types, progress)
    if table is None and any(not _is_text(ty) for ty in col_types.values()):
        # Some value does not convert: read everything as text, still with pyarrow, and let
        # the column helpers flag the values one by one.
        table = _fast(inp, header, wanted, dict.fromkeys(wanted, pa.large_string()), progress)
    if table is None:
        table = _slow(inp, header, wanted, problems, progress)
    if len(table) == 0:
        flags = problems.frame()
        if len(flags):
            first = flags.iloc[0]
            raise InputError(
                f"no readable row: every row has the wrong number of fields "
                f"(first: {first['problem']})",
                path=inp.path,
                where=f"line {first[schema.RECORD]}",
            )
        raise InputError("no data rows: the file has a header only", path=inp.path, where="line 1")
    return table


def _is_text(ty: pa.DataType) -> bool:
    return bool(pa.types.is_string(ty) or pa.types.is_large_string(ty))


def _fast(
    inp: Input,
    header: list[str],
    wanted: list[str],
    col_types: dict[str, pa.DataType],
    progress: bool,
) -> CsvTable | None:
    # Neither blank lines nor newlines inside quotes are accepted here (they raise, and the
    # slow path takes over), so row i of the table is line i + 2 of the file.
    # pyarrow parses blocks on all cores (USE_THREADS): whole commands on two cores, idle or
    # with one held by another process, were 5-15 % faster than on one thread (a 5M-line
    # OpenSky convert 5.6-5.7 s against 6.7 s idle, 6.5 s against 6.8-7.1 s with one core
    # busy), for 10-20 % more peak memory. An earlier measurement with other benchmarks
    # running had the threads slower (benchmarks/README.md): not seen again.
    read = pacsv.ReadOptions(
        block_size=_BLOCK, column_names=header, skip_rows=1, use_threads=USE_THREADS
    )
    parse = pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types=col_types,
        include_columns=wanted,
        null_values=sorted(NULL_TOKENS),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    try:
        if inp.gzipped or wants_progress(inp, progress):
            with open_content(inp, progress=progress) as stream:
                tbl = pacsv.read_csv(
                    io.BufferedReader(stream, _BLOCK),
                    read_options=read,
                    parse_options=parse,
                    convert_options=convert,
                )
        else:
            # A plain file: pyarrow reads it itself, on all cores.
            tbl = pacsv.read_csv(
                str(inp.path), read_options=read, parse_options=parse, convert_options=convert
            )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    n = tbl.num_rows
    # self_destruct frees each Arrow column once converted: peak memory stays near one copy.
    frame = tbl.to_pandas(split_blocks=True, self_destruct=True, use_threads=USE_THREADS)
    del tbl
    cols = {name: frame[name] for name in wanted}
    for name, s in cols.items():
        if _is_text(col_types[name]) and s.dtype != schema.STR_DTYPE:
            cols[name] = s.astype(schema.STR_DTYPE)
    return CsvTable(header, cols, np.arange(2, n + 2, dtype="int64"))


def _slow(
    inp: Input, header: list[str], wanted: list[str], problems: Problems, progress: bool
) -> CsvTable:
    check_whole_file(
        inp,
        "the line-by-line CSV reader (needed for rows of the wrong length, blank lines or "
        "line breaks inside quotes)",
    )
    text = read_all(inp, progress=progress, limit=whole_file_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    index = [header.index(name) for name in wanted]
    n_fields = len(header)
    values: list[list[str]] = []
    lines: list[int] = []
    bad_lines: list[int] = []
    bad_counts: list[str] = []
    try:
        next(reader)
        prev = reader.line_num
        for row in reader:
            start = prev + 1
            prev = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != n_fields:
                bad_lines.append(start)
                bad_counts.append(f"expected {n_fields} fields, got {len(row)}")
                continue
            values.append(row)
            lines.append(start)
    except csv.Error as exc:
        why = str(exc)
        if "field larger than field limit" in why:
            why = f"a field longer than {csv.field_size_limit():,} characters"
        raise InputError(
            f"unreadable CSV ({why})", path=inp.path, where=f"line {reader.line_num}"
        ) from None
    if bad_lines:
        problems.add(
            np.array(bad_lines), None, None, "bad_row", np.array(bad_counts), "row dropped"
        )
    cols: dict[str, pd.Series] = {}
    columns = list(zip(*values, strict=True)) if values else [() for _ in header]
    for name, i in zip(wanted, index, strict=True):
        s = pd.Series(columns[i], dtype=schema.STR_DTYPE)
        cols[name] = s.where(~s.isin(list(NULL_TOKENS)))
    return CsvTable(header, cols, np.asarray(lines, dtype="int64"))
