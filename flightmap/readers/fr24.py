"""Flightradar24 exports: the CSV ("Download CSV") and the KML.

CSV header ``Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction`` (an older variant has
no ``UTC``): Unix seconds, ISO time, callsign, quoted ``"lat,lon"``, pressure altitude in ft
(0 on the ground, kept as reported), ground speed in kt, track in degrees. Records are lines.

KML: a ``Route`` folder with one Placemark per fix (``TimeStamp/when``, ``Point/coordinates``
as **lon,lat,alt**, a description with "Altitude: N ft", "Speed: N kt", "Heading: N°"). The
``Trail`` folder (LineStrings) repeats the same fixes and is skipped. Generic KML with
timestamped Point Placemarks or ``gx:Track`` elements is read the same way. The coordinate
altitude is used only when no description altitude exists, as metres (the KML convention).
Records are fixes, numbered in document order.

No integrity fields, no position source, no ICAO address: FR24 exports carry none.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from operator import attrgetter
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.limits import whole_file_bytes
from flightmap.readers._base import Raw
from flightmap.readers._csv import header_of, read_csv
from flightmap.readers._numbers import FT_PER_M, to_float
from flightmap.readers._positions import check_positions
from flightmap.readers._problems import Problems
from flightmap.readers._source import Input, check_whole_file, read_all
from flightmap.readers._text import clean_text
from flightmap.readers._times import epoch_to_time, parse_tz, text_to_time, time_series

CSV_HEADERS: Final = (
    ("timestamp", "utc", "callsign", "position", "altitude", "speed", "direction"),
    ("timestamp", "callsign", "position", "altitude", "speed", "direction"),
)


def is_fr24_csv(header: list[str]) -> bool:
    """Whether a CSV header is one of the FR24 export headers (any case)."""
    return tuple(h.lower() for h in header) in CSV_HEADERS


def read_csv_export(
    inp: Input, problems: Problems, *, tz: str | None = None, progress: bool = False
) -> Raw:
    """Read an FR24 CSV export. See the module docstring for the layout."""
    header = header_of(inp)
    name = {h.lower(): h for h in header}
    missing = [c for c in CSV_HEADERS[1] if c not in name]
    if missing:
        raise InputError(
            f"required column missing: not a Flightradar24 CSV (header: {','.join(header)[:80]})",
            path=inp.path,
            where="line 1",
            field=missing[0].capitalize(),
        )
    types = {name[k]: pa.float64() for k in ("timestamp", "altitude", "speed", "direction")}
    table = read_csv(inp, header, types, problems, progress=progress)
    cols, rec = table.columns, table.lines
    n = len(rec)

    sec = to_float(cols[name["timestamp"]], rec, name["timestamp"], problems)
    t = np.full(n, np.datetime64("NaT"), dtype="M8[ns]")
    ok = ~np.isnan(sec)
    t[ok] = epoch_to_time(sec[ok], rec[ok], name["timestamp"], problems)
    need = ~ok
    if need.any():
        if "utc" in name:
            t[need] = text_to_time(
                cols[name["utc"]][need].reset_index(drop=True),
                rec[need],
                name["utc"],
                problems,
                parse_tz(tz),
            )
        else:
            problems.add(
                rec[need], name["timestamp"], None, "bad_time", "time missing", "row dropped"
            )

    pos_field = name["position"]
    lat_lon = _plain_lat_lon(cols[pos_field])
    if lat_lon is None:
        lat_lon = _lat_lon(cols[pos_field], rec, pos_field, problems)
    lat, lon = check_positions(*lat_lon, rec, problems, pos_field, pos_field)

    frame = pd.DataFrame(
        {
            s.TIME: time_series(t),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: to_float(cols[name["altitude"]], rec, name["altitude"], problems),
            s.GS_KT: to_float(cols[name["speed"]], rec, name["speed"], problems),
            s.TRACK_DEG: to_float(cols[name["direction"]], rec, name["direction"], problems),
            # A Categorical, as the other readers hand it over (see readers._text.on_uniques).
            s.CALLSIGN: clean_text(cols[name["callsign"]], codes=True).reset_index(drop=True),
            s.RECORD: rec,
        },
        copy=False,
    )
    mapping = {
        s.TIME: name["timestamp"] + (f" (else {name['utc']})" if "utc" in name else ""),
        s.LAT: pos_field,
        s.LON: pos_field,
        s.ALT_BARO_FT: name["altitude"],
        s.GS_KT: name["speed"],
        s.TRACK_DEG: name["direction"],
        s.CALLSIGN: name["callsign"],
    }
    return Raw(frame, pos_field, pos_field, name["timestamp"], mapping)


# A position as FR24 writes it: two plain decimal numbers and a comma, nothing else.
_PLAIN_POSITION: Final = r"^[-+]?[0-9]+(?:\.[0-9]+)?,[-+]?[0-9]+(?:\.[0-9]+)?$"


def _plain_lat_lon(raw: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Latitudes and longitudes of a ``Position`` column where every value present is plain
    (:data:`_PLAIN_POSITION`), NaN where there is none; None where any value is not plain.

    The export's usual case, in three Arrow passes (match, split, cast: 0.13 s a million rows
    against 0.3 s for :func:`_lat_lon`). The values are those :func:`_lat_lon` gives: text
    that cleaning leaves as it is, numbers cast by the same Arrow cast, and no flag to raise.
    """
    arr = pa.array(raw, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    plain = pc.all(pc.match_substring_regex(arr, _PLAIN_POSITION), skip_nulls=True).as_py()
    if plain is False:
        return None
    numbers = pc.cast(pc.split_pattern(arr, ",").flatten(), pa.float64()).to_numpy()
    if not np.isfinite(numbers).all():  # digits beyond a float's range: flagged by _lat_lon
        return None
    present = np.asarray(arr.is_valid(), dtype=bool)
    lat = np.full(len(arr), np.nan)
    lon = np.full(len(arr), np.nan)
    lat[present] = numbers[0::2]
    lon[present] = numbers[1::2]
    return lat, lon


def _lat_lon(
    raw: pd.Series, rec: np.ndarray, field: str, problems: Problems
) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of any ``Position`` column, value by value: spaces stripped,
    null tokens as NA, a flag for each value that is not ``"lat,lon"`` or not a number."""
    pos = clean_text(raw)
    parts = _lat_lon_text(pos)
    no_comma = pos.notna().to_numpy() & parts[0].isna().to_numpy()
    if no_comma.any():
        problems.add(
            rec[no_comma],
            field,
            pos[no_comma].to_numpy(),
            "bad_value",
            'expected "lat,lon"',
            "position removed",
        )
    lat = to_float(parts[0], rec, field, problems)
    lon = to_float(parts[1], rec, field, problems)
    return lat, lon


def _lat_lon_text(pos: pd.Series) -> pd.DataFrame:
    """Split ``"lat,lon"`` text into two text columns (NA where there is no single comma), in
    Arrow: a million rows take a fraction of a second, not several.

    The parts keep their spaces: :func:`~flightmap.readers._numbers.to_float` strips them.

    >>> _lat_lon_text(pd.Series(["1.5, 2", "1,2,3", "abc", None])).values.tolist()
    [['1.5', ' 2'], [nan, nan], [nan, nan], [nan, nan]]
    """
    arr = pa.array(pos, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # pyarrow-backed text comes chunked
        arr = arr.combine_chunks()
    parts = pc.split_pattern(arr, ",")  # a new list array: its offsets start at 0
    starts = np.asarray(parts.offsets)
    single = (np.diff(starts) == 2) & np.asarray(parts.is_valid(), dtype=bool)
    return pd.DataFrame(
        {
            i: pd.Series(
                pc.take(parts.values, pa.array(starts[:-1] + i, mask=~single)),
                dtype=s.STR_DTYPE,
            )
            for i in (0, 1)
        }
    )


# -- KML -------------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]+>")
_DESC_NUMBERS: Final = {
    s.ALT_BARO_FT: re.compile(r"Altitude:\s*(-?[\d,.]+)\s*ft", re.IGNORECASE),
    s.GS_KT: re.compile(r"Speed:\s*(-?[\d,.]+)\s*kt", re.IGNORECASE),
    s.TRACK_DEG: re.compile(r"Heading:\s*(-?[\d,.]+)", re.IGNORECASE),
}
_FR24_NAME = re.compile(r"^\s*[A-Z0-9]{2,8}\s*/\s*([A-Z0-9]{2,8})\s*$")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(el: ET.Element, name: str) -> ET.Element | None:
    for child in el.iter():
        if child is not el and _local(child.tag) == name:
            return child
    return None


def _text(el: ET.Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _description_numbers(desc: str | None) -> dict[str, str | None]:
    if not desc:
        return dict.fromkeys(_DESC_NUMBERS)
    plain = _TAGS.sub(" ", html.unescape(desc))
    out: dict[str, str | None] = {}
    for col, pattern in _DESC_NUMBERS.items():
        m = pattern.search(plain)
        out[col] = m.group(1).replace(",", "") if m else None
    return out


# One tuple per fix: (when, coordinates "lon,lat[,alt]", altitudeMode, description).
_Fix = tuple[str | None, str | None, str | None, str | None]
_FIX_TAGS: Final = ("Placemark", "Point", "when", "name", "description", "coordinates")
_MODE: Final = "altitudeMode"


def _kml_fixes(root: ET.Element, inp: Input) -> list[_Fix]:
    """Every fix of the document, in document order: each Point Placemark, each gx:Track point.

    Tags are matched by local name, whatever their namespace. When each name the walk looks
    for has one tag only and there is no gx:Track (an FR24 export, most KML), the Placemarks
    are found and searched by that tag in C (:meth:`xml.etree.ElementTree.Element.iter`), not
    element by element in Python: a million fixes take seconds less, with the same result.
    """
    by_name: dict[str, list[str]] = {}
    for tag in set(map(attrgetter("tag"), root.iter())):
        by_name.setdefault(_local(tag), []).append(tag)
    if "Track" in by_name or any(len(by_name.get(n, ())) > 1 for n in (*_FIX_TAGS, _MODE)):
        return _fixes_by_walk(root, inp)
    tag = {n: by_name[n][0] if n in by_name else None for n in (*_FIX_TAGS, _MODE)}
    placemark, point_tag = tag["Placemark"], tag["Point"]
    if placemark is None or point_tag is None:
        return []

    def text(el: ET.Element, name: str) -> str | None:
        # The first element named ``name`` below ``el`` (never ``el``: its name differs).
        t = tag[name]
        found = next(el.iter(t), None) if t is not None else None
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    fixes: list[_Fix] = []
    for pm in root.iter(placemark):
        point = next(pm.iter(point_tag), None)
        if point is None:
            continue  # FR24's Trail segments and other decorations
        fixes.append(
            (
                text(pm, "when") or text(pm, "name"),
                text(point, "coordinates"),
                text(point, _MODE),
                text(pm, "description"),
            )
        )
    return fixes


def _fixes_by_walk(root: ET.Element, inp: Input) -> list[_Fix]:
    """:func:`_kml_fixes` for any KML: every element visited in Python, in document order."""
    fixes: list[_Fix] = []
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "Placemark":
            point = _find(el, "Point")
            if point is None:
                continue  # FR24's Trail segments and other decorations
            when = _text(_find(el, "when")) or _text(_find(el, "name"))
            desc = _text(_find(el, "description"))
            fixes.append(
                (
                    when,
                    _text(_find(point, "coordinates")),
                    _text(_find(point, _MODE)),
                    desc,
                )
            )
        elif tag == "Track":
            whens = [_text(c) for c in el if _local(c.tag) == "when"]
            coords = [_text(c) for c in el if _local(c.tag) == "coord"]
            mode = _text(_find(el, _MODE))
            if len(whens) != len(coords):
                raise InputError(
                    f"gx:Track has {len(whens)} <when> but {len(coords)} <gx:coord>",
                    path=inp.path,
                    where=f"record {len(fixes) + 1}",
                    field="gx:coord",
                )
            fixes.extend(
                (w, c.replace(" ", ",") if c else None, mode, None)
                for w, c in zip(whens, coords, strict=True)
            )
    return fixes


def _split_text(values: list[str | None], n: int) -> pd.DataFrame:
    """Comma-separated text to its first ``n`` parts, in columns 0..n-1 of text (NA where a
    value has fewer parts, or is None), split in Arrow; what
    ``Series.str.split(",", expand=True).reindex(columns=range(n))`` gives, without a Python
    string per part.

    >>> _split_text(["1,2,3,4", "5", None], 3).values.tolist()
    [['1', '2', '3'], ['5', nan, nan], [nan, nan, nan]]
    """
    parts = pc.split_pattern(pa.array(values, type=pa.large_string()), ",")
    starts = np.asarray(parts.offsets)[:-1]
    count = np.asarray(pc.fill_null(pc.list_value_length(parts), 0), dtype="int64")
    return pd.DataFrame(
        {
            i: pd.Series(
                pc.take(parts.values, pa.array(starts + i, mask=count <= i)), dtype=s.STR_DTYPE
            )
            for i in range(n)
        }
    )


# ASCII text where every "&" opens "&deg;" (FR24's descriptions): html.unescape only turns
# "&deg;" into "°", and Python's and RE2's regular expressions agree once \s is spelt out
# (Python's \s also matches \v and \x1c-\x1f). Other text goes through
# _description_numbers.
_SPACE: Final = r"[\t\n\v\f\r \x1c-\x1f]"
_DESC_RE2: Final = {
    s.ALT_BARO_FT: rf"(?i)Altitude:{_SPACE}*(?P<v>-?[0-9,.]+){_SPACE}*ft",
    s.GS_KT: rf"(?i)Speed:{_SPACE}*(?P<v>-?[0-9,.]+){_SPACE}*kt",
    s.TRACK_DEG: rf"(?i)Heading:{_SPACE}*(?P<v>-?[0-9,.]+)",
}


# FR24's own description, whole (the FZ981 sample of tests/data/tracks): on such text the
# patterns of _DESC_NUMBERS find exactly these groups (one label each, numbers between fixed
# text), so one anchored match reads all three.
_FR24_DESCRIPTION: Final = (
    r"^<div><div><span><b>Altitude:</b></span> <span>(?P<a>-?[0-9,.]+) ft</span></div>\n"
    r"<div><span><b>Speed:</b></span> <span>(?P<g>-?[0-9,.]+) kt</span></div>\n"
    r"<div><span><b>Heading:</b></span> <span>(?P<h>-?[0-9,.]+)&deg;</span></div>\n</div>$"
)


def _description_columns(descs: list[str | None]) -> dict[str, pd.Series]:
    """The description numbers (:data:`_DESC_NUMBERS`) of every fix as text columns (NA where
    there is none), as :func:`_description_numbers` finds them: FR24's own text by one match
    (:data:`_FR24_DESCRIPTION`), other text in Arrow where it allows (:data:`_DESC_RE2`),
    the rest value by value."""
    arr = pa.array(descs, type=pa.large_string())
    found = pc.extract_regex(arr, _FR24_DESCRIPTION)
    cols = {
        name: pc.if_else(found.is_valid(), pc.struct_field(found, key), None)
        for name, key in zip(_DESC_NUMBERS, "agh", strict=True)
    }
    other = ~np.asarray(found.is_valid(), dtype=bool) & np.asarray(arr.is_valid(), dtype=bool)
    if other.any():
        at = np.flatnonzero(other)
        rest = _other_descriptions(arr.take(pa.array(at)), [descs[i] for i in at])
        mask = pa.array(other)
        cols = {name: pc.replace_with_mask(col, mask, rest[name]) for name, col in cols.items()}
    return {
        name: pd.Series(pc.replace_substring(col, ",", ""), dtype=s.STR_DTYPE)
        for name, col in cols.items()
    }


def _other_descriptions(arr: pa.Array, descs: list[str | None]) -> dict[str, pa.Array]:
    """:func:`_description_columns` of descriptions not in FR24's form (none is null)."""
    simple = pc.and_(
        pc.string_is_ascii(arr),
        pc.equal(pc.count_substring(arr, "&"), pc.count_substring(arr, "&deg;")),
    )
    slow_at = ~np.asarray(pc.fill_null(simple, False), dtype=bool)
    plain = pc.replace_substring_regex(pc.replace_substring(arr, "&deg;", "\u00b0"), "<[^>]+>", " ")
    slow = [_description_numbers(descs[i]) for i in np.flatnonzero(slow_at)]
    out: dict[str, pa.Array] = {}
    for name, pattern in _DESC_RE2.items():
        found = pc.struct_field(pc.extract_regex(plain, pattern), "v")
        if slow:
            values = [row[name] for row in slow]  # without commas: taking them out again is a no-op
            found = pc.replace_with_mask(found, pa.array(slow_at), pa.array(values, found.type))
        out[name] = found
    return out


def read_kml(
    inp: Input, problems: Problems, *, tz: str | None = None, progress: bool = False
) -> Raw:
    """Read an FR24 (or generic timestamped) KML track. See the module docstring."""
    check_whole_file(inp, "a KML file")
    text = read_all(inp, progress=progress, limit=whole_file_bytes())
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        raise InputError(
            f"invalid or truncated XML ({str(exc).split(':')[0]})",
            path=inp.path,
            where=f"line {line} column {col + 1}",
        ) from None
    del text  # the document's text (as large as the file) is not needed once it is a tree

    callsign = None
    doc = next((el for el in root.iter() if _local(el.tag) == "Document"), None)
    if doc is not None:
        name_el = next((c for c in doc if _local(c.tag) == "name"), None)
        m = _FR24_NAME.match(_text(name_el) or "")
        callsign = m.group(1) if m else None

    fixes = _kml_fixes(root, inp)
    if not fixes:
        raise InputError(
            "no timestamped Point Placemark or gx:Track: not a track KML",
            path=inp.path,
            field="Placemark",
        )

    n = len(fixes)
    rec = np.arange(1, n + 1, dtype="int64")
    whens, coords, modes, descs = (list(col) for col in zip(*fixes, strict=True))
    t = text_to_time(pd.Series(whens, dtype=s.STR_DTYPE), rec, "when", problems, parse_tz(tz))
    parts = _split_text(coords, 3)
    lon = to_float(parts[0], rec, "coordinates", problems)
    lat = to_float(parts[1], rec, "coordinates", problems)
    lat, lon = check_positions(lat, lon, rec, problems, "coordinates", "coordinates")

    frame_cols: dict[str, object] = {s.TIME: time_series(t), s.LAT: lat, s.LON: lon}
    for name, raw in _description_columns(descs).items():
        frame_cols[name] = to_float(raw, rec, "description", problems)
    # KML altitudes are metres; FR24 puts its feet in the description, so prefer that.
    coord_alt_ft = to_float(parts[2], rec, "coordinates", problems, scale=FT_PER_M)
    absolute = pd.Series(modes, dtype=s.STR_DTYPE).isin(["absolute"]).to_numpy()
    alt = np.asarray(frame_cols[s.ALT_BARO_FT], dtype="float64")
    use_coord = np.isnan(alt) & absolute & ~np.isnan(coord_alt_ft)
    alt_geom = np.where(use_coord, coord_alt_ft, np.nan)
    frame_cols[s.ALT_GEOM_FT] = alt_geom
    frame_cols[s.CALLSIGN] = pd.Series([callsign] * n, dtype=s.STR_DTYPE)
    frame_cols[s.RECORD] = rec
    mapping = {
        s.TIME: "TimeStamp/when",
        s.LAT: "coordinates",
        s.LON: "coordinates",
        s.ALT_BARO_FT: "description Altitude",
        s.GS_KT: "description Speed",
        s.TRACK_DEG: "description Heading",
        s.ALT_GEOM_FT: "coordinates altitude (m)",
        s.CALLSIGN: "Document name",
    }
    return Raw(pd.DataFrame(frame_cols, copy=False), "coordinates", "coordinates", "when", mapping)
