"""flightmap.offline_assets without npm: where the cache is, and CDN URLs resolved in a small
hand-made cache (the filled cache is checked by tests/browser/test_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flightmap import offline_assets as oa

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache holding only leaflet@1.9.3's dist/leaflet.js."""
    root = tmp_path / "cache"
    dist = oa.package_dir("leaflet@1.9.3", root) / "dist"
    dist.mkdir(parents=True)
    (dist / "leaflet.js").write_text("/* leaflet */")
    (tmp_path / "secret.txt").write_text("outside the cache")
    return root


def test_resolve(cache: Path) -> None:
    assert (
        oa.resolve(LEAFLET_JS, cache)
        == (oa.package_dir("leaflet@1.9.3", cache) / "dist" / "leaflet.js").resolve()
    )
    assert oa.resolve(LEAFLET_JS + "?v=1#x", cache) is not None  # query and fragment ignored
    assert oa.resolve(LEAFLET_JS.replace("https:", "http:"), cache) is not None
    # Known route, file not in this cache; unknown host; not http; out of the package.
    assert oa.resolve("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css", cache) is None
    assert oa.resolve("https://example.org/npm/leaflet@1.9.3/dist/leaflet.js", cache) is None
    assert oa.resolve("file:///etc/passwd", cache) is None
    escape = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/../../../../secret.txt"
    assert oa.resolve(escape, cache) is None


def test_content_type() -> None:
    assert oa.content_type(Path("a/leaflet.js")) == "application/javascript"
    assert oa.content_type(Path("a/leaflet.css")) == "text/css"
    assert oa.content_type(Path("a/font.unknownext")) == "application/octet-stream"


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "flightmap").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    monkeypatch.setattr(oa, "_CHECKOUT", checkout)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(oa.CACHE_ENV, str(tmp_path / "env-cache"))
    assert oa.default_cache_dir() == tmp_path / "env-cache"  # the environment first
    monkeypatch.delenv(oa.CACHE_ENV)
    # A checkout whose cache was never filled: the user's cache folder.
    assert oa.default_cache_dir() == tmp_path / "xdg" / "flightmap" / "npm-assets"
    (checkout / ".cache" / "npm-assets" / "npm").mkdir(parents=True)
    assert oa.default_cache_dir() == checkout / ".cache" / "npm-assets"
    monkeypatch.setattr(oa, "_CHECKOUT", tmp_path / "site-packages")  # an installed wheel
    assert oa.default_cache_dir() == tmp_path / "xdg" / "flightmap" / "npm-assets"


def test_every_route_names_a_pinned_package() -> None:
    for route in oa.ROUTES:
        if route.source.startswith("npm:"):
            assert route.source[4:] in oa.PACKAGES, route.prefix
        else:
            assert route.source in (oa.FOLIUM, oa.GENERATED), route.prefix
