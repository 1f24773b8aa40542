"""OpenSky Network state vectors: the bulk / Impala CSV and the REST ``/states/all`` JSON.

Both are in SI units, converted here: metres to feet (/0.3048), m/s to knots (x3600/1852),
m/s to ft/min (x60/0.3048).

Bulk CSV (``state_vectors_data4``): ``time,icao24,lat,lon,velocity,heading,vertrate,callsign,
onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact`` (plus ``serials``
and ``hour`` from Impala, ignored). ``time`` is the state vector's time, ``lastposupdate`` the
time of its position. Records are lines.

REST JSON: ``{"time": <unix s>, "states": [[...], ...]}`` or a list of such responses. Each
state: 0 icao24, 1 callsign, 2 origin country, 3 time_position, 4 last_contact, 5 **longitude**,
6 **latitude**, 7 baro_altitude m, 8 on_ground, 9 velocity m/s, 10 true_track, 11 vertical_rate
m/s, 12 sensors, 13 geo_altitude m, 14 squawk, 15 spi, 16 position_source (0 ADS-B, 1 ASTERIX,
2 MLAT, 3 FLARM), 17 category (a number, converted to the DO-260B text by
:data:`flightmap.schema.OPENSKY_CATEGORIES`: 4 is ``A3``; 0 and 1, "no information", are NA). In
the older 18-field layout (told by a boolean in field 16) 15 was ``alert``, 16 ``spi`` and 17 the
position source: there is no category. Report time is the response ``time``. Records are states,
numbered from 1 across all responses. The bulk CSV has no category (NA).

``position_time`` is when the position was last updated (``lastposupdate``, REST
``time_position``), NA where the row has no position; an unusable one is set to NA and flagged,
the row kept. ``stale`` is true where the position is more than :data:`STALE_AFTER_S` older
than the report: the bulk data samples each aircraft every 10 s, so such a position was not
refreshed since the previous vector.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.readers._base import Raw
from flightmap.readers._category import opensky_category
from flightmap.readers._csv import TEXT_CODES, header_of, read_csv, time_type
from flightmap.readers._json_values import object_numbers, object_text
from flightmap.readers._numbers import FPM_PER_MS, FT_PER_M, KT_PER_MS, to_bool, to_float
from flightmap.readers._positions import check_positions
from flightmap.readers._problems import Problems
from flightmap.readers._source import Input, load_json
from flightmap.readers._text import clean_text, squawk_text
from flightmap.readers._times import epoch_to_time, parse_tz, time_series, to_optional_time, to_time

STALE_AFTER_S: Final = 15.0

CSV_REQUIRED: Final = ("time", "icao24", "lat", "lon")
CSV_TYPICAL: Final = (
    "velocity",
    "heading",
    "vertrate",
    "baroaltitude",
    "geoaltitude",
    "lastposupdate",
    "lastcontact",
)
_CODES: Final = TEXT_CODES
_CSV_TYPES: Final = {
    "time": pa.float64(),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "velocity": pa.float64(),
    "heading": pa.float64(),
    "vertrate": pa.float64(),
    "baroaltitude": pa.float64(),
    "geoaltitude": pa.float64(),
    "lastposupdate": pa.float64(),
    "onground": pa.bool_(),
    # Dictionary-encoded by the parser (on all cores): a few thousand distinct values over
    # millions of rows, handed over as Categoricals (see readers._text.on_uniques).
    "icao24": _CODES,
    "callsign": _CODES,
    "squawk": _CODES,
}

POSITION_SOURCES: Final = {0: "adsb", 1: "asterix", 2: "mlat", 3: "flarm"}


def is_opensky_csv(header: list[str]) -> bool:
    """Whether a CSV header looks like OpenSky state vectors (``icao24`` and two typical
    columns such as ``baroaltitude``, ``velocity``); required columns are checked on reading."""
    names = {h.lower() for h in header}
    return "icao24" in names and len(names & set(CSV_TYPICAL)) >= 2


def _position_time(pos_t: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The position times (NaT where the row has no position) and the same in Unix seconds."""
    pos_t = np.where(np.isnan(lat), np.datetime64("NaT"), pos_t).astype("M8[ns]")
    pos_s = pos_t.view("int64") / 1e9
    pos_s[np.isnat(pos_t)] = np.nan
    return pos_t, pos_s


def _stale(t_s: np.ndarray, pos_s: np.ndarray, has_pos: np.ndarray) -> Any:
    with np.errstate(invalid="ignore", over="ignore"):
        older = (t_s - pos_s) > STALE_AFTER_S
    return pd.arrays.BooleanArray(older, np.isnan(pos_s) | ~has_pos)


