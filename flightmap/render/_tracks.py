"""Track layers: simplified, encoded polylines coloured by altitude or by GNSS integrity state,
hover/click read-outs of the nearest point, the aircraft on the time slider, and the profile.

A million-point track stays small because each run of fresh positions is simplified with a
stated maximum deviation (:mod:`flightmap.simplify`) and sent as encoded polylines, which a
few lines of JavaScript decode in the page. Stretches without a fresh position are never
joined by a line: runs end there (:func:`flightmap.tracks.position_runs`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap import schema as s
from flightmap.render._html import esc
from flightmap.simplify import encode_many, simplify_mask

__all__ = [
    "ALTITUDE_BANDS",
    "INTEGRITY_COLORS",
    "TrackLayer",
    "altitude_band",
    "track_payload",
]

#: Altitude bands (feet, lower bounds) and their colours (ColorBrewer-like, low = warm).
ALTITUDE_BANDS: tuple[tuple[float, str], ...] = (
    (float("-inf"), "#b2182b"),
    (2_000, "#d6604d"),
    (5_000, "#f4a582"),
    (10_000, "#92c5de"),
    (20_000, "#4393c3"),
    (30_000, "#2166ac"),
    (38_000, "#053061"),
)
NO_ALTITUDE_COLOR = "#888888"
#: Colours of the integrity states of :mod:`flightmap.analysis`.
INTEGRITY_COLORS: dict[str, str] = {
    "nominal": "#1a9850",
    "degraded": "#fdae61",
    "position_lost": "#d73027",
    "spoofed": "#7b3294",
}
#: Integer stand-in for a missing altitude or speed in the encoded arrays.
_NA = -100_000
#: Encoded polylines round to 1e-5 degrees: a vertex moves by at most half a unit on each
#: axis, sqrt(0.556**2 + 0.556**2) = 0.79 m. The simplification tolerance is reduced by this
#: much, so the line as drawn stays within ``max_error_m`` of every point.
QUANTISATION_M = 0.8
#: Largest number of aircraft positions on the time slider, shared by all flights.
SLIDER_POINTS = 1500


def epoch_ns(times: pd.Series) -> np.ndarray:
    """Nanoseconds since the Unix epoch of a tz-aware time column (vectorised)."""
    return times.to_numpy(dtype="datetime64[ns]").view(np.int64)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACES = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def _braces(m: re.Match[str]) -> str:
    text = m.group(0)
    return text.translate(_BRACES) if "{" in text or "}" in text else text


def script_json(value: Any) -> str:
    r"""Compact JSON for a ``<script>`` that no string in it can break out of.

    The escaping of :func:`flightmap.render.safe_json`, without spaces: ``< > &`` and
    U+2028/2029 are escaped, so no string can close the script element, and braces inside
    strings become ``\u007b``/``\u007d``, so no string can open a Jinja expression.

    >>> print(script_json({"a": ["{{7*7}}</script>", 1]}))
    {"a":["\u007b\u007b7*7\u007d\u007d\u003c/script\u003e",1]}
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return _JSON_STRING.sub(_braces, text)


def _encoded_json(text: str) -> str:
    r"""An encoded polyline or integer string as a JSON string for a script.

    Its characters are ``?`` (63) to ``~`` (126): JSON escapes only the backslash, and none
    can close a script. Of the braces, which are about one character in 30, only a ``{``
    that would open a Jinja tag (``{{``; ``%`` and ``#`` never occur) is escaped: escaping
    them all would make the page about 8 % larger.

    >>> print(_encoded_json("_p{{iF\\~}"))
    "_p\u007b{iF\\~}"
    """
    return '"' + _JINJA_OPEN.sub(r"\\u007b", text.replace("\\", "\\\\")) + '"'


