"""Fixtures for opening rendered folium maps in headless Chromium (Playwright for Python).

Fixtures
--------
``browser`` (session)
    A Playwright ``Browser`` on Debian's ``/usr/bin/chromium``.  Skips when Chromium, Playwright
    or the npm asset cache is unavailable -- unless ``FLIGHTMAP_REQUIRE_BROWSER=1``, in which case
    the tests fail with the reason.
``open_map`` (function)
    ``open_map(target, *, wait_for=None, viewport=(1024, 768), allow_unknown=False,
    timeout_ms=20_000) -> MapPage``.  ``target`` is an HTML file (str/Path) or a folium
    Map/Figure (saved to the test's tmp_path).  See ``MapPage`` for what comes back.

Every request the page makes goes through a router: the page's own folder is served from a
local HTTP server on 127.0.0.1; CDN URLs known to ``assets.ROUTES`` are answered from the npm
cache; tile-server requests are aborted and counted; anything else is aborted and recorded as an
*unknown URL*, which fails the test (at ``open_map`` time, and again at teardown for requests made
later) unless ``allow_unknown=True``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import mimetypes
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from . import assets

CHROMIUM = os.environ.get("FLIGHTMAP_CHROMIUM", "/usr/bin/chromium")
REQUIRE_ENV = "FLIGHTMAP_REQUIRE_BROWSER"
ARTIFACTS_DIR = Path(
    os.environ.get("FLIGHTMAP_ARTIFACTS_DIR", Path(__file__).resolve().parents[1] / "artifacts")
)

#: Flags for Debian's Chromium on these machines (no sandbox as root, no GPU, and no background
#: connections, which the closed network would refuse).  Playwright adds --headless and a fresh
#: temporary --user-data-dir itself (it refuses a --user-data-dir in ``args``).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

#: Hosts of tile servers (matched as the host or a sub-domain of it).  Tile URLs of every
#: xyzservices provider (what folium's ``tiles=`` names resolve to) are recognised as well.
TILE_HOSTS = (
    "tile.openstreetmap.org",
    "tile.openstreetmap.fr",
    "tile.openstreetmap.de",
    "openstreetmap.org",  # only matched for /{z}/{x}/{y} tile paths, see _is_tile
    "server.arcgisonline.com",
    "services.arcgisonline.com",
    "tiles.arcgis.com",
    "basemaps.cartocdn.com",
    "cartodb-basemaps-a.global.ssl.fastly.net",
    "cartodb-basemaps-b.global.ssl.fastly.net",
    "cartodb-basemaps-c.global.ssl.fastly.net",
    "cartodb-basemaps-d.global.ssl.fastly.net",
    "tiles.stadiamaps.com",
    "stamen-tiles.a.ssl.fastly.net",
    "stamen-tiles-a.a.ssl.fastly.net",
    "stamen-tiles-b.a.ssl.fastly.net",
    "stamen-tiles-c.a.ssl.fastly.net",
    "stamen-tiles-d.a.ssl.fastly.net",
    "tile.opentopomap.org",
    "tile.thunderforest.com",
    "api.mapbox.com",
    "tiles.openseamap.org",
    "tile.waymarkedtrails.org",
)
_TILE_PATH = re.compile(r"/\d+/\d+/\d+(@\dx)?(\.(png|jpe?g|webp|pbf|mvt))?$")


@functools.cache
def _xyz_tile_patterns() -> tuple[re.Pattern[str], ...]:
    """Regexes for the URL templates of every xyzservices provider."""
    try:
        import xyzservices
    except ImportError:
        return ()
    pats = []
    for provider in xyzservices.providers.flatten().values():
        url = provider.get("url")
        if not url:
            continue
        url = re.sub(r"^https?:", "", url)
        rx = re.escape(url)
        rx = re.sub(r"\\\{[^}]*\\\}", r"[^/?#]*", rx)
        pats.append(re.compile(r"^https?:" + rx))
    return tuple(pats)


def _is_tile(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for h in TILE_HOSTS:
        if host == h or host.endswith("." + h):
            if h == "openstreetmap.org":
                return bool(_TILE_PATH.search(parts.path))
            return True
    return any(p.match(url) for p in _xyz_tile_patterns())


# --------------------------------------------------------------------------------------------
# Local HTTP server for the maps' own folders
# --------------------------------------------------------------------------------------------


class _MapServer:
    """Serves registered folders at ``http://127.0.0.1:PORT/<token>/...``."""

    def __init__(self) -> None:
        self.roots: dict[str, Path] = {}
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                parts = unquote(urlsplit(path).path).lstrip("/").split("/", 1)
                root = server.roots.get(parts[0])
                if root is None:
                    return "/nonexistent/"
                target = (root / (parts[1] if len(parts) > 1 else "")).resolve()
                if target != root and root not in target.parents:
                    return "/nonexistent/"
                return str(target)

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url_for(self, html: Path) -> str:
        html = html.resolve()
        token = secrets.token_hex(6)
        self.roots[token] = html.parent
        return f"{self.origin}/{token}/{html.name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------------
