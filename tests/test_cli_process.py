"""The command line's allocation settings (``flightmap.cli.tune_process``) reach numpy, Arrow
and the garbage collector in a fresh process, and never override what the user set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "from flightmap.cli import tune_process; tune_process()\n"
    "import numpy, pyarrow\n"
    "previous = numpy._core.multiarray._set_madvise_hugepage(True)\n"
    "import gc\n"
    "print(pyarrow.default_memory_pool().backend_name, bool(previous), gc.get_threshold()[0])\n"
)


def _probe(**env: str) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NUMPY_MADVISE_HUGEPAGE", "ARROW_DEFAULT_MEMORY_POOL")
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no allocator warning
    return out.stdout.split()


@pytest.mark.skipif(sys.platform != "linux", reason="numpy's huge-page advice is Linux only")
def test_defaults_in_a_fresh_process() -> None:
    assert _probe() == ["system", "False", "10000"]


def test_the_users_settings_win() -> None:
    backend, *_ = _probe(ARROW_DEFAULT_MEMORY_POOL="mimalloc", NUMPY_MADVISE_HUGEPAGE="1")
    assert backend == "mimalloc"
    if sys.platform == "linux":
        assert _probe(NUMPY_MADVISE_HUGEPAGE="1")[1] == "True"


def test_the_process_ends_without_collecting_and_its_output_is_whole(tmp_path: Path) -> None:
    """``main`` freezes the collector's objects once the command is done (end_quickly): the
    atexit handlers still run, the output is flushed and the page written whole."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['flightmap', 'render', '-o', sys.argv[1]]\n"
        "from flightmap.cli import main\n"
        "main()\n"
    )
    page = tmp_path / "page.html"
    out = subprocess.run(
        [sys.executable, "-c", probe, str(page)], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "frozen True"
    assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")
