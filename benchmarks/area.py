"""Area-jamming engines on a generated multi-file day: wall time, rows per second, peak RSS.

Generates (once, cached in ``benchmarks/.cache/area-<aircraft per hour>x<hours>/``) the day of
``tests/jamming_day.py`` at a larger size, as hourly Parquet files in flightmap's schema and
optionally as hourly OpenSky CSV (gzip), then runs ``flightmap jamming`` on the folder with each
engine in a fresh process under ``/usr/bin/time -v``: wall time, CPU time (user + system, the
processes it started included), peak RSS of the largest single process of the run (Dask and
DuckDB workers included, as ``getrusage(RUSAGE_CHILDREN)`` reports it) and of all its processes
together (sampled every 50 ms with psutil), and the 1-minute load average before and after (the
machine is shared). With ``--check``, each grid is compared with the
first engine's, cell by cell. The last line is Dask's wall time over DuckDB's.

    .venv/bin/python benchmarks/area.py --per-hour 2500 --hours 24 --engines duckdb,dask
    .venv/bin/python benchmarks/area.py --per-hour 250 --hours 24 --input csv --engines duckdb
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_inputs(per_hour: int, hours: int, kind: str) -> tuple[Path, int]:
    """The cached folder of hourly files and its row count."""
    from jamming_day import DAY, generate_day, write_hourly_parquet, write_opensky_csv

    folder = ROOT / "benchmarks" / ".cache" / f"area-{per_hour}x{hours}" / kind
    count = folder / "ROWS"
    if count.exists():
        return folder, int(count.read_text())
    t0 = time.perf_counter()
    df = generate_day(hours=hours, per_hour=per_hour)
    if kind == "parquet":
        write_hourly_parquet(df, folder)
    else:
        import pandas as pd

        folder.mkdir(parents=True, exist_ok=True)
        hour = (df["time"] - DAY) // pd.Timedelta(hours=1)
        for h, part in df.groupby(hour, sort=True):
            write_opensky_csv(part, folder / f"states_{int(h):02d}.csv.gz")
    count.write_text(str(len(df)))
    print(f"generated {len(df):,} rows as {kind} in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder, len(df)


@dataclass(frozen=True)
class Run:
    """One ``flightmap jamming`` run."""

    wall_s: float
    cpu_s: float
    rss_mib: float
    """Peak RSS of the largest single process."""
    rss_sum_mib: float
    """Largest sum of the RSS of all the run's processes at one time (sampled every 50 ms)."""
    load: tuple[float, float]
    grid: pd.DataFrame


def run(folder: Path, engine: str, memory_limit: str | None, grid: str, workers: int | None) -> Run:
    """Time one ``flightmap jamming`` run in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "zones.parquet"
        args = [str(ROOT / ".venv" / "bin" / "flightmap"), "jamming", str(folder)]
        args += ["-o", str(out), "--engine", engine, "--grid", grid]
        if memory_limit:
            args += ["--memory-limit", memory_limit]
        if workers:
            args += ["--workers", str(workers)]
        before = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak_sum = [0.0]
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, peak_sum), daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t0
        sampler.join()
        after = os.getloadavg()[0]
        if proc.returncode != 0:
            raise SystemExit(f"{engine} failed:\n{stderr[-2000:]}")
        result = pd.read_parquet(out)

    def field(name: str) -> float:
        found = re.search(rf"{re.escape(name)}: ([0-9.]+)", stderr)
        if found is None:
            raise SystemExit(f"no {name!r} in /usr/bin/time's output")
        return float(found[1])

    print(stdout.strip(), flush=True)
    cpu = field("User time (seconds)") + field("System time (seconds)")
    rss = field("Maximum resident set size (kbytes)") / 1024
    return Run(wall, cpu, rss, peak_sum[0], (before, after), result)


def _sample_rss(pid: int, peak: list[float]) -> None:
    """Keep in ``peak[0]`` the largest sum of the RSS (MiB) of process ``pid`` and all its
    descendants, sampled every 50 ms until it ends."""
    import psutil

    try:
        root = psutil.Process(pid)
        while root.is_running() and root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total / 2**20)
            time.sleep(0.05)
    except psutil.Error:
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--per-hour",
        type=int,
        default=2500,
        help="aircraft entering per hour (2500: 20.7M reports)",
    )
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--input", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--engines", default="duckdb,dask")
    ap.add_argument("--memory-limit", default="1G")
    ap.add_argument("--grid", default="h3")
    ap.add_argument("--workers", type=int, default=None, help="--workers of every run")
    ap.add_argument("--check", action="store_true", help="compare the grids cell by cell")
    opts = ap.parse_args()
    folder, rows = make_inputs(opts.per_hour, opts.hours, opts.input)
    print(f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        "| engine | input | rows | wall s | rows/s | CPU s | peak RSS MiB, largest process "
        "| all processes | load before, after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    runs: dict[str, Run] = {}
    for engine in opts.engines.split(","):
        limit = opts.memory_limit if engine != "pandas" else None
        r = runs[engine] = run(folder, engine, limit, opts.grid, opts.workers)
        print(
            f"| {engine} | {opts.input} | {rows:,} | {r.wall_s:.1f} | {rows / r.wall_s:,.0f} "
            f"| {r.cpu_s:.1f} | {r.rss_mib:,.0f} | {r.rss_sum_mib:,.0f} "
            f"| {r.load[0]:.2f}, {r.load[1]:.2f} |",
            flush=True,
        )
        if opts.check:
            first = next(iter(runs.values())).grid
            pd.testing.assert_frame_equal(first, r.grid)
    if "duckdb" in runs and "dask" in runs:
        ratio = runs["dask"].wall_s / runs["duckdb"].wall_s
        print(f"Dask / DuckDB wall time: {ratio:.2f}")


if __name__ == "__main__":
    main()
