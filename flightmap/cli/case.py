"""Commands about cases: ``cases``, ``timeline`` and ``render``.

Each command parses its options, calls one to three library functions and reports; heavy
modules (pandas, folium) are imported inside the commands so ``flightmap --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

DEFAULT_CASE = "j2-8243"

CaseArg = Annotated[
    str, typer.Argument(help="Case name (see `flightmap cases`) or path to a case folder.")
]


class TimelineFormat(StrEnum):
    """Output formats of ``flightmap timeline``."""

    table = "table"
    csv = "csv"
    json = "json"


class Tiles(StrEnum):
    """Base layers the map can show first."""

    osm = "OpenStreetMap"
    satellite = "Esri.WorldImagery"


def cases() -> None:
    """List the available cases."""
    from flightmap.geo import list_cases, load_case

    for name in list_cases():
        c = load_case(name)
        typer.echo(f"{name}\t{c.title}\t{len(c.events)} events\t{c.path}")


def timeline(
    case: CaseArg = DEFAULT_CASE,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = TimelineFormat.table,
) -> None:
    """Print the events of CASE in UTC and in the case's local time zones."""
    from flightmap.geo import load_case

    c = load_case(case)
    if fmt is TimelineFormat.json:
        typer.echo(json.dumps(timeline_json(c), indent=2, ensure_ascii=False))
    elif fmt is TimelineFormat.csv:
        df = c.timeline()
        for col in df.columns:
            if col.startswith("time_"):
                df[col] = df[col].map(lambda t: t.isoformat())
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        typer.echo(timeline_table(c))


def timeline_json(c: Any) -> dict[str, Any]:
    """The timeline of case ``c`` as a JSON-ready dict; times ISO 8601 with offset."""
    events = []
    for ev in c.events:
        events.append(
            {
                "id": ev.id,
                "time": ev.time.isoformat(),
                "local": {z: ev.time.astimezone(_zone(z)).isoformat() for z, _ in c.timezones},
                "uncertainty_s": ev.uncertainty_s,
                "title": ev.title,
                "description": ev.description,
                "category": ev.category,
                "evidence": ev.evidence,
                "confidence": ev.confidence,
                "sources": [
                    {
                        "id": s,
                        "title": c.sources[s].title,
                        "publisher": c.sources[s].publisher,
                        "url": c.sources[s].url or None,
                    }
                    for s in ev.sources
                ],
                "conflicts_with": list(ev.conflicts_with),
                "relative_to": ev.relative_to or None,
                "offset_s": ev.offset_s,
                "waypoint": ev.waypoint or None,
                "basis": ev.basis or None,
            }
        )
    return {
        "case": c.id,
        "title": c.title,
        "timezones": [{"zone": z, "label": label} for z, label in c.timezones],
        "events": events,
    }


def timeline_table(c: Any) -> str:
    """The timeline of case ``c`` as an aligned text table."""
    zones = [z for z, _ in c.timezones]
    header = ["UTC", *[z.split("/")[-1] for z in zones], "evidence", "conf.", "event", "sources"]
    rows = [header]
    for ev in c.events:
        local = [ev.time.astimezone(_zone(z)).strftime("%H:%M:%S") for z in zones]
        title = ev.title + (
            f"  [conflicts: {', '.join(ev.conflicts_with)}]" if ev.conflicts_with else ""
        )
        rows.append(
            [
                ev.time.strftime("%H:%M:%S"),
                *local,
                ev.evidence,
                ev.confidence,
                title,
                ";".join(ev.sources),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 2)]
    lines = [
        "  ".join([*(v.ljust(w) for v, w in zip(r, widths, strict=False)), *r[len(widths) :]])
        for r in rows
    ]
    day = c.events[0].time.strftime("%Y-%m-%d") if c.events else ""
    note = f"{c.title}: times on {day}; local columns: {', '.join(zones)}"
    return "\n".join([note, *lines])


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def render(
    case: CaseArg = DEFAULT_CASE,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output HTML file [default: outputs/<case>.html]."),
    ] = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Open the map in the default web browser.")
    ] = False,
    tiles: Annotated[Tiles, typer.Option("--tiles", help="Base layer shown first.")] = Tiles.osm,
) -> None:
    """Render CASE to an interactive HTML map and print its path."""
    from flightmap import render as render_
    from flightmap.geo import load_case

    c = load_case(case)
    target = out if out is not None else Path("outputs") / f"{c.id}.html"
    page = render_.render_html(render_.build_map(c, tiles=tiles.value))
    path = render_.write_html(target, page)
    typer.echo(str(path))
    if open_:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            typer.echo("flightmap: could not start a web browser; open the file above", err=True)