def read_csv_states(
    inp: Input, problems: Problems, *, tz: str | None = None, progress: bool = False
) -> Raw:
    """Read an OpenSky bulk state-vector CSV. See the module docstring.

    Times may be Unix seconds (the OpenSky files) or ISO 8601 text (a pandas frame from
    pyopensky or traffic saved with ``to_csv``); zone-less text needs ``tz``.
    """
    zone = parse_tz(tz)
    header = header_of(inp)
    name = {h.lower(): h for h in header}
    missing = [c for c in CSV_REQUIRED if c not in name]
    if missing:
        raise InputError(
            f"required column missing (header: {','.join(header)})",
            path=inp.path,
            where="line 1",
            field=missing[0],
        )
    wanted = [name[c] for c in _CSV_TYPES if c in name]
    types = {name[c]: t for c, t in _CSV_TYPES.items() if c in name}
    for col in ("time", "lastposupdate"):
        if col in name:
            types[name[col]] = time_type(inp, name[col])
    table = read_csv(inp, wanted, types, problems, progress=progress)
    cols, rec = table.columns, table.lines
    n = len(rec)

    def num(col: str, scale: float = 1.0) -> np.ndarray:
        if col not in name:
            return np.full(n, np.nan)
        return to_float(cols[name[col]], rec, name[col], problems, scale=scale)

    t = to_time(cols[name["time"]], rec, name["time"], problems, zone)
    t_s = t.view("int64") / 1e9
    t_s[np.isnat(t)] = np.nan
    lat, lon = check_positions(num("lat"), num("lon"), rec, problems, name["lat"], name["lon"])
    if "lastposupdate" in name:
        # Its rows are not dropped when it is unusable: it is set to NA (and flagged).
        pos_t = to_optional_time(
            cols[name["lastposupdate"]], rec, name["lastposupdate"], problems, zone
        )
    else:
        pos_t = np.full(n, np.datetime64("NaT"), dtype="M8[ns]")
    pos_t, pos_s = _position_time(pos_t, lat)
    frame = pd.DataFrame(
        {
            s.TIME: time_series(t),
            s.POSITION_TIME: time_series(pos_t),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: num("baroaltitude", FT_PER_M),
            s.ALT_GEOM_FT: num("geoaltitude", FT_PER_M),
            s.GS_KT: num("velocity", KT_PER_MS),
            s.TRACK_DEG: num("heading"),
            s.VRATE_FPM: num("vertrate", FPM_PER_MS),
            s.ICAO24: clean_text(cols[name["icao24"]], lower=True, codes=True).reset_index(
                drop=True
            ),
            s.STALE: _stale(t_s, pos_s, ~np.isnan(lat)),
            s.RECORD: rec,
        },
        copy=False,
    )
    if "callsign" in name:
        frame[s.CALLSIGN] = clean_text(cols[name["callsign"]], codes=True).reset_index(drop=True)
    if "squawk" in name:
        frame[s.SQUAWK] = squawk_text(cols[name["squawk"]], codes=True).reset_index(drop=True)
    if "onground" in name:
        frame[s.ON_GROUND] = to_bool(cols[name["onground"]], rec, name["onground"], problems)
    units = {
        "baroaltitude": " (m -> ft)",
        "geoaltitude": " (m -> ft)",
        "velocity": " (m/s -> kt)",
        "vertrate": " (m/s -> ft/min)",
    }
    targets = {
        "time": s.TIME,
        "lat": s.LAT,
        "lon": s.LON,
        "baroaltitude": s.ALT_BARO_FT,
        "geoaltitude": s.ALT_GEOM_FT,
        "velocity": s.GS_KT,
        "heading": s.TRACK_DEG,
        "vertrate": s.VRATE_FPM,
        "icao24": s.ICAO24,
        "callsign": s.CALLSIGN,
        "squawk": s.SQUAWK,
        "onground": s.ON_GROUND,
    }
    mapping = {col: name[src] + units.get(src, "") for src, col in targets.items() if src in name}
    if "lastposupdate" in name:
        mapping[s.POSITION_TIME] = name["lastposupdate"]
        mapping[s.STALE] = f"{name['time']} - {name['lastposupdate']} > {STALE_AFTER_S:g} s"
    return Raw(frame, name["lat"], name["lon"], name["time"], mapping)


def _state_column(states: list[list[Any]], i: int) -> tuple[Any, ...]:
    return tuple(st[i] if len(st) > i else None for st in states)


