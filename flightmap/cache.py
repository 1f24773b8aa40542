"""An on-disk cache for derived results that are slow to compute and small to keep.

Used for a case's where-could-it-have-been regions
(:func:`flightmap.analysis.cached_regions.case_regions_cached`): they take about 0.15 s at
every render of a case map (pyproj's import and some 15,000 geodesic solutions), a tenth of
``flightmap render``'s start-up (benchmarks/README.md, 4a).

**Where.** ``$FLIGHTMAP_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/flightmap``, else
``~/.cache/flightmap``. ``FLIGHTMAP_CACHE_DIR=off`` turns the cache off.

**Never stale.** An entry is a JSON file named by the SHA-256 of its key, and the key holds
everything the result depends on: the input values, the parameters, flightmap's version and
the source code of the modules that compute it. A changed input, parameter or line of code
reads another entry. The key is stored in the entry too and compared on reading.

**Bounded.** Each kind keeps its :data:`MAX_ENTRIES` newest entries; older ones are deleted
when a new one is written.

**Never in the way.** An entry that is missing, unreadable, corrupt or for another key is
ignored and the result computed; a cache folder that cannot be written is ignored too. Entries
are written atomically (:mod:`flightmap.atomic`), so a reader never sees half of one. Entries are
JSON (no pickle): a file planted in the folder can at worst give a wrong region, never run code.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from flightmap import __version__
from flightmap.atomic import write_text

__all__ = ["MAX_ENTRIES", "cache_dir", "cached", "code_fingerprint"]

T = TypeVar("T")

_OFF = ("off", "0", "no", "false")

#: Entries kept per kind (each case-regions entry is about 50 kB).
MAX_ENTRIES = 32


def cache_dir() -> Path | None:
    """The cache folder (see the module docstring), or None when the cache is off."""
    env = os.environ.get("FLIGHTMAP_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in _OFF or not env.strip() else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "flightmap"
    try:
        return Path.home() / ".cache" / "flightmap"
    except RuntimeError:  # no home folder (no HOME, no passwd entry): no cache
        return None


def code_fingerprint(modules: Iterable[ModuleType]) -> str:
    """SHA-256 of the source files of ``modules``: part of a key, so an edit invalidates."""
    h = hashlib.sha256()
    for mod in modules:
        path = getattr(mod, "__file__", None)
        h.update(str(mod.__name__).encode())
        h.update(Path(path).read_bytes() if path else b"")
    return h.hexdigest()


def cached(
    kind: str,
    key: Any,
    compute: Callable[[], T],
    dump: Callable[[T], Any],
    load: Callable[[Any], T],
) -> T:
    """``compute()``, or its value as stored under ``key`` by an earlier call.

    Parameters
    ----------
    kind : str
        What is cached (a folder name), e.g. ``"case-regions"``.
    key : JSON-serialisable
        Everything the result depends on; flightmap's version is added.
    compute : callable
        Makes the result when it is not cached.
    dump, load : callable
        Turn the result into JSON-serialisable data and back, exactly (``load(dump(x))`` must
        equal ``x``).
    """
    folder = cache_dir()
    if folder is None:
        return compute()
    full = json.dumps({"flightmap": __version__, "key": key}, sort_keys=True, allow_nan=True)
    path = folder / kind / f"{hashlib.sha256(full.encode()).hexdigest()}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("key") == full:
            return load(entry["value"])
    except Exception:  # missing, corrupt, planted: whatever it is, compute
        pass
    value = compute()
    try:
        write_text(path, json.dumps({"key": full, "value": dump(value)}, allow_nan=True))
        _prune(path.parent)
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written is no cache, not an error
    return value


def _prune(folder: Path) -> None:
    """Keep the :data:`MAX_ENTRIES` most recently written entries of a kind; entries for old
    inputs or old code are never read again, so the folder would only grow."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink(missing_ok=True)
