"""``flightmap jamming`` stays within its memory budget on an input several times larger.

The input is one generated hour of tests/jamming_day.py copied into 16 hourly files (each copy
shifted by an hour, with its own aircraft): about 1.1 million reports, some 550 MB as rows in
memory (:data:`flightmap.jamming.timeline.BYTES_PER_ROW`) and 6.9 times the 80 MiB budget. The
command runs in a child process; its peak RSS (``os.wait4``) must stay under the budget plus
what the interpreter, pandas, pyarrow, DuckDB and the analysis code take before reading any
report, and must not grow from a quarter of the files to all of them (the all-in-memory pandas
engine peaks at about 900 MB on these files).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from jamming_day import generate_day

from flightmap import schema as s
from flightmap.jamming.timeline import BYTES_PER_ROW

pytest.importorskip("duckdb")

FILES = 16
BUDGET_MB = 80
BASELINE_MB = 330
"""Peak RSS of the command on a single small file (measured 250-290 MB: interpreter, pandas,
pyarrow, DuckDB, pyproj, h3 and the analysis modules), with room for allocator noise."""


@pytest.fixture(scope="module")
def day_of_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    hour = generate_day(per_hour=200, hours=1)
    folder = tmp_path_factory.mktemp("copies")
    for h in range(FILES):
        part = hour.assign(**{s.TIME: hour[s.TIME] + pd.Timedelta(hours=h)})
        for col in (s.ICAO24, s.CALLSIGN, s.FLIGHT_ID):
            part[col] = (f"h{h:02d}" + part[col].astype(str)).astype(s.STR_DTYPE)
        part.to_parquet(folder / f"states_{h:02d}.parquet", index=False)
    return folder, FILES * len(hour)


# The child reports its own high-water mark (VmHWM, reset when it execs): the kernel's
# ru_maxrss of a child also counts the memory it shared with this process between fork and
# exec, so in a test run grown to 700 MB it measured pytest, not flightmap.
_CHILD = """
import sys
from flightmap.cli import main
sys.argv[0] = "flightmap"
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nflightmap-peak-kb {peak}\\n")
"""


def _peak_rss_mb(args: list[str]) -> tuple[float, str]:
    """Peak RSS (MB) and standard error of ``flightmap`` run with ``args`` in a child."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    peak_kb = float(proc.stderr.rsplit("flightmap-peak-kb ", 1)[1].split()[0])
    return peak_kb / 1024, proc.stderr


def test_peak_memory_is_bounded_by_the_budget(
    day_of_copies: tuple[Path, int], tmp_path: Path
) -> None:
    folder, rows = day_of_copies
    assert rows * BYTES_PER_ROW > 6 * BUDGET_MB * 2**20  # the input is several budgets
    opts = ["--grid", "latlon", "--engine", "duckdb", "--memory-limit", f"{BUDGET_MB}M"]
    opts += ["--workers", "1"]  # one process: its peak is the whole run's
    out = ["-o", str(tmp_path / "z.parquet")]
    whole, err = _peak_rss_mb(["jamming", str(folder), *out, *opts])
    assert "sorting them" not in err  # streamed in time order, not sorted
    assert whole < BASELINE_MB + BUDGET_MB, whole
    # A quarter of the files: the peak does not grow with the input (holding every report
    # would add about 300 MB from 4 to 16 files).
    quarter, _ = _peak_rss_mb(["jamming", str(folder / "states_0[0-3].parquet"), *out, *opts])
    assert whole < quarter + 60, (whole, quarter)
