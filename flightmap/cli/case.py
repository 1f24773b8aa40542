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

from flightmap.cli._messages import echo_text, warn_problems

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
    """List the available cases: name, title, events, folder and where it was found.

    Cases are looked up in ./cases of the working folder, then in each folder of
    $FLIGHTMAP_CASES (a path list), then among the cases shipped with flightmap.
    """
    from flightmap.geo import find_cases, load_case

    for found in find_cases():
        c = load_case(found.path)
        echo_text(f"{found.name}\t{c.title}\t{len(c.events)} events\t{c.path}\t({found.origin})")


def timeline(
    case: CaseArg = DEFAULT_CASE,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = TimelineFormat.table,
) -> None:
    """Print the events of CASE in UTC and in the case's local time zones."""
    from flightmap.geo import load_case
    from flightmap.geo.timeline import timeline_json, timeline_table

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
        echo_text(timeline_table(c))


TrackOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--track",
        "-t",
        help="Track file to draw (repeatable): FR24 CSV/KML, readsb trace, OpenSky, generic CSV.",
        dir_okay=False,
    ),
]
NoCaseOpt = Annotated[bool, typer.Option("--no-case", help="Draw only the tracks, on a plain map.")]
TrackFormatOpt = Annotated[
    str | None, typer.Option("--track-format", help="Format of the track files, if not detected.")
]
MapOpt = Annotated[
    str | None,
    typer.Option("--map", help="Column mapping for generic CSV tracks, e.g. 'time=ts,lat=Lat'."),
]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Time zone of track times written without one.")
]
AircraftOpt = Annotated[
    str,
    typer.Option(
        "--aircraft",
        help=(
            "Aircraft category of the tracks: 'any' (maximum speed 1,166 kt, the 600 m/s rule of "
            "the eugenepik OpenSky analysis) or 'e190' (585.6 kt: Vmo/Mmo 320 kt/M0.82 plus "
            "100 kt of wind; a jet airliner, so 'too slow at altitude' applies to reports "
            "without an emitter category)."
        ),
    ),
]
SpeedOpt = Annotated[
    float | None,
    typer.Option(
        "--max-speed-kt",
        min=1.0,
        help=(
            "Fastest ground speed the aircraft can fly, kt: the track's where-could-it-have-been "
            "gap regions, the case events placed inside gaps and the jump and too-fast rules use "
            "it (those rules allow 150 kt more at or above 20,000 ft for jet streams). Default: "
            "the --aircraft category's."
        ),
    ),
]
LocalTimeOpt = Annotated[
    str | None,
    typer.Option(
        "--local-time",
        help="IANA time zone (e.g. Asia/Baku) whose local time the slider shows beside UTC.",
    ),
]


def _case_or_none(case: str, no_case: bool, tracks: list[Path] | None) -> Any:
    from flightmap.errors import InputError
    from flightmap.geo import load_case

    if no_case and not tracks:
        raise InputError(
            "--no-case needs at least one --track FILE (or --jamming-grid)", field="--no-case"
        )
    return None if no_case else load_case(case)


OUTPUTS = Path("outputs")
"""Folder of the default output files."""


def default_output(case: Any, inputs: list[Path], suffix: str) -> Path:
    """``outputs/<case id>.<suffix>``, or ``outputs/<first input's name>.<suffix>`` without a
    case: always a plain file name inside :data:`OUTPUTS`, whatever the input was called.

    >>> default_output(None, [Path("../../in/AHY 8243;rm.csv")], "html").as_posix()
    'outputs/AHY_8243_rm.html'
    """
    import re

    stem = case.id if case is not None else (Path(inputs[0]).stem if inputs else "tracks")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "tracks"
    return OUTPUTS / f"{name}.{suffix}"


def map_page(
    case: str,
    no_case: bool,
    track: list[Path] | None,
    jamming_grid: Path | None,
    *,
    tiles: Tiles,
    max_error_m: float,
    track_format: str | None,
    mapping: str | None,
    tz: str | None,
    aircraft: str,
    max_speed_kt: float | None,
    local_time: str | None = None,
) -> tuple[Any, Any, list[Path]]:
    """The map page ``render`` and ``snapshot`` draw from their options: ``(case or None,
    pipeline.MapPage, the input files that name the default output)``."""
    from flightmap.pipeline import render_page

    if track:
        _import_renderer_meanwhile()
    inputs = track or ([jamming_grid] if jamming_grid else [])
    c = _case_or_none(case, no_case, inputs or None)
    page = render_page(
        c,
        track or [],
        tiles=tiles.value,
        max_error_m=max_error_m,
        format=track_format,
        mapping=_mapping(mapping),
        tz=tz,
        progress=True,
        grid_path=jamming_grid,
        on_read=warn_problems,
        aircraft=aircraft,
        max_speed_kt=max_speed_kt,
        local_tz=local_time,
        plugins_alone=True,  # this process only renders: skip folium's other plugins
    )
    return c, page, inputs


