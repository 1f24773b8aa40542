"""Track lines: simplified, encoded polylines coloured by altitude or by GNSS integrity state,
with hover/click read-outs of the nearest point.

A million-point track stays small because each run of fresh positions is simplified with a
stated maximum deviation (:mod:`flightmap.simplify`) and sent as encoded polylines, which a
few lines of JavaScript decode in the page. Stretches without a fresh position are never
joined by a line: runs end there (:func:`flightmap.flights.run_starts`, the rule exports use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap import schema as s
from flightmap.flights import Flights, flights_of, run_starts
from flightmap.render._html import esc
from flightmap.render._script import Prerendered, encoded_json, script_json
from flightmap.simplify import encode_many, simplify_mask
from flightmap.style import ALTITUDE_BANDS, NO_ALTITUDE_COLOR

__all__ = [
    "Colouring",
    "TrackLayer",
    "Vertices",
    "altitude_band",
    "floats",
    "ints",
    "track_group",
    "track_payload",
    "track_vertices",
]

#: Integer stand-in for a missing altitude or speed in the encoded arrays.
NA = -100_000
#: Encoded polylines round to 1e-5 degrees: a vertex moves by at most half a unit on each
#: axis, sqrt(0.556**2 + 0.556**2) = 0.79 m. The simplification tolerance is reduced by this
#: much, so the line as drawn stays within ``max_error_m`` of every point.
QUANTISATION_M = 0.8


def payload_json(payload: dict[str, Any]) -> str:
    """:func:`script_json` of a :func:`track_payload`, with the encoded strings written
    directly (:func:`encoded_json`): the same JSON value, built in a fraction of the time.

    >>> import json
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
            f'{{"n":{note(ch["n"])},"c":{int(ch["c"])},"p":{encoded_json(ch["p"])},'
            f'"t":{encoded_json(ch["t"])},"a":{encoded_json(ch["a"])},'
            f'"g":{encoded_json(ch["g"])}}}'
            for ch in f["chunks"]
        )
        flights.append(
            f'{{"label":{script_json(f["label"])},"t0":{int(f["t0"])},"chunks":[{chunks}]}}'
        )
    rest = script_json({k: v for k, v in payload.items() if k != "flights"})
    return rest[:-1] + ',"flights":[' + ",".join(flights) + "]}"


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


#: Largest magnitude drawn from an altitude (ft) or speed (kt); beyond it, or not finite, the
#: value is drawn as missing (a frame built in Python need not have passed a reader's checks).
_MAX_DRAWN = 1e7


def ints(values: np.ndarray) -> np.ndarray:
    """Rounded integers for the encoded arrays; NaN, infinite and absurd values become NA."""
    with np.errstate(invalid="ignore"):
        # False for NaN and infinities; at or below NA the page's script shows "n/a" anyway.
        ok = (np.abs(values) <= _MAX_DRAWN) & (values > NA)
    return np.where(ok, np.rint(np.where(ok, values, 0.0)), NA).astype(np.int64)


def floats(track: pd.DataFrame, col: str) -> np.ndarray:
    return np.asarray(track[col].to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def track_payload(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None = None,
    flights: Flights | None = None,
    vertices: Vertices | None = None,
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
    vertices : Vertices, optional
        The simplified runs (:func:`track_vertices`), when layers share them; they must keep
        every row where ``colouring`` changes category. Computed here when omitted.

    Returns
    -------
    dict
        ``{"palette": [...], "flights": [{"label", "t0", "chunks": [{"c", "p", "t", "a", "g"}]}],
        "points_in", "points_out"}``; ``t`` are seconds after ``t0`` (Unix seconds).

    Notes
    -----
    Runs are cut by :func:`flightmap.flights.run_starts`, as exports cut them; everything is
    computed on whole-track arrays (one simplification call, one encoding pass per field), so
    the cost grows with the number of rows, not with the number of flights, runs or colours.
    """
    fl = flights if flights is not None else flights_of(track)
    cats = np.asarray(colouring.categories)
    v = vertices
    if v is None:
        v = track_vertices(track, fl, [cats], max_error_m=max_error_m, keep=keep)
    rows, start, kept, lat, lon = v.rows, v.start, v.kept, v.lat, v.lon
    code = fl.row_code[rows]
    cat = cats[rows]
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
        "a": encode_many(ints(floats(track, s.ALT_BARO_FT)[vrows]), offsets),
        "g": encode_many(ints(floats(track, s.GS_KT)[vrows]), offsets),
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


@dataclass(frozen=True)
class Vertices:
    """The runs of a track (:func:`flightmap.flights.run_starts`) and the vertices drawn of
    them: ``rows`` are row positions run after run, ``start`` marks each run's first row,
    ``kept`` indexes ``rows`` (the simplified line), ``lat``/``lon`` are the rows' positions."""

    rows: np.ndarray
    start: np.ndarray
    kept: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


def track_vertices(
    track: pd.DataFrame,
    flights: Flights,
    categories: Sequence[np.ndarray],
    *,
    max_error_m: float,
    keep: np.ndarray | None = None,
) -> Vertices:
    """Cut ``track`` into runs and simplify them once for every layer colouring it.

    Parameters
    ----------
    track : DataFrame
        Canonical track, sorted by time per flight.
    flights : Flights
        :func:`flights_of` of ``track``.
    categories : sequence of ndarray
        Each layer's category per row (:attr:`Colouring.categories`): the vertex where any of
        them changes within a run, and the one before it, are kept, so each layer's colour
        chunks end exactly where the next begins.
    max_error_m : float
        Simplification bound, metres; reduced by :data:`QUANTISATION_M` for the encoding.
    keep : ndarray of bool, optional
        Rows that must stay vertices (events), aligned with ``track``.

    Returns
    -------
    Vertices
        Shared by the layers: the line drawn is the same in each, only its colours differ.
    """
    must = np.zeros(len(track), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    rows, start = run_starts(track, flights.order, flights.code, t_ns=flights.t_ns)
    keep_here = must[rows]
    for cats in categories:
        cat = np.asarray(cats)[rows]
        change = np.r_[False, cat[1:] != cat[:-1]] & ~start
        keep_here |= change | np.r_[change[1:], False]
    tolerance = max(max_error_m - QUANTISATION_M, 0.0)
    lat, lon = floats(track, s.LAT)[rows], floats(track, s.LON)[rows]
    kept = np.flatnonzero(simplify_mask(lat, lon, tolerance, keep_here, starts=start))
    return Vertices(rows, start, kept, lat, lon)


def _unix_s(ns: int) -> int:
    """Whole Unix seconds of a time, as ``int(pd.Timestamp.timestamp())`` gives them."""
    return int(pd.Timestamp(int(ns), tz="UTC").timestamp())


class TrackLayer(JSCSSMixin, Prerendered):
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
                            // Longitudes compared round the globe: a page across the
                            // antimeridian is drawn in [0, 360), the data is in [-180, 180).
                            var dy = ll[k][0] - latlng.lat;
                            var dx = ((ll[k][1] - latlng.lng) % 360 + 540) % 360 - 180;
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
        self.na = NA


def track_group(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None,
    class_name: str,
    show: bool,
    flights: Flights | None = None,
    vertices: Vertices | None = None,
) -> tuple[folium.FeatureGroup, dict[str, Any]]:
    """A feature group for the layer control holding one encoded track layer."""
    group = folium.FeatureGroup(name=colouring.name, show=show)
    payload = track_payload(
        track, colouring, max_error_m=max_error_m, keep=keep, flights=flights, vertices=vertices
    )
    TrackLayer(payload, class_name).add_to(group)
    return group, payload
