"""Run every notebook in notebooks/ top to bottom, and check what it shows.

The notebooks are executed with nbclient in a kernel of *this* interpreter (a kernel spec written
to a temporary folder, so a ``python3`` kernel spec elsewhere on the machine cannot pick another
Python), with ``notebooks/`` as the working folder. Anything a notebook writes to ``outputs/`` is
redirected to a temporary folder through ``FLIGHTMAP_NOTEBOOK_OUTPUTS``; the executed notebooks
stay in memory, so the stored ones keep no outputs.

Without nbclient, nbformat or ipykernel the execution tests are skipped, unless
``FLIGHTMAP_REQUIRE_NOTEBOOKS=1`` (set in CI) makes them fail.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from flightmap.geo import load_case

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "flightmap-test"
TIMEOUT_S = 300
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in IPython tracebacks

# Appended to each notebook in memory: which Python and which flightmap the kernel ran.
PROBE = (
    "import json as _j, sys as _s, flightmap as _f\n"
    "print('FLIGHTMAP-PROBE', _j.dumps({'prefix': _s.prefix, 'flightmap': _f.__file__}))"
)


def _unavailable() -> str | None:
    for module in ("nbclient", "nbformat", "ipykernel", "jupyter_client"):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            return f"{module} is not installed in {sys.prefix} ({exc}); install the test extra"
    return None


@pytest.fixture(scope="session")
def notebook_tools() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("FLIGHTMAP_REQUIRE_NOTEBOOKS") == "1":
        pytest.fail(f"notebook tests are required (FLIGHTMAP_REQUIRE_NOTEBOOKS=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kernel_dir(notebook_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel spec that starts ipykernel with the interpreter running the tests."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "flightmap tests", "language": "python"}),
        encoding="utf-8",
    )
    return folder


class Runner:
    """Executes each notebook at most once per session and keeps the result."""

    def __init__(self, kernel_dir: Path, tmp: pytest.TempPathFactory) -> None:
        self.kernel_dir = kernel_dir
        self.tmp = tmp
        self.done: dict[str, tuple[Any, Path] | str] = {}

    def __call__(self, name: str) -> tuple[Any, Path]:
        """The executed notebook ``name`` and the folder its outputs went to."""
        if name not in self.done:
            self.done[name] = self._execute(NOTEBOOK_DIR / name)
        result = self.done[name]
        if isinstance(result, str):
            pytest.fail(result, pytrace=False)
        return result

    def _execute(self, path: Path) -> tuple[Any, Path] | str:
        import nbformat
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        out = self.tmp.mktemp(path.stem)
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        km = KernelManager(
            kernel_name=KERNEL,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(self.kernel_dir)]),
        )
        client = NotebookClient(
            nb,
            km=km,
            timeout=TIMEOUT_S,
            allow_errors=False,
            resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        )
        # The kernel is a child process: it takes the environment at start.
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("FLIGHTMAP_NOTEBOOK_OUTPUTS", str(out))
            try:
                client.execute()
            except CellExecutionError as exc:
                return f"{path.name} failed:\n" + ANSI.sub("", str(exc))
        return nb, out


@pytest.fixture(scope="session")
def executed(kernel_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Run a notebook by file name (once per session): ``executed(name) -> (notebook, outputs)``."""
    return Runner(kernel_dir, tmp_path_factory)


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]


def _texts(nb: Any) -> str:
    """Every text output (streams and plain-text reprs), joined."""
    parts = []
    for o in _outputs(nb):
        if o["output_type"] == "stream":
            parts.append(o["text"])
        elif "data" in o:
            parts.append(o["data"].get("text/plain", ""))
    return "\n".join(parts)


def _htmls(nb: Any) -> list[str]:
    return [o["data"]["text/html"] for o in _outputs(nb) if "text/html" in o.get("data", {})]


def _map_outputs(nb: Any) -> list[str]:
    """HTML outputs holding a whole Leaflet map page in an iframe."""
    return [
        h
        for h in _htmls(nb)
        if "<iframe" in h and "srcdoc=" in h and "leaflet" in html.unescape(h).lower()
    ]


def test_notebooks_exist() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert "01-j2-8243-walkthrough.ipynb" in names
    assert "02-your-own-track.ipynb" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: cell {cell.get('id')} has outputs"
            assert cell["execution_count"] is None, f"{path.name}: cell {cell.get('id')} ran"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_this_interpreter(path: Path, executed: Runner) -> None:
    nb, _ = executed(path.name)
    assert not [o for o in _outputs(nb) if o["output_type"] == "error"]
    probe = [line for line in _texts(nb).splitlines() if line.startswith("FLIGHTMAP-PROBE ")]
    assert len(probe) == 1
    seen = json.loads(probe[0].removeprefix("FLIGHTMAP-PROBE "))
    assert Path(seen["prefix"]) == Path(sys.prefix)
    # The flightmap of this checkout (installed editable), not another copy.
    assert Path(seen["flightmap"]).resolve().is_relative_to(ROOT)


@pytest.mark.notebook
def test_walkthrough_shows_timeline_conflicts_and_map(executed: Runner) -> None:
    nb, out = executed("01-j2-8243-walkthrough.ipynb")
    text = _texts(nb)
    # The loss of control, in UTC and in Baku, Grozny/Moscow and Aktau local time.
    assert "2024-12-25 05:13:32+00:00" in text
    for local in ("09:13:32+04:00", "08:13:32+03:00", "10:13:32+05:00"):
        assert f"2024-12-25 {local}" in text
    # Every conflict of the case is shown.
    shown = html.unescape("\n".join(_htmls(nb)))
    for conflict in load_case("j2-8243").conflicts:
        assert conflict.topic in shown
    # The region after the hit uses the stated E190 maximum speed.
    assert "maximum ground speed used:    585.6 kt" in text
    assert "first_bang->impact" in text
    maps = _map_outputs(nb)
    assert len(maps) == 1
    # The map draws the case's regions (its [regions] table: first blast to impact, Kovyor).
    page = html.unescape(maps[0])
    assert "Where it could have been between" in page
    assert "Where it could have been at 05:21:42 UTC (kover)" in page
    assert list(out.iterdir()) == []  # this notebook writes no file


@pytest.mark.notebook
def test_own_track_reads_analyses_maps_and_exports(executed: Runner) -> None:
    nb, out = executed("02-your-own-track.ipynb")
    text = _texts(nb)
    assert "format detected: readsb_trace" in text
    assert "1 problem(s) flagged" in text
    assert "position_lost" in text
    assert "default thresholds: 0 gap(s); stricter thresholds: 1 gap(s)" in text
    assert "check: the manifest's SHA-256 matches the track file" in text
    assert "all checks passed" in text
    # The map page was written to the redirected outputs folder and shown inline.
    written = out / "readsb_trace.html"
    assert written.is_file()
    assert 'id="flightmap-manifest"' in written.read_text(encoding="utf-8")
    assert len(_map_outputs(nb)) == 1


@pytest.mark.notebook
def test_own_case_from_a_real_track(executed: Runner) -> None:
    nb, out = executed("03-your-own-case.ipynb")
    text = _texts(nb)
    assert "case written to thy9bp-spoofing" in text
    assert "clean: True" in text
    assert "1 spoofed interval(s)" in text
    # The case's own track is drawn, without --track.
    written = out / "thy9bp-spoofing.html"
    assert written.is_file()
    page = written.read_text(encoding="utf-8")
    assert "THY9BP" in page and "fm-track-alt" in page
    assert len(_map_outputs(nb)) == 1
    assert "removed the case folder" in text
