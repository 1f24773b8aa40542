"""Offline copies of the JavaScript and CSS that flightmap's map pages load from CDNs.

A folium page loads Leaflet, Bootstrap, jQuery and the plugins from CDNs (jsDelivr, cdnjs,
code.jquery.com...). Without internet access (CI, an archive, a plane) they can be answered from
local copies instead: every CDN URL prefix that folium and the plugins flightmap uses emit is
mapped, in the pinned table :data:`ROUTES`, to a file inside an npm package of a pinned version
and sha512 integrity (:data:`PACKAGES`). :func:`ensure_cache` fetches the missing packages with
``npm pack`` (needs npm and the registry) and unpacks them into a cache folder;
:func:`resolve` answers a CDN URL with the local file, or ``None`` when the table does not know
the URL or the file is not in the cache. This module never touches the network itself.

Users: :mod:`flightmap.snapshot` (``flightmap snapshot`` answers CDN requests from the cache)
and the browser tests (``tests/browser/assets.py`` re-exports this module).

**Where.** :func:`default_cache_dir`: ``$FLIGHTMAP_ASSET_CACHE`` if set; else, when flightmap
runs from a source checkout that has one, the checkout's ``.cache/npm-assets`` (the folder the
browser tests and ``.ci/install-browser`` fill); else ``$XDG_CACHE_HOME/flightmap/npm-assets``
(``~/.cache/flightmap/npm-assets``).

Standard library only (folium is imported lazily, for the two routes served from folium's own
``templates/`` folder), so the module also runs as a script::

    python -m flightmap.offline_assets              # fill the default cache (npm pack)
    python -m flightmap.offline_assets --check URL  # what a URL resolves to
    python -m flightmap.offline_assets --table      # the table as Markdown
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "CACHE_ENV",
    "FOLIUM",
    "GENERATED",
    "PACKAGES",
    "ROUTES",
    "AssetCacheError",
    "Route",
    "check_table",
    "checkout_cache_dir",
    "content_type",
    "default_cache_dir",
    "ensure_cache",
    "main",
    "match",
    "missing_packages",
    "package_dir",
    "resolve",
    "table_markdown",
    "user_cache_dir",
]

CACHE_ENV = "FLIGHTMAP_ASSET_CACHE"
"""Environment variable naming the cache folder."""

_CHECKOUT = Path(__file__).resolve().parents[1]


def checkout_cache_dir() -> Path | None:
    """``<checkout>/.cache/npm-assets`` when flightmap runs from a source checkout, else None."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "flightmap").is_dir():
        return _CHECKOUT / ".cache" / "npm-assets"
    return None


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/flightmap/npm-assets``, else ``~/.cache/flightmap/npm-assets``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "flightmap" / "npm-assets"


