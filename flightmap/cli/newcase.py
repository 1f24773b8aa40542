"""The ``flightmap new-case`` command: a new, commented case folder that loads.

Parses the options, calls :func:`flightmap.scaffold.new_case` and prints the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["new_case"]


def new_case(
    case_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Case id and folder name: lowercase letters, digits, '.', '-', '_'.",
        ),
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="Title of the case (shown on the map).")
    ] = None,
    from_track: Annotated[
        list[Path] | None,
        typer.Option(
            "--from-track",
            help=(
                "Track file (repeatable; any format `flightmap inspect` reads): copied into the "
                "case, its first/last fixes and gaps become waypoints and events."
            ),
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    dir_: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Folder to create the case in [default: ./cases, searched by every command].",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Write a new case into ./cases/ID (or --dir PATH/ID), never over an existing folder.

    Without --from-track, one example of each item (source, waypoint, event, claim, conflict,
    zone) to replace; with it, the track's first and last fixes (observed), its take-off- or
    landing-like first and last reports and its gaps (inferred, the rule in `basis`).
    """
    from flightmap.scaffold import new_case as scaffold_case

    path = scaffold_case(case_id, title=title, tracks=from_track or [], parent=dir_)
    typer.echo(str(path))
