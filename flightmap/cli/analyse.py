"""``flightmap analyse`` and ``flightmap jamming``: thin commands over :mod:`flightmap.analysis`.

The functions do not register themselves; :mod:`flightmap.cli` composes them
(``app.command()(analyse.analyse)``). They let :class:`~flightmap.errors.InputError` propagate:
the application prints its one line and exits with code 2. Files are written atomically
(:mod:`flightmap.atomic`): complete or not at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from flightmap.cli._messages import echo_text, warn_problems
from flightmap.errors import printable

# Heavy imports (pandas, pyproj, shapely) happen inside the commands so that --help stays fast.

FILE_HELP = (
    "Track file: Flightradar24 CSV or KML, readsb/ADS-B Exchange trace JSON, OpenSky CSV or "
    "REST JSON, or any CSV with time, lat and lon columns (gzip accepted)."
)
FORMAT_HELP = (
    "Input format, instead of detecting it: fr24_csv, fr24_kml, readsb_trace, opensky_csv, "
    "opensky_rest, generic_csv."
)
SPEED_HELP = (
    "Fastest ground speed the aircraft can fly, kt: faster position jumps are impossible, and "
    "gap regions use it. Default: the --aircraft category."
)
AIRCRAFT_HELP = (
    "Aircraft category for the maximum speed: 'any' (1,166 kt, the 600 m/s rule of the "
    "eugenepik OpenSky analysis) or 'e190' (585.6 kt: Vmo/Mmo 320 kt/M0.82 plus 100 kt wind)."
)

FileArg = Annotated[Path, typer.Argument(help=FILE_HELP, show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)]
MapOpt = Annotated[
    str | None,
    typer.Option("--map", help="Column mapping for a generic CSV, e.g. 'time=ts,lat=Lat'."),
]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Time zone of times written without one (UTC, +04:00).")
]
SpeedOpt = Annotated[float | None, typer.Option("--max-speed-kt", min=1.0, help=SPEED_HELP)]
AircraftOpt = Annotated[str, typer.Option("--aircraft", help=AIRCRAFT_HELP)]


def _params(max_speed_kt: float | None, aircraft: str) -> Any:
    from flightmap.analysis import MAX_SPEED_KT, IntegrityParams
    from flightmap.errors import InputError

    if aircraft not in MAX_SPEED_KT:
        raise InputError(
            f"unknown aircraft category {aircraft!r}; expected one of {', '.join(MAX_SPEED_KT)}",
            field="--aircraft",
        )
    return IntegrityParams.for_aircraft(aircraft, max_speed_kt or None)


def _read(file: Path, fmt: str | None, mapping: str | None, tz: str | None) -> Any:
    from flightmap.readers import read_track
    from flightmap.readers.generic import parse_mapping

    result = read_track(
        file, fmt, mapping=parse_mapping(mapping) if mapping else None, tz=tz, progress=True
    )
    warn_problems(result)
    return result


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    from flightmap.atomic import write_text

    write_text(path, json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n")


def analyse(
    file: FileArg,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the analysis as JSON (flights, gaps, intervals).")
    ] = False,
    max_speed_kt: SpeedOpt = None,
    aircraft: AircraftOpt = "any",
    regions: Annotated[
        Path | None,
        typer.Option(
            "--regions",
            help="Also write the where-could-it-have-been region of every gap (GeoJSON).",
            dir_okay=False,
        ),
    ] = None,
    all_intervals: Annotated[
        bool, typer.Option("--all", help="List the nominal intervals too (text output).")
    ] = False,
    fmt: FormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
) -> None:
    """Per flight: the gaps in positions and the GNSS integrity intervals, with the rules that
    fired (nominal, degraded, position_lost, spoofed)."""
    from flightmap import analysis as an

    params = _params(max_speed_kt, aircraft)
    result = _read(file, fmt, mapping, tz)
    found = an.analyse(result.track, params)
    if regions is not None:
        _write_json(regions, an.gap_regions_geojson(an.gap_regions(found)))
        typer.echo(f"wrote {regions} ({len(found.gaps)} gaps)", err=True)
    if as_json:
        doc = {"file": str(file), "format": result.format, **an.analysis_report(found)}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        echo_text(an.analysis_text(found, nominal=all_intervals), nl=False)


INPUTS_HELP = (
    "Files, folders (searched recursively) or globs of multi-aircraft data: any track file "
    "format (OpenSky state-vector CSV, plain or gzip; readsb/ADS-B Exchange traces; ...) or "
    "Parquet in flightmap's schema (from `flightmap convert`)."
)


def jamming(
    inputs: Annotated[list[str], typer.Argument(help=INPUTS_HELP, show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Grid cells per time window: .geojson (for render --jamming-grid) or .parquet.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="duckdb (out of core; default for several files or with --memory-limit), dask "
            "(a cluster) or pandas (in memory; default for one file).",
        ),
    ] = None,
    window_min: Annotated[
        float, typer.Option("--window-min", min=1.0, help="Length of the time windows, minutes.")
    ] = 60.0,
    grid: Annotated[
        str | None,
        typer.Option("--grid", help="h3 (default when installed, as gpsjam.org) or latlon."),
    ] = None,
    resolution: Annotated[
        int, typer.Option("--resolution", min=0, max=15, help="H3 resolution (4: ~1,770 km2).")
    ] = 4,
    cell_deg: Annotated[
        float, typer.Option("--cell-deg", min=0.01, max=10.0, help="latlon cell height, degrees.")
    ] = 0.4,
    min_aircraft: Annotated[
        int, typer.Option("--min-aircraft", min=1, help="Fewer aircraft: level 'few'.")
    ] = 3,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit", metavar="SIZE", help="DuckDB's (and each Dask worker's) budget: 2G."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Dask scheduler, e.g. tcp://host:8786 (default: a local cluster).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes of the DuckDB engine (default: one per core when the files are "
            "time slices, 1 for the out-of-core sort) or of the local Dask cluster (default: "
            "the number of cores).",
        ),
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            file_okay=False,
            help="Folder for staged files and spill (default: the system's temporary folder); "
            "with --scheduler, one every worker sees at the same path.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on the first unreadable file (default: skip).")
    ] = False,
    max_speed_kt: SpeedOpt = None,
    aircraft: AircraftOpt = "any",
    fmt: FormatOpt = None,
    mapping: MapOpt = None,
    tz: TzOpt = None,
) -> None:
    """Share of aircraft with degraded, lost or spoofed GNSS per grid cell and time window, from
    files with many aircraft, to tell a local jammer from a faulty aircraft."""
    import pandas as pd

    from flightmap import jamming as jm
    from flightmap.analysis import h3_available
    from flightmap.readers.generic import parse_mapping

    options = jm.GridOptions(
        window=pd.Timedelta(minutes=window_min),
        grid=grid or ("h3" if h3_available() else "latlon"),
        resolution=resolution,
        cell_deg=cell_deg,
        min_aircraft=min_aircraft,
        params=_params(max_speed_kt, aircraft),
    )
    run = jm.area_grid(
        inputs,
        options,
        output=output,
        engine=engine,
        memory_limit=memory_limit,
        scheduler=scheduler,
        workers=workers,
        strict=strict,
        fmt=fmt,
        mapping=parse_mapping(mapping) if mapping else None,
        tz=tz,
        work_dir=work_dir,
        progress=lambda line: typer.echo(printable(line), err=True),
    )
    for exc in run.log.skipped:
        typer.echo(f"flightmap: warning: skipped {exc.one_line()}", err=True)
    jm.write_grid(run.grid, output)
    cells = run.grid
    levels = cells["level"].value_counts()
    summary = ", ".join(f"{levels.get(k, 0)} {k}" for k in ("high", "medium", "low", "few"))
    log = run.log
    typer.echo(
        f"wrote {output} ({len(cells)} cell-windows: {summary}; {log.files} files, "
        f"{log.rows:,} reports, {int(cells['interpolated'].sum()):,} placed by interpolation, "
        f"{len(log.skipped)} files skipped; engine {run.engine})"
    )
