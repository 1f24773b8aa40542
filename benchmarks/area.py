"""Area-jamming engines on a generated multi-file day: wall time, rows per second, peak RSS.

Generates (once, cached in ``benchmarks/.cache/area-<aircraft per hour>x<hours>/``) the day of
``tests/jamming_day.py`` at a larger size, as hourly Parquet files in flightmap's schema and
optionally as hourly OpenSky CSV (gzip), then runs ``flightmap jamming`` on the folder with each
engine in a fresh process under ``/usr/bin/time -v`` (peak RSS: the largest process of the run,
Dask workers included, as ``getrusage(RUSAGE_CHILDREN)`` reports it).

    .venv/bin/python benchmarks/area.py --per-hour 600 --hours 24 --engines duckdb,dask,pandas
    .venv/bin/python benchmarks/area.py --per-hour 600 --hours 24 --input csv --engines duckdb
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run(folder: Path, engine: str, memory_limit: str | None, grid: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``flightmap jamming`` run."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(ROOT / ".venv" / "bin" / "flightmap"), "jamming", str(folder)]
        args += ["-o", str(Path(tmp) / "zones.parquet"), "--engine", engine, "--grid", grid]
        if memory_limit:
            args += ["--memory-limit", memory_limit]
        t0 = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", *args], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{done.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])  # type: ignore[index]
    print(done.stdout.strip(), flush=True)
    return wall, rss_kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-hour", type=int, default=600, help="aircraft entering per hour")
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--input", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--engines", default="duckdb,dask,pandas")
    ap.add_argument("--memory-limit", default="1G")
    ap.add_argument("--grid", default="h3")
    opts = ap.parse_args()
    folder, rows = make_inputs(opts.per_hour, opts.hours, opts.input)
    print("| engine | input | rows | wall s | rows/s | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for engine in opts.engines.split(","):
        limit = opts.memory_limit if engine != "pandas" else None
        wall, rss = run(folder, engine, limit, opts.grid)
        print(
            f"| {engine} | {opts.input} | {rows:,} | {wall:.1f} | {rows / wall:,.0f} "
            f"| {rss:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
