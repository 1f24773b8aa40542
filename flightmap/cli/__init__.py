"""The ``flightmap`` command: one place composing the commands of :mod:`flightmap.cli.case`
(and the other command modules). Nothing in the library imports this package.

Every command runs inside :func:`_guarded`, so a bad input ends with one line on stderr
(``flightmap: error: FILE: line N: field F: what was expected``) and exit code 2, never a
traceback.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from flightmap.cli import analyse, case, newcase, snapshot, track
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


#: Container allocations between two collections of the youngest generation (Python: 700).
GC_YOUNG_THRESHOLD = 10_000


def tune_process() -> None:
    """Allocation settings for a command-line process, set before numpy and pyarrow load.

    Before numpy is imported, its huge-page advice is turned off for this process (unless
    ``NUMPY_MADVISE_HUGEPAGE`` is set): numpy asks the kernel for transparent huge pages on
    every array of 4 MB or more, and where the kernel then defragments memory on the spot
    (``/sys/kernel/mm/transparent_hugepage/defrag`` = ``madvise``, a common default) the
    analysis' short-lived arrays cost more in page faults than huge pages save: a 1M-point
    ``render`` spent 1.3-2.5 s of system time with the advice and 0.4 s without (3.6 s
    against 5.0-7.0 s, benchmarks/README.md). For the same reason Arrow allocates with the
    system allocator (unless ``ARROW_DEFAULT_MEMORY_POOL`` is set): with its default, mimalloc,
    the same render's system time jumped from 0.4 s to 1.5-2.8 s in one run out of three on
    this shared machine, never with the system allocator (which every pyarrow build has).
    A variable the user set is left as it is; in a process that imported numpy or pyarrow
    already (a notebook, the tests) the settings change nothing.

    Python's cyclic garbage collector runs its youngest generation every
    :data:`GC_YOUNG_THRESHOLD` container allocations instead of every 700: the imports of
    pandas and folium alone allocate some 200,000 objects and were collected about 300 times,
    40-80 ms of the default ``render`` (0.74 s -> 0.70 s). The data itself lives in numpy and
    Arrow buffers, outside the collector; cycles are still collected, a little later.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


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


def end_quickly() -> None:
    """Let the process end without the garbage collector's passes over every object.

    At exit Python collects cyclic garbage several times while it tears the modules down, each
    pass over every object pandas, folium and flightmap created (some 80,000 after the imports
    alone): about 60-90 ms of every command, after its work is done. Frozen objects are left to
    the operating system instead; everything else happens as usual (files were closed and
    synced by the commands, atexit handlers run, output streams are flushed, objects not in a
    reference cycle are freed as their modules are cleared).
    """
    gc.freeze()
