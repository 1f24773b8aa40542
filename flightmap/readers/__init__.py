"""Read flight-tracker files into the canonical track schema (:mod:`flightmap.schema`).

Usage::

    from flightmap.readers import read_track

    result = read_track("AHY8243.csv")  # format detected from the content
    result.track                        # the canonical frame (flightmap.schema)
    result.flags                        # one row per problem, with its line or record

Formats (names for ``format=`` / ``--format``), detected from the content, not the file name:

- ``fr24_csv``: Flightradar24 CSV export (7 columns, or the older 6) -- :mod:`.fr24`
- ``fr24_kml``: Flightradar24 KML export, or any KML of timestamped points -- :mod:`.fr24`
- ``readsb_trace``: readsb / ADS-B Exchange / tar1090 trace JSON, plain or gzip -- :mod:`.readsb`
- ``opensky_csv``: OpenSky bulk state-vector CSV -- :mod:`.opensky`
- ``opensky_rest``: OpenSky REST ``/states/all`` JSON -- :mod:`.opensky`
- ``generic_csv``: any CSV with time, lat, lon columns (named, or given by a mapping) --
  :mod:`.generic`
- ``parquet``: flightmap's own track schema in Parquet, as ``flightmap convert`` writes it,
  read back as it is (no cleaning or flight splitting again) -- :mod:`.parquet`

Any text file may be gzip-compressed. Every text reader: converts to schema units; keeps rows
without a position; sets unreadable values to NA and flags them; drops rows without a usable time
(flagged); sorts by time and drops exact duplicates (flagged); splits flights
(:func:`flightmap.tracks.split_flights`). A file that cannot be used at all raises
:class:`~flightmap.errors.InputError` naming the file, the line or record, and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap import tracks
from flightmap.errors import InputError
from flightmap.readers import fr24, generic, opensky, parquet, readsb
from flightmap.readers._base import Raw
from flightmap.readers._csv import header_of
from flightmap.readers._positions import LAT_ALONE, no_position_error
from flightmap.readers._problems import Problems
from flightmap.readers._source import Input, probe
from flightmap.readers._text import constant_str

__all__ = ["FORMATS", "PARQUET", "TrackRead", "detect_format", "read_track"]

FORMATS: Final = (
    "fr24_csv",
    "fr24_kml",
    "readsb_trace",
    "opensky_csv",
    "opensky_rest",
    "generic_csv",
)
"""The text formats' names, for ``format=`` and ``--format`` (and :data:`PARQUET`)."""

PARQUET: Final = "parquet"
"""The Parquet format's name: flightmap's own track schema, read back as it is."""

_RECORD_KIND: Final = {
    "fr24_csv": "line",
    "opensky_csv": "line",
    "generic_csv": "line",
    "fr24_kml": "record",
    "readsb_trace": "record",
    "opensky_rest": "record",
    PARQUET: "record",
}

# Plausible ranges: values outside are flagged (and kept), not changed.
PLAUSIBLE: Final[dict[str, tuple[float, float]]] = {
    s.ALT_BARO_FT: (-2000.0, 100_000.0),
    s.ALT_GEOM_FT: (-2000.0, 100_000.0),
    s.GS_KT: (0.0, 2000.0),
    s.TRACK_DEG: (0.0, 360.0),
    s.VRATE_FPM: (-40_000.0, 40_000.0),
    s.VRATE_GEOM_FPM: (-40_000.0, 40_000.0),
}


@dataclass(frozen=True)
class TrackRead:
    """The result of :func:`read_track`.

    Attributes
    ----------
    track : pandas.DataFrame
        The canonical track (:mod:`flightmap.schema`), sorted by time.
    flags : pandas.DataFrame
        One row per problem found, columns :data:`flightmap.schema.FLAG_COLUMNS`, sorted by
        record. ``action`` says what was done: ``set to NA``, ``position removed``,
        ``row dropped``, ``kept``...
    format : str
        The format read (one of :data:`FORMATS`, or :data:`PARQUET`).
    path : Path
        The file.
    record_kind : str
        ``"line"`` (text formats: ``record`` is the line number) or ``"record"`` (JSON and KML:
        the entry number).
    mapping : dict[str, str]
        Schema column -> input field it came from.
    """

    track: pd.DataFrame
    flags: pd.DataFrame
    format: str
    path: Path
    record_kind: str
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def dropped(self) -> pd.DataFrame:
        """The flags of rows that were dropped (bad time, wrong shape, exact duplicates)."""
        return self.flags[self.flags["action"] == "row dropped"].reset_index(drop=True)

    def where(self, record: int) -> str:
        """``"line 12"`` or ``"record 12"``."""
        return f"{self.record_kind} {record}"

    def problem_lines(self, limit: int | None = None) -> list[str]:
        """The flags as text, one per problem, in record order: ``"line 3: field Position: not a
        number 'abc' (set to NA)"`` (the first ``limit`` only, if given)."""
        flags = self.flags if limit is None else self.flags.head(limit)
        out = []
        for row in flags.itertuples(index=False):
            field_ = f" field {row.field}:" if isinstance(row.field, str) else ""
            value = ""
            if isinstance(row.value, str):
                value = f" {row.value[:60]!r}" + ("..." if len(row.value) > 60 else "")
            out.append(
                f"{self.where(int(getattr(row, s.RECORD)))}:{field_} {row.problem}{value} "
                f"({row.action})"
            )
        return out


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS and fmt != PARQUET:
        raise InputError(
            f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}, {PARQUET}",
            field="--format",
        )
    return fmt


