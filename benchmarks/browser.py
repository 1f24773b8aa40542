"""Time how long headless Chromium takes to draw a map page, with the browser-test harness.

``python benchmarks/browser.py PAGE.html[=SELECTOR] ... [--reps N]`` prints one JSON object:
per page, the median and every repetition of

- ``drawn_ms``: from navigation start (``performance.timeOrigin``) until the overlays are in
  the page (``SELECTOR`` matches as many elements as the page's track payload has chunks in
  its visible layer, or at least one) and two animation frames have been painted after that;
- ``load_ms``: the end of the ``load`` event, for reference;
- ``after_load_ms``: ``drawn_ms - load_ms`` (0 when everything was drawn before ``load``).

Pages are served, and CDN requests answered from the offline asset cache, exactly as in
``tests/browser/conftest.py`` (same Chromium binary and flags, same asset table); tile requests
are aborted. Exit code 3 with a one-line reason on stderr when Chromium, Playwright or the
asset cache is unavailable.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import re
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_DRAWN_JS = """
async ([sel, want]) => {
  await new Promise(resolve => {
    const ok = () => document.querySelectorAll(sel).length >= want;
    if (ok()) { resolve(); return; }
    const check = () => { if (ok()) resolve(); else requestAnimationFrame(check); };
    requestAnimationFrame(check);
  });
  const present = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const nav = performance.getEntriesByType('navigation')[0];
  return {present_ms: present, drawn_ms: performance.now(),
          load_ms: nav ? nav.loadEventEnd : null, count: document.querySelectorAll(sel).length};
}
"""


def expected_paths(html: Path) -> int:
    """Chunks of the first (visible) track layer in a flightmap page; 1 for other pages."""
    match = re.search(r"var data = (\{.*?\});\n", html.read_text(encoding="utf-8"))
    if not match:
        return 1
    payload = json.loads(match.group(1))
    return max(sum(len(f["chunks"]) for f in payload["flights"]), 1)


def unavailable(reason: str) -> None:
    print(reason, file=sys.stderr)
    raise SystemExit(3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+", help="PAGE.html[=CSS selector of the overlays]")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout-ms", type=int, default=120_000)
    args = ap.parse_args()

    try:
        from tests.browser import assets
        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _MapServer
    except ImportError as exc:
        unavailable(f"the browser-test harness cannot be imported ({exc})")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"{CHROMIUM} not found (run .ci/install-browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed")
    try:
        cache = assets.ensure_cache()
    except assets.AssetCacheError as exc:
        unavailable(f"offline asset cache unavailable ({exc}); run .ci/install-browser")

    server = _MapServer()
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
                )
            except Exception as exc:
                unavailable(f"Chromium did not start: {' '.join(str(exc).split())[:200]}")
            for spec in args.pages:
                path_s, _, selector = spec.partition("=")
                html = Path(path_s)
                selector = selector or ".leaflet-overlay-pane svg path"
                want = expected_paths(html) if "fm-track" in selector else 1
                runs = [
                    _open_once(browser, server, cache, assets, html, selector, want, args)
                    for _ in range(args.reps)
                ]
                results[str(html)] = {
                    "drawn_ms": statistics.median(r["drawn_ms"] for r in runs),
                    "load_ms": statistics.median(r["load_ms"] for r in runs),
                    "after_load_ms": statistics.median(
                        max(r["drawn_ms"] - r["load_ms"], 0.0) for r in runs
                    ),
                    "paths": runs[0]["count"],
                    "expected_paths": want,
                    "errors": sorted({e for r in runs for e in r["errors"]})[:5],
                    "runs": runs,
                }
            browser.close()
    finally:
        server.close()
    print(json.dumps(results))


def _open_once(
    browser: Any,
    server: Any,
    cache: Path,
    assets: Any,
    html: Path,
    selector: str,
    want: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, service_workers="block")
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(server.origin + "/") or urlsplit(url).scheme not in ("http", "https"):
            r.continue_()
            return
        local = assets.resolve(url, cache)
        if local is None:
            r.abort("blockedbyclient")  # tiles (and anything unknown): never fetched
            return
        ctype = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
        if local.suffix in (".js", ".mjs"):
            ctype = "application/javascript"
        r.fulfill(status=200, path=str(local), headers={"Content-Type": ctype})

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(args.timeout_ms)
        page.on("pageerror", lambda exc: errors.append(str(exc)[:200]))
        page.goto(server.url_for(html), wait_until="commit")
        out: dict[str, Any] = page.evaluate(_DRAWN_JS, [selector, want])
        page.wait_for_load_state("load")
        if out["load_ms"] in (None, 0):
            out["load_ms"] = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
            )
        out["errors"] = errors
        return out
    finally:
        context.close()


if __name__ == "__main__":
    main()