def _import_renderer_meanwhile() -> None:
    """Import the renderer (folium, its templates, flightmap.render) in a thread while this
    one reads the tracks: a reader spends much of its time in Arrow, without the GIL, so the
    import costs little of the wall time the user waits (about 0.3 s of a 1M-point render).

    pandas and pyarrow, which both threads need, are imported here first. No module of
    flightmap imports another package of flightmap that imports it back at import time, and
    Python imports a package before its modules, so the two threads can only wait for each
    other's imports, never deadlock. A failed import here is ignored: the main thread's own
    import of the renderer then raises it, as without this thread.
    """
    import threading

    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    def work() -> None:
        try:
            import flightmap.render  # noqa: F401
        except BaseException:  # reported by the main thread's import
            pass

    threading.Thread(target=work, name="flightmap-import-renderer", daemon=True).start()


def _mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None  # without importing the readers: a case-only render never needs them
    from flightmap.readers.generic import parse_mapping

    return parse_mapping(text)


def render(
    case: CaseArg = DEFAULT_CASE,
    track: TrackOpt = None,
    no_case: NoCaseOpt = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output HTML file [default: outputs/<case>.html]."),
    ] = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Open the map in the default web browser.")
    ] = False,
    tiles: Annotated[Tiles, typer.Option("--tiles", help="Base layer shown first.")] = Tiles.osm,
    max_error_m: Annotated[
        float,
        typer.Option("--max-error-m", help="Largest distance (m) of a track point from the line."),
    ] = 25.0,
    manifest: Annotated[
        bool, typer.Option("--manifest", help="Also print the embedded manifest (JSON).")
    ] = False,
    track_format: TrackFormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
    jamming_grid: Annotated[
        Path | None,
        typer.Option(
            "--jamming-grid",
            help="GeoJSON written by `flightmap jamming`, drawn as a layer and on the slider.",
            dir_okay=False,
        ),
    ] = None,
    aircraft: AircraftOpt = "any",
    max_speed_kt: SpeedOpt = None,
    local_time: LocalTimeOpt = None,
) -> None:
    """Render CASE and/or track files to an interactive HTML map and print its path.

    Tracks are analysed for gaps and GNSS integrity at the speed of --aircraft or
    --max-speed-kt; with a case, its events are placed on the tracks (layer "Events on the
    track"). The case's own regions always use the E190's 585.6 kt (the case's aircraft).
    """
    from flightmap.atomic import write_text

    c, page, inputs = map_page(
        case,
        no_case,
        track,
        jamming_grid,
        tiles=tiles,
        max_error_m=max_error_m,
        track_format=track_format,
        mapping=mapping,
        tz=tz,
        aircraft=aircraft,
        max_speed_kt=max_speed_kt,
        local_time=local_time,
    )
    target = out if out is not None else default_output(c, inputs, "html")
    path = write_text(target, page.html)
    if manifest:
        typer.echo(json.dumps(page.manifest, indent=2, sort_keys=True))  # ASCII: terminal-safe
    typer.echo(str(path))
    if open_:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            typer.echo("flightmap: could not start a web browser; open the file above", err=True)


class ExportFormat(StrEnum):
    """Formats of ``flightmap export``."""

    geojson = "geojson"
    kml = "kml"
    csv = "csv"


def export(
    case: CaseArg = DEFAULT_CASE,
    track: TrackOpt = None,
    no_case: NoCaseOpt = False,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="geojson, kml or csv.")
    ] = ExportFormat.geojson,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output file [default: outputs/<case or first track>.<format>].",
            dir_okay=False,
        ),
    ] = None,
    track_format: TrackFormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
) -> None:
    """Export CASE and/or tracks as GeoJSON, KML or CSV, keeping the whole truth model.

    Every item keeps its evidence, confidence, sources and basis; claims and conflicts (both
    sides) are included; a placed event says what its place rests on (position_evidence,
    position_basis, position_uncertainty_m). KML: a style per evidence class and category,
    absolute altitudes where known, gx:Track for observed track positions only.
    """
    from flightmap import export as export_
    from flightmap.atomic import write_bytes, write_text
    from flightmap.pipeline import read_tracks

    c = _case_or_none(case, no_case, track)
    # A case's own tracks (copied in by `flightmap new-case --from-track`) are exported too.
    tracks = [*(track or []), *(t.path for t in (c.tracks if c is not None else ()))]
    frame = read_tracks(
        tracks,
        format=track_format,
        mapping=_mapping(mapping),
        tz=tz,
        progress=True,
        on_read=warn_problems,
    )
    data = frame if len(frame) else None
    target = out if out is not None else default_output(c, track or [], fmt.value)
    if fmt is ExportFormat.kml:
        path = write_bytes(target, export_.to_kml(c, data))
    elif fmt is ExportFormat.csv:
        path = write_text(target, export_.to_csv(c, data))
    else:
        path = write_text(target, export_.to_geojson(c, data))
    typer.echo(str(path))
