"""The ``snapshot`` command: the map of ``flightmap render`` as a print-ready PNG.

Parses the options (the case and track options are ``render``'s), renders the page with
:func:`flightmap.pipeline.render_page` and draws it with :func:`flightmap.snapshot.save_png`.
Without Playwright or Chromium: one line naming what to install, exit 2, no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flightmap.cli.case import (
    DEFAULT_CASE,
    AircraftOpt,
    CaseArg,
    LocalTimeOpt,
    MapOpt,
    NoCaseOpt,
    SpeedOpt,
    Tiles,
    TrackFormatOpt,
    TrackOpt,
    TzOpt,
    default_output,
    map_page,
)


def snapshot(
    case: CaseArg = DEFAULT_CASE,
    track: TrackOpt = None,
    no_case: NoCaseOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output PNG file [default: outputs/<case>.png].", dir_okay=False
        ),
    ] = None,
    size: Annotated[
        str,
        typer.Option("--size", metavar="WxH", help="Window size in CSS pixels, e.g. 1366x768."),
    ] = "1600x1000",
    scale: Annotated[
        int,
        typer.Option(
            "--scale", min=1, max=4, help="Pixels per CSS pixel: the PNG is --size times this."
        ),
    ] = 1,
    assets: Annotated[
        Path | None,
        typer.Option(
            "--assets",
            file_okay=False,
            help=(
                "npm asset cache answering the page's CDN requests (fill it with `python -m "
                "flightmap.offline_assets`) [default: $FLIGHTMAP_ASSET_CACHE, else a source "
                "checkout's .cache/npm-assets, else ~/.cache/flightmap/npm-assets]."
            ),
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Never use the network: CDN files from --assets only, no tiles."
        ),
    ] = False,
    controls: Annotated[
        bool,
        typer.Option(
            "--controls",
            help="Keep the screen controls (zoom, layers, measure, minimap, play/step buttons).",
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1.0, help="Longest wait for the map and its tiles, s."),
    ] = 60.0,
    tiles: Annotated[Tiles, typer.Option("--tiles", help="Base layer shown first.")] = Tiles.osm,
    max_error_m: Annotated[
        float,
        typer.Option("--max-error-m", help="Largest distance (m) of a track point from the line."),
    ] = 25.0,
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
    """Draw the map of CASE and/or track files (as `flightmap render` makes it) in headless
    Chromium and write a PNG of exactly --size times --scale pixels; print its path.

    Needs Playwright for Python (pip install 'flightmap[snapshot]') and the system Chromium
    (apt install chromium, or FLIGHTMAP_CHROMIUM=/path/to/chromium).
    """
    from flightmap import snapshot as snapshot_

    width_height = snapshot_.parse_size(size)
    try:
        snapshot_.check_available()  # before the render: a missing browser fails at once
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
        target = out if out is not None else default_output(c, inputs, "png")
        path = snapshot_.save_png(
            page,
            target,
            size=width_height,
            scale=scale,
            assets=assets,
            offline=offline,
            print_view=not controls,
            timeout_s=timeout,
        )
    except snapshot_.SnapshotError as exc:
        typer.echo(f"flightmap: error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(str(path))
