"""Where cases live: the folders searched, the names found there, and a name or path resolved
to one case folder (see :mod:`flightmap.geo`).

A case name can name no folder outside :func:`case_dirs` (no separators, no ``..``); a path is
taken as given but must hold ``case.toml``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flightmap.errors import InputError
from flightmap.resources import data_dir

__all__ = ["CASE_NAME", "NAME_RULE", "case_dirs", "list_cases", "resolve_case"]

# A case name, also its id in case.toml (it names output files: a plain file name).
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

NAME_RULE = "lowercase letters, digits, '.', '-', '_', starting with a letter or digit"


def case_dirs() -> list[Path]:
    """Folders searched for cases: ``$FLIGHTMAP_CASES`` (``os.pathsep``-separated), then the
    cases shipped with flightmap."""
    dirs = [Path(p) for p in os.environ.get("FLIGHTMAP_CASES", "").split(os.pathsep) if p]
    dirs.append(data_dir() / "cases")
    return dirs


def list_cases() -> list[str]:
    """Names of the available cases, sorted."""
    names = {
        p.name
        for d in case_dirs()
        if d.is_dir()
        for p in d.iterdir()
        if (p / "case.toml").is_file() and CASE_NAME.match(p.name)
    }
    return sorted(names)


def _looks_like_path(name: str) -> bool:
    """A path rather than a name: it has a separator (either kind, on any system) or is a
    relative step (``.``, ``..``)."""
    return "/" in name or "\\" in name or os.sep in name or name in (".", "..")


def resolve_case(name: str | Path) -> Path:
    """The folder of a case: a name is looked up in :func:`case_dirs` only (it can name no
    other folder: no separators, no ``..``); a path is taken as given but must be a case folder.
    """
    path = Path(name)
    if isinstance(name, Path) or _looks_like_path(name) or (path.is_dir() and path.exists()):
        if not (path / "case.toml").is_file():
            raise InputError(
                "not a case folder (no case.toml); give a case name (" + NAME_RULE + ", never "
                "'/' or '..') or the path of a folder holding case.toml",
                path=path,
            )
        return path.resolve()
    if not CASE_NAME.match(str(name)):
        raise InputError(f"invalid case name {str(name)!r}: expected {NAME_RULE}")
    for d in case_dirs():
        candidate = d / str(name)
        if (candidate / "case.toml").is_file():
            return candidate.resolve()
    available = ", ".join(list_cases()) or "none"
    raise InputError(f"unknown case {str(name)!r} (available: {available})")
