"""Where cases live: the folders searched, the cases found there, and a name or path resolved
to one case folder (see :mod:`flightmap.geo`).

Cases are looked up, in this order, in ``./cases/`` of the working folder (a user's own
incidents, wherever flightmap is installed), in each folder of ``$FLIGHTMAP_CASES``
(``os.pathsep``-separated: ``:`` on Linux and macOS, ``;`` on Windows), then among the cases
shipped with flightmap. The same id in two different folders is an error naming both: a case
is never silently shadowed.

A case name can name no folder outside :func:`case_dirs` (no separators, no ``..``); a path is
taken as given but must hold ``case.toml``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flightmap.errors import InputError
from flightmap.resources import data_dir

__all__ = [
    "CASES_ENV",
    "CASE_NAME",
    "LOCAL_CASES",
    "NAME_RULE",
    "CaseDir",
    "CaseFolder",
    "case_dirs",
    "find_cases",
    "list_cases",
    "resolve_case",
]

# A case name, also its id in case.toml (it names output files: a plain file name).
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

NAME_RULE = "lowercase letters, digits, '.', '-', '_', starting with a letter or digit"

CASES_ENV = "FLIGHTMAP_CASES"
"""Environment variable listing extra case folders (``os.pathsep``-separated)."""

LOCAL_CASES = "cases"
"""Name of the folder, in the working folder, searched first for cases."""


@dataclass(frozen=True)
class CaseDir:
    """A folder searched for cases and why: ``origin`` is ``"./cases"``, ``"$FLIGHTMAP_CASES"``
    or ``"shipped"``."""

    path: Path
    origin: str


@dataclass(frozen=True)
class CaseFolder:
    """One case found: its ``name`` (the folder name, also its id), its ``path`` (absolute)
    and the ``origin`` of the folder it was found in (see :class:`CaseDir`)."""

    name: str
    path: Path
    origin: str


def case_dirs() -> list[CaseDir]:
    """Folders searched for cases, in order: ``./cases`` of the working folder, each folder of
    ``$FLIGHTMAP_CASES``, then the cases shipped with flightmap. Folders that do not exist are
    listed too (the "unknown case" error says where it looked)."""
    dirs = [CaseDir(Path.cwd() / LOCAL_CASES, "./" + LOCAL_CASES)]
    dirs += [
        CaseDir(Path(p).expanduser(), "$" + CASES_ENV)
        for p in os.environ.get(CASES_ENV, "").split(os.pathsep)
        if p.strip()
    ]
    dirs.append(CaseDir(data_dir() / "cases", "shipped"))
    return dirs


def _scan(dirs: list[CaseDir]) -> tuple[dict[str, CaseFolder], dict[str, list[CaseFolder]]]:
    """Cases of ``dirs`` by name (first found), and every name found in two different folders
    with all the places it was found. A folder listed twice (the same path resolved) is
    searched once."""
    found: dict[str, CaseFolder] = {}
    clashes: dict[str, list[CaseFolder]] = {}
    seen: set[Path] = set()
    for d in dirs:
        try:
            root = d.path.resolve()
            children = sorted(root.iterdir()) if root.is_dir() else []
        except OSError:
            continue  # unreadable: as if absent (the error for an unknown case lists it)
        if root in seen:
            continue
        seen.add(root)
        for p in children:
            if not (CASE_NAME.match(p.name) and (p / "case.toml").is_file()):
                continue
            here = CaseFolder(p.name, p, d.origin)
            first = found.setdefault(p.name, here)
            if first is not here:
                clashes.setdefault(p.name, [first]).append(here)
    return found, clashes


def _clash_error(places: list[CaseFolder]) -> InputError:
    where = " and ".join(f"{f.path} ({f.origin})" for f in places)
    return InputError(
        f"case id {places[0].name!r} is in more than one folder: {where}; rename or remove "
        "one of them (a case id must be unique across ./cases, $FLIGHTMAP_CASES and the "
        "shipped cases)"
    )


def find_cases() -> list[CaseFolder]:
    """Every case found in :func:`case_dirs`, sorted by name.

    Raises
    ------
    InputError
        If two different folders hold a case with the same id; the message names both.
    """
    found, clashes = _scan(case_dirs())
    if clashes:
        raise _clash_error(clashes[min(clashes)])
    return [found[n] for n in sorted(found)]


def list_cases() -> list[str]:
    """Names of the available cases, sorted (see :func:`find_cases`)."""
    return [f.name for f in find_cases()]


def _looks_like_path(name: str) -> bool:
    """A path rather than a name: it has a separator (either kind, on any system) or is a
    relative step (``.``, ``..``)."""
    return "/" in name or "\\" in name or os.sep in name or name in (".", "..")


def _looked_in(dirs: list[CaseDir]) -> str:
    """The folders searched, in order, each with its origin and whether it exists."""
    parts = [f"{d.path} ({d.origin}{'' if d.path.is_dir() else ', missing'})" for d in dirs]
    if not any(d.origin == "$" + CASES_ENV for d in dirs):
        parts.insert(1, f"${CASES_ENV} (not set)")
    return "; ".join(parts)


def resolve_case(name: str | Path) -> Path:
    """The folder of a case: a name is looked up in :func:`case_dirs` only (it can name no
        other folder: no separators, no ``..``); a path (or the name of a folder in the working
    folder) is taken as given but must be a case folder.

        Raises
        ------
        InputError
            For a path without ``case.toml``, an invalid name, a name found in two folders (both
            named), or an unknown name (the message lists the cases available and every folder
            searched).
    """
    path = Path(name)
    if isinstance(name, Path) or _looks_like_path(name) or path.is_dir():
        if not (path / "case.toml").is_file():
            raise InputError(
                "not a case folder (no case.toml); give a case name (" + NAME_RULE + ", never "
                "'/' or '..') or the path of a folder holding case.toml",
                path=path,
            )
        return path.resolve()
    if not CASE_NAME.match(str(name)):
        raise InputError(f"invalid case name {str(name)!r}: expected {NAME_RULE}")
    dirs = case_dirs()
    found, clashes = _scan(dirs)
    if name in clashes:
        raise _clash_error(clashes[name])
    if name in found:
        return found[name].path
    available = ", ".join(sorted(found)) or "none"
    raise InputError(
        f"unknown case {str(name)!r} (available: {available}; looked in {_looked_in(dirs)})"
    )
