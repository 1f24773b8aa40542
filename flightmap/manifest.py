"""The manifest of a rendered map or export: what went in, so anyone can check a shared map.

It records the flightmap version, the SHA-256 of every input file (the case's files, the
basemap files, each track file and jamming grid) and every parameter. It holds nothing about
the run itself (no clock time, no host, no folder: files are named by their name only, so a
shared map does not reveal where its inputs lived), so the same inputs and options give the
same manifest, and the same map, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flightmap import __version__
from flightmap.resources import data_dir

__all__ = ["build_manifest", "manifest_json", "sha256_file"]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (any size).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as fh:
    ...     _ = fh.write(b"abc")
    >>> sha256_file(fh.name)[:16]
    'ba7816bf8f01cfea'
    >>> os.unlink(fh.name)
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _case_files(case_path: Path) -> list[Path]:
    return sorted(p for p in case_path.iterdir() if p.is_file() and not p.name.startswith("."))


def build_manifest(
    *,
    case: Any | None,
    tracks: Iterable[str | Path] = (),
    parameters: Mapping[str, Any] | None = None,
    grids: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict.

    Parameters
    ----------
    case : flightmap.geo.Case or None
        The case drawn, if any; each of its files is hashed.
    tracks : iterable of path
        Track files, hashed in the order given (recorded by file name, role ``track``).
    parameters : mapping
        Every option that shaped the output (JSON-serialisable values).
    grids : iterable of path
        Jamming grid files (``flightmap jamming`` output), role ``grid``.
    """
    inputs: list[dict[str, str]] = []
    if case is not None:
        for p in _case_files(Path(case.path)):
            inputs.append({"role": "case", "name": f"{case.id}/{p.name}", "sha256": sha256_file(p)})
    basemap = data_dir() / "basemap"
    for name in ("countries-50m.geojson", "land-10m.geojson"):
        inputs.append({"role": "basemap", "name": name, "sha256": sha256_file(basemap / name)})
    for role, paths in (("track", tracks), ("grid", grids)):
        for t in paths:
            inputs.append({"role": role, "name": Path(t).name, "sha256": sha256_file(t)})
    return {
        "generator": "flightmap",
        "version": __version__,
        "case": case.id if case is not None else None,
        "inputs": inputs,
        "parameters": dict(sorted((parameters or {}).items())),
    }


def manifest_json(manifest: Mapping[str, Any]) -> str:
    """The manifest as stable, indented JSON (sorted keys)."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
