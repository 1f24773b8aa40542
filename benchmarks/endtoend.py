"""What a user waits for: whole commands, each in a fresh process, against the plain pandas way.

``python benchmarks/endtoend.py [--rows N] [--reps R] [--only fr24_convert,...]`` runs, per
format, ``flightmap convert FILE -o OUT.parquet`` against the simplest pandas script that reads
the same file into typed columns and writes Parquet, and ``flightmap render --no-case --track
FILE`` against pandas + one ``folium.PolyLine`` + ``save``. Both sides are whole processes
(interpreter start, imports, read, work, write): wall time from start to exit, and peak resident
memory (``ru_maxrss`` of that child, from ``os.wait4``; this process imports nothing large, as a
child inherits its peak at fork). Repetitions alternate naive and flightmap; the table gives the
medians and the median of the paired ratios (flightmap / naive: below 1 is faster).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

PY = sys.executable
FLIGHTMAP = str(Path(PY).parent / "flightmap")

# The naive scripts: what a user would write with pandas (and folium), nothing more.
NAIVE_FR24_CONVERT = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
pos = df.pop("Position").str.split(",", expand=True).astype(float)
df["lat"], df["lon"] = pos[0], pos[1]
df["time"] = pd.to_datetime(df["Timestamp"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_FR24_RENDER = """
import sys, pandas as pd, folium
df = pd.read_csv(sys.argv[1])
pos = df["Position"].str.split(",", expand=True).astype(float)
m = folium.Map(location=[float(pos[0].mean()), float(pos[1].mean())], zoom_start=5)
folium.PolyLine(pos[[0, 1]].to_numpy().tolist(), weight=3).add_to(m)
m.save(sys.argv[2])
"""
NAIVE_OPENSKY_CONVERT = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
df["time"] = pd.to_datetime(df["time"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_READSB_CONVERT = """
import sys, json, pandas as pd
d = json.load(open(sys.argv[1]))
cols = ["dt", "lat", "lon", "alt", "gs", "track", "flags", "vrate"]
df = pd.DataFrame([e[:8] for e in d["trace"]], columns=cols)
df["alt"] = pd.to_numeric(df["alt"], errors="coerce")  # "ground"
df["time"] = pd.to_datetime(d["timestamp"] + df["dt"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
# flightmap's CLI from another copy of its source (``--against``): the editable install's finder
# is taken out so that the copy is imported.
AGAINST_LAUNCHER = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")]
sys.path.insert(0, sys.argv.pop(1))
from flightmap.cli import main
sys.argv[0] = "flightmap"
sys.exit(main())
"""
NAIVE_GENERIC_CONVERT = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
df["time"] = pd.to_datetime(df["time"], utc=True)
df.to_parquet(sys.argv[2])
"""


@dataclass(frozen=True)
class Work:
    """One row: an input, the flightmap command and the naive script, with its goal."""

    name: str
    label: str
    generator: str  # call of benchmarks/synthetic.py making the input, ``{n}`` for its rows
    flightmap: Callable[[Path, Path], list[str]]
    naive: str
    suffix: str
    goal: str
    passes: Callable[[float], bool]  # on the ratio of medians, flightmap / naive


def _convert(inp: Path, out: Path) -> list[str]:
    return [FLIGHTMAP, "convert", str(inp), "-o", str(out)]


def _render(inp: Path, out: Path) -> list[str]:
    return [FLIGHTMAP, "render", "--no-case", "--track", str(inp), "-o", str(out)]


WORKS = {
    w.name: w
    for w in (
        Work(
            "fr24_convert",
            "FR24 CSV -> Parquet",
            "fr24_csv({n})",
            _convert,
            NAIVE_FR24_CONVERT,
            ".parquet",
            "<= 1.5x",
            lambda r: r <= 1.5,
        ),
        Work(
            "fr24_render",
            "FR24 CSV -> map (render --no-case --track)",
            "fr24_csv({n})",
            _render,
            NAIVE_FR24_RENDER,
            ".html",
            ">= 3x faster",
            lambda r: r <= 1 / 3,
        ),
        Work(
            "opensky_convert",
            "OpenSky CSV -> Parquet",
            "opensky_csv({n})",
            _convert,
            NAIVE_OPENSKY_CONVERT,
            ".parquet",
            "<= 1.5x",
            lambda r: r <= 1.5,
        ),
        Work(
            "readsb_convert",
            "readsb trace JSON -> Parquet",
            "readsb_trace({n})",
            _convert,
            NAIVE_READSB_CONVERT,
            ".parquet",
            "<= 1.5x",
            lambda r: r <= 1.5,
        ),
        Work(
            "generic_convert",
            "generic CSV (ISO times) -> Parquet",
            "generic_csv({n})",
            _convert,
            NAIVE_GENERIC_CONVERT,
            ".parquet",
            "<= 1.5x",
            lambda r: r <= 1.5,
        ),
    )
}


def run(cmd: list[str]) -> dict[str, float]:
    """Wall time (s) and peak RSS (bytes) of one whole process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    # Written pages out to disk before the next process starts (not timed): flightmap's atomic
    # write calls fsync, which would otherwise also flush the naive script's output before it.
    os.sync()
    return {"seconds": seconds, "rss": usage.ru_maxrss * 1024.0}


def make_input(call: str) -> Path:
    """The input file, made (or found in the cache) by :mod:`synthetic` in another process:
    this one stays small, as a child's peak RSS counts what it inherits at fork."""
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import synthetic; print(synthetic.{call})"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout
    return Path(out.strip().splitlines()[-1])


def measure(
    work: Work,
    rows: int,
    reps: int,
    tmp: Path,
    log: Callable[[str], None],
    against: Path | None = None,
) -> str:
    """Run one row's pair ``reps`` times, alternating (with ``against``, flightmap from that
    copy of its source too: before/after in one run); its markdown table row."""
    inp = make_input(work.generator.format(n=rows))
    with open(inp, "rb") as fh:  # warm the page cache for both
        while fh.read(1 << 24):
            pass
    out_fm, out_nv = tmp / f"fm{work.suffix}", tmp / f"naive{work.suffix}"
    fm_cmd = work.flightmap(inp, out_fm)
    nv_cmd = [PY, "-c", work.naive, str(inp), str(out_nv)]
    # Before/after through the same launcher: started as ``python -c``, without the editable
    # install's finder, flightmap starts about 0.2 s sooner than through its console script.
    out_base, out_head = tmp / f"against{work.suffix}", tmp / f"head{work.suffix}"
    base_cmd = [PY, "-c", AGAINST_LAUNCHER, str(against), *work.flightmap(inp, out_base)[1:]]
    head_cmd = [PY, "-c", AGAINST_LAUNCHER, str(REPO), *work.flightmap(inp, out_head)[1:]]
    run(fm_cmd)  # warm-up: bytecode caches, the file cache
    if against:
        run(base_cmd)
    fm, nv, base, head = [], [], [], []
    for rep in range(reps):
        nv.append(run(nv_cmd))
        fm.append(run(fm_cmd))
        if against:
            base.append(run(base_cmd))
            head.append(run(head_cmd))
        log(
            f"  {work.name} #{rep + 1}: naive {nv[-1]['seconds']:.2f} s "
            f"{nv[-1]['rss'] / 1e6:,.0f} MB, flightmap {fm[-1]['seconds']:.2f} s "
            f"{fm[-1]['rss'] / 1e6:,.0f} MB"
            + (
                f", against {base[-1]['seconds']:.2f} s / this copy {head[-1]['seconds']:.2f} s "
                "(same launcher)"
                if against
                else ""
            )
        )

    def m(xs: list[dict[str, float]], key: str) -> float:
        return float(statistics.median(x[key] for x in xs))

    ratio = m(fm, "seconds") / m(nv, "seconds")
    paired = statistics.median(f["seconds"] / n["seconds"] for f, n in zip(fm, nv, strict=True))
    rss = m(fm, "rss") / m(nv, "rss")
    sizes = f"{out_fm.stat().st_size / 1e6:,.2f} MB vs {out_nv.stat().st_size / 1e6:,.1f} MB"
    verdict = "PASS" if work.passes(ratio) else "MISS"
    if against:
        b, h = m(base, "seconds"), m(head, "seconds")
        sizes += (
            f"; same launcher: {against.name} {b:.2f} s, {m(base, 'rss') / 1e6:,.0f} MB "
            f"({b / m(nv, 'seconds'):.2f}x naive), this copy {h:.2f} s, "
            f"{m(head, 'rss') / 1e6:,.0f} MB ({h / m(nv, 'seconds'):.2f}x naive)"
        )
    return (
        f"| {work.label} | {rows / 1e6:g}M rows, {inp.stat().st_size / 1e6:,.0f} MB | "
        f"{m(fm, 'seconds'):.2f} s, {m(fm, 'rss') / 1e6:,.0f} MB | "
        f"{m(nv, 'seconds'):.2f} s, {m(nv, 'rss') / 1e6:,.0f} MB | "
        f"{ratio:.2f}x (paired {paired:.2f}x) | {rss:.2f}x | {work.goal} | **{verdict}** | "
        f"{sizes} |"
    )


HEAD = (
    "| work | input | flightmap (time, peak RSS) | naive | time ratio | RSS ratio | goal | "
    "result | notes: output sizes (flightmap vs naive); --against |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="data lines per input")
    ap.add_argument("--reps", type=int, default=5, help="paired repetitions (medians)")
    ap.add_argument("--only", default=",".join(WORKS), help=f"subset of {','.join(WORKS)}")
    ap.add_argument(
        "--against",
        type=Path,
        help="a folder holding another copy of the flightmap package (e.g. from git archive "
        "of an older commit), timed in the same repetitions (before/after)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f} s] {msg}", flush=True)

    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="flightmap-e2e-") as tmp:
        for name in args.only.split(","):
            work = WORKS[name.strip()]
            rows.append(measure(work, args.rows, args.reps, Path(tmp), log, args.against))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"End to end, {when}: medians of {args.reps} paired runs, whole processes; "
        f"load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}."
    )
    print()
    print(HEAD)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
