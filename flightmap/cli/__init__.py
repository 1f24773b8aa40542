"""The ``flightmap`` command: one place composing the commands of :mod:`flightmap.cli.case`
(and the other command modules). Nothing in the library imports this package.

Every command runs inside :func:`_guarded`, so a bad input ends with one line on stderr
(``flightmap: error: FILE: line N: field F: what was expected``) and exit code 2, never a
traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from flightmap.cli import analyse, case, newcase, snapshot, track
from flightmap.cli.process import end_quickly, tune_process
from flightmap.errors import InputError
from flightmap.limits import parse_size, set_max_input_bytes

__all__ = ["app", "end_quickly", "main", "tune_process"]

app = typer.Typer(
    name="flightmap",
    help="Reconstruct and map the flight paths of aviation incidents from public data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(fn: F) -> F:
    """Turn flightmap's input errors (and I/O errors) into one line on stderr and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            typer.echo(f"flightmap: error: {exc.one_line()}", err=True)
            raise typer.Exit(2) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"flightmap: error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            # A bug in flightmap, not in the input: one line, and the traceback on request.
            if os.environ.get("FLIGHTMAP_DEBUG"):
                raise
            typer.echo(
                f"flightmap: internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"
                " (please report it; set FLIGHTMAP_DEBUG=1 for the traceback)",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _register(fn: Callable[..., Any], name: str | None = None) -> None:
    app.command(name)(_guarded(fn))


_register(case.cases)
_register(newcase.new_case, "new-case")
_register(newcase.check)
_register(case.timeline)
_register(case.render)
_register(snapshot.snapshot)
_register(case.export)
_register(track.inspect)
_register(track.convert)
_register(analyse.analyse)
_register(analyse.jamming)


def _print_version(value: bool) -> None:
    if value:
        from flightmap import __version__

        typer.echo(f"flightmap {__version__}")
        raise typer.Exit()


MAX_INPUT_HELP = (
    "Largest input file read, after gzip decompression: bytes, or with K, M, G, T (powers of "
    "1024), e.g. 4G. Default: $FLIGHTMAP_MAX_INPUT_SIZE, else 2G. Files parsed whole in memory "
    "(JSON, KML, irregular CSV) may be an eighth of it."
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
    max_input_size: str | None = typer.Option(
        None, "--max-input-size", metavar="SIZE", help=MAX_INPUT_HELP
    ),
) -> None:
    """Reconstruct and map the flight paths of aviation incidents from public data."""
    if max_input_size is not None:
        try:
            set_max_input_bytes(parse_size(max_input_size))
        except InputError as exc:
            typer.echo(f"flightmap: error: --max-input-size: {exc.message}", err=True)
            raise typer.Exit(2) from None
    else:
        # Back to the environment or the default: nothing carries over from an earlier run in
        # this process (tests, notebooks).
        set_max_input_bytes(None)


def main() -> None:
    """Entry point of the ``flightmap`` console script and ``python -m flightmap``."""
    tune_process()
    try:
        app(prog_name="flightmap")
    except KeyboardInterrupt:
        typer.echo("flightmap: interrupted", err=True)
        raise SystemExit(130) from None
    finally:
        end_quickly()
