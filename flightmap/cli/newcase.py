"""Commands for writing a case: ``new-case`` (a new, commented case folder that loads) and
``check`` (every problem of a case, each as file: line: field).

Each parses its options, calls one library function (:func:`flightmap.scaffold.new_case`,
:func:`flightmap.geo.check.check_case`) and reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["check", "new_case"]


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


def check(
    case: Annotated[
        str, typer.Argument(help="Case name (see `flightmap cases`) or path to a case folder.")
    ],
) -> None:
    """Check every file of CASE and list every problem, one per line (file: line: field:
    what is wrong), exit 2; or print a one-line summary and exit 0 when the case is clean."""
    from flightmap.cli._messages import echo_text
    from flightmap.geo.check import check_case

    result = check_case(case)
    if result.ok:
        counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
        echo_text(f"{result.path}: OK ({counts})")
        return
    for problem in result.problems:
        echo_text(problem.one_line())
    typer.echo(f"flightmap: error: {len(result.problems)} problem(s) in {result.path}", err=True)
    raise typer.Exit(2)
