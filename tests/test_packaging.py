"""The case data ship inside the wheel: build it, and load the case from the built copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, json, pkgutil, flightmap, flightmap.geo as geo
for mod in pkgutil.walk_packages(flightmap.__path__, "flightmap."):
    if not mod.name.endswith("__main__"):
        importlib.import_module(mod.name)  # every module ships and imports
c = geo.load_case("j2-8243")
print(json.dumps({"module": flightmap.__file__, "case": str(c.path),
                  "events": len(c.events), "kover": c.event("kover").time.isoformat()}))
"""


def test_wheel_contains_and_loads_the_case(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            "-q",
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("flightmap-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for name in ("case.toml", "events.csv", "sources.csv", "waypoints.csv", "zones.geojson"):
        assert f"flightmap/_data/cases/j2-8243/{name}" in names
    assert "flightmap/_data/basemap/land-10m.geojson" in names
    assert "flightmap/_data/README.md" in names
    # Every package in the source tree is in the wheel.
    for init in (ROOT / "flightmap").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names

    # Run from an empty folder with the unpacked wheel first on the path, so neither the
    # clone nor an editable install can supply the data.
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "FLIGHTMAP_CASES": ""}
    run = tmp_path / "elsewhere"
    run.mkdir()
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=run, env=env, check=True, capture_output=True, text=True
    )
    info = json.loads(out.stdout)
    site = str(tmp_path / "site")
    assert info["module"].startswith(site)
    assert info["case"].startswith(site)
    assert info["kover"] == "2024-12-25T05:21:42+00:00"
    assert info["events"] > 40


CLONE_PROBE = """
import sys
# Hide an editable install of flightmap, as on a machine where it was never installed.
sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in getattr(f, "__name__", "")]
import json, flightmap, flightmap.geo as geo
from flightmap import basemap, resources
c = geo.load_case("j2-8243")
print(json.dumps({"module": flightmap.__file__, "data": str(resources.data_dir()),
                  "case": str(c.path), "land": basemap.land().is_valid}))
"""


def test_runs_from_a_clone_without_installing(tmp_path: Path) -> None:
    import shutil

    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "flightmap", clone / "flightmap")
    shutil.copytree(ROOT / "data", clone / "data")
    env = {**os.environ, "FLIGHTMAP_CASES": ""}
    out = subprocess.run(
        [sys.executable, "-c", CLONE_PROBE],
        cwd=clone,  # the clone's flightmap/ comes first on the path
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)
    assert info["module"] == str(clone / "flightmap" / "__init__.py")
    assert info["data"] == str(clone / "data")  # no flightmap._data package: the clone's data/
    assert info["case"] == str(clone / "data" / "cases" / "j2-8243")
    assert info["land"] is True
