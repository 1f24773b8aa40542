"""Any CSV with a header, given a column mapping or names obvious enough to guess.

The mapping says which input column holds which schema column, e.g.
``{"time": "ts", "lat": "Latitude", "lon": "Longitude"}`` (``--map time=ts,lat=Latitude,...``
on the command line). Values must already be in the schema's units (ft, kt, ft/min, degrees):
no unit is guessed, so only names that state or imply the schema's unit are guessed
(:data:`GUESSES`; a column named plain ``altitude`` is not used unless mapped). A CSV written by
``flightmap convert`` is read back whole this way.

``time``, ``lat`` and ``lon`` are required. Times (``time``, ``position_time``) are Unix seconds
or ISO 8601 text; text without a zone is refused unless ``tz`` says what zone it is in. Records
are lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.readers._base import Raw
from flightmap.readers._category import category_text
from flightmap.readers._csv import TEXT_CODES, header_of, read_csv, time_type
from flightmap.readers._numbers import to_bool, to_float, to_small_int
from flightmap.readers._positions import check_positions
from flightmap.readers._problems import Problems
from flightmap.readers._source import Input
from flightmap.readers._text import clean_text, squawk_text
from flightmap.readers._times import parse_tz, time_series, to_optional_time, to_time

REQUIRED: Final = (s.TIME, s.LAT, s.LON)

MAPPABLE: Final = tuple(
    c.name for c in s.COLUMNS if c.name not in (s.FLIGHT_ID, s.FLAG, s.SOURCE, s.RECORD)
)
"""Schema columns a mapping may name."""

GUESSES: Final[dict[str, tuple[str, ...]]] = {
    s.TIME: (
        "time",
        "timestamp",
        "datetime",
        "date_time",
        "time_utc",
        "utc",
        "ts",
        "ts_utc",
        "timestamp_utc",
        "datetime_utc",
        "utc_time",
        "utc_timestamp",
    ),
    s.POSITION_TIME: ("position_time", "time_position"),
    s.LAT: ("lat", "latitude"),
    s.LON: ("lon", "lng", "long", "longitude"),
    s.ALT_BARO_FT: ("alt_baro_ft", "alt_baro", "altitude_ft", "alt_ft"),
    s.ALT_GEOM_FT: ("alt_geom_ft", "alt_geom"),
    s.GS_KT: ("gs_kt", "gs", "groundspeed_kt", "speed_kt"),
    s.TRACK_DEG: ("track_deg", "track"),
    s.VRATE_FPM: ("vrate_fpm", "baro_rate", "vertical_rate_fpm"),
    s.VRATE_GEOM_FPM: ("vrate_geom_fpm", "geom_rate"),
    s.CALLSIGN: ("callsign", "flight"),
    s.ICAO24: ("icao24", "icao", "hex"),
    s.SQUAWK: ("squawk",),
    s.CATEGORY: ("category", "emitter_category"),
    s.ON_GROUND: ("on_ground", "onground"),
    s.NIC: ("nic",),
    s.NAC_P: ("nac_p", "nacp"),
    s.SIL: ("sil",),
    s.RC_M: ("rc_m", "rc"),
    s.POSITION_SOURCE: ("position_source",),
    s.STALE: ("stale",),
    s.POS_GAP_BEFORE: ("pos_gap_before",),
    s.NEW_LEG: ("new_leg",),
}

_FLOATS: Final = (
    s.LAT,
    s.LON,
    s.ALT_BARO_FT,
    s.ALT_GEOM_FT,
    s.GS_KT,
    s.TRACK_DEG,
    s.VRATE_FPM,
    s.VRATE_GEOM_FPM,
    s.RC_M,
)
_CODES: Final = {s.NIC: (0, 11), s.NAC_P: (0, 11), s.SIL: (0, 3)}
_BOOLS: Final = (s.ON_GROUND, s.STALE, s.POS_GAP_BEFORE, s.NEW_LEG)
# Text of few distinct values, read dictionary-encoded (categories, not a string per row).
_REPEATED_TEXT: Final = (s.CALLSIGN, s.ICAO24, s.SQUAWK, s.POSITION_SOURCE)


def parse_mapping(text: str) -> dict[str, str]:
    """Parse ``"time=ts,lat=Latitude"`` into ``{"time": "ts", "lat": "Latitude"}``.

    >>> parse_mapping("time=ts, lat=Latitude")
    {'time': 'ts', 'lat': 'Latitude'}
    """
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        target, sep, column = item.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise InputError(f"expected column=input_name, got {item.strip()!r}", field="--map")
        out[target.strip()] = column.strip()
    return out


def guess_required(header: list[str]) -> list[str]:
    """The required schema columns (time, lat, lon) that the header names obviously.

    >>> guess_required(["Timestamp", "Latitude", "Alt"])
    ['time', 'lat']
    """
    lower = {h.lower() for h in header}
    return [t for t in REQUIRED if any(g in lower for g in GUESSES[t])]


def resolve(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Schema column -> input column: the mapping first, then guesses from the header.

    Raises
    ------
    InputError
        Unknown schema column in the mapping, mapped column not in the header, or a required
        column (time, lat, lon) neither mapped nor guessable.
    """
    mapping = dict(mapping or {})
    for target, column in mapping.items():
        if target not in MAPPABLE:
            raise InputError(
                f"unknown track column {target!r}; expected one of {', '.join(MAPPABLE)}",
                field="--map",
            )
        if column not in header:
            raise InputError(
                f"column {column!r} (mapped to {target}) is not in the header",
                where="line 1",
                field=column,
            )
    lower = {h.lower(): h for h in reversed(header)}
    used = set(mapping.values())
    out = dict(mapping)
    for target, names in GUESSES.items():
        if target in out:
            continue
        for guess in names:
            if guess in lower and lower[guess] not in used:
                out[target] = lower[guess]
                used.add(lower[guess])
                break
    for target in REQUIRED:
        if target not in out:
            raise InputError(
                f"required column missing: no column named like {target!r} "
                f"(header: {','.join(header)}); map one with --map "
                f"{target}=NAME",
                where="line 1",
                field=target,
            )
    return out