def _detect(inp: Input) -> str:
    if inp.parquet:
        return PARQUET
    text = inp.head.lstrip()
    if text[:1] in ("{", "["):
        if '"trace"' in text and ('"timestamp"' in text or '"icao"' in text):
            return "readsb_trace"
        if '"states"' in text:
            return "opensky_rest"
        raise InputError(
            "unknown JSON layout: expected a readsb trace (icao, timestamp, trace) or an "
            "OpenSky states response (time, states)",
            path=inp.path,
            where="line 1",
        )
    if text[:1] == "<":
        if "<kml" in text[:4096].lower():
            return "fr24_kml"
        raise InputError("XML but not KML: unknown format", path=inp.path, where="line 1")
    header = header_of(inp)
    if fr24.is_fr24_csv(header):
        return "fr24_csv"
    if opensky.is_opensky_csv(header):
        return "opensky_csv"
    if len(generic.guess_required(header)) >= 2:
        return "generic_csv"  # a missing third column is reported by the reader
    shown = ",".join(header)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise InputError(
        f"unknown format: first line {shown!r} is not an FR24, OpenSky or KML header, nor "
        "a CSV header with time, lat and lon columns (use --format and --map)",
        path=inp.path,
        where="line 1",
    )


def detect_format(path: str | Path) -> str:
    """Return the format of a track file, from its content.

    Raises
    ------
    InputError
        The file is missing, empty, binary, corrupt gzip, or of no known format.
    """
    return _detect(probe(path))


_Reader = Callable[..., Raw]
_READERS: Final[dict[str, _Reader]] = {
    "fr24_csv": fr24.read_csv_export,
    "fr24_kml": fr24.read_kml,
    "readsb_trace": readsb.read_trace,
    "opensky_csv": opensky.read_csv_states,
    "opensky_rest": opensky.read_rest,
    "generic_csv": generic.read_generic,
}


def read_track(
    path: str | Path,
    format: str | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
    max_gap: pd.Timedelta = tracks.FLIGHT_GAP,
) -> TrackRead:
    """Read a flight-tracker file into the canonical track.

    Parameters
    ----------
    path : str or Path
        The file (gzip-compressed or not).
    format : str, optional
        One of :data:`FORMATS` or :data:`PARQUET`; detected from the content when omitted.
    mapping : mapping of str to str, optional
        Schema column -> input column, for CSV files (implies ``generic_csv`` when no format
        is given), e.g. ``{"time": "ts", "lat": "Latitude"}``.
    tz : str, optional
        Time zone of zone-less times (``UTC``, ``Asia/Baku``, ``+04:00``); without it such
        times are refused.
    progress : bool
        Show a progress bar on stderr while reading inputs of 20 MB or more.
    max_gap : pandas.Timedelta
        Silence that starts a new flight (see :func:`flightmap.tracks.split_flights`).

    Returns
    -------
    TrackRead
        The track, the flags, the format and how fields were mapped.

    Raises
    ------
    InputError
        The file cannot be read or holds no usable report: missing, empty, header only,
        binary, corrupt gzip, truncated JSON or XML, unknown format, required column
        missing, no usable time, no usable position, zone-less times without ``tz``.
    """
    inp = probe(path)
    if format is not None:
        fmt = _check_format(format)
    elif mapping:
        fmt = "generic_csv"
    else:
        fmt = _detect(inp)
    if mapping and fmt != "generic_csv":
        raise InputError(
            f"a column mapping applies to generic CSV files, not {fmt}",
            path=inp.path,
            field="--map",
        )
    if inp.parquet or fmt == PARQUET:
        return _read_parquet(inp, fmt)
    kind = _RECORD_KIND[fmt]
    problems = Problems(kind, inp.path)
    reader = _READERS[fmt]
    if fmt == "generic_csv":
        raw = reader(inp, problems, tz=tz, mapping=mapping, progress=progress)
    else:
        raw = reader(inp, problems, tz=tz, progress=progress)
    return _finish(raw, fmt, inp, problems, max_gap)