# What open_map returns
# --------------------------------------------------------------------------------------------


@dataclass
class ConsoleEntry:
    type: str
    text: str
    url: str

    def __str__(self) -> str:
        return f"[{self.type}] {self.text}" + (f" ({self.url})" if self.url else "")


@dataclass
class MapPage:
    """A map opened in Chromium, and everything the harness saw while it loaded.

    Lists keep filling while the test interacts with the page (clicks, hovers...).
    """

    page: Any  # playwright.sync_api.Page
    url: str
    html_path: Path
    console: list[ConsoleEntry] = field(default_factory=list)  # every console message
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions
    dialogs: list[tuple[str, str]] = field(default_factory=list)  # (type, message), dismissed
    unknown_urls: list[str] = field(default_factory=list)  # external, not in the table: aborted
    blocked_tiles: list[str] = field(default_factory=list)  # tile requests: aborted
    served_assets: dict[str, Path] = field(default_factory=dict)  # CDN URL -> local file
    http_errors: list[str] = field(default_factory=list)  # "404 http://127.0.0.1/..." etc.
    map_names: list[str] = field(default_factory=list)  # global JS names of the L.Map objects

    # --- what went wrong ----------------------------------------------------------------------
    @property
    def console_errors(self) -> list[str]:
        """Console errors, except the ones caused by the blocked tile requests."""
        blocked = set(self.blocked_tiles)
        out = []
        for c in self.console:
            if c.type != "error":
                continue
            if c.url in blocked or any(t in c.text for t in blocked):
                continue
            out.append(str(c))
        return out

    def problems(self) -> list[str]:
        """Everything that should not happen on a good map (empty list = clean)."""
        out = [f"console error: {e}" for e in self.console_errors]
        out += [f"page error: {e}" for e in self.page_errors]
        out += [f"dialog opened: {t}: {m!r}" for t, m in self.dialogs]
        out += [f"unknown external URL: {u}" for u in self.unknown_urls]
        out += [f"HTTP error: {e}" for e in self.http_errors]
        return out

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the map page was not clean:\n  " + "\n  ".join(problems)

    # --- what Leaflet drew --------------------------------------------------------------------
    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def overlay_paths(self) -> int:
        """``path`` elements in the overlay pane's SVG (lines, polygons, circles)."""
        return self.count(".leaflet-overlay-pane svg path")

    #: Marker icons: every child of the marker pane.  (folium's default ``folium.Icon`` is an
    #: awesome-markers icon, whose element does NOT carry ``.leaflet-marker-icon``.)
    MARKER_SELECTOR = ".leaflet-marker-pane > *"

    def markers(self) -> int:
        """Marker icons drawn in the marker pane (plain, awesome-markers and DivIcons)."""
        return self.count(self.MARKER_SELECTOR)

    def js(self, expression: str, arg: Any = None) -> Any:
        """``page.evaluate``; the first map object is available as ``window.__map``."""
        return self.page.evaluate(expression, arg)

    # --- interacting --------------------------------------------------------------------------
    def open_popup(self, selector: str, index: int = 0, *, dispatch: bool = False) -> str:
        """Click the index-th element matching ``selector`` (a marker icon, or an SVG path such
        as a CircleMarker: ``.leaflet-overlay-pane path.my-class``); return the popup's text.

        The click is a real mouse click, so it fails (after the page timeout) if another layer
        covers the element's centre -- as it would for a user.  ``dispatch=True`` sends the click
        event to the element itself instead.
        """
        target = self.page.locator(selector).nth(index)
        if dispatch:
            target.dispatch_event("click")
        else:
            target.click()
        popup = self.page.locator(".leaflet-popup-content").last
        popup.wait_for(state="visible", timeout=5_000)
        return str(popup.inner_text())

    def click_marker(self, index: int = 0) -> str:
        """Click the index-th marker icon; return the text of the popup that opened."""
        return self.open_popup(self.MARKER_SELECTOR, index)

    def toggle_layer(self, name: str) -> None:
        """Click the layer-control entry whose label is ``name`` (opens the control first)."""
        control = self.page.locator(".leaflet-control-layers").first
        control.hover()
        label = control.locator("label").filter(has_text=name).first
        label.locator("input").click()
        self.settle()

    def layer_checked(self, name: str) -> bool:
        control = self.page.locator(".leaflet-control-layers").first
        return bool(
            control.locator("label").filter(has_text=name).first.locator("input").is_checked()
        )

    def settle(self) -> None:
        """Wait two animation frames (Leaflet draws vector layers on the next frame)."""
        self.page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save a PNG to tests/artifacts/<name>.png (gitignored) and return its path."""
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / (name if name.endswith(".png") else name + ".png")
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def asset_cache() -> Path:
    """The filled npm asset cache (fills it if needed: `npm pack`, registry access)."""
    try:
        return assets.ensure_cache()
    except assets.AssetCacheError as exc:
        _unavailable(f"offline asset cache unavailable ({exc}); run .ci/install-browser")
        raise  # unreachable


@pytest.fixture(scope="session")
def browser(asset_cache: Path) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (session-wide)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium, or run .ci/install-browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package `playwright` is not installed (pip install playwright)")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
            )
        except Exception as exc:  # launch problems: report, don't hide
            _unavailable(f"Chromium did not start: {exc}")
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def map_server() -> Iterator[_MapServer]:
    server = _MapServer()
    try:
        yield server
    finally:
        server.close()


_WAIT_JS = """
(sel) => {
  if (typeof window.L === 'undefined') return false;
  if (!document.querySelector('.leaflet-container .leaflet-map-pane')) return false;
  if (sel && !document.querySelector(sel)) return false;
  return document.readyState === 'complete';
}
"""

_MAP_NAMES_JS = """
() => {
  const names = Object.keys(window).filter(k => {
    try { return window[k] instanceof L.Map; } catch (e) { return false; }
  });
  if (names.length) window.__map = window[names[0]];
  return names;
}
"""


@pytest.fixture
def open_map(
    browser: Any, map_server: _MapServer, asset_cache: Path, tmp_path: Path
) -> Iterator[Callable[..., MapPage]]:
    """Open a folium map (HTML file or Map object) in a fresh browser context."""
    contexts: list[Any] = []
    opened: list[MapPage] = []

    def _open(
        target: Any,
        *,
        wait_for: str | None = None,
        viewport: tuple[int, int] = (1024, 768),
        allow_unknown: bool = False,
        timeout_ms: int = 20_000,
    ) -> MapPage:
        if isinstance(target, (str, os.PathLike)):
            html = Path(target)
        else:  # a folium Map / Figure / anything with .save()
            html = tmp_path / f"map{len(opened)}.html"
            target.save(str(html))
        if not html.is_file():
            raise FileNotFoundError(html)
        url = map_server.url_for(html)
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, service_workers="block"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        mp = MapPage(page=page, url=url, html_path=html)
        mp._allow_unknown = allow_unknown  # type: ignore[attr-defined]
        opened.append(mp)

        def route(r: Any) -> None:
            req_url = r.request.url
            if req_url.startswith(map_server.origin + "/"):
                r.continue_()
                return
            if urlsplit(req_url).scheme not in ("http", "https"):
                r.continue_()
                return
            local = assets.resolve(req_url, asset_cache)
            if local is not None:
                mp.served_assets[req_url] = local
                ctype = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
                if local.suffix in (".js", ".mjs"):
                    ctype = "application/javascript"
                r.fulfill(
                    status=200,
                    path=str(local),
                    headers={
                        "Content-Type": ctype,
                        "Access-Control-Allow-Origin": "*",
                        "Cache-Control": "max-age=3600",
                    },
                )
                return
            if _is_tile(req_url):
                mp.blocked_tiles.append(req_url)
            else:
                mp.unknown_urls.append(req_url)
            r.abort("blockedbyclient")

        def on_dialog(d: Any) -> None:
            mp.dialogs.append((d.type, d.message))
            with contextlib.suppress(Exception):
                d.dismiss()

        def on_console(msg: Any) -> None:
            loc = msg.location or {}
            mp.console.append(ConsoleEntry(msg.type, msg.text, loc.get("url", "") or ""))

        def on_response(resp: Any) -> None:
            if resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
                mp.http_errors.append(f"{resp.status} {resp.url}")

        context.route("**/*", route)
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: mp.page_errors.append(str(exc)))
        page.on("response", on_response)

        page.goto(url, wait_until="load")
        try:
            page.wait_for_function(_WAIT_JS, arg=wait_for, timeout=timeout_ms)
        except Exception as exc:
            details = "\n  ".join(mp.problems()) or "(nothing recorded)"
            raise AssertionError(
                f"Leaflet did not draw the map {html} within {timeout_ms} ms ({exc}).\n  {details}"
            ) from exc
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=5_000)
        mp.map_names = list(page.evaluate(_MAP_NAMES_JS))
        mp.settle()
        mp._reported_unknown = len(mp.unknown_urls)  # type: ignore[attr-defined]
        if mp.unknown_urls and not allow_unknown:
            pytest.fail(
                "the map requested external URLs that the offline asset table does not know "
                "(add them to flightmap/offline_assets.py ROUTES, or stop emitting them):\n  "
                + "\n  ".join(mp.unknown_urls),
                pytrace=False,
            )
        return mp

    yield _open

    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()
    late = [
        u
        for mp in opened
        if not getattr(mp, "_allow_unknown", False)
        for u in mp.unknown_urls[getattr(mp, "_reported_unknown", 0) :]
    ]
    if late:
        pytest.fail("unknown external URLs were requested:\n  " + "\n  ".join(late), pytrace=False)


@pytest.fixture
def artifacts_dir() -> Path:
    """tests/artifacts/ (created); for screenshots and other things a person may look at."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


def pytest_report_header(config: pytest.Config) -> str:
    chromium = CHROMIUM if shutil.which(CHROMIUM) else f"{CHROMIUM} (missing)"
    return f"browser tests: chromium={chromium} {REQUIRE_ENV}={os.environ.get(REQUIRE_ENV, '')}"
