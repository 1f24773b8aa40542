"""The profile panel: altitude and ground speed against UTC time (Vega-Lite), with event
rules and shaded intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.template import Template

from flightmap import schema as s
from flightmap.flights import Flights, flights_of
from flightmap.render._html import esc
from flightmap.render._script import Prerendered, script_json
from flightmap.render._tracklayer import NA, floats, ints

__all__ = ["GS_Y", "UTC_WHEN", "UTC_X", "ProfilePanel", "profile_spec"]

#: Largest number of reports on the profile chart, shared by all flights.
PROFILE_POINTS = 3000
_VEGA_JS = [
    # The same URLs as folium.VegaLite, so one offline asset table serves both.
    ("vega", "https://cdn.jsdelivr.net/npm//vega@5"),
    ("vega-lite", "https://cdn.jsdelivr.net/npm/vega-lite@5"),
    ("vega-embed", "https://cdn.jsdelivr.net/npm/vega-embed@6"),
]


#: Vega-Lite encodings of a profile's time axis (field ``t``, UTC) and of a time in a tooltip.
# 24-hour UTC labels, written by an expression: Vega-Lite drops a format with
# formatType "utc" unless a config flag is set, and falls back to 12-hour labels ("05 PM").
# A tick at midnight names its day ("26 Dec"), on the first of a month the month ("Apr"), at
# the new year the year: a chart spanning days or years (a case and a track of another year)
# reads "2022 Apr Jul Oct 2023", not "00:00" ten times.
UTC_LABEL = (
    "utchours(datum.value) || utcminutes(datum.value) ? utcFormat(datum.value, '%H:%M')"
    " : utcdate(datum.value) > 1 ? utcFormat(datum.value, '%d %b')"
    " : utcmonth(datum.value) ? utcFormat(datum.value, '%b') : utcFormat(datum.value, '%Y')"
)
UTC_X: dict[str, Any] = {
    "field": "t",
    "type": "temporal",
    "title": "UTC",
    "scale": {"type": "utc"},
    "axis": {"labelExpr": UTC_LABEL, "labelOverlap": True},
}
UTC_WHEN: dict[str, Any] = {
    "field": "t",
    "type": "temporal",
    "timeUnit": "utchoursminutesseconds",
    "title": "UTC",
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
    thin = fl.thin(np.ones(len(track), dtype=bool), per_flight)
    alt = ints(floats(track, s.ALT_BARO_FT)[thin]).tolist()
    gs = ints(floats(track, s.GS_KT)[thin]).tolist()
    rows = [
        {"t": t, "k": k, "alt": None if a == NA else a, "gs": None if g == NA else g}
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
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
        "height": 150,
        "datasets": {
            "reports": rows,
            "flights": [{"k": k, "f": label} for k, label in enumerate(fl.labels)],
        },
        "layer": layers,
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}},
    }


class ProfilePanel(JSCSSMixin, Prerendered):
    """A collapsible panel with the Vega-Lite profile, embedded with vega-embed.

    The three Vega libraries (about 1.5 MB of JavaScript) are loaded once the page is parsed,
    in order, by script elements the panel adds itself, not by ``<script>`` tags in the head:
    tags there block the page until they are fetched and compiled, which delayed the first
    drawing of the map by about 0.4 s; the chart is not needed for it.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <details class="fm-panel fm-profile fm-fold" id="fm-profile"
         {{- " open" if this.open else "" }}>
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
