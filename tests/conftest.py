"""Shared fixtures: a writable copy of the J2-8243 case, and a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flightmap.geo import load_case

CASE_DIR = Path(__file__).resolve().parents[1] / "data" / "cases" / "j2-8243"


@pytest.fixture(scope="session", autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """flightmap's on-disk cache (flightmap.cache) in a folder of this test run, not the
    user's ~/.cache; commands run in subprocesses inherit it."""
    saved = os.environ.get("FLIGHTMAP_CACHE_DIR")
    os.environ["FLIGHTMAP_CACHE_DIR"] = str(tmp_path_factory.mktemp("flightmap-cache"))
    yield
    if saved is None:
        os.environ.pop("FLIGHTMAP_CACHE_DIR", None)
    else:
        os.environ["FLIGHTMAP_CACHE_DIR"] = saved


@pytest.fixture
def case_copy(tmp_path: Path) -> Path:
    """A copy of the j2-8243 case folder that a test may break."""
    dest = tmp_path / "j2-8243"
    shutil.copytree(CASE_DIR, dest)
    return dest


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace exactly one occurrence of ``old`` by ``new`` in a file."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit


@pytest.fixture(scope="session")
def case():  # type: ignore[no-untyped-def]
    """The shipped J2-8243 case."""
    return load_case("j2-8243")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