def read_generic(
    inp: Input,
    problems: Problems,
    *,
    tz: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: bool = False,
) -> Raw:
    """Read a generic CSV. See the module docstring."""
    header = header_of(inp)
    try:
        cols_for = resolve(header, mapping)
    except InputError as exc:
        raise InputError(exc.message, path=inp.path, where=exc.where, field=exc.field) from None
    zone = parse_tz(tz)
    types: dict[str, pa.DataType] = {cols_for[c]: pa.float64() for c in _FLOATS if c in cols_for}
    types |= {cols_for[c]: pa.float64() for c in _CODES if c in cols_for}
    for target in (s.TIME, s.POSITION_TIME):
        if target in cols_for:
            types[cols_for[target]] = time_type(inp, cols_for[target])
    for target in _REPEATED_TEXT:
        if target in cols_for:
            types.setdefault(cols_for[target], TEXT_CODES)  # a column mapped twice keeps its type
    wanted = list(dict.fromkeys(cols_for.values()))
    table = read_csv(inp, wanted, types, problems, progress=progress)
    cols, rec = table.columns, table.lines

    time_col = cols_for[s.TIME]
    t = to_time(cols[time_col], rec, time_col, problems, zone)
    data: dict[str, object] = {s.TIME: time_series(t), s.RECORD: rec}
    if s.POSITION_TIME in cols_for:
        name = cols_for[s.POSITION_TIME]
        data[s.POSITION_TIME] = time_series(to_optional_time(cols[name], rec, name, problems, zone))
    for target in _FLOATS:
        if target in cols_for:
            data[target] = to_float(cols[cols_for[target]], rec, cols_for[target], problems)
    data[s.LAT], data[s.LON] = check_positions(
        np.asarray(data[s.LAT]),
        np.asarray(data[s.LON]),
        rec,
        problems,
        cols_for[s.LAT],
        cols_for[s.LON],
    )
    for target, (lo, hi) in _CODES.items():
        if target in cols_for:
            name = cols_for[target]
            data[target] = to_small_int(
                to_float(cols[name], rec, name, problems), rec, name, problems, lo, hi
            )
    for target in _BOOLS:
        if target in cols_for:
            data[target] = to_bool(cols[cols_for[target]], rec, cols_for[target], problems)
    for target in (s.CALLSIGN, s.POSITION_SOURCE):
        if target in cols_for:
            data[target] = clean_text(cols[cols_for[target]], codes=True).reset_index(drop=True)
    if s.ICAO24 in cols_for:
        data[s.ICAO24] = clean_text(cols[cols_for[s.ICAO24]], lower=True, codes=True).reset_index(
            drop=True
        )
    if s.SQUAWK in cols_for:
        data[s.SQUAWK] = squawk_text(cols[cols_for[s.SQUAWK]], codes=True).reset_index(drop=True)
    if s.CATEGORY in cols_for:
        name = cols_for[s.CATEGORY]
        data[s.CATEGORY] = category_text(cols[name], rec, name, problems)
    frame = pd.DataFrame(data, copy=False)
    return Raw(frame, cols_for[s.LAT], cols_for[s.LON], time_col, dict(cols_for))