def default_cache_dir() -> Path:
    """The cache folder: ``$FLIGHTMAP_ASSET_CACHE``; else a source checkout's filled
    ``.cache/npm-assets``; else :func:`user_cache_dir`."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    checkout = checkout_cache_dir()
    if checkout is not None and (checkout / "npm").is_dir():
        return checkout
    return user_cache_dir()


# --------------------------------------------------------------------------------------------
# The pinned table
# --------------------------------------------------------------------------------------------

#: npm package spec -> the registry's sha512 integrity of its tarball (checked after `npm pack`).
PACKAGES: dict[str, str] = {
    "leaflet@1.9.3": "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",  # noqa: E501
    "bootstrap@5.2.2": "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",  # noqa: E501
    "bootstrap@3.4.1": "sha512-yN5oZVmRCwe5aKwzRj6736nSmKDX7pLYwsXiCj/EYmo16hODaBiT4En5btW/jhBF/seV+XMx3aYwukYC3A49DA==",  # noqa: E501
    "@fortawesome/fontawesome-free@6.2.0": "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",  # noqa: E501
    "jquery@3.7.1": "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",  # noqa: E501
    "jquery-ui-dist@1.13.3": "sha512-qeTR3SOSQ0jgxaNXSFU6+JtxdzNUSJKgp8LCzVrVKntM25+2YBJW1Ea8B2AwjmmSHfPLy2dSlZxJQN06OfVFhg==",  # noqa: E501
    "moment@2.18.1": "sha512-QGcnVKRSEhbWy2i0pqFhjWMCczL/YU5ICMB3maUavFcyUqBszRnzsswvOaGOqSfWZ/R+dMnb9gGBuRT4LMTdVQ==",  # noqa: E501
    "leaflet.awesome-markers@2.0.5": "sha512-Ne/xDjkGyaujwNVVkv2tyXQUV0ZW7gZ0Mo0FuQY4jp2qWrvXi0hwDBvmZyF/8YOvybyMabTMM/mFWCTd1jZIQA==",  # noqa: E501
    "leaflet.timeline@1.6.0": "sha512-FCMkr3P0zxL5IRVJ80wUPmXOlyC7ohq3z2JO45mYq6AKoBgB1yXjfXI6e6V64TAwBl0cmyYIrJCN8boyXdVDSQ==",  # noqa: E501
    "leaflet-timedimension@1.1.1": "sha512-ejXldN94veRsWka1vpC+4rbH+2+3d3ztn2xYx4jcXtjYDrKC/sNnoqCmyH2UEYIy51PI2851aI2k8uGdOEbhlw==",  # noqa: E501
    "iso8601-js-period@0.2.1": "sha512-iDyz2TQFBd5WhCZjruOwHj01JkQGu7YbVLCVdpA7lCGEcBzE3ffCPAhLh/M8TAp//kCixPpYN4XU54WHCxvD2Q==",  # noqa: E501
    "leaflet.fullscreen@3.0.0": "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",  # noqa: E501
    "leaflet-measure@2.1.7": "sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==",  # noqa: E501
    "leaflet-minimap@3.6.1": "sha512-6px8f6cfv1rKB6ACpL6bbUFGxipZOq4KsntJgBj9nOcW1RYa5+xFp8emOZwks9X+VtVVsQEwWwfgT1kTTL/LzA==",  # noqa: E501
    "leaflet-mouse-position@1.2.0": "sha512-iKS25GZDRdoKZn0O5sjTyNcBYrq/wenLiOidj4jJ5iD4SfhyqVj+bJHgBwuMxOlf8Vc/9B1ZPlqYV4QA97nyFg==",  # noqa: E501
    "leaflet-draw@1.0.2": "sha512-iCcbXE9okhwznoTXjxVjoGFoKeiWGsgmWPKrPAeHUvtWZWK4t6YF6815D13wZoMxX2UM6tOmD7/VofCxx3S0+w==",  # noqa: E501
    "highlight.js@8.4.0": "sha512-32k2tWnWmi1giDcxU8J8cCtIO6hbkH4v/7qKnrWFO2CsZu0weiPlsgc64N0kxNADRLwu3BNkoAV/r/Cl7z7WQw==",  # noqa: E501
    "vega@5.33.1": "sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw==",  # noqa: E501
    "vega-lite@5.23.0": "sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA==",  # noqa: E501
    "vega-embed@6.29.0": "sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q==",  # noqa: E501
    "leaflet.markercluster@1.1.0": "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",  # noqa: E501
    "leaflet-ant-path@1.1.2": "sha512-nLQkS31phe5snJwp5OF/MIupEKfOx6/P4b1LzI3A27IB+tTBgSqW44nqt21qGIXUaYs/X3lMG9q652EIrbjY1A==",  # noqa: E501
    "leaflet-textpath@1.2.3": "sha512-mPb5m2MlihNkLlo762j8S8FJCUyLvDU2fJTjjmDWKfqqyUQkV3ca3IzrxwsfzYz2DXrV2ytCVHb5+DjQymF+8w==",  # noqa: E501
}

#: Where a route's files come from: ``npm:<spec>`` (a key of PACKAGES), ``folium`` (the installed
#: folium package folder) or ``generated`` (files written by ensure_cache into ``_generated/``).
GENERATED = "generated"
FOLIUM = "folium"

CDNJS = "cdnjs.cloudflare.com/ajax/libs/"
JSDELIVR = "cdn.jsdelivr.net/"


@dataclass(frozen=True)
class Route:
    """One URL prefix (host + path, no scheme) and where its files live.

    A URL ``prefix + rest`` is answered with ``files[rest]`` if given (a path inside the source),
    else with ``root + rest``.  A prefix that does not end in ``/`` matches only that exact URL
    (its file is ``files[""]``).
    """

    prefix: str
    source: str
    root: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


ROUTES: tuple[Route, ...] = (
    # --- folium's base page ------------------------------------------------------------------
    Route(JSDELIVR + "npm/leaflet@1.9.3/", "npm:leaflet@1.9.3"),
    Route(JSDELIVR + "npm/bootstrap@5.2.2/", "npm:bootstrap@5.2.2"),
    Route(
        JSDELIVR + "npm/@fortawesome/fontawesome-free@6.2.0/",
        "npm:@fortawesome/fontawesome-free@6.2.0",
    ),
    Route(
        "code.jquery.com/",
        "npm:jquery@3.7.1",
        files={"jquery-3.7.1.min.js": "dist/jquery.min.js", "jquery-3.7.1.js": "dist/jquery.js"},
    ),
    Route(CDNJS + "jquery/3.7.1/", "npm:jquery@3.7.1", root="dist/"),
    Route(
        CDNJS + "Leaflet.awesome-markers/2.0.2/",
        "npm:leaflet.awesome-markers@2.0.5",
        root="dist/",
        note="2.0.2 is not on npm; 2.0.5 is the same plugin",
    ),
    Route(
        "netdna.bootstrapcdn.com/bootstrap/3.0.0/",
        "npm:bootstrap@3.4.1",
        root="dist/",
        files={"css/bootstrap-glyphicons.css": "@generated/bootstrap-glyphicons.css"},
        note="not on npm in that form: the glyphicon rules of bootstrap 3.4.1, fonts from it",
    ),
    Route(
        JSDELIVR + "gh/python-visualization/folium/folium/templates/",
        FOLIUM,
        root="templates/",
        files={"leaflet.awesome.rotate.min.css": "@generated/leaflet.awesome.rotate.min.css"},
        note="the rotate CSS is not in the folium wheel: generated (.fa-rotate-0 ... -360)",
    ),
    Route(
        JSDELIVR + "gh/python-visualization/folium@main/folium/templates/",
        FOLIUM,
        root="templates/",
    ),
    # --- plugins -------------------------------------------------------------------------------
    # TimestampedGeoJson / TimeDimension
    Route(
        CDNJS + "jqueryui/1.10.2/",
        "npm:jquery-ui-dist@1.13.3",
        note="1.10.2 is not on npm; jquery-ui-dist 1.13.3 works for TimeDimension",
    ),
    Route(CDNJS + "moment.js/2.18.1/", "npm:moment@2.18.1", root="min/"),
    Route(
        JSDELIVR + "npm/iso8601-js-period@0.2.1/",
        "npm:iso8601-js-period@0.2.1",
        files={"iso8601.min.js": "iso8601.js"},
    ),
    Route(JSDELIVR + "npm/leaflet-timedimension@1.1.1/", "npm:leaflet-timedimension@1.1.1"),
    # Timeline / TimelineSlider (the map's replay layer)
    Route(
        JSDELIVR + "npm/leaflet.timeline@1.6.0/",
        "npm:leaflet.timeline@1.6.0",
        files={"dist/leaflet.timeline.min.js": "dist/leaflet.timeline.js"},
        note="the npm tarball ships only the unminified build",
    ),
    Route(
        CDNJS + "highlight.js/8.4/",
        "npm:highlight.js@8.4.0",
        files={"styles/default.min.css": "styles/default.css"},
    ),
    # Fullscreen, MeasureControl, MiniMap, MousePosition, Draw
    Route(
        JSDELIVR + "npm/leaflet.fullscreen@3.0.0/",
        "npm:leaflet.fullscreen@3.0.0",
        files={"Control.FullScreen.min.js": "Control.FullScreen.js"},
    ),
    Route(
        JSDELIVR + "gh/ljagis/leaflet-measure@2.1.7/",
        "npm:leaflet-measure@2.1.7",
        files={"dist/leaflet-measure.min.css": "dist/leaflet-measure.css"},
    ),
    Route(
        CDNJS + "leaflet-minimap/3.6.1/",
        "npm:leaflet-minimap@3.6.1",
        root="src/",
        note="cdnjs drops src/",
    ),
    Route(
        JSDELIVR + "gh/ardhi/Leaflet.MousePosition/src/",
        "npm:leaflet-mouse-position@1.2.0",
        root="src/",
        files={
            "L.Control.MousePosition.min.css": "src/L.Control.MousePosition.css",
            "L.Control.MousePosition.min.js": "src/L.Control.MousePosition.js",
        },
        note="unversioned GitHub URL; pinned to the npm release 1.2.0",
    ),
    Route(CDNJS + "leaflet.draw/1.0.2/", "npm:leaflet-draw@1.0.2", root="dist/"),
    # folium.VegaLite (vega-lite v5 specs; v4 specs load the same vega/vega-embed)
    Route(JSDELIVR + "npm/vega@5", "npm:vega@5.33.1", files={"": "build/vega.min.js"}),
    Route(
        JSDELIVR + "npm/vega-lite@5", "npm:vega-lite@5.23.0", files={"": "build/vega-lite.min.js"}
    ),
    Route(
        JSDELIVR + "npm/vega-embed@6",
        "npm:vega-embed@6.29.0",
        files={"": "build/vega-embed.min.js"},
    ),
    # extras that a flight map may use (cheap)
    Route(CDNJS + "leaflet.markercluster/1.1.0/", "npm:leaflet.markercluster@1.1.0", root="dist/"),
    Route(
        JSDELIVR + "npm/leaflet-ant-path@1.1.2/",
        "npm:leaflet-ant-path@1.1.2",
        files={"dist/leaflet-ant-path.min.js": "dist/leaflet-ant-path.js"},
    ),
    Route(
        JSDELIVR + "npm/leaflet-textpath@1.2.3/",
        "npm:leaflet-textpath@1.2.3",
        files={"leaflet.textpath.min.js": "leaflet.textpath.js"},
    ),
)


# --------------------------------------------------------------------------------------------
# Resolving URLs
# --------------------------------------------------------------------------------------------


def _normalise(url: str) -> str | None:
    """``https://host/a//b?x#y`` -> ``host/a/b``; None for non-http(s) URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    path = re.sub(r"/{2,}", "/", parts.path)
    return parts.netloc.lower() + path