def payload_json(payload: dict[str, Any]) -> str:
    """:func:`script_json` of a :func:`track_payload`, with the encoded strings written
    directly (:func:`_encoded_json`): the same JSON value, built in a fraction of the time.

    >>> p = {"palette": ["#000"], "missing": "#888", "points_in": 2, "points_out": 2,
    ...      "flights": [{"label": "a{{", "t0": 5, "chunks": [
    ...          {"n": "<b>x</b>", "c": 0, "p": "??{{", "t": "?A", "a": "??", "g": "??"}]}]}
    >>> json.loads(payload_json(p)) == p
    True
    """
    notes: dict[str, str] = {}

    def note(text: str) -> str:
        if text not in notes:
            notes[text] = script_json(text)
        return notes[text]

    flights = []
    for f in payload["flights"]:
        chunks = ",".join(
            f'{{"n":{note(ch["n"])},"c":{int(ch["c"])},"p":{_encoded_json(ch["p"])},'
            f'"t":{_encoded_json(ch["t"])},"a":{_encoded_json(ch["a"])},'
            f'"g":{_encoded_json(ch["g"])}}}'
            for ch in f["chunks"]
        )
        flights.append(
            f'{{"label":{script_json(f["label"])},"t0":{int(f["t0"])},"chunks":[{chunks}]}}'
        )
    rest = script_json({k: v for k, v in payload.items() if k != "flights"})
    return rest[:-1] + ',"flights":[' + ",".join(flights) + "]}"


class _Text(Element):
    """Already-rendered text, inserted into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _Prerendered(MacroElement):
    """A MacroElement whose rendered macros go into the page as text.

    branca wraps each rendered macro in a new ``Element``, which compiles it as a Jinja
    template again; for a script holding a large payload that re-parse cost more than
    building the payload. The output is the same.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure)
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


def altitude_band(alt_ft: np.ndarray, hysteresis_ft: float = 200.0) -> np.ndarray:
    """Index into :data:`ALTITUDE_BANDS` per altitude; ``-1`` where the altitude is NaN.

    A band changes only once the altitude is ``hysteresis_ft`` past a boundary, so an aircraft
    cruising at FL300 (a boundary) with 25-ft jitter keeps one colour instead of flickering
    between two; altitudes near a boundary take the band of the last unambiguous report.

    >>> altitude_band(np.array([0.0, 3000.0, 39000.0, np.nan])).tolist()
    [0, 1, 6, -1]
    >>> altitude_band(np.array([29000.0, 30025.0, 29975.0, 30025.0, 30500.0])).tolist()
    [4, 4, 4, 4, 5]
    """
    alt = np.asarray(alt_ft, dtype="float64")
    lows = np.array([b for b, _ in ALTITUDE_BANDS[1:]])
    band = np.searchsorted(lows, alt, side="right")
    if len(lows):
        # The nearest boundary is the one just below or just above the altitude.
        below = lows[np.clip(band - 1, 0, len(lows) - 1)]
        above = lows[np.clip(band, 0, len(lows) - 1)]
        with np.errstate(invalid="ignore"):
            near = np.minimum(np.abs(alt - below), np.abs(alt - above)) < hysteresis_ft
    else:
        near = np.zeros(alt.shape, dtype=bool)
    clear = ~near & ~np.isnan(alt)
    if not clear.any():
        return np.where(np.isnan(alt), -1, band).astype(np.int64)
    # Hold the last clear band (forward fill; the first clear one before it).
    src = np.maximum.accumulate(np.where(clear, np.arange(len(alt)), -1))
    held = band[np.where(src >= 0, src, np.flatnonzero(clear)[0])]
    return np.where(np.isnan(alt), -1, held).astype(np.int64)


@dataclass(frozen=True)
class Colouring:
    """How a layer colours its segments: a category per row and a colour per category."""

    name: str
    palette: Sequence[str]
    categories: np.ndarray  # int per row of the track frame, -1 = the "missing" colour
    missing: str = NO_ALTITUDE_COLOR
    notes: Sequence[str] | None = None  # per row: already-escaped HTML shown with the point


@dataclass(frozen=True)
class Flights:
    """A track's rows grouped by flight, as ``groupby(flight_id, sort=True)`` groups them
    (flights in id order, rows in track order inside a flight, rows without an id left out),
    as positional indices, with what every layer needs per flight."""

    order: np.ndarray  # row positions, flight after flight
    code: np.ndarray  # flight number (0..) of each entry of ``order``
    bounds: np.ndarray  # flight k is order[bounds[k]:bounds[k + 1]]
    labels: list[str]  # "flight_id · callsign · icao24" (callsign and icao24 of its first row)
    t_ns: np.ndarray  # per row (track order): nanoseconds since the epoch
    row_code: np.ndarray  # per row (track order): its flight number, -1 without a flight id

    @property
    def count(self) -> int:
        return len(self.labels)

    def first_rows(self) -> np.ndarray:
        return np.asarray(self.order[self.bounds[:-1]], dtype=np.intp)


