"""What the DuckDB engine reads: each input file as a SELECT of the staging layout.

Parquet in flightmap's track schema (what ``flightmap convert`` writes) is read by DuckDB
straight from the input (:func:`parquet_source`): the staging layout's columns are computed in
SQL (the aircraft key, integer nanoseconds, the sequence number) with the checks and the
conversions of :func:`flightmap.jamming.inputs.load_file`, and no copy is written. Every other
file goes through the readers and is staged as Parquet (:func:`staged_source`).
:func:`sources_of` does this for all the inputs, skipping (and logging) unreadable files.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.jamming.inputs import (
    _BOOLS,
    _FLOATS,
    _STRINGS,
    AIRCRAFT,
    SEQ,
    T_NS,
    TP_NS,
    load_file,
)
from flightmap.jamming.staging import Progress, ReadLog, none_read, note_file, write_staged

__all__ = ["Source", "parquet_source", "sources_of", "sql_literal", "staged_source"]


def sql_literal(path: Path) -> str:
    """``path`` as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class Source:
    """One input file as DuckDB reads it in the staging layout."""

    path: Path
    """The file DuckDB reads (the input, or its staged copy)."""
    sql: str
    """SELECT of the staging layout's columns from the file (those it has: the others are
    null)."""
    t_min: int
    """Earliest report, ns since the epoch."""
    t_max: int
    """Latest report, ns."""
    rows: int
    """Reports in the file."""


def _time_range(path: Path, column: str, con: Any) -> tuple[int, int, int]:
    """Earliest and latest ``column`` (ns) and the number of nulls in it, by DuckDB."""
    got = con.sql(
        f'SELECT min(epoch_ns("{column}")), max(epoch_ns("{column}")), '
        f'count(*) - count("{column}") FROM read_parquet({sql_literal(path)})',
    ).fetchall()[0]
    lo, hi, nulls = got
    return int(lo if lo is not None else 0), int(hi if hi is not None else 0), int(nulls)


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def parquet_source(path: Path, file_no: int, con: Any) -> Source | None:
    """``path`` (Parquet in flightmap's track schema) read by DuckDB straight into the staging
    layout, or None when a column has a type the SQL projection does not convert as the
    readers do (the file then goes through :func:`flightmap.jamming.inputs.load_file`).

    Raises
    ------
    InputError
        Not readable as Parquet, or not flightmap's schema (the messages of ``load_file``).
    """
    import duckdb
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        rows = pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError, pa.ArrowException) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise InputError(f"not a readable Parquet file ({msg})", path=path) from None
    names = set(schema.names)
    for col in (s.TIME, s.LAT, s.LON):
        if col not in names:
            raise InputError(
                "column missing (expected flightmap's track schema)", path=path, field=col
            )
    time_type = schema.field(s.TIME).type
    if not pa.types.is_timestamp(time_type) or time_type.tz is None:
        raise InputError(f"times must be tz-aware (UTC), got {time_type}", path=path, field=s.TIME)
    if s.FLIGHT_ID not in names and s.ICAO24 not in names:
        raise InputError("needs flight_id or icao24", path=path, field=s.FLIGHT_ID)

    def kind(col: str) -> str | None:
        return None if col not in names else str(schema.field(col).type)

    def ok(col: str, test: Any) -> bool:
        return col not in names or bool(test(schema.field(col).type))

    simple = (
        all(ok(c, lambda t: pa.types.is_floating(t) or pa.types.is_integer(t)) for c in _FLOATS)
        and all(ok(c, pa.types.is_boolean) for c in _BOOLS)
        and all(
            ok(c, lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)) for c in _STRINGS
        )
        and ok(s.POSITION_TIME, lambda t: pa.types.is_timestamp(t) and t.tz is not None)
    )
    if not simple:
        return None
    try:
        t_min, t_max, nulls = _time_range(path, s.TIME, con)
    except duckdb.Error as exc:
        msg = " ".join(str(exc).split())[:120]
        raise InputError(f"not a readable Parquet file ({msg})", path=path) from None
    if nulls:
        raise InputError("time is missing (NaT)", path=path, field=s.TIME)
    ids = [f'"{c}"' for c in (s.ICAO24, s.CALLSIGN, s.FLIGHT_ID) if c in names]
    select = [
        f"CAST(coalesce({', '.join(ids)}) AS VARCHAR) AS {AIRCRAFT}",
        f'epoch_ns("{s.TIME}") AS {T_NS}',
        f"({file_no}::BIGINT << 40) + file_row_number AS {SEQ}",
    ]
    if s.POSITION_TIME in names:
        select.append(f'epoch_ns("{s.POSITION_TIME}") AS {TP_NS}')
    # Columns the file lacks are left out (null columns cost a fifth of the scan): readers of
    # a source take them as null (flightmap.jamming.rows.encode; UNION ALL BY NAME).
    for cols, sql_type in ((_FLOATS, "DOUBLE"), (_BOOLS, "BOOLEAN"), (_STRINGS, "VARCHAR")):
        select += [f'CAST("{c}" AS {sql_type}) AS "{c}"' for c in cols if c in names]
    scan = f"read_parquet({sql_literal(path)}, file_row_number = true)"
    sql = f"SELECT {', '.join(select)} FROM {scan}"
    return Source(path, sql, t_min, t_max, rows)


