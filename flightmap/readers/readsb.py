"""readsb / ADS-B Exchange / tar1090 trace files (``trace_full_<hex>.json``, plain or gzip).

Layout (``wiedehopf/readsb`` ``README-json.md``)::

    {"icao": "<hex>", "timestamp": <unix s>, "trace": [[...], ...], ...}

Each trace entry: 0 seconds after ``timestamp``; 1 lat; 2 lon; 3 altitude ft, ``"ground"`` or
null; 4 ground speed kt; 5 track deg; 6 flags; 7 vertical rate fpm; 8 aircraft object or null;
then, in files from 2022 on, 9 source type; 10 geometric altitude ft; 11 geometric vertical rate
fpm; 12 IAS; 13 roll.

Flags: bit 0 (1) "stale", bit 1 (2) start of a new leg, bit 2 (4) the vertical rate is
geometric, bit 3 (8) the altitude is geometric. Geometric values go to ``alt_geom_ft`` and
``vrate_geom_fpm``, never into the barometric columns. ``"ground"`` sets ``on_ground`` and leaves
the altitude NA.

Bit 0 does **not** mean that the point's position is old. readsb adds a trace point when it
receives a position, and sets the bit when none had been received for a while before it
(``track.c``: ``stale = now > seenPosReliable + TRACE_STALE``, 15 s; ``README-json.md``: "no
position received for 20 seconds before this one"); tar1090 draws the segment *leading to* such a
point as estimated. So the point is a fresh fix (``stale`` false) with ``pos_gap_before`` true,
and no line is drawn across the silence before it.

``rc`` 0 is readsb's "unknown" (it comes with NIC 0): ``rc_m`` is NA there, never 0 m.

The aircraft object appears in some entries only. Its ``nic``, ``nac_p``, ``sil``, ``rc``,
``flight`` (callsign), ``squawk``, ``category`` (emitter category, ``"A3"``) and ``type`` hold
until the next object: they are carried forward (a forward fill over the entries whose object is
null), except ``flight`` and ``squawk``, which are not carried into a new leg (flags bit 1): a
leg may be a new flight number. A key absent from an object that is present means the value is
no longer known (NA from there on). A category other than a letter A to D and a digit 0 to 7
(either case; upper-cased) is flagged and set to NA. Records are trace entries, numbered from 1.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.readers._base import Raw
from flightmap.readers._category import category_text
from flightmap.readers._json_values import object_numbers, object_text, shown_value
from flightmap.readers._numbers import to_small_int
from flightmap.readers._positions import check_positions
from flightmap.readers._problems import Problems, set_to_na
from flightmap.readers._source import Input, load_json
from flightmap.readers._text import squawk_text
from flightmap.readers._times import epoch_to_time, time_series

_WIDTH: Final = 14
_READ_WIDTH: Final = 12
_MIN_WIDTH: Final = 4

FLAG_POS_GAP: Final = 1  # readsb calls it "stale": see the module docstring
FLAG_NEW_LEG: Final = 2
FLAG_VRATE_GEOM: Final = 4
FLAG_ALT_GEOM: Final = 8

# readsb source types (README-json.md, "type") -> schema position_source.
SOURCE_TYPES: Final = {
    "adsb_icao": "adsb",
    "adsb_icao_nt": "adsb",
    "adsb_other": "adsb",
    "adsr_icao": "adsr",
    "adsr_other": "adsr",
    "tisb_icao": "tisb",
    "tisb_trackfile": "tisb",
    "tisb_other": "tisb",
    "adsc": "adsc",
    "mlat": "mlat",
    "mode_s": "mode_s",
    "other": "other",
    "unknown": "other",
}


def _carry(present: np.ndarray, values: list[Any], reset: np.ndarray | None = None) -> list[Any]:
    """Forward-fill ``values`` (one per entry) over the entries whose object is absent, not past
    an entry of ``reset`` without an object (there the value is no longer known: NA).

    >>> _carry(np.array([True, False, False, True]), ["a", None, None, "b"])
    ['a', 'a', 'a', 'b']
    >>> _carry(np.array([True, False, False]), ["a", None, None], np.array([0, 1, 0], bool))
    ['a', None, None]
    """
    starts = present if reset is None else present | reset
    idx = np.maximum.accumulate(np.where(starts, np.arange(present.size), -1))
    # Index len(values) is the None appended below: before any object, or after a reset.
    idx = np.where((idx >= 0) & present[np.maximum(idx, 0)], idx, len(values))
    return list(map([*values, None].__getitem__, idx.tolist()))


def read_trace(
    inp: Input, problems: Problems, *, tz: str | None = None, progress: bool = False
) -> Raw:
    """Read a readsb trace file. See the module docstring for the layout and the rules."""
    del tz  # trace times are Unix seconds
    data = load_json(inp, progress=progress)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with 'timestamp' and 'trace'", path=inp.path)
    base = data.get("timestamp")
    try:
        if not isinstance(base, int | float) or isinstance(base, bool):
            raise TypeError
        base_s = float(base)
    except (TypeError, OverflowError):
        shown = repr(base) if len(repr(base)) <= 40 else repr(base)[:37] + "..."
        raise InputError(
            f"expected Unix seconds, got {shown}", path=inp.path, field="timestamp"
        ) from None
    trace = data.get("trace")
    if not isinstance(trace, list):
        raise InputError(
            f"expected a list of entries, got {type(trace).__name__}", path=inp.path, field="trace"
        )
    if not trace:
        raise InputError("no reports: the trace is empty", path=inp.path, field="trace")

    shaped = [isinstance(e, list) and len(e) >= _MIN_WIDTH for e in trace]
    ok_rec = np.flatnonzero(shaped) + 1
    if len(ok_rec) < len(trace):
        bad_rec = np.flatnonzero(~np.asarray(shaped)) + 1
        problems.add(
            bad_rec,
            "trace",
            [shown_value(trace[i - 1]) for i in bad_rec],
            "bad_row",
            f"expected an array of at least {_MIN_WIDTH} values",
            "row dropped",
        )
    if len(ok_rec) == 0:
        raise InputError(
            f"no readable entry: expected arrays of at least {_MIN_WIDTH} values",
            path=inp.path,
            where="record 1",
            field="trace",
        )
    rows = [
        e if len(e) == _WIDTH else e + [None] * (_WIDTH - len(e)) if len(e) < _WIDTH else e[:_WIDTH]
        for e, ok in zip(trace, shaped, strict=True)
        if ok
    ]
    # Column by column (twice as fast as zip(*rows) for a million entries); fields 12 and 13
    # (IAS, roll) are not read.
    cols = [[e[i] for e in rows] for i in range(_READ_WIDTH)]
    rec = ok_rec.astype("int64")
    n = len(rows)

    offset = object_numbers(cols[0], rec, "trace[0] (time offset)", problems)
    with np.errstate(over="ignore"):  # an overflow gives inf: refused as a time below
        seconds = base_s + offset
    t = epoch_to_time(seconds, rec, "trace[0] (time offset)", problems)
    lat = object_numbers(cols[1], rec, "lat", problems)
    lon = object_numbers(cols[2], rec, "lon", problems)
    lat, lon = check_positions(lat, lon, rec, problems, "lat", "lon")

    alt_raw = cols[3]
    ground = np.array([v == "ground" for v in alt_raw], dtype=bool)
    alt = object_numbers(
        tuple(None if g else v for v, g in zip(alt_raw, ground, strict=True))
        if ground.any()
        else alt_raw,
        rec,
        "altitude",
        problems,
    )
    on_ground = pd.array(ground, dtype="boolean")
    on_ground[~ground & np.isnan(alt)] = pd.NA

    flags = object_numbers(cols[6], rec, "flags", problems)
    with np.errstate(invalid="ignore"):
        not_bits = ~np.isnan(flags) & ((flags < 0) | (flags >= 2**16) | (flags != np.round(flags)))
    flags = set_to_na(
        flags,
        not_bits,
        rec,
        "flags",
        problems,
        "bad_value",
        "not a set of flag bits (an integer from 0 to 65535)",
    )
    has_flags = ~np.isnan(flags)
    bits = np.where(has_flags, flags, 0).astype("int64")
    alt_geom_flag = (bits & FLAG_ALT_GEOM) != 0
    vrate_geom_flag = (bits & FLAG_VRATE_GEOM) != 0
    vrate = object_numbers(cols[7], rec, "vertical rate", problems)
    geom_alt = object_numbers(cols[10], rec, "geometric altitude", problems)
    geom_rate = object_numbers(cols[11], rec, "geometric vertical rate", problems)

    objects = cols[8]
    present = np.array([isinstance(o, dict) for o in objects], dtype=bool)
    junk = np.array([o is not None and not isinstance(o, dict) for o in objects], dtype=bool)
    if junk.any():
        problems.add(
            rec[junk],
            "aircraft",
            [shown_value(objects[i]) for i in np.flatnonzero(junk)],
            "bad_value",
            "expected an object or null",
            "ignored",
        )

    with_object = np.flatnonzero(present).tolist()

    def key(name: str) -> list[Any]:
        out: list[Any] = [None] * n
        for i in with_object:
            out[i] = objects[i].get(name)
        return out

    obj_alt_geom = object_numbers(tuple(key("alt_geom")), rec, "aircraft.alt_geom", problems)
    alt_geom = np.where(~np.isnan(geom_alt), geom_alt, np.where(alt_geom_flag, alt, obj_alt_geom))
    integrity = {
        name: object_numbers(tuple(_carry(present, key(name))), rec, f"aircraft.{name}", problems)
        for name in ("nic", "nac_p", "sil", "rc")
    }
    rc = integrity["rc"]
    with np.errstate(invalid="ignore"):
        rc_negative = rc < 0
    rc = set_to_na(
        rc,
        rc_negative,
        rec,
        "aircraft.rc",
        problems,
        "out_of_range",
        "not a radius of containment in metres (>= 0)",
    )
    rc_m = np.where(rc == 0, np.nan, rc)  # 0: unknown
    # A new leg (flags bit 1) may be a new flight number: the last leg's callsign and squawk
    # are not carried into it (its first entries would otherwise be split off as a flight of
    # their own when the new callsign arrives).
    leg = (bits & FLAG_NEW_LEG) != 0
    callsign = object_text(_carry(present, key("flight"), leg), rec, "aircraft.flight", problems)
    callsign = callsign.str.strip()
    callsign = callsign.where(callsign != "")
    squawk = squawk_text(
        object_text(_carry(present, key("squawk"), leg), rec, "aircraft.squawk", problems)
    )
    category = category_text(
        object_text(_carry(present, key("category")), rec, "aircraft.category", problems),
        rec,
        "aircraft.category",
        problems,
    )
    src_entry = object_text(cols[9], rec, "trace[9] (source type)", problems)
    src_obj = object_text(_carry(present, key("type")), rec, "aircraft.type", problems)
    src_text = src_entry.where(src_entry.notna(), src_obj)
    position_source = src_text.map(SOURCE_TYPES).astype(s.STR_DTYPE)
    unknown_src = (src_text.notna() & position_source.isna()).to_numpy()
    if unknown_src.any():
        position_source[unknown_src] = "other"

    icao = data.get("icao")
    if icao is not None and not isinstance(icao, str):
        raise InputError(
            f"expected a hex address as text, got {type(icao).__name__}",
            path=inp.path,
            field="icao",
        )
    hex_text = object_text([icao], rec[:1], "icao", problems).str.strip().str.lower().iloc[0]
    icao24: str | None = None if pd.isna(hex_text) or not hex_text else str(hex_text)

    def flag_bit(bit: int) -> Any:
        arr = pd.array((bits & bit) != 0, dtype="boolean")
        arr[~has_flags] = pd.NA
        return arr

    frame = pd.DataFrame(
        {
            s.TIME: time_series(t),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: np.where(alt_geom_flag, np.nan, alt),
            s.ALT_GEOM_FT: alt_geom,
            s.GS_KT: object_numbers(cols[4], rec, "ground speed", problems),
            s.TRACK_DEG: object_numbers(cols[5], rec, "track", problems),
            s.VRATE_FPM: np.where(vrate_geom_flag, np.nan, vrate),
            s.VRATE_GEOM_FPM: np.where(
                ~np.isnan(geom_rate), geom_rate, np.where(vrate_geom_flag, vrate, np.nan)
            ),
            s.CALLSIGN: callsign,
            s.ICAO24: pd.Series([icao24] * n, dtype=s.STR_DTYPE),
            s.SQUAWK: squawk,
            s.CATEGORY: category,
            s.ON_GROUND: on_ground,
            s.NIC: to_small_int(integrity["nic"], rec, "aircraft.nic", problems, 0, 11),
            s.NAC_P: to_small_int(integrity["nac_p"], rec, "aircraft.nac_p", problems, 0, 11),
            s.SIL: to_small_int(integrity["sil"], rec, "aircraft.sil", problems, 0, 3),
            s.RC_M: rc_m,
            s.POSITION_SOURCE: position_source,
            s.STALE: pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.isnan(lat)),
            s.POS_GAP_BEFORE: flag_bit(FLAG_POS_GAP),
            s.NEW_LEG: flag_bit(FLAG_NEW_LEG),
            s.RECORD: rec,
        },
        copy=False,
    )
    mapping = {
        s.TIME: "timestamp + trace[0]",
        s.LAT: "trace[1]",
        s.LON: "trace[2]",
        s.ALT_BARO_FT: "trace[3] (unless flags & 8)",
        s.GS_KT: "trace[4]",
        s.TRACK_DEG: "trace[5]",
        s.POS_GAP_BEFORE: "trace[6] & 1 (readsb's 'stale')",
        s.STALE: "false where a position is present (trace points are new positions)",
        s.NEW_LEG: "trace[6] & 2",
        s.VRATE_FPM: "trace[7] (unless flags & 4)",
        s.ALT_GEOM_FT: "trace[10], else trace[3] if flags & 8, else aircraft.alt_geom",
        s.VRATE_GEOM_FPM: "trace[11], else trace[7] if flags & 4",
        s.NIC: "aircraft.nic (carried forward)",
        s.NAC_P: "aircraft.nac_p (carried forward)",
        s.SIL: "aircraft.sil (carried forward)",
        s.RC_M: "aircraft.rc (carried forward; 0 = unknown -> NA)",
        s.CALLSIGN: "aircraft.flight (carried forward)",
        s.SQUAWK: "aircraft.squawk (carried forward)",
        s.CATEGORY: "aircraft.category (carried forward)",
        s.POSITION_SOURCE: "trace[9], else aircraft.type (carried forward)",
        s.ICAO24: "icao",
    }
    return Raw(frame, "lat", "lon", "trace[0] (time offset)", mapping)
