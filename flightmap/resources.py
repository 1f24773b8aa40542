"""Where the shipped data (cases, offline basemap) lives, however flightmap is installed.

The top-level ``data/`` folder of the repository ships inside the wheel as the package
``flightmap._data`` (see ``pyproject.toml``), so an installed flightmap (wheel or editable)
finds it through :mod:`importlib.resources`. Run from a clone without installing (``python -m
flightmap`` in the repository), that package does not exist; the ``data/`` folder next to the
``flightmap/`` package is used instead.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["data_dir"]


@cache
def data_dir() -> Path:
    """The folder holding ``cases/`` and ``basemap/``.

    Returns
    -------
    pathlib.Path
        The installed ``flightmap._data`` package, else the ``data/`` folder of the source
        tree this module was imported from.

    Raises
    ------
    FileNotFoundError
        If neither exists (a broken installation).
    """
    try:
        installed = Path(str(resources.files("flightmap._data")))
    except ModuleNotFoundError:
        installed = None
    if installed is not None and (installed / "cases").is_dir():
        return installed
    clone = Path(__file__).resolve().parent.parent / "data"
    if (clone / "cases").is_dir():
        return clone
    raise FileNotFoundError(
        "flightmap's data folder was not found: neither the installed package flightmap._data "
        f"nor {clone}; reinstall flightmap"
    )