def _read_parquet(inp: Input, fmt: str) -> TrackRead:
    if not inp.parquet:
        raise InputError("not a Parquet file (it does not start with PAR1)", path=inp.path)
    if fmt != PARQUET:
        raise InputError(f"a Parquet file, not {fmt}", path=inp.path, field="--format")
    track, mapping = parquet.read_parquet_track(inp.path)
    return TrackRead(
        track=track,
        flags=s.empty_flags(),
        format=fmt,
        path=inp.path,
        record_kind=_RECORD_KIND[fmt],
        mapping=mapping,
    )


def _finish(raw: Raw, fmt: str, inp: Input, problems: Problems, max_gap: pd.Timedelta) -> TrackRead:
    df = raw.frame
    has_time = df[s.TIME].notna().to_numpy()
    if not has_time.any():
        flags = problems.frame()
        bad = flags[flags["code"] == "bad_time"]
        first = bad.iloc[0] if len(bad) else None
        shown = ""
        if first is not None and not pd.isna(first["value"]):
            shown = f" (first: {first['value']!r}, {first['problem']})"
        raise InputError(
            f"no usable time: every time is missing or unreadable{shown}",
            path=inp.path,
            where=problems.where(int(first[s.RECORD])) if first is not None else None,
            field=raw.time_field,
        )
    if not has_time.all():
        df = df[has_time]
    if not df[s.LAT].notna().any():
        flags = problems.frame()
        lat_seen = bool((flags["problem"] == LAT_ALONE).any())
        raise no_position_error(
            flags,
            df[s.RECORD].to_numpy(),
            problems,
            raw.lat_field,
            raw.lon_field,
            lat_seen=lat_seen,
        )
    df = _check_ranges(df, problems, raw.mapping)
    df, clean_flags = tracks.clean_and_split(
        df, time_field=raw.time_field, record_kind=problems.record_kind, max_gap=max_gap
    )
    flags = pd.concat([problems.frame(), clean_flags], ignore_index=True)
    flags = flags.sort_values(s.RECORD, kind="stable", ignore_index=True)
    df = tracks.mark_flags(df, flags)
    df[s.SOURCE] = constant_str(fmt, len(df))
    track = s.conform(df)
    s.validate(track, path=inp.path)
    return TrackRead(
        track=track,
        flags=flags,
        format=fmt,
        path=inp.path,
        record_kind=problems.record_kind,
        mapping=dict(raw.mapping),
    )


MAX_MAGNITUDE: Final = 1e9
"""Numbers beyond this (in any schema unit: ft, kt, ft/min, m, degrees) measure nothing; they are
set to NA (and flagged) rather than kept, so that no later step meets a value that overflows."""


def _check_ranges(df: pd.DataFrame, problems: Problems, mapping: dict[str, str]) -> pd.DataFrame:
    """Set numbers beyond :data:`MAX_MAGNITUDE` to NA and flag values outside
    :data:`PLAUSIBLE` (kept). Returns a new frame."""
    df = df.copy(deep=False)
    rec = df[s.RECORD].to_numpy()
    huge_flags: list[tuple[str, np.ndarray, np.ndarray]] = []
    odd_flags: list[tuple[str, np.ndarray, np.ndarray]] = []
    for col in (c.name for c in s.COLUMNS if c.dtype == "float64"):
        if col not in df.columns or col in (s.LAT, s.LON):
            continue
        v = df[col].to_numpy(dtype="float64", na_value=np.nan)
        lo, hi = PLAUSIBLE.get(col, (-MAX_MAGNITUDE, MAX_MAGNITUDE))
        with np.errstate(invalid="ignore"):
            odd = (v < lo) | (v > hi)  # one pass: every plausible range is within ±MAX_MAGNITUDE
        if not odd.any():
            continue
        huge = odd & (np.abs(v) > MAX_MAGNITUDE)
        if huge.any():
            huge_flags.append((col, huge, v[huge]))
            df[col] = np.where(huge, np.nan, v)
            odd &= ~huge
        if col in PLAUSIBLE and odd.any():
            odd_flags.append((col, odd, v[odd]))
    # All the "beyond" flags first, then the "outside" ones: the order flags of one record keep.
    for col, huge, values in huge_flags:
        problems.add(
            rec[huge],
            mapping.get(col, col),
            values.astype(str),
            "out_of_range",
            f"{col} beyond ±{MAX_MAGNITUDE:g}: not a measurement",
            "set to NA",
        )
    for col, odd, values in odd_flags:
        lo, hi = PLAUSIBLE[col]
        unit = next(c.unit for c in s.COLUMNS if c.name == col)
        problems.add(
            rec[odd],
            mapping.get(col, col),
            values.astype(str),
            "out_of_range",
            f"{col} outside [{lo:g}, {hi:g}] {unit}",
            "kept",
        )
    return df