def package_dir(spec: str, cache_dir: Path) -> Path:
    """The folder holding the unpacked npm package ``spec`` (its ``package/`` contents)."""
    safe = spec.replace("/", "__")
    return cache_dir / "npm" / safe


def _source_dir(source: str, cache_dir: Path) -> Path:
    if source.startswith("npm:"):
        return package_dir(source[4:], cache_dir)
    if source == FOLIUM:
        import folium  # lazily: the rest of this module is stdlib only

        return Path(folium.__file__).parent
    if source == GENERATED:
        return cache_dir / "_generated"
    raise ValueError(f"unknown asset source {source!r}")


def match(url: str) -> tuple[Route, str] | None:
    """The route (longest prefix) that covers ``url`` and the rest of the URL after it."""
    norm = _normalise(url)
    if norm is None:
        return None
    best: tuple[Route, str] | None = None
    for route in ROUTES:
        if route.prefix.endswith("/"):
            if norm.startswith(route.prefix):
                rest = norm[len(route.prefix) :]
            else:
                continue
        elif norm in (route.prefix, route.prefix + "/"):
            rest = ""
        else:
            continue
        if best is None or len(route.prefix) > len(best[0].prefix):
            best = (route, rest)
    return best


def resolve(url: str, cache_dir: Path | str | None = None) -> Path | None:
    """The local file that answers the CDN ``url``, or None (unknown URL or file not present)."""
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    found = match(url)
    if found is None:
        return None
    route, rest = found
    target = route.files.get(rest)
    if target is not None and target.startswith("@generated/"):
        base = _source_dir(GENERATED, cache_dir)
        target = target[len("@generated/") :]
    else:
        base = _source_dir(route.source, cache_dir)
        if target is None:
            if not rest:
                return None
            target = route.root + rest
    base = base.resolve()
    path = (base / target).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