def flights_of(track: pd.DataFrame) -> Flights:
    """The flights of ``track``: row order by flight, codes, bounds, labels and times (ns),
    computed once per map and shared by its track layers, slider and profile."""
    codes, ids = pd.factorize(track[s.FLIGHT_ID], sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    if len(codes) < 2 or bool(np.all(codes[1:] >= codes[:-1])):
        order = np.arange(len(codes))
    else:
        order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    code = codes[order]
    bounds = np.searchsorted(code, np.arange(len(ids) + 1), side="left")
    first = order[bounds[:-1]]
    labels = []
    extra = [track[c].iloc[first].to_numpy(dtype=object) for c in (s.CALLSIGN, s.ICAO24)]
    for k, fid in enumerate(ids):
        parts = [str(fid)] + [str(col[k]) for col in extra if not pd.isna(col[k])]
        labels.append(" · ".join(parts))
    return Flights(order, code, bounds, labels, epoch_ns(track[s.TIME]), codes)


#: Largest magnitude drawn from an altitude (ft) or speed (kt); beyond it, or not finite, the
#: value is drawn as missing (a frame built in Python need not have passed a reader's checks).
_MAX_DRAWN = 1e7


def _ints(values: np.ndarray) -> np.ndarray:
    """Rounded integers for the encoded arrays; NaN, infinite and absurd values become _NA."""
    with np.errstate(invalid="ignore"):
        # False for NaN and infinities; at or below _NA the page's script shows "n/a" anyway.
        ok = (np.abs(values) <= _MAX_DRAWN) & (values > _NA)
    return np.where(ok, np.rint(np.where(ok, values, 0.0)), _NA).astype(np.int64)


def _floats(track: pd.DataFrame, col: str) -> np.ndarray:
    return np.asarray(track[col].to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def track_payload(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None = None,
    flights: Flights | None = None,
) -> dict[str, Any]:
    """The JSON payload of one track layer: per flight, per run, per colour chunk, encoded.

    Parameters
    ----------
    track : DataFrame
        Canonical track (several flights allowed), sorted by time per flight.
    colouring : Colouring
        Category per row (aligned with ``track``'s positional index) and palette.
    max_error_m : float
        Simplification bound, metres (see :func:`flightmap.simplify.simplify_indices`).
    keep : ndarray of bool, optional
        Rows that must stay vertices (events, integrity changes), aligned with ``track``.
    flights : Flights, optional
        :func:`flights_of` of ``track``, when the caller already has it.

    Returns
    -------
    dict
        ``{"palette": [...], "flights": [{"label", "t0", "chunks": [{"c", "p", "t", "a", "g"}]}],
        "points_in", "points_out"}``; ``t`` are seconds after ``t0`` (Unix seconds).

    Notes
    -----
    Runs are :func:`flightmap.tracks.position_runs` of each flight; everything is computed on
    whole-track arrays (one simplification call, one encoding pass per field), so the cost
    grows with the number of rows, not with the number of flights, runs or colour chunks.
    """
    from flightmap.tracks import RUN_GAP

    fl = flights if flights is not None else flights_of(track)
    cats = np.asarray(colouring.categories)
    must = np.zeros(len(track), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    lat_all, lon_all = _floats(track, s.LAT), _floats(track, s.LON)
    fresh = ~np.isnan(lat_all) & ~np.isnan(lon_all)
    if s.STALE in track.columns:
        fresh &= ~track[s.STALE].fillna(False).to_numpy(dtype=bool)
    # Runs of fresh positions, as position_runs cuts them: at a row without a fresh position,
    # a silence longer than RUN_GAP, a row after a silence the source reports, or a new flight.
    pos = np.flatnonzero(fresh[fl.order])
    rows = fl.order[pos]
    code = fl.code[pos]
    t = fl.t_ns[rows]
    start = np.ones(len(rows), dtype=bool)
    start[1:] = (np.diff(pos) > 1) | (np.diff(t) > RUN_GAP.value) | (code[1:] != code[:-1])
    if s.POS_GAP_BEFORE in track.columns:
        # The source says no position came for a while before this one (readsb flags bit 0).
        start[1:] |= track[s.POS_GAP_BEFORE].fillna(False).to_numpy(dtype=bool)[rows][1:]
    cat = cats[rows]
    # Keep colour boundaries exact: the vertex where a category starts, and the one before it,
    # so each chunk ends where the next begins.
    change = np.r_[False, cat[1:] != cat[:-1]] & ~start
    keep_here = must[rows] | change | np.r_[change[1:], False]
    tolerance = max(max_error_m - QUANTISATION_M, 0.0)
    lat, lon = lat_all[rows], lon_all[rows]
    kept = np.flatnonzero(simplify_mask(lat, lon, tolerance, keep_here, starts=start))
    run = (np.cumsum(start) - 1)[kept]
    kcat = cat[kept]
    # Colour chunks over the kept vertices: a chunk starts with a run or a category; it ends
    # on the next chunk's first vertex when that is in the same run, else at the run's end.
    cs = np.flatnonzero(np.r_[True, (run[1:] != run[:-1]) | (kcat[1:] != kcat[:-1])])
    run_end = np.r_[np.flatnonzero(run[1:] != run[:-1]), len(run) - 1]
    ce = run_end[np.searchsorted(run_end, cs)] if len(cs) else cs
    nxt = np.r_[cs[1:], -1]
    same_run = (nxt >= 0) & (run[np.maximum(nxt, 0)] == run[cs])
    ce = np.where(same_run, nxt, ce)
    ok = ce > cs  # a lone vertex draws nothing; the profile and slider show it
    cs, ce = cs[ok], ce[ok]
    # Every chunk's vertices, one chunk after the other (shared boundary vertices repeated).
    length = ce - cs + 1
    offsets = np.r_[0, np.cumsum(length)[:-1]].astype(np.intp)
    which = np.repeat(np.arange(len(cs)), length)
    vert = kept[cs[which] + (np.arange(int(length.sum())) - offsets[which])]
    vrows = rows[vert]
    chunk_flight = code[kept[cs]]
    t0 = np.array([_unix_s(fl.t_ns[r]) for r in fl.first_rows()], dtype=np.int64)
    secs = fl.t_ns[vrows] // 1_000_000_000 - t0[code[vert]]
    quant = np.rint(np.column_stack([lat[vert], lon[vert]]) * 1e5).astype(np.int64).ravel()
    enc = {
        "p": encode_many(quant, offsets, width=2),
        "t": encode_many(secs, offsets),
        "a": encode_many(_ints(_floats(track, s.ALT_BARO_FT)[vrows]), offsets),
        "g": encode_many(_ints(_floats(track, s.GS_KT)[vrows]), offsets),
    }
    notes = colouring.notes
    chunks = [
        {
            "n": notes[int(vrows[offsets[i]])] if notes is not None else "",
            "c": int(kcat[cs[i]]),
            "p": enc["p"][i],
            "t": enc["t"][i],
            "a": enc["a"][i],
            "g": enc["g"][i],
        }
        for i in range(len(cs))
    ]
    by_flight = np.searchsorted(chunk_flight, np.arange(fl.count + 1), side="left")
    per_flight = [
        {
            "label": esc(fl.labels[k]),
            "t0": int(t0[k]),
            "chunks": chunks[by_flight[k] : by_flight[k + 1]],
        }
        for k in range(fl.count)
    ]
    return {
        "palette": list(colouring.palette),
        "missing": colouring.missing,
        "flights": per_flight,
        "points_in": len(track),
        "points_out": len(kept),
    }


def _unix_s(ns: int) -> int:
    """Whole Unix seconds of a time, as ``int(pd.Timestamp.timestamp())`` gives them."""
    return int(pd.Timestamp(int(ns), tz="UTC").timestamp())


class TrackLayer(JSCSSMixin, _Prerendered):
    """Decodes a :func:`track_payload` in the page and adds its polylines to the parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.payload_json }};
            var group = {{ this._parent.get_name() }};
            function raw(str) {  // Google polyline scheme: zigzag varints, 5 bits a char
                var out = [], i = 0;
                while (i < str.length) {
                    var b, shift = 0, r = 0;
                    do { b = str.charCodeAt(i++) - 63; r |= (b & 31) << shift; shift += 5; }
                    while (b >= 32);
                    out.push((r & 1) ? ~(r >> 1) : (r >> 1));
                }
                return out;
            }
            function dec(str) { var v = 0; return raw(str).map(function (d) { return v += d; }); }
            function pairs(str) {
                var d = raw(str), out = [], la = 0, lo = 0;
                for (var n = 0; n + 1 < d.length; n += 2) {
                    la += d[n]; lo += d[n + 1];
                    out.push([la / 1e5, lo / 1e5]);
                }
                return out;
            }
            function fmt(v, unit) { return v <= {{ this.na }} ? 'n/a' : v + ' ' + unit; }
            data.flights.forEach(function (f) {
                f.chunks.forEach(function (ch) {
                    var ll = pairs(ch.p), t = dec(ch.t), a = dec(ch.a), g = dec(ch.g);
                    var color = ch.c < 0 ? data.missing : data.palette[ch.c];
                    var line = L.polyline(ll, {color: color, weight: 3, opacity: 0.9,
                        className: {{ this.class_json }}});
                    function info(latlng) {
                        var best = 0, bd = Infinity;
                        for (var k = 0; k < ll.length; k++) {
                            var dy = ll[k][0] - latlng.lat, dx = ll[k][1] - latlng.lng;
                            var d2 = dx * dx + dy * dy;
                            if (d2 < bd) { bd = d2; best = k; }
                        }
                        return f.label + '<br>' + new Date((f.t0 + t[best]) * 1000)
                            .toISOString().slice(0, 19).replace('T', ' ') + ' UTC<br>altitude '
                            + fmt(a[best], 'ft') + ' · ground speed ' + fmt(g[best], 'kt')
                            + '<br>' + ll[best][0].toFixed(5) + ', ' + ll[best][1].toFixed(5)
                            + (ch.n ? '<br>' + ch.n : '');
                    }
                    line.bindTooltip('', {sticky: true});
                    line.on('mousemove', function (e) { line.setTooltipContent(info(e.latlng)); });
                    line.on('click', function (e) {
                        L.popup().setLatLng(e.latlng).setContent(info(e.latlng))
                            .openOn(group._map);
                    });
                    group.addLayer(line);
                });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any], class_name: str) -> None:
        super().__init__()
        self._name = "TrackLayer"
        self.payload = payload
        # Pre-serialised: no string in the data can close the script or open a Jinja tag.
        self.payload_json = payload_json(payload)
        self.class_json = script_json(class_name)
        self.na = _NA


def track_group(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None,
    class_name: str,
    show: bool,
    flights: Flights | None = None,
) -> tuple[folium.FeatureGroup, dict[str, Any]]:
    """A feature group for the layer control holding one encoded track layer."""
    group = folium.FeatureGroup(name=colouring.name, show=show)
    payload = track_payload(track, colouring, max_error_m=max_error_m, keep=keep, flights=flights)
    TrackLayer(payload, class_name).add_to(group)
    return group, payload


def _thin(fl: Flights, counted: np.ndarray, per_flight: int) -> np.ndarray:
    """Row positions of every ``step``-th counted row of each flight (the first one included),
    ``step`` chosen per flight so that it keeps at most ``per_flight`` rows."""
    sel = np.flatnonzero(counted[fl.order])
    code = fl.code[sel]
    n = np.bincount(code, minlength=fl.count)
    step = np.maximum(-(-n // per_flight), 1)
    rank = np.arange(len(sel)) - (np.cumsum(n) - n)[code]
    return np.asarray(fl.order[sel[rank % step[code] == 0]], dtype=np.intp)


def slider_features(track: pd.DataFrame, flights: Flights | None = None) -> list[dict[str, Any]]:
    """Aircraft positions for the time slider, at most :data:`SLIDER_POINTS` in all (at least
    two per flight), each shown from its time to the next one's (``start``/``end`` in ms).
    ``flights`` is :func:`flights_of` of ``track``, when the caller already has it."""
    fl = flights if flights is not None else flights_of(track)
    per_flight = max(SLIDER_POINTS // max(fl.count, 1), 2)
    lat_all, lon_all = _floats(track, s.LAT), _floats(track, s.LON)
    rows = _thin(fl, ~np.isnan(lat_all) & ~np.isnan(lon_all), per_flight)
    ms = (fl.t_ns[rows] // 1_000_000).tolist()
    code = fl.row_code[rows]
    last = np.r_[code[1:] != code[:-1], True].tolist()
    labels = [esc(label) for label in fl.labels]
    feats: list[dict[str, Any]] = []
    for i, (lat, lon, alt, k) in enumerate(
        zip(
            lat_all[rows].tolist(),
            lon_all[rows].tolist(),
            _floats(track, s.ALT_BARO_FT)[rows].tolist(),
            code.tolist(),
            strict=True,
        )
    ):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "start": ms[i],
                    "end": ms[i] + 1000 if last[i] else ms[i + 1],
                    "radius": 7,
                    "color": "#000000",
                    "fill": "#ffd400",
                    "className": "fm-replay-aircraft fm-replay-track",
                    "tooltip": f"{labels[k]} · "
                    + ("altitude n/a" if np.isnan(alt) else f"{alt:.0f} ft"),
                },
            }
        )
    return feats


#: Largest number of reports on the profile chart, shared by all flights.
PROFILE_POINTS = 3000
_VEGA_JS = [
    # The same URLs as folium.VegaLite, so one offline asset table serves both.
    ("vega", "https://cdn.jsdelivr.net/npm//vega@5"),
    ("vega-lite", "https://cdn.jsdelivr.net/npm/vega-lite@5"),
    ("vega-embed", "https://cdn.jsdelivr.net/npm/vega-embed@6"),
]


#: Vega-Lite encodings of a profile's time axis (field ``t``, UTC) and of a time in a tooltip.
UTC_X: dict[str, Any] = {
    "field": "t",
    "type": "temporal",
    "title": "UTC",
    "scale": {"type": "utc"},
    "axis": {"format": "%H:%M", "formatType": "utc"},
}
UTC_WHEN: dict[str, Any] = {
    "field": "t",
    "type": "temporal",
    "format": "%H:%M:%S",
    "formatType": "utc",
}
#: The ground-speed axis of a profile (field ``gs``, kt), on the right, in the speed colour.
GS_Y: dict[str, Any] = {
    "field": "gs",
    "type": "quantitative",
    "title": "ground speed (kt)",
    "axis": {"orient": "right", "titleColor": "#d95f02"},
}


def profile_spec(
    track: pd.DataFrame,
    *,
    events: Sequence[tuple[pd.Timestamp, str]] = (),
    shaded: Sequence[tuple[pd.Timestamp, pd.Timestamp, str]] = (),
    flights: Flights | None = None,
) -> dict[str, Any]:
    """A Vega-Lite spec: altitude (left axis) and ground speed (right axis) against UTC time,
    event rules, and shaded intervals (gaps, integrity states). ``flights`` is
    :func:`flights_of` of ``track``, when the caller already has it.

    Every report counts, with or without a position, thinned to :data:`PROFILE_POINTS` in all
    (at least ten per flight). Texts are plain strings inside JSON; Vega renders them as text.
    Reports are compact (``t`` in Unix milliseconds, ``k`` the flight's number); the flight
    labels are a second dataset, joined by a lookup where a tooltip shows them.
    """
    fl = flights if flights is not None else flights_of(track)
    per_flight = max(PROFILE_POINTS // max(fl.count, 1), 10)
    thin = _thin(fl, np.ones(len(track), dtype=bool), per_flight)
    alt = _ints(_floats(track, s.ALT_BARO_FT)[thin]).tolist()
    gs = _ints(_floats(track, s.GS_KT)[thin]).tolist()
    rows = [
        {"t": t, "k": k, "alt": None if a == _NA else a, "gs": None if g == _NA else g}
        for t, k, a, g in zip(
            (fl.t_ns[thin] // 1_000_000).tolist(), fl.row_code[thin].tolist(), alt, gs, strict=True
        )
    ]
    x, when = dict(UTC_X), dict(UTC_WHEN)
    layers: list[dict[str, Any]] = []
    if shaded:
        layers.append(
            {
                "data": {
                    "values": [
                        {"start": a.isoformat(), "end": b.isoformat(), "what": what}
                        for a, b, what in shaded
                    ]
                },
                "mark": {"type": "rect", "opacity": 0.18},
                "encoding": {
                    "x": {**x, "field": "start"},
                    "x2": {"field": "end"},
                    "color": {"field": "what", "type": "nominal", "title": "interval"},
                    "tooltip": [{"field": "what"}, {"field": "start"}, {"field": "end"}],
                },
            }
        )
    layers.append(
        {
            "data": {"name": "reports"},
            "transform": [
                {
                    "lookup": "k",
                    "from": {"data": {"name": "flights"}, "key": "k", "fields": ["f"]},
                }
            ],
            "mark": {"type": "line", "interpolate": "step-after"},
            "encoding": {
                "x": x,
                "y": {"field": "alt", "type": "quantitative", "title": "altitude (ft)"},
                "detail": {"field": "k"},
                "tooltip": [{"field": "f", "title": "flight"}, when, {"field": "alt"}],
            },
        }
    )
    layers.append(
        {
            "data": {"name": "reports"},
            "mark": {"type": "line", "strokeDash": [4, 3], "color": "#d95f02"},
            "encoding": {
                "x": x,
                "y": dict(GS_Y),
                "detail": {"field": "k"},
            },
        }
    )
    if events:
        layers.append(
            {
                "data": {"values": [{"t": t.isoformat(), "title": title} for t, title in events]},
                "mark": {"type": "rule", "color": "#c0151b", "strokeWidth": 1},
                "encoding": {"x": x, "tooltip": [{"field": "title"}, {"field": "t"}]},
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 480,
        "height": 150,
        "datasets": {
            "reports": rows,
            "flights": [{"k": k, "f": label} for k, label in enumerate(fl.labels)],
        },
        "layer": layers,
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}},
    }


class ProfilePanel(JSCSSMixin, _Prerendered):
    """A collapsible panel with the Vega-Lite profile, embedded with vega-embed.

    The three Vega libraries (about 1.5 MB of JavaScript) are loaded once the page is parsed,
    in order, by script elements the panel adds itself, not by ``<script>`` tags in the head:
    tags there block the page until they are fetched and compiled, which delayed the first
    drawing of the map by about 0.4 s; the chart is not needed for it.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <details class="fm-panel fm-profile" id="fm-profile"{{ " open" if this.open else "" }}>
        <summary>{{ this.title_html }}</summary>
        <div id="fm-profile-chart"></div></details>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var spec = {{ this.spec_json }};
            var urls = {{ this.urls_json }};
            function embed() {
                vegaEmbed('#fm-profile-chart', spec, {actions: false, renderer: 'svg'})
                    .catch(function (err) { console.error(err); });
            }
            function load(i) {
                if (i === urls.length) { embed(); return; }
                var tag = document.createElement('script');
                tag.src = urls[i];
                tag.onload = function () { load(i + 1); };
                tag.onerror = function () { console.error('profile: cannot load ' + urls[i]); };
                document.head.appendChild(tag);
            }
            function start() { if (window.vegaEmbed) { embed(); } else { load(0); } }
            if (document.readyState === 'loading') {
                document.addEventListener('DOMContentLoaded', start);
            } else {
                start();
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        spec: dict[str, Any],
        *,
        title: str = "Profile: altitude and ground speed (UTC)",
        open: bool = True,
    ) -> None:
        super().__init__()
        self._name = "ProfilePanel"
        self.spec = spec
        self.title_html = esc(title)
        self.open = open
        self.urls_json = script_json([url for _, url in _VEGA_JS])
        self.spec_json = script_json(spec)
