"""HTML for popups and panels, and the escaping every untrusted text goes through."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import folium

from flightmap.geo import Case, Conflict, Event, Leg, Source, Waypoint, Zone

# --------------------------------------------------------------------------- escaping


_EXTRA = str.maketrans(
    {"\\": "&#92;", "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"}
    # Control characters are not allowed in HTML text: shown as U+FFFD instead.
    | {c: "\ufffd" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
)


def esc(text: object) -> str:
    """Escape text for HTML that folium also places in JavaScript and in Jinja templates.

    Besides ``& < > " '``, these become character references:

    - backslashes, backticks and ``$``: the text can neither close a JavaScript template
      literal, nor open a ``${...}`` interpolation, nor smuggle escapes such as ``\\x3c``;
    - ``{`` and ``}``: folium renders each element's output and then parses it again as a
      Jinja template, so ``{{ ... }}`` in a callsign would otherwise be *executed*;
    - control characters (not allowed in HTML) become U+FFFD.

    >>> esc('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc("`${alert(1)}` {{ 7*7 }}")
    '&#96;&#36;&#123;alert(1)&#125;&#96; &#123;&#123; 7*7 &#125;&#125;'
    """
    return html.escape(str(text), quote=True).translate(_EXTRA)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACES = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
_JSON_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def safe_json(value: Any) -> str:
    r"""JSON for a ``<script>`` in a folium page: a JavaScript literal that no data can break.

    ``< > &`` (and U+2028/2029) are escaped as in Jinja's ``tojson``, so no string can close
    the script element; ``{`` and ``}`` inside strings become ``\u007b``/``\u007d``, so no
    string can open a Jinja expression when folium re-parses the rendered output.

    >>> print(safe_json({"a": "{{x}}</script>"}))
    {"a": "\u007b\u007bx\u007d\u007d\u003c/script\u003e"}
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, allow_nan=False)
    text = _JSON_STRING.sub(lambda m: m.group(0).translate(_JSON_BRACES), text)
    return text.translate(_JSON_HTML)


_HTTP_URL = re.compile(r"https?://[^\s\"'<>`\\\x00-\x1f\x7f]+", re.IGNORECASE)


def safe_url(url: str) -> str | None:
    """The URL escaped for an ``href`` if it is a plain http(s) URL, else None: no
    ``javascript:``, ``data:`` or protocol-relative links, no quotes, spaces, backslashes or
    control characters that could end the attribute or confuse a browser's URL parser.

    >>> safe_url("https://example.org/a?b=1&c=2")
    'https://example.org/a?b=1&amp;c=2'
    >>> [safe_url(u) for u in ("javascript:alert(1)", "//evil.example", 'https://x" onclick=y')]
    [None, None, None]
    """
    if _HTTP_URL.fullmatch(url):
        return esc(url)
    return None


# --------------------------------------------------------------------------- popups


def fmt_time(when: datetime, zones: Sequence[tuple[str, str]], uncertainty_s: float = 0) -> str:
    """Rows of a table: the UTC time, then the local time in each named zone."""
    if uncertainty_s >= 120:
        plus = f" (± {uncertainty_s / 60:g} min)"
    elif uncertainty_s > 1:
        plus = f" (± {uncertainty_s:g} s)"
    else:
        plus = ""
    rows = [f"<tr><th>UTC</th><td>{when:%Y-%m-%d %H:%M:%S} UTC{esc(plus)}</td></tr>"]
    for zone, label in zones:
        local = when.astimezone(ZoneInfo(zone))
        offset = local.isoformat()[-6:]  # "+04:00"
        rows.append(
            f"<tr><th>{esc(label)}</th><td>{local:%H:%M:%S} ({esc(zone)}, UTC{offset})</td></tr>"
        )
    return "".join(rows)


def source_item(src: Source) -> str:
    """A source as HTML: its title linked to its (http/https only) URL, then publisher and date."""
    meta = ", ".join(x for x in (src.publisher, src.date, src.kind.replace("_", " ")) if x)
    url = safe_url(src.url)
    title = esc(src.title)
    link = (
        f'<a href="{url}" target="_blank" rel="noopener noreferrer">{title}</a>'
        if url
        else f"{title} <i>(no URL recorded)</i>"
    )
    return f"{link} <span class='fm-meta'>({esc(meta)})</span>"


def sources_html(ids: Iterable[str], sources: Mapping[str, Source]) -> str:
    items = "".join(f"<li>{source_item(sources[sid])}</li>" for sid in ids)
    return f"<div class='fm-sources'><b>Sources</b><ul>{items}</ul></div>"


def evidence_html(evidence: str, confidence: str) -> str:
    return (
        f"<p class='fm-evidence'><b>Evidence:</b> <span class='fm-ev-{esc(evidence)}'>"
        f"{esc(evidence)}</span> &middot; <b>Confidence:</b> {esc(confidence)}</p>"
    )


def _item_summary(case: Case, item_id: str) -> str:
    """One cell of a conflict table: what an item says, when, and who says it."""
    item = case.item(item_id)
    if isinstance(item, Event):
        what = f"<b>{item.time:%H:%M:%S} UTC</b> {esc(item.title)}"
    elif isinstance(item, Waypoint):
        what = f"<b>{esc(item.name)}</b> {item.lat:.5f}, {item.lon:.5f}"
    else:
        what = esc(item.statement)
    who = "; ".join(esc(case.sources[s].publisher) for s in item.sources)
    return f"{what}<br><span class='fm-meta'>{who} &middot; {esc(item.confidence)}</span>"