def content_type(path: Path) -> str:
    """The ``Content-Type`` to serve a cached file with (JavaScript for ``.js``/``.mjs``)."""
    if path.suffix in (".js", ".mjs"):
        return "application/javascript"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# --------------------------------------------------------------------------------------------
# Filling the cache
# --------------------------------------------------------------------------------------------


class AssetCacheError(RuntimeError):
    """The npm asset cache could not be filled (no npm, no registry, bad integrity...)."""


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


@contextlib.contextmanager
def _locked(cache_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache folder (POSIX; no lock where fcntl is missing)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: one writer at a time is the user's business
        yield
        return
    with open(cache_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _marker(spec: str, cache_dir: Path) -> Path:
    return package_dir(spec, cache_dir) / ".flightmap-complete"


def missing_packages(cache_dir: Path | str | None = None) -> list[str]:
    """Pinned packages not yet unpacked (with the pinned integrity) in the cache."""
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    out = []
    for spec, integrity in PACKAGES.items():
        marker = _marker(spec, cache_dir)
        if not marker.is_file() or marker.read_text().strip() != integrity:
            out.append(spec)
    return out


def _npm_pack(specs: list[str], dest: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetCacheError("npm is not installed: it is needed to fetch the map's JS/CSS assets")
    env = dict(
        os.environ,
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
        npm_config_loglevel="error",
    )
    cmd = [npm, "pack", "--json", "--pack-destination", str(dest), *specs]
    proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssetCacheError(f"`npm pack` failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


def _write_generated(cache_dir: Path) -> None:
    gen = cache_dir / "_generated"
    gen.mkdir(parents=True, exist_ok=True)
    # folium's leaflet.awesome.rotate.min.css: one rotate class per whole degree.
    rotate = "".join(
        f".fa-rotate-{n}{{-ms-transform:rotate({n}deg);-webkit-transform:rotate({n}deg);"
        f"transform:rotate({n}deg);}}\n"
        for n in range(361)
    )
    (gen / "leaflet.awesome.rotate.min.css").write_text(rotate)
    # netdna's bootstrap-glyphicons.css: the @font-face and .glyphicon* rules of bootstrap 3.
    bs3 = package_dir("bootstrap@3.4.1", cache_dir) / "dist" / "css" / "bootstrap.css"
    css = bs3.read_text(encoding="utf-8")
    kept = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        sel = re.sub(r"/\*.*?\*/", "", selector, flags=re.S).strip()
        parts = [p.strip() for p in sel.split(",")]
        is_font = sel.startswith("@font-face") and "Glyphicons Halflings" in body
        if is_font or all(p.startswith(".glyphicon") for p in parts):
            kept.append(f"{sel} {{{body}}}")
    if len(kept) < 100:
        raise AssetCacheError("could not extract the glyphicon rules from bootstrap 3.4.1")
    (gen / "bootstrap-glyphicons.css").write_text(
        "/* glyphicon rules of bootstrap 3.4.1 (offline stand-in for netdna's"
        " bootstrap-glyphicons.css) */\n" + "\n".join(kept) + "\n"
    )


def ensure_cache(cache_dir: Path | str | None = None, *, verbose: bool = False) -> Path:
    """Fetch (``npm pack``) and unpack every pinned package missing from ``cache_dir``.

    Idempotent and safe to call from several processes at once (file lock).  Returns the cache
    folder.  Raises AssetCacheError if npm is missing, the registry is unreachable or a tarball's
    integrity differs from the pinned one.
    """
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    with _locked(cache_dir):
        missing = missing_packages(cache_dir)
        if missing:
            if verbose:
                print(f"npm pack {' '.join(missing)}", file=sys.stderr)
            with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".pack-") as tmp:
                tmpdir = Path(tmp)
                _npm_pack(missing, tmpdir)
                tarballs = {p.name: p for p in tmpdir.glob("*.tgz")}
                for spec in missing:
                    name, _, version = spec.rpartition("@")
                    fname = f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
                    tgz = tarballs.get(fname)
                    if tgz is None:
                        raise AssetCacheError(f"npm pack produced no {fname} for {spec}")
                    got = _integrity(tgz)
                    if got != PACKAGES[spec]:
                        raise AssetCacheError(
                            f"integrity mismatch for {spec}: got {got}, pinned {PACKAGES[spec]}"
                        )
                    unpack = tmpdir / (fname + ".d")
                    with tarfile.open(tgz) as tar:
                        tar.extractall(unpack, filter="data")
                    dest = package_dir(spec, cache_dir)
                    if dest.exists():
                        shutil.rmtree(dest)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    (unpack / "package").rename(dest)
                    _marker(spec, cache_dir).write_text(PACKAGES[spec] + "\n")
        gen_ok = (cache_dir / "_generated" / "bootstrap-glyphicons.css").is_file()
        if missing or not gen_ok:
            _write_generated(cache_dir)
    return cache_dir


def check_table(cache_dir: Path | str | None = None) -> list[str]:
    """Problems with the table: route files that do not exist in the filled cache."""
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    problems = []
    for route in ROUTES:
        if route.source.startswith("npm:") and route.source[4:] not in PACKAGES:
            problems.append(f"{route.prefix}: package {route.source[4:]} is not pinned")
        if route.source == FOLIUM or any(v.startswith("@generated/") for v in route.files.values()):
            try:
                import folium  # noqa: F401
            except ImportError:
                continue
        for rest in route.files:
            if resolve("https://" + route.prefix + rest, cache_dir) is None:
                problems.append(f"{route.prefix}{rest}: file missing")
    return problems


def table_markdown() -> str:
    """The pinned table as Markdown (for tests/browser/README.md)."""
    lines = ["| CDN URL prefix | served from | notes |", "|---|---|---|"]
    for r in ROUTES:
        src = r.source[4:] if r.source.startswith("npm:") else f"({r.source})"
        where = src + (f" `{r.root}`" if r.root else "")
        extra = ", ".join(f"`{k or '(exact)'}` → `{v}`" for k, v in r.files.items())
        note = "; ".join(x for x in (extra, r.note) if x)
        lines.append(f"| `{r.prefix}` | {where} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, cache_dir: Path | None = None) -> int:
    """The script: fill the cache (default), ``--check URL ...`` or ``--table``.

    ``cache_dir`` is the folder used without ``--cache`` (default: :func:`default_cache_dir`).
    """
    import argparse

    doc = (__doc__ or "").strip().split("\n")[0]
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--cache", type=Path, default=cache_dir, help="cache folder")
    parser.add_argument("--check", nargs="*", metavar="URL", help="resolve URLs and exit")
    parser.add_argument("--table", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    if args.table:
        print(table_markdown())
        return 0
    if args.check is not None:
        for url in args.check:
            print(url, "->", resolve(url, args.cache))
        return 0
    try:
        cache = ensure_cache(args.cache, verbose=True)
    except AssetCacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = check_table(cache)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print(json.dumps({"cache": str(cache), "packages": len(PACKAGES), "routes": len(ROUTES)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