def staged_source(path: Path, table: pa.Table) -> Source:
    """A staged file (:func:`flightmap.jamming.staging.write_staged`) holding ``table``."""
    import pyarrow.compute as pc

    mm = pc.min_max(table.column(T_NS))
    lo, hi = mm["min"].as_py(), mm["max"].as_py()
    return Source(
        path,
        f"SELECT * FROM read_parquet({sql_literal(path)})",
        int(lo or 0),
        int(hi or 0),
        table.num_rows,
    )


def _staged(
    path: Path,
    k: int,
    folder: Path,
    fmt: str | None,
    mapping: dict[str, str] | None,
    tz: str | None,
) -> tuple[Source, int] | str:
    """File ``k`` read by the readers and staged in ``folder``: its source and problems, or
    the reader's one-line error (text crosses processes; InputError's fields would not)."""
    try:
        table, problems = load_file(path, k, fmt=fmt, mapping=mapping, tz=tz)
    except InputError as exc:
        return exc.one_line()
    return staged_source(write_staged(table, folder / f"part-{k:05d}.parquet"), table), problems


def sources_of(
    files: list[Path],
    log: ReadLog,
    folder: Path,
    con: Any,
    *,
    strict: bool = False,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    pool: Executor | None = None,
    progress: Progress | None = None,
) -> list[Source]:
    """Every readable file of ``files`` as a :class:`Source`: Parquet in flightmap's schema
    as it is, the others read and staged in ``folder`` (by the processes of ``pool`` if
    given: the readers are the slow part); ``log`` is updated, in file order.

    Raises
    ------
    InputError
        With ``strict``, the first file that cannot be read; without, when none can.
    """
    folder.mkdir(parents=True, exist_ok=True)
    outcomes: dict[int, Any] = {}
    to_read: list[int] = []
    for k, path in enumerate(files):
        if path.name.lower().endswith(".parquet") and fmt is None:
            try:
                src = parquet_source(path, k, con)
            except InputError as exc:
                outcomes[k] = exc
                continue
            if src is not None:
                outcomes[k] = (src, 0)
                continue
        to_read.append(k)
    if pool is not None and len(to_read) > 1:
        for k in to_read:
            outcomes[k] = pool.submit(_staged, files[k], k, folder, fmt, mapping, tz)
    out: list[Source] = []
    try:
        for k in range(len(files)):
            got = outcomes.get(k)
            if got is None:
                got = _staged(files[k], k, folder, fmt, mapping, tz)
            elif not isinstance(got, InputError | tuple):
                got = got.result()
            if isinstance(got, str):
                got = InputError(got)
            if isinstance(got, InputError):
                note_file(log, k, files, got, strict=strict, progress=progress)
                continue
            src, problems = got
            note_file(log, k, files, (src.rows, problems), strict=strict, progress=progress)
            out.append(src)
    finally:
        for got in outcomes.values():
            if isinstance(got, Future):
                got.cancel()  # after a strict failure, the files not read yet
    none_read(log, files)
    return out
