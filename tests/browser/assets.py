"""The offline asset table of the browser tests: a thin re-export of
:mod:`flightmap.offline_assets` (the pinned npm packages, CDN URL -> file in the npm cache,
``npm pack`` into the cache), whose default folder here is always the checkout's
``.cache/npm-assets`` (or ``$FLIGHTMAP_ASSET_CACHE``), filled or not.

Add routes and packages in ``flightmap/offline_assets.py``. Also a script, run by
``.ci/install-browser``::

    python tests/browser/assets.py              # fill .cache/npm-assets/
    python tests/browser/assets.py --check URL  # what a URL resolves to
    python tests/browser/assets.py --table      # the table as Markdown
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # run as a script: import flightmap from this checkout
    sys.path.insert(0, str(REPO_ROOT))

from flightmap import offline_assets as _oa  # noqa: E402
from flightmap.offline_assets import (  # noqa: E402
    CACHE_ENV,
    FOLIUM,
    GENERATED,
    PACKAGES,
    ROUTES,
    AssetCacheError,
    Route,
    content_type,
    match,
    package_dir,
    table_markdown,
)

__all__ = [
    "CACHE_ENV",
    "DEFAULT_CACHE_DIR",
    "FOLIUM",
    "GENERATED",
    "PACKAGES",
    "REPO_ROOT",
    "ROUTES",
    "AssetCacheError",
    "Route",
    "check_table",
    "content_type",
    "default_cache_dir",
    "ensure_cache",
    "main",
    "match",
    "missing_packages",
    "package_dir",
    "resolve",
    "table_markdown",
]

DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "npm-assets"


def default_cache_dir() -> Path:
    """The tests' cache folder: ``$FLIGHTMAP_ASSET_CACHE`` or ``<repo>/.cache/npm-assets``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else DEFAULT_CACHE_DIR


def _dir(cache_dir: Path | str | None) -> Path:
    return default_cache_dir() if cache_dir is None else Path(cache_dir)


def resolve(url: str, cache_dir: Path | str | None = None) -> Path | None:
    """The local file that answers the CDN ``url``, or None (see ``offline_assets.resolve``)."""
    return _oa.resolve(url, _dir(cache_dir))


def missing_packages(cache_dir: Path | str | None = None) -> list[str]:
    """Pinned packages not yet unpacked in the cache."""
    return _oa.missing_packages(_dir(cache_dir))


def ensure_cache(cache_dir: Path | str | None = None, *, verbose: bool = False) -> Path:
    """Fill the cache (``npm pack``); see ``offline_assets.ensure_cache``."""
    return _oa.ensure_cache(_dir(cache_dir), verbose=verbose)


def check_table(cache_dir: Path | str | None = None) -> list[str]:
    """Route files that do not exist in the filled cache."""
    return _oa.check_table(_dir(cache_dir))


def main(argv: list[str] | None = None) -> int:
    """``offline_assets``'s script, on the tests' cache folder."""
    return _oa.main(argv, cache_dir=default_cache_dir())


if __name__ == "__main__":
    sys.exit(main())
