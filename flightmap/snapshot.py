"""Print-ready PNG snapshots of a map page, drawn by headless Chromium through Playwright.

:func:`save_png` opens a page (a map built by :mod:`flightmap.render`, a
:class:`flightmap.pipeline.MapPage`, HTML text or an HTML file) in the *system* Chromium
(``$FLIGHTMAP_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on the PATH; never
Playwright's own browser download), waits until the map has drawn and writes a PNG of exactly
``size`` CSS pixels times ``scale``, atomically (:mod:`flightmap.atomic`).

**Offline.** The page loads Leaflet and its plugins from CDNs. Each CDN request is answered from
the npm asset cache of :mod:`flightmap.offline_assets` when the file is there (``assets=``, else
its default folder), and goes to the network otherwise. Tile requests go to the network: offline
they fail and the map shows its own offline basemap. ``offline=True`` never touches the network.

**Print view.** Unless ``print_view=False``, controls that only make sense on a screen are
hidden: zoom, full screen, measure, layer switcher, minimap, mouse position, the slider's
play buttons and the step-through bar. The title and legend panels, the profile panel, the
slider with its time, the scale bar and the attribution stay.

Needs the ``snapshot`` extra (``pip install 'flightmap[snapshot]'``: Playwright for Python) and a
Chromium executable (``apt install chromium``). Imports folium (through :mod:`flightmap.render`)
only when given a folium Map.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flightmap import offline_assets
from flightmap.atomic import write_bytes
from flightmap.errors import InputError
from flightmap.png import png_size, with_resolution

__all__ = [
    "CHROMIUM_ENV",
    "CSS_DPI",
    "DEFAULT_SIZE",
    "PRINT_CSS",
    "BrowserUnavailable",
    "SnapshotError",
    "check_available",
    "find_chromium",
    "parse_size",
    "png_bytes",
    "save_png",
]

CHROMIUM_ENV = "FLIGHTMAP_CHROMIUM"
"""Environment variable naming the Chromium executable."""

DEFAULT_SIZE = (1600, 1000)
"""Default snapshot size, CSS pixels (width, height): 16:10, room for the panels beside the map."""

CSS_DPI = 96
"""CSS pixels per inch (CSS Values and Units Level 3: 1in = 96px): a PNG at scale 2 is 192 dpi."""

MAX_SIDE_PX = 16_384
"""Largest width or height of a snapshot, device pixels (Chromium's largest texture side)."""

INSTALL_PLAYWRIGHT = "pip install 'flightmap[snapshot]'"
INSTALL_CHROMIUM = f"apt install chromium (or set {CHROMIUM_ENV} to a Chromium executable)"

#: Debian's Chromium as root or in a container without user namespaces has no sandbox; the page
#: is flightmap's own. No GPU, no background connections (a closed network would refuse them).
#: Playwright adds --headless and a fresh temporary profile itself.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)

#: Hidden in the print view: controls a reader of a printed page cannot use (their state is
#: what the picture shows): zoom, full screen, measure, layer switcher, minimap, the slider's
#: play buttons and the step-through bar with its keyboard hint; and the mouse position, which
#: has no mouse to follow.
PRINT_CSS = """
.leaflet-control-zoom, .leaflet-control-zoom-fullscreen, .leaflet-control-measure,
.leaflet-control-layers:not(.leaflet-timeline-control), .leaflet-control-minimap,
.leaflet-control-mouseposition,
.leaflet-timeline-control .button-container, .leaflet-timeline-control .fm-story
{ display: none !important; }
.leaflet-control:has(> .leaflet-control-zoom-fullscreen) { display: none !important; }
"""

#: The page's origin: ``.localhost`` never leaves the machine, and every request is routed.
_ORIGIN = "http://flightmap-snapshot.localhost"
_PAGE = "/map.html"

_LEAFLET_READY_JS = """
() => typeof window.L !== 'undefined' && document.readyState === 'complete'
  && !!document.querySelector('.leaflet-container .leaflet-map-pane')
"""

#: True when every Leaflet map has loaded, no tile layer is waiting for a tile (Leaflet marks a
#: failed tile as done too) and every image in the page is complete.
_SETTLED_JS = """
() => {
  const maps = [];
  for (const k of Object.keys(window)) {
    try { if (window[k] instanceof L.Map) maps.push(window[k]); } catch (e) { /* getter */ }
  }
  for (const m of maps) {
    if (!m._loaded) return false;
    let busy = false;
    m.eachLayer(l => { if (l instanceof L.GridLayer && l._loading) busy = true; });
    if (busy) return false;
  }
  return Array.from(document.images).every(i => i.complete);
}
"""

_FRAMES_JS = """
async () => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""


class SnapshotError(RuntimeError):
    """The snapshot could not be made (the page did not load, the browser failed)."""


class BrowserUnavailable(SnapshotError):
    """Playwright for Python or a Chromium executable is missing; the message says what to
    install."""


def _chromium_or_reason(chromium: str | os.PathLike[str] | None) -> tuple[str | None, str]:
    """The Chromium executable (see :func:`find_chromium`), or None and why there is none."""
    named = chromium if chromium is not None else os.environ.get(CHROMIUM_ENV) or None
    if named is not None:
        path = shutil.which(str(named)) or str(named)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path, ""
        where = CHROMIUM_ENV if chromium is None else "chromium"
        return None, f"{where}={named} is not an executable"
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found, ""
    return None, "none found"


def find_chromium(chromium: str | os.PathLike[str] | None = None) -> str:
    """The Chromium executable to use: ``chromium`` if given, else ``$FLIGHTMAP_CHROMIUM``,
    else ``/usr/bin/chromium``, else ``chromium`` or ``chromium-browser`` on the PATH.

    Raises
    ------
    BrowserUnavailable
        When the chosen executable does not exist or cannot be run.
    """
    exe, reason = _chromium_or_reason(chromium)
    if exe is None:
        raise BrowserUnavailable(
            f"snapshots need a Chromium browser ({reason}): {INSTALL_CHROMIUM}"
        )
    return exe


def _check_available(chromium: str | os.PathLike[str] | None) -> str:
    """The Chromium executable, once Playwright is known to import; else one error naming all
    that is missing and how to install it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        playwright_ok = False
    else:
        playwright_ok = True
    exe, reason = _chromium_or_reason(chromium)
    if playwright_ok and exe is not None:
        return exe
    if exe is not None:
        raise BrowserUnavailable(f"snapshots need Playwright for Python: {INSTALL_PLAYWRIGHT}")
    if playwright_ok:
        raise BrowserUnavailable(
            f"snapshots need a Chromium browser ({reason}): {INSTALL_CHROMIUM}"
        )
    raise BrowserUnavailable(
        f"snapshots need Playwright for Python and a Chromium browser ({reason}): "
        f"{INSTALL_PLAYWRIGHT}; {INSTALL_CHROMIUM}"
    )


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` -> ``(1600, 1000)``: width and height in CSS pixels.

    >>> parse_size("1366x768")
    (1366, 768)
    >>> parse_size("390 X 844")
    (390, 844)
    """
    parts = text.lower().replace(" ", "").split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InputError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1600x1000", field="--size")
    width, height = int(parts[0]), int(parts[1])
    if not (16 <= width <= MAX_SIDE_PX and 16 <= height <= MAX_SIDE_PX):
        raise InputError(
            f"{text!r}: width and height must be 16 to {MAX_SIDE_PX} pixels", field="--size"
        )
    return width, height


def _page_source(page: object) -> tuple[str, Path | None]:
    """The HTML text of ``page`` and the folder its relative URLs point into (None: none)."""
    if isinstance(page, str) and "<" not in page:
        page = Path(page)  # a file name, not markup
    if isinstance(page, os.PathLike):
        path = Path(page)
        return path.read_text(encoding="utf-8"), path.resolve().parent
    if isinstance(page, str):
        return page, None
    html = getattr(page, "html", None)  # flightmap.pipeline.MapPage
    if isinstance(html, str):
        return html, None
    if hasattr(page, "get_root"):  # a folium Map: rendered by flightmap's renderer
        from flightmap.render import render_html

        return render_html(page), None  # type: ignore[arg-type]
    raise TypeError(
        f"cannot snapshot a {type(page).__name__}: give a folium Map, a MapPage, HTML text or "
        "the path of an HTML file"
    )


class _Router:
    """Answers the browser's requests: the page and its folder, CDN files from the cache, the
    network for the rest (or nothing, offline). Records what could not be served."""

    def __init__(self, html: str, folder: Path | None, cache: Path, offline: bool) -> None:
        self.html = html.encode("utf-8")
        self.folder = folder
        self.cache = cache
        self.offline = offline
        self.missing_assets: list[str] = []  # CDN URLs not in the cache (fetched or failed)
        self.page_errors: list[str] = []  # uncaught JavaScript exceptions of the page

    def __call__(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(_ORIGIN + "/"):
            self._local(route, urlsplit(url).path)
            return
        local = offline_assets.resolve(url, self.cache)
        if local is not None:
            route.fulfill(
                status=200,
                path=str(local),
                headers={
                    "Content-Type": offline_assets.content_type(local),
                    "Access-Control-Allow-Origin": "*",
                },
            )
            return
        if offline_assets.match(url) is not None:
            self.missing_assets.append(url)
        if self.offline:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def _local(self, route: Any, path: str) -> None:
        if path == _PAGE:
            route.fulfill(status=200, body=self.html, content_type="text/html; charset=utf-8")
            return
        target = None
        if self.folder is not None:
            candidate = (self.folder / unquote(path).lstrip("/")).resolve()
            if self.folder in candidate.parents and candidate.is_file():
                target = candidate
        if target is None:
            route.fulfill(status=404, body="not found")
        else:
            route.fulfill(
                status=200, path=str(target), content_type=offline_assets.content_type(target)
            )


def _wait_settled(page: Any, deadline: float) -> None:
    """Wait until the map is drawn and stays so for two checks 0.25 s apart, or the deadline
    (tiles from a slow server are then left out rather than waited for)."""
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=max(1.0, deadline - time.monotonic()) * 1e3)
    stable = 0
    while stable < 2 and time.monotonic() < deadline:
        stable = stable + 1 if page.evaluate(_SETTLED_JS) else 0
        page.wait_for_timeout(250)
    page.evaluate(_FRAMES_JS)


def _draw(
    router: _Router,
    exe: str,
    size: tuple[int, int],
    scale: int,
    print_view: bool,
    timeout_s: float,
) -> bytes:
    """Open the router's page in Chromium, wait until it has drawn, return the screenshot."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    width, height = size
    deadline = time.monotonic() + timeout_s
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(
                    executable_path=exe, headless=True, args=list(CHROMIUM_ARGS), timeout=60_000
                )
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise BrowserUnavailable(f"Chromium ({exe}) did not start: {first}") from None
            try:
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    device_scale_factor=scale,
                    service_workers="block",
                )
                context.route("**/*", router)
                tab = context.new_page()
                tab.set_default_timeout(max(1.0, timeout_s) * 1e3)
                tab.on("pageerror", lambda exc: router.page_errors.append(str(exc)))
                try:
                    tab.goto(_ORIGIN + _PAGE, wait_until="load")
                    if print_view:
                        tab.add_style_tag(content=PRINT_CSS)
                        # The page lays its panels out again on resize (the slider got shorter).
                        tab.evaluate("() => window.dispatchEvent(new Event('resize'))")
                    tab.wait_for_function(
                        _LEAFLET_READY_JS, timeout=max(1.0, deadline - time.monotonic()) * 1e3
                    )
                except PlaywrightError:
                    raise SnapshotError(_not_loaded(timeout_s, router)) from None
                _wait_settled(tab, deadline)
                data: bytes = tab.screenshot(
                    type="png", animations="disabled", caret="hide", scale="device"
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        text = " ".join(str(exc).split())[:300]
        raise SnapshotError(f"the browser failed: {text}") from None
    return data


def _in_worker(work: Callable[[], bytes]) -> bytes:
    """``work()`` in a thread of its own: Playwright's sync API refuses to run in a thread with
    an asyncio loop (a Jupyter kernel, another Playwright session)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="flightmap-snapshot", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    value: bytes = box["value"]
    return value


def png_bytes(
    page: object,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    scale: int = 1,
    assets: str | os.PathLike[str] | None = None,
    offline: bool = False,
    print_view: bool = True,
    chromium: str | os.PathLike[str] | None = None,
    timeout_s: float = 60.0,
) -> bytes:
    """The PNG of ``page`` drawn at ``size`` CSS pixels (width, height) and ``scale`` device
    pixels per CSS pixel: an image of ``size[0] * scale`` by ``size[1] * scale`` pixels.

    See :func:`save_png` for the parameters.
    """
    width, height = size
    if not (isinstance(scale, int) and 1 <= scale <= 4):
        raise InputError(f"{scale!r} is not a whole number from 1 to 4", field="--scale")
    if max(width, height) * scale > MAX_SIDE_PX or min(width, height) < 16:
        raise InputError(
            f"{width}x{height} at scale {scale} is outside 16 to {MAX_SIDE_PX} pixels a side",
            field="--size",
        )
    exe = _check_available(chromium)
    html, folder = _page_source(page)
    cache = Path(assets) if assets is not None else offline_assets.default_cache_dir()
    router = _Router(html, folder, cache, offline)

    data = _in_worker(lambda: _draw(router, exe, size, scale, print_view, timeout_s))
    if png_size(data) != (width * scale, height * scale):  # a guarantee, not a hope
        raise SnapshotError(
            f"Chromium drew {png_size(data)} pixels, not {width * scale}x{height * scale}"
        )
    return with_resolution(data, CSS_DPI * scale)


def _not_loaded(timeout_s: float, router: _Router) -> str:
    """Why the map did not load, as far as the requests and the page's errors tell."""
    message = f"the map did not load within {timeout_s:g} s"
    if router.missing_assets:
        message += (
            f": {len(router.missing_assets)} CDN file(s) not in the asset cache {router.cache}"
            f" (first: {router.missing_assets[0]}); fill it with "
            "`python -m flightmap.offline_assets` (needs npm), or pass --assets DIR"
        )
        if not router.offline:
            message += ", or go online"
    elif router.page_errors:
        message += f": the page failed: {' '.join(router.page_errors[0].split())[:200]}"
    return message


def save_png(
    page: object,
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    scale: int = 1,
    assets: str | os.PathLike[str] | None = None,
    offline: bool = False,
    print_view: bool = True,
    chromium: str | os.PathLike[str] | None = None,
    timeout_s: float = 60.0,
) -> Path:
    """Draw ``page`` in headless Chromium and write the PNG to ``path`` atomically.

    Parameters
    ----------
    page : folium.Map, MapPage, str or path-like
        A map from :func:`flightmap.render.build_map` (or any ``folium.Map``), a
        :class:`flightmap.pipeline.MapPage`, HTML text (a ``str`` with markup), or the path of
        an HTML file (a path-like, or a ``str`` without ``<``; files next to it are served
        too).
    path : path-like
        The PNG to write; nothing is written when anything fails.
    size : (int, int)
        Width and height of the page's window, CSS pixels.
    scale : int
        Device pixels per CSS pixel (1 to 4): the PNG is ``size`` times ``scale`` pixels, and
        says it is 96 times ``scale`` dpi (printed, it has the size it had on screen).
    assets : path-like, optional
        The npm asset cache answering CDN requests (default:
        :func:`flightmap.offline_assets.default_cache_dir`).
    offline : bool
        Never use the network: CDN files only from the cache, no map tiles.
    print_view : bool
        Hide the screen-only controls (:data:`PRINT_CSS`).
    chromium : path-like, optional
        The Chromium executable (default: :func:`find_chromium`).
    timeout_s : float
        Longest wait for the page to load and its tiles to settle, seconds; tiles still
        loading then are left out.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    BrowserUnavailable
        Playwright or Chromium is missing (the message names what to install) or Chromium
        does not start.
    SnapshotError
        The map did not load (e.g. offline without the CDN files in the cache).
    """
    return write_bytes(
        path,
        png_bytes(
            page,
            size=size,
            scale=scale,
            assets=assets,
            offline=offline,
            print_view=print_view,
            chromium=chromium,
            timeout_s=timeout_s,
        ),
    )


def check_available(chromium: str | os.PathLike[str] | None = None) -> str:
    """The Chromium executable a snapshot would use; raises :class:`BrowserUnavailable`,
    naming what to install, when Playwright or Chromium is missing. Starts nothing."""
    return _check_available(chromium)