def read_rest(
    inp: Input, problems: Problems, *, tz: str | None = None, progress: bool = False
) -> Raw:
    """Read an OpenSky REST ``/states/all`` response (or a list of them). See the docstring."""
    del tz
    data = load_json(inp, progress=progress)
    responses = data if isinstance(data, list) else [data]
    states: list[list[Any]] = []
    times: list[Any] = []
    records: list[int] = []
    bad_records: list[int] = []
    count = 0
    for k, resp in enumerate(responses):
        where = f"response {k + 1}" if isinstance(data, list) else None
        if not isinstance(resp, dict) or "states" not in resp:
            raise InputError(
                "expected an object with 'time' and 'states'",
                path=inp.path,
                where=where,
                field="states",
            )
        resp_time = resp.get("time")
        try:
            if not isinstance(resp_time, int | float) or isinstance(resp_time, bool):
                raise TypeError
            resp_time = float(resp_time)
        except (TypeError, OverflowError):
            shown = repr(resp_time)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise InputError(
                f"expected Unix seconds, got {shown}", path=inp.path, where=where, field="time"
            ) from None
        block = resp.get("states") or []
        if not isinstance(block, list):
            raise InputError(
                "expected a list of state arrays", path=inp.path, where=where, field="states"
            )
        for st in block:
            count += 1
            if isinstance(st, list) and len(st) >= 7:
                states.append(st)
                times.append(resp_time)
                records.append(count)
            else:
                bad_records.append(count)
    if bad_records:
        problems.add(
            np.array(bad_records),
            "states",
            None,
            "bad_row",
            "expected an array of at least 7 values",
            "row dropped",
        )
    if not states:
        raise InputError(
            "no reports: 'states' is empty or holds no state array", path=inp.path, field="states"
        )

    rec = np.asarray(records, dtype="int64")
    t_s = np.asarray(times, dtype="float64")
    t = epoch_to_time(t_s, rec, "time", problems)
    lon = object_numbers(_state_column(states, 5), rec, "longitude", problems)
    lat = object_numbers(_state_column(states, 6), rec, "latitude", problems)
    lat, lon = check_positions(lat, lon, rec, problems, "latitude", "longitude")
    pos_raw = object_numbers(_state_column(states, 3), rec, "time_position", problems)
    pos_t, pos_s = _position_time(to_optional_time(pos_raw, rec, "time_position", problems), lat)

    old_layout = [len(st) >= 18 and isinstance(st[16], bool) for st in states]
    src_codes = [
        st[17] if old else (st[16] if len(st) > 16 else None)
        for st, old in zip(states, old_layout, strict=True)
    ]
    src = [
        POSITION_SOURCES.get(v, "other") if type(v) is int else None  # not bool, not 1.0
        for v in src_codes
    ]
    category = opensky_category(
        [None if old else v for v, old in zip(_state_column(states, 17), old_layout, strict=True)],
        rec,
        "category",
        problems,
    )
    on_ground = [v if isinstance(v, bool) else None for v in _state_column(states, 8)]
    frame = pd.DataFrame(
        {
            s.TIME: time_series(t),
            s.POSITION_TIME: time_series(pos_t),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: object_numbers(
                _state_column(states, 7), rec, "baro_altitude", problems, scale=FT_PER_M
            ),
            s.ALT_GEOM_FT: object_numbers(
                _state_column(states, 13), rec, "geo_altitude", problems, scale=FT_PER_M
            ),
            s.GS_KT: object_numbers(
                _state_column(states, 9), rec, "velocity", problems, scale=KT_PER_MS
            ),
            s.TRACK_DEG: object_numbers(_state_column(states, 10), rec, "true_track", problems),
            s.VRATE_FPM: object_numbers(
                _state_column(states, 11), rec, "vertical_rate", problems, scale=FPM_PER_MS
            ),
            s.ICAO24: clean_text(
                object_text(_state_column(states, 0), rec, "icao24", problems), lower=True
            ),
            s.CALLSIGN: clean_text(
                object_text(_state_column(states, 1), rec, "callsign", problems)
            ),
            s.SQUAWK: squawk_text(object_text(_state_column(states, 14), rec, "squawk", problems)),
            s.CATEGORY: category,
            s.ON_GROUND: pd.array(on_ground, dtype="boolean"),
            s.POSITION_SOURCE: pd.Series(src, dtype=s.STR_DTYPE),
            s.STALE: _stale(t_s, pos_s, ~np.isnan(lat)),
            s.RECORD: rec,
        },
        copy=False,
    )
    mapping = {
        s.TIME: "time (response)",
        s.POSITION_TIME: "states[3] (time_position)",
        s.ICAO24: "states[0]",
        s.CALLSIGN: "states[1]",
        s.LON: "states[5]",
        s.LAT: "states[6]",
        s.ALT_BARO_FT: "states[7] (m -> ft)",
        s.ON_GROUND: "states[8]",
        s.GS_KT: "states[9] (m/s -> kt)",
        s.TRACK_DEG: "states[10]",
        s.VRATE_FPM: "states[11] (m/s -> ft/min)",
        s.ALT_GEOM_FT: "states[13] (m -> ft)",
        s.SQUAWK: "states[14]",
        s.POSITION_SOURCE: "states[16] (states[17] in the old layout)",
        s.CATEGORY: "states[17] (number -> DO-260B text; none in the old layout)",
        s.STALE: f"time - states[3] > {STALE_AFTER_S:g} s",
    }
    return Raw(frame, "latitude", "longitude", "time", mapping)