def conflict_html(case: Case, k: Conflict, *, anchor: bool = False) -> str:
    """One conflict: its topic, both sides next to each other, the summary and its handling.

    ``anchor``: the block gets the id ``fm-conflict-<id>`` and its topic as heading (the claims
    panel); otherwise the heading reads "Sources disagree: <topic>" (an item's popup).
    """
    cells = [
        "".join(f"<div class='fm-claim'>{_item_summary(case, i)}</div>" for i in side)
        for side in (k.side_a, k.side_b)
    ]
    head = (
        f"<div class='fm-conflict' id='fm-conflict-{esc(k.id)}'><b>{esc(k.topic)}</b>"
        if anchor
        else f"<div class='fm-conflict'><b>Sources disagree: {esc(k.topic)}</b>"
    )
    return (
        f"{head}<table><tr><td>{cells[0]}</td><td>{cells[1]}</td></tr></table>"
        f"<p>{esc(k.summary)}</p><p><i>{esc(k.handling)}</i></p></div>"
    )


def _conflicts_html(case: Case, item_id: str) -> str:
    return "".join(conflict_html(case, k) for k in _conflicts_of(case, item_id))


def _conflicts_of(case: Case, item_id: str) -> list[Conflict]:
    return [k for k in case.conflicts if item_id in k.side_a or item_id in k.side_b]


def _conflict_refs(case: Case, item_id: str) -> str:
    """One line per conflict of an item, naming it; the full table is in the claims panel."""
    return "".join(
        f"<p class='fm-conflict-ref'>Sources disagree: <b>{esc(k.topic)}</b> (both sides under "
        '"Claims and conflicts")</p>'
        for k in _conflicts_of(case, item_id)
    )


def _place_html(case: Case, ev: Event) -> str:
    """Where the event is drawn, with that place's own evidence class (not the time's), its
    basis and uncertainty; empty for an event without a place."""
    place = case.placement(ev)
    if place is None:
        return ""
    within = (
        f" &middot; within {place.uncertainty_m / 1000.0:,.1f} km"
        if place.uncertainty_m is not None
        else ""
    )
    basis = f": {esc(place.basis)}" if place.basis else ""
    return (
        f"<p><b>Place ({esc(place.evidence)}{within}):</b> "
        f"{esc(case.waypoints[place.waypoint].name)}{basis}</p>"
    )


def event_popup(case: Case, ev: Event, *, conflicts: str = "table") -> str:
    """An event as HTML: UTC and local times, what happened, evidence, bases, sources, and
    its conflicts (``"table"``: both sides side by side; ``"ref"``: a line naming each)."""
    parts = [
        f"<h4>{esc(ev.title)}</h4>",
        f"<table class='fm-times'>{fmt_time(ev.time, case.timezones, ev.uncertainty_s)}</table>",
        f"<p>{esc(ev.description)}</p>" if ev.description else "",
        evidence_html(ev.evidence, ev.confidence),
        f"<p><b>Time basis:</b> {esc(ev.basis)}</p>" if ev.basis else "",
        _place_html(case, ev),
        sources_html(ev.sources, case.sources),
        _conflicts_html(case, ev.id) if conflicts == "table" else _conflict_refs(case, ev.id),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def waypoint_popup(case: Case, w: Waypoint) -> str:
    rows = [
        f"<tr><th>Position</th><td>{w.lat:.6f}, {w.lon:.6f} (lat, lon)</td></tr>",
        f"<tr><th>Elevation</th><td>{w.elev_ft:g} ft</td></tr>" if w.elev_ft is not None else "",
        f"<tr><th>ICAO / IATA</th><td>{esc(w.icao)} / {esc(w.iata)}</td></tr>" if w.icao else "",
        f"<tr><th>Uncertainty</th><td>{w.uncertainty_km:g} km</td></tr>"
        if w.uncertainty_km
        else "",
    ]
    parts = [
        f"<h4>{esc(w.name)}</h4><table>{''.join(rows)}</table>",
        f"<p>{esc(w.note)}</p>" if w.note else "",
        evidence_html(w.evidence, w.confidence),
        f"<p><b>How derived:</b> {esc(w.basis)}</p>" if w.basis else "",
        sources_html(w.sources, case.sources),
        _conflicts_html(case, w.id),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def leg_popup(case: Case, leg: Leg, km: float, brg: float) -> str:
    parts = [
        f"<h4>{esc(leg.label)}</h4>",
        f"<p>{km:.1f} km geodesic (WGS84), initial bearing {brg:.0f}° true</p>",
        evidence_html(leg.evidence, leg.confidence),
        f"<p><b>Basis:</b> {esc(leg.basis)}</p>" if leg.basis else "",
        sources_html(leg.sources, case.sources),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def zone_popup(case: Case, z: Zone) -> str:
    if z.valid_to:
        until = f"<table class='fm-times'>{fmt_time(z.valid_to, case.timezones)}</table>"
    else:
        # Never "still in effect": known only up to the last time a source attests it.
        known = z.last_attested or z.valid_from
        until = (
            "<p>no end time given by any source; known in effect until</p>"
            f"<table class='fm-times'>{fmt_time(known, case.timezones)}</table>"
            "<p>after that its status is unknown</p>"
        )
    parts = [
        f"<h4>{esc(z.name)}</h4>",
        f"<p><b>Valid from</b></p><table class='fm-times'>{fmt_time(z.valid_from, case.timezones)}"
        "</table>",
        f"<p><b>Valid until</b></p>{until}",
        evidence_html(z.evidence, z.confidence),
        f"<p><b>Outline basis:</b> {esc(z.basis)}</p>",
        sources_html(z.sources, case.sources),
    ]
    return f"<div class='fm-popup'>{''.join(parts)}</div>"


def popup(html_text: str) -> folium.Popup:
    # Passed as a pre-escaped html.Element so folium inserts it verbatim (and only once).
    return folium.Popup(folium.Html(html_text, script=True), max_width=460)
