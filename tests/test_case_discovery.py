"""Where cases are found: ./cases of the working folder, then $FLIGHTMAP_CASES (a path list),
then the shipped cases; a clash of ids is an error naming both folders; an unknown name says
where it looked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flightmap.cli import app
from flightmap.errors import InputError
from flightmap.geo import find_cases, list_cases, load_case
from flightmap.geo.folders import case_dirs, resolve_case

CASE_DIR = Path(__file__).resolve().parents[1] / "data" / "cases" / "j2-8243"


def _copy_case(parent: Path, name: str) -> Path:
    """A copy of the J2-8243 case renamed ``name`` (folder and id) under ``parent``."""
    dest = parent / name
    shutil.copytree(CASE_DIR, dest)
    toml = dest / "case.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('id = "j2-8243"', f'id = "{name}"'),
        encoding="utf-8",
    )
    return dest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, with $FLIGHTMAP_CASES unset."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("FLIGHTMAP_CASES", raising=False)
    return work


def test_search_order(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("FLIGHTMAP_CASES", os.pathsep.join([str(a), "", str(b)]))
    dirs = case_dirs()
    assert [d.origin for d in dirs] == [
        "./cases",
        "$FLIGHTMAP_CASES",
        "$FLIGHTMAP_CASES",
        "shipped",
    ]
    assert dirs[0].path == workdir / "cases"
    assert [d.path for d in dirs[1:3]] == [a, b]


def test_cases_from_the_working_folder_and_the_environment(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _copy_case(workdir / "cases", "test-bird")
    extra = _copy_case(tmp_path / "extra", "other-bird")
    monkeypatch.setenv("FLIGHTMAP_CASES", str(tmp_path / "extra"))
    found = {f.name: f for f in find_cases()}
    assert set(found) == {"j2-8243", "test-bird", "other-bird"}
    assert (found["test-bird"].path, found["test-bird"].origin) == (local.resolve(), "./cases")
    assert (found["other-bird"].path, found["other-bird"].origin) == (
        extra.resolve(),
        "$FLIGHTMAP_CASES",
    )
    assert found["j2-8243"].origin == "shipped"
    assert load_case("test-bird").path == local.resolve()
    assert list_cases() == ["j2-8243", "other-bird", "test-bird"]


def test_cases_command_shows_each_folder(workdir: Path) -> None:
    local = _copy_case(workdir / "cases", "test-bird")
    result = CliRunner().invoke(app, ["cases"])
    assert result.exit_code == 0, result.output
    rows = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert rows["test-bird"][3:] == [str(local.resolve()), "(./cases)"]
    assert rows["j2-8243"][4] == "(shipped)"
    # Every command takes the id of a case found in ./cases.
    result = CliRunner().invoke(app, ["timeline", "test-bird", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1 + len(load_case("test-bird").events)


def test_an_id_in_two_folders_is_an_error_naming_both(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _copy_case(workdir / "cases", "test-bird")
    other = _copy_case(tmp_path / "extra", "test-bird")
    monkeypatch.setenv("FLIGHTMAP_CASES", str(tmp_path / "extra"))
    with pytest.raises(InputError, match="case id 'test-bird' is in more than one folder") as exc:
        resolve_case("test-bird")
    assert f"{local.resolve()} (./cases)" in str(exc.value)
    assert f"{other.resolve()} ($FLIGHTMAP_CASES)" in str(exc.value)
    result = CliRunner().invoke(app, ["cases"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert str(local.resolve()) in line and str(other.resolve()) in line
    # A copy of a shipped case kept under its shipped id clashes too.
    _copy_case(workdir / "cases", "j2-8243")
    result = CliRunner().invoke(app, ["timeline", "j2-8243"])
    assert result.exit_code == 2
    assert "(./cases) and " in result.stderr and "(shipped)" in result.stderr


def test_a_folder_listed_twice_is_not_a_clash(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_case(workdir / "cases", "test-bird")
    monkeypatch.setenv("FLIGHTMAP_CASES", os.pathsep.join(["cases", str(workdir / "cases")]))
    assert list_cases() == ["j2-8243", "test-bird"]


def test_unknown_case_says_where_it_looked(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(app, ["timeline", "test-bird"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("flightmap: error: unknown case 'test-bird' (available: j2-8243; ")
    assert f"{workdir / 'cases'} (./cases, missing)" in line
    assert "$FLIGHTMAP_CASES (not set)" in line
    assert "(shipped)" in line
    monkeypatch.setenv("FLIGHTMAP_CASES", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match=r"nowhere \(\$FLIGHTMAP_CASES, missing\)"):
        load_case("test-bird")
