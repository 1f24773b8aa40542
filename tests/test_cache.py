"""The on-disk cache (flightmap.cache) and the case regions kept in it (analysis.cached_regions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flightmap import cache, geo
from flightmap.analysis import case_regions
from flightmap.analysis.cached_regions import case_regions_cached


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLIGHTMAP_CACHE_DIR", str(tmp_path / "c"))
    return tmp_path / "c"


def _counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> dict[str, float]:
        calls.append(1)
        return {"x": 0.1 + 0.2, "n": float(len(calls))}

    return calls, compute


def _cached(key: Any, compute: Any) -> Any:
    return cache.cached("t", key, compute, dump=lambda v: v, load=lambda v: v)


def test_second_call_reads_the_entry(folder: Path) -> None:
    calls, compute = _counting()
    assert _cached({"a": 1}, compute) == {"x": 0.30000000000000004, "n": 1.0}
    assert _cached({"a": 1}, compute) == {"x": 0.30000000000000004, "n": 1.0}  # exact float
    assert len(calls) == 1
    (entry,) = (folder / "t").iterdir()
    assert entry.suffix == ".json" and len(entry.stem) == 64  # named by SHA-256


def test_another_key_is_another_entry(folder: Path) -> None:
    calls, compute = _counting()
    _cached({"a": 1}, compute)
    assert _cached({"a": 2}, compute)["n"] == 2.0
    assert len(calls) == 2 and len(list((folder / "t").iterdir())) == 2


def test_corrupt_or_foreign_entries_are_recomputed_and_replaced(folder: Path) -> None:
    calls, compute = _counting()
    _cached({"a": 1}, compute)
    (entry,) = (folder / "t").iterdir()
    for bad in ("{not json", json.dumps({"key": "another key", "value": {"x": 9}}), "[]", ""):
        entry.write_text(bad, encoding="utf-8")
        assert _cached({"a": 1}, compute)["x"] == 0.30000000000000004
    assert len(calls) == 5
    assert json.loads(entry.read_text(encoding="utf-8"))["value"]["n"] == 5.0  # rewritten


def test_a_failing_load_means_compute(folder: Path) -> None:
    _calls, compute = _counting()
    _cached({"a": 1}, compute)

    def load(v: Any) -> Any:
        raise RuntimeError("unusable entry")

    assert cache.cached("t", {"a": 1}, compute, dump=lambda v: v, load=load)["n"] == 2.0


def test_unwritable_folder_is_no_cache_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("FLIGHTMAP_CACHE_DIR", str(blocker / "cache"))
    _calls, compute = _counting()
    assert _cached({"a": 1}, compute)["n"] == 1.0
    assert _cached({"a": 1}, compute)["n"] == 2.0  # computed again, nothing stored
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("value", ["off", "OFF", "0", ""])
def test_cache_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLIGHTMAP_CACHE_DIR", value)
    assert cache.cache_dir() is None
    calls, compute = _counting()
    _cached({"a": 1}, compute)
    _cached({"a": 1}, compute)
    assert len(calls) == 2


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLIGHTMAP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "flightmap"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "flightmap"


def test_code_fingerprint_changes_with_the_source(tmp_path: Path) -> None:
    import importlib.util

    src = tmp_path / "mod_fp.py"
    src.write_text("X = 1\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("mod_fp", src)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    before = cache.code_fingerprint([mod])
    src.write_text("X = 2\n", encoding="utf-8")
    assert cache.code_fingerprint([mod]) != before


def _fresh(case: geo.Case) -> pd.DataFrame:
    spec = case.regions
    return case_regions(case, start=spec["start"], end=spec["end"], instants=spec["instants"])


def test_cached_case_regions_equal_computed_ones(folder: Path) -> None:
    case = geo.load_case()
    fresh = _fresh(case)
    first = case_regions_cached(case)  # computed and stored
    stored = case_regions_cached(case)  # read back
    assert len(list((folder / "case-regions").iterdir())) == 1
    for got in (first, stored):
        pd.testing.assert_frame_equal(got.drop(columns="geometry"), fresh.drop(columns="geometry"))
        assert all(
            a.equals_exact(b, 0.0) for a, b in zip(got["geometry"], fresh["geometry"], strict=True)
        )
    # Real values: the gap region first, then the two instants the case names.
    assert stored["id"].tolist() == ["first_bang->impact", "kover", "adsb_back"]
    assert str(stored["time"].dtype) == str(fresh["time"].dtype)


def test_changed_event_reads_another_entry(folder: Path, case_copy: Path, edit: Any) -> None:
    before = case_regions_cached(geo.load_case(case_copy))
    text = (case_copy / "events.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("impact,"))
    edit(case_copy / "events.csv", line, line.replace("06:27:58", "06:37:58", 1))
    case = geo.load_case(case_copy)
    after = case_regions_cached(case)
    assert len(list((folder / "case-regions").iterdir())) == 2
    # Ten minutes more between the first bang and the impact: a larger region, as computed.
    assert after.loc[0, "area_km2"] > before.loc[0, "area_km2"]
    assert after.loc[0, "area_km2"] == _fresh(case).loc[0, "area_km2"]


def test_old_entries_are_pruned(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    _calls, compute = _counting()
    for i in range(5):
        _cached({"a": i}, compute)
        for p in (folder / "t").iterdir():  # make write order visible to mtime
            os.utime(p, (p.stat().st_mtime - 1, p.stat().st_mtime - 1))
    assert len(list((folder / "t").iterdir())) == 3
    calls, compute = _counting()
    _cached({"a": 4}, compute)  # the newest ones are kept...
    _cached({"a": 2}, compute)
    assert calls == []
    _cached({"a": 0}, compute)  # ...the oldest was deleted: computed again
    assert calls == [1]


def test_a_broken_entry_for_the_right_key_is_computed_again(folder: Path) -> None:
    """An entry with the right key but a bad value (edited, or from a buggy version) must not
    break the map: it is computed again and replaced."""
    case = geo.load_case()
    fresh = case_regions_cached(case)
    (entry,) = (folder / "case-regions").iterdir()
    good = json.loads(entry.read_text(encoding="utf-8"))
    breakages: list[Any] = [
        lambda v: v["rows"][0].update(start=None),
        lambda v: v["rows"][1].update(geometry="00"),
        lambda v: v["rows"][0].update(area_km2="big"),
        lambda v: v["rows"].pop(),
        lambda v: v["rows"][0].update(id="somewhere else"),
    ]
    for brk in breakages:
        broken = json.loads(json.dumps(good))
        brk(broken["value"])
        entry.write_text(json.dumps(broken), encoding="utf-8")
        got = case_regions_cached(case)
        pd.testing.assert_frame_equal(got.drop(columns="geometry"), fresh.drop(columns="geometry"))
        assert json.loads(entry.read_text(encoding="utf-8")) == good  # replaced


def test_key_tells_apart_inputs_beyond_ten_digits(folder: Path, case_copy: Path, edit: Any) -> None:
    case = geo.load_case(case_copy)
    case_regions_cached(case)
    impact = next(e for e in case.events if e.id == "impact")
    wp = case.waypoints[impact.waypoint]
    text = (case_copy / "waypoints.csv").read_text(encoding="utf-8")
    row = next(r for r in text.splitlines() if r.startswith(f"{wp.id},"))
    lat = row.split(",")[3]
    edit(case_copy / "waypoints.csv", row, row.replace(f",{lat},", f",{lat}00000001,", 1))
    moved = geo.load_case(case_copy)
    assert next(w for w in moved.waypoints.values() if w.id == wp.id).lat != wp.lat
    case_regions_cached(moved)
    assert len(list((folder / "case-regions").iterdir())) == 2


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("FLIGHTMAP_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_dir() is None
    _calls, compute = _counting()
    assert _cached({"a": 1}, compute)["n"] == 1.0
