"""The page furniture: CSS, the title panel (summary, legend, timeline, methods)."""

from __future__ import annotations

from flightmap import __version__
from flightmap.geo import Case
from flightmap.render._html import esc, event_popup, source_item
from flightmap.render._style import CATEGORY_COLOR, DEFAULT_COLOR, EVIDENCE_STYLE, ZONE_STYLE

# --------------------------------------------------------------------------- panels

CSS = """
<style>
.fm-panel{position:absolute;z-index:1000;background:rgba(255,255,255,.94);padding:8px 10px;
 border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);font:12px/1.35 system-ui,sans-serif;
 max-width:300px;max-height:calc(100vh - 150px);overflow:auto}
.fm-title{top:10px;left:54px}
.fm-panel h3{margin:0 0 4px;font-size:15px}.fm-panel summary{cursor:pointer;font-weight:600}
.fm-popup h4{margin:0 0 4px}.fm-popup table{border-collapse:collapse}
.fm-popup th{text-align:left;padding-right:8px;font-weight:600;vertical-align:top}
.fm-meta{color:#666}.fm-sources ul{margin:2px 0;padding-left:16px}
.fm-conflict{border-left:3px solid #c0151b;padding-left:6px;margin-top:6px}
.fm-conflict td{vertical-align:top;width:50%;border:1px solid #ddd;padding:3px}
.fm-ev-inferred{color:#8a5a00}.fm-ev-reported{color:#1f4e9c}.fm-ev-observed{color:#176c2b}
.fm-leg-label{background:rgba(255,255,255,.8);border:0;box-shadow:none;font-size:11px}
.fm-swatch{display:inline-block;width:34px;height:0;border-top:3px solid #1f4e9c;
 margin-right:6px;vertical-align:middle}
.fm-dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
.fm-timeline td{padding:1px 4px;vertical-align:top}
</style>
"""


def title_panel(case: Case) -> str:
    flight = " · ".join(
        esc(v) for k, v in case.flight.items() if k in ("iata", "registration", "aircraft")
    )
    # Every event, placed on the map or not, is readable here with its sources.
    timeline_rows = "".join(
        f"<tr><td>{ev.time:%H:%M:%S}</td><td><details class='fm-ev-{esc(ev.evidence)}'>"
        f"<summary>{esc(ev.title)}"
        f"{' <i>(sources disagree)</i>' if ev.conflicts_with else ''}</summary>"
        f"{event_popup(case, ev)}</details></td></tr>"
        for ev in case.events
    )
    sources = "".join(f"<li>{source_item(s)}</li>" for s in case.sources.values())
    inferred = (
        [(w.name, w.basis) for w in case.waypoints.values() if w.evidence == "inferred"]
        + [(z.name, z.basis) for z in case.zones if z.evidence == "inferred"]
        + [(g.label, g.basis) for g in case.legs if g.evidence == "inferred"]
    )
    inferred_html = "".join(f"<li><b>{esc(n)}</b>: {esc(b)}</li>" for n, b in inferred)
    return f"""
<div class="fm-panel fm-title" id="fm-title">
<h3>{esc(case.title)}</h3>
<div>{flight}</div>
<details><summary>Summary</summary><p>{esc(case.summary.strip())}</p></details>
{legend(case)}
<details><summary>Timeline (UTC, {len(case.events)} events)</summary>
<table class="fm-timeline">{timeline_rows}</table></details>
<details id="fm-methods"><summary>Methods and sources</summary>
<p>Times are UTC; popups add local times in the named zones. Evidence classes: <b>observed</b> =
measured by a sensor; <b>reported</b> = stated by a source; <b>inferred</b> = derived here, with
the method given. Nothing on this map comes from a raw ADS-B track of this flight: none is
published for 04:25 to 06:07 UTC.</p>
<p><b>Inferred elements and how they were derived</b></p><ul>{inferred_html}</ul>
<p><b>Sources ({len(case.sources)})</b></p><ul>{sources}</ul>
<p class="fm-meta">flightmap {esc(__version__)} · case {esc(case.id)}</p>
</details></div>"""


def legend(case: Case) -> str:
    lines = "".join(
        f"<div><span class='fm-swatch' style='border-top-style:"
        f"{'solid' if s['dash_array'] is None else 'dashed' if ev == 'reported' else 'dotted'}'>"
        f"</span>{esc(s['label'])}</div>"
        for ev, s in EVIDENCE_STYLE.items()
    )
    used = sorted({ev.category for ev in case.events if ev.waypoint})
    dots = "".join(
        f"<div><span class='fm-dot' style='background:{CATEGORY_COLOR.get(c, DEFAULT_COLOR)}'>"
        f"</span>event: {esc(c)}</div>"
        for c in used
    )
    zones = "".join(
        f"<div><span class='fm-dot' style='background:{s['fillColor']};border:2px solid "
        f"{s['color']}'></span>{esc(k.replace('_', ' '))} zone</div>"
        for k, s in ZONE_STYLE.items()
    )
    return (
        f"<details open id='fm-legend'><summary>Legend</summary>{lines}{dots}{zones}"
        "<div><span class='fm-dot' style='border:1px dashed #555'></span>uncertainty radius"
        "</div></details>"
    )
