"""``flightmap inspect`` and ``flightmap convert``: thin commands over :mod:`flightmap.readers`.

The functions do not register themselves; :mod:`flightmap.cli` composes them
(``app.command()(track.inspect)``). They let :class:`~flightmap.errors.InputError` propagate:
the application's ``main()`` prints its one line and exits with code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flightmap.cli._messages import echo_text, warn_problems

if TYPE_CHECKING:
    from flightmap.readers import TrackRead

# Heavy imports (pandas, pyarrow) happen inside the commands so that --help stays fast.

FILE_HELP = (
    "Track file: Flightradar24 CSV or KML, readsb/ADS-B Exchange trace JSON, OpenSky CSV or "
    "REST JSON, Parquet written by `flightmap convert`, or any CSV with time, lat and lon "
    "columns (gzip accepted)."
)
FORMAT_HELP = (
    "Input format, instead of detecting it: fr24_csv, fr24_kml, readsb_trace, opensky_csv, "
    "opensky_rest, parquet, generic_csv."
)
MAP_HELP = "Column mapping for a generic CSV, e.g. 'time=ts,lat=Latitude,lon=Longitude'."
TZ_HELP = "Time zone of times written without one (UTC, Asia/Baku, +04:00)."
MAX_FLAGS_SHOWN = 20

# What "record n" is, per format read record by record (the others give line numbers).
RECORD_MEANING = {
    "fr24_kml": "the n-th fix: Point Placemark or gx:Track point, in document order",
    "readsb_trace": "the n-th entry of 'trace'",
    "opensky_rest": "the n-th state array, counted across responses",
    "parquet": "record n of the file it was converted from, as convert wrote it",
}

FileArg = Annotated[Path, typer.Argument(help=FILE_HELP, metavar="FILE", show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)]
MapOpt = Annotated[str | None, typer.Option("--map", help=MAP_HELP)]
TzOpt = Annotated[str | None, typer.Option("--tz", help=TZ_HELP)]


def _read(file: Path, fmt: str | None, mapping: str | None, tz: str | None) -> TrackRead:
    from flightmap.readers import read_track
    from flightmap.readers.generic import parse_mapping

    return read_track(
        file, fmt, mapping=parse_mapping(mapping) if mapping else None, tz=tz, progress=True
    )


def inspect(
    file: FileArg,
    fmt: FormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Show what a track file holds: format, flights, reports with and without position, flags."""
    from flightmap.tracks import report

    result = _read(file, fmt, mapping, tz)
    flags = result.flags
    rep = report(
        result.track,
        flags if as_json else flags.head(MAX_FLAGS_SHOWN),  # text shows a few: list only those
        fmt=result.format,
        path=result.path,
        record_kind=result.record_kind,
        mapping=result.mapping,
    )
    if not as_json:
        counts = flags["code"].value_counts()
        rep["flags"]["total"] = len(flags)
        rep["flags"]["by_code"] = {str(k): int(v) for k, v in counts.items()}
    if as_json:
        typer.echo(json.dumps(rep, indent=2))
    else:
        echo_text(_text(rep))


def convert(
    file: FileArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Output file: .csv, .parquet or .geojson.",
            metavar="OUT",
            dir_okay=False,
            show_default=False,
        ),
    ],
    fmt: FormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
) -> None:
    """Convert a track file to the canonical track (CSV, Parquet or GeoJSON)."""
    from flightmap.readers.output import output_type, write_track

    output_type(output)  # refuse a bad suffix before reading anything
    result = _read(file, fmt, mapping, tz)
    warn_problems(result)
    write_track(result.track, output)
    flights = result.track["flight_id"].nunique()
    typer.echo(
        f"wrote {output} ({len(result.track)} reports, {flights} flights, "
        f"{len(result.flags)} flags)"
    )


def _numbering(fmt: str, kind: str) -> str:
    """What the places in the report mean: ``line n = line n of the file`` or, for formats
    read record by record, ``record n = the n-th entry of 'trace'``."""
    if kind == "line":
        return "line n = line n of the file, header included"
    return "record n = " + RECORD_MEANING.get(fmt, "the n-th record of the file")


def _text(rep: dict[str, Any]) -> str:
    """The ``inspect`` report as aligned plain text."""
    kind = rep["record_kind"]
    lines = [
        f"file: {rep['file']}",
        f"format: {rep['format']} ({_numbering(rep['format'], kind)})",
        f"reports: {rep['reports']} ({rep['with_position']} with position, "
        f"{rep['without_position']} without); flights: {len(rep['flights'])}",
        "",
    ]
    head = (
        "flight",
        "callsign",
        "icao24",
        "category",
        "first (UTC)",
        "last (UTC)",
        "reports",
        "with pos",
        "without pos",
        "flagged",
    )
    rows = [head] + [
        (
            f["flight_id"],
            f["callsign"] or "-",
            f["icao24"] or "-",
            f["category"] or "-",
            f["first"],
            f["last"],
            str(f["reports"]),
            str(f["with_position"]),
            str(f["without_position"]),
            str(f["flagged"]),
        )
        for f in rep["flights"]
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    flags = rep["flags"]
    lines.append("")
    if not flags["total"]:
        lines.append("flags: none")
        return "\n".join(lines)
    counts = ", ".join(f"{code} {n}" for code, n in flags["by_code"].items())
    lines.append(f"flags: {flags['total']} ({counts})")
    for item in flags["items"][:MAX_FLAGS_SHOWN]:
        field = f" field {item['field']}:" if item["field"] else ""
        value = f" {item['value']!r}" if item["value"] is not None else ""
        lines.append(
            f"  {kind} {item['record']}:{field} {item['problem']}{value} ({item['action']})"
        )
    if flags["total"] > MAX_FLAGS_SHOWN:
        lines.append(f"  ... and {flags['total'] - MAX_FLAGS_SHOWN} more (--json lists all)")
    return "\n".join(lines)
