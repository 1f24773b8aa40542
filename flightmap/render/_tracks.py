"""Track layers: simplified, encoded polylines coloured by altitude or by GNSS integrity state,
hover/click read-outs of the nearest point, the aircraft on the time slider, and the profile.

A million-point track stays small because each run of fresh positions is simplified with a
stated maximum deviation (:mod:`flightmap.simplify`) and sent as encoded polylines, which a
few lines of JavaScript decode in the page. Stretches without a fresh position are never
joined by a line: runs end there (:func:`flightmap.tracks.position_runs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap import schema as s
from flightmap.render._html import esc, safe_json
from flightmap.simplify import encode_ints, encode_polyline, simplify_indices

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
    band = np.searchsorted(lows, alt, side="right").astype("float64")
    near = np.abs(alt[:, None] - lows[None, :]).min(axis=1) < hysteresis_ft if len(lows) else False
    clear = pd.Series(np.where(near | np.isnan(alt), np.nan, band))
    held = clear.ffill().bfill().to_numpy()
    out = np.where(np.isnan(held), band, held)
    return np.where(np.isnan(alt), -1, out).astype(np.int64)


@dataclass(frozen=True)
class Colouring:
    """How a layer colours its segments: a category per row and a colour per category."""

    name: str
    palette: Sequence[str]
    categories: np.ndarray  # int per row of the track frame, -1 = the "missing" colour
    missing: str = NO_ALTITUDE_COLOR
    notes: Sequence[str] | None = None  # per row: already-escaped HTML shown with the point


def _label(flight: pd.DataFrame) -> str:
    first = flight.iloc[0]
    parts = [str(first[s.FLIGHT_ID])]
    if not pd.isna(first[s.CALLSIGN]):
        parts.append(str(first[s.CALLSIGN]))
    if not pd.isna(first[s.ICAO24]):
        parts.append(str(first[s.ICAO24]))
    return " · ".join(parts)


def _ints(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), _NA, np.rint(values)).astype(np.int64)


def track_payload(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None = None,
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

    Returns
    -------
    dict
        ``{"palette": [...], "flights": [{"label", "t0", "chunks": [{"c", "p", "t", "a", "g"}]}],
        "points_in", "points_out"}``; ``t`` are seconds after ``t0`` (Unix seconds).
    """
    from flightmap.tracks import position_runs

    cats = np.asarray(colouring.categories)
    must = np.zeros(len(track), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    pos_index = pd.Series(np.arange(len(track)), index=track.index)
    flights = []
    points_out = 0
    for _, flight in track.groupby(s.FLIGHT_ID, sort=True):
        t0 = int(flight[s.TIME].iloc[0].timestamp())
        chunks = []
        for run in position_runs(flight):
            rows = pos_index.loc[run.index].to_numpy()
            lat = run[s.LAT].to_numpy(dtype="float64")
            lon = run[s.LON].to_numpy(dtype="float64")
            cat = cats[rows]
            change = np.r_[False, cat[1:] != cat[:-1]]
            # Keep colour boundaries exact: the vertex where a category starts, and the one
            # before it, so each chunk ends where the next begins.
            keep_here = must[rows] | change | np.r_[change[1:], False]
            tolerance = max(max_error_m - QUANTISATION_M, 0.0)
            kept = simplify_indices(lat, lon, tolerance, keep_here)
            points_out += len(kept)
            secs = (epoch_ns(run[s.TIME]) // 1_000_000_000 - t0)[kept]
            alt = _ints(run[s.ALT_BARO_FT].to_numpy(dtype="float64", na_value=np.nan)[kept])
            gs = _ints(run[s.GS_KT].to_numpy(dtype="float64", na_value=np.nan)[kept])
            kcat = cat[kept]
            starts = np.r_[0, np.flatnonzero(kcat[1:] != kcat[:-1]) + 1]
            ends = np.r_[starts[1:], len(kept) - 1]
            for a, b in zip(starts, ends, strict=True):
                if b <= a:
                    continue  # a lone vertex draws nothing; the profile and slider show it
                sl = slice(a, b + 1)
                note = colouring.notes[rows[kept[a]]] if colouring.notes is not None else ""
                chunks.append(
                    {
                        "n": note,
                        "c": int(kcat[a]),
                        "p": encode_polyline(lat[kept][sl], lon[kept][sl]),
                        "t": encode_ints(secs[sl]),
                        "a": encode_ints(alt[sl]),
                        "g": encode_ints(gs[sl]),
                    }
                )
        flights.append({"label": esc(_label(flight)), "t0": t0, "chunks": chunks})
    return {
        "palette": list(colouring.palette),
        "missing": colouring.missing,
        "flights": flights,
        "points_in": len(track),
        "points_out": points_out,
    }


class TrackLayer(JSCSSMixin, MacroElement):
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
        self.payload_json = safe_json(payload)
        self.class_json = safe_json(class_name)
        self.na = _NA


def track_group(
    track: pd.DataFrame,
    colouring: Colouring,
    *,
    max_error_m: float,
    keep: np.ndarray | None,
    class_name: str,
    show: bool,
) -> tuple[folium.FeatureGroup, dict[str, Any]]:
    """A feature group for the layer control holding one encoded track layer."""
    group = folium.FeatureGroup(name=colouring.name, show=show)
    payload = track_payload(track, colouring, max_error_m=max_error_m, keep=keep)
    TrackLayer(payload, class_name).add_to(group)
    return group, payload


def slider_features(track: pd.DataFrame) -> list[dict[str, Any]]:
    """Aircraft positions for the time slider, at most :data:`SLIDER_POINTS` in all (at least
    two per flight), each shown from its time to the next one's (``start``/``end`` in ms)."""
    feats: list[dict[str, Any]] = []
    per_flight = max(SLIDER_POINTS // max(track[s.FLIGHT_ID].nunique(), 1), 2)
    for _, flight in track.groupby(s.FLIGHT_ID, sort=True):
        pos = flight[flight[s.LAT].notna() & flight[s.LON].notna()]
        if pos.empty:
            continue
        step = max(-(-len(pos) // per_flight), 1)
        sample = pos.iloc[::step]
        ms = epoch_ns(sample[s.TIME]) // 1_000_000
        label = esc(_label(flight))
        for i, (lat, lon, alt) in enumerate(
            zip(sample[s.LAT], sample[s.LON], sample[s.ALT_BARO_FT], strict=True)
        ):
            end = int(ms[i + 1]) if i + 1 < len(ms) else int(ms[i]) + 1000
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                    "properties": {
                        "start": int(ms[i]),
                        "end": end,
                        "radius": 7,
                        "color": "#000000",
                        "fill": "#ffd400",
                        "className": "fm-replay-aircraft fm-replay-track",
                        "tooltip": f"{label} · "
                        + ("altitude n/a" if pd.isna(alt) else f"{alt:.0f} ft"),
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


def _iso(values: pd.Series) -> list[str]:
    return [str(v) for v in values.dt.strftime("%Y-%m-%dT%H:%M:%SZ")]


def profile_spec(
    track: pd.DataFrame,
    *,
    events: Sequence[tuple[pd.Timestamp, str]] = (),
    shaded: Sequence[tuple[pd.Timestamp, pd.Timestamp, str]] = (),
) -> dict[str, Any]:
    """A Vega-Lite spec: altitude (left axis) and ground speed (right axis) against UTC time,
    event rules, and shaded intervals (gaps, integrity states).

    Every report counts, with or without a position, thinned to :data:`PROFILE_POINTS` in all
    (at least ten per flight). Texts are plain strings inside JSON; Vega renders them as text.
    """
    rows: list[dict[str, Any]] = []
    per_flight = max(PROFILE_POINTS // max(track[s.FLIGHT_ID].nunique(), 1), 10)
    for _, flight in track.groupby(s.FLIGHT_ID, sort=True):
        step = max(-(-len(flight) // per_flight), 1)
        thin = flight.iloc[::step]
        label = _label(flight)
        alt = thin[s.ALT_BARO_FT].to_numpy(dtype="float64", na_value=np.nan)
        gs = thin[s.GS_KT].to_numpy(dtype="float64", na_value=np.nan)
        for t, a, g in zip(_iso(thin[s.TIME]), alt, gs, strict=True):
            rows.append(
                {
                    "t": t,
                    "f": label,
                    "alt": None if np.isnan(a) else round(float(a)),
                    "gs": None if np.isnan(g) else round(float(g)),
                }
            )
    x = {
        "field": "t",
        "type": "temporal",
        "title": "UTC",
        "scale": {"type": "utc"},
        "axis": {"format": "%H:%M", "formatType": "utc"},
    }
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
            "mark": {"type": "line", "interpolate": "step-after"},
            "encoding": {
                "x": x,
                "y": {"field": "alt", "type": "quantitative", "title": "altitude (ft)"},
                "detail": {"field": "f"},
                "tooltip": [{"field": "f", "title": "flight"}, {"field": "t"}, {"field": "alt"}],
            },
        }
    )
    layers.append(
        {
            "data": {"name": "reports"},
            "mark": {"type": "line", "strokeDash": [4, 3], "color": "#d95f02"},
            "encoding": {
                "x": x,
                "y": {
                    "field": "gs",
                    "type": "quantitative",
                    "title": "ground speed (kt)",
                    "axis": {"orient": "right", "titleColor": "#d95f02"},
                },
                "detail": {"field": "f"},
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
        "datasets": {"reports": rows},
        "layer": layers,
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}},
    }


class ProfilePanel(JSCSSMixin, MacroElement):
    """A collapsible panel with the Vega-Lite profile, embedded with vega-embed."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <details class="fm-panel fm-profile" id="fm-profile" open>
        <summary>Profile: altitude and ground speed (UTC)</summary>
        <div id="fm-profile-chart"></div></details>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        vegaEmbed('#fm-profile-chart', {{ this.spec_json }}, {actions: false, renderer: 'svg'})
            .catch(function (err) { console.error(err); });
        {% endmacro %}
        """
    )
    default_js = _VEGA_JS

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ProfilePanel"
        self.spec = spec
        self.spec_json = safe_json(spec)
