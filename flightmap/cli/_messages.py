"""What the commands print about their inputs: the problems found in a partly usable file, on
stderr, and text from files made safe for a terminal.

A file that can be read only in part (some lines or records bad) is not an error: the command
goes on, and stderr lists each problem with its line or record number, as ``inspect`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import typer

from flightmap.errors import printable

if TYPE_CHECKING:
    from flightmap.readers import TrackRead

__all__ = ["MAX_PROBLEMS_SHOWN", "echo_text", "warn_problems"]

MAX_PROBLEMS_SHOWN: Final = 10
"""Problems listed per file on stderr; ``flightmap inspect FILE --json`` lists them all."""


def warn_problems(result: TrackRead) -> None:
    """Print the problems found in a file read in part to stderr (nothing if there were none).

    ::

        flightmap: warning: t.csv: 2 problems (bad_value 2), rows kept or dropped as noted:
          line 3: field Position: not a number 'abc' (set to NA)
          line 4: field Altitude: not a finite number '-inf' (set to NA)
    """
    flags = result.flags
    n = len(flags)
    if n == 0:
        return
    counts = ", ".join(f"{code} {k}" for code, k in flags["code"].value_counts().items())
    more = n > MAX_PROBLEMS_SHOWN
    typer.echo(
        printable(
            f"flightmap: warning: {result.path}: {n} problem{'s' if n != 1 else ''} ({counts}), "
            "rows kept or dropped as noted"
            + (f"; the first {MAX_PROBLEMS_SHOWN}:" if more else ":")
        ),
        err=True,
    )
    for line in result.problem_lines(MAX_PROBLEMS_SHOWN):
        typer.echo("  " + printable(line), err=True)
    if more:
        typer.echo(
            printable(
                f"  ... and {n - MAX_PROBLEMS_SHOWN} more (flightmap inspect {result.path} "
                "--json lists them all)"
            ),
            err=True,
        )


def echo_text(text: str, *, nl: bool = True) -> None:
    """Print human-readable text that may hold strings from input files (callsigns, titles):
    control characters and bidi overrides are shown as escapes, never sent to the terminal."""
    typer.echo(printable(text), nl=nl)
