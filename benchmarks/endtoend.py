"""What a user waits for: whole commands, each in a fresh process, against the plain pandas way.

``python benchmarks/run.py`` runs these rows with the others (rows 1, 2a and 3a of its table);
``python benchmarks/endtoend.py [--only fr24_csv,...] [--reps R] [--rows N] [--against DIR]``
runs them alone. Per format, ``flightmap convert FILE -o OUT.parquet`` against the simplest
pandas script that reads the same file into typed columns (times as tz-aware datetimes) and
writes Parquet; ``flightmap render --no-case --track FILE`` against pandas + one
``folium.PolyLine`` + ``save``; ``flightmap analyse FILE`` against ``flightmap convert`` of the
same file (the read alone, see :data:`WORKS`). Both sides are whole processes (interpreter
start, imports, read, work, write): wall time from start to exit, and peak resident memory
(``ru_maxrss`` of that child, from ``os.wait4``; this process imports nothing large, as a child
inherits its parent's peak at fork). Repetitions alternate the two sides; the row gives their
medians, the median of the paired ratios (flightmap / naive: below 1 is faster) and the ratio of
the median peaks.
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

# The naive scripts: what a user would write with pandas (and folium), nothing more. Each reads
# argv[1] and writes argv[2]; every one gives typed columns and tz-aware UTC times, as flightmap.
NAIVE_FR24_CSV = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
pos = df.pop("Position").str.split(",", expand=True).astype(float)
df["lat"], df["lon"] = pos[0], pos[1]
df["time"] = pd.to_datetime(df["Timestamp"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
# FR24 puts altitude, speed and heading only in each Placemark's HTML description.
NAIVE_FR24_KML = r"""
import re, sys, xml.etree.ElementTree as ET, pandas as pd
K = "{http://www.opengis.net/kml/2.2}"
rows = [
    (p.findtext(f"{K}TimeStamp/{K}when"), p.findtext(f"{K}Point/{K}coordinates"),
     p.findtext(f"{K}description"))
    for p in ET.parse(sys.argv[1]).iter(f"{K}Placemark")
    if p.find(f"{K}Point") is not None
]
df = pd.DataFrame(rows, columns=["when", "coordinates", "description"])
xyz = df.pop("coordinates").str.split(",", expand=True).astype(float)
df["lon"], df["lat"] = xyz[0], xyz[1]
nums = df.pop("description").str.extract(
    r"Altitude:\D*([\d.]+) ft.*Speed:\D*([\d.]+) kt.*Heading:\D*([\d.]+)", flags=re.S
).astype(float)
df["alt_ft"], df["gs_kt"], df["track_deg"] = nums[0], nums[1], nums[2]
df["time"] = pd.to_datetime(df.pop("when"), utc=True)
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
NAIVE_OPENSKY_CSV = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
df["time"] = pd.to_datetime(df["time"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_OPENSKY_REST = """
import sys, json, pandas as pd
cols = ["time", "icao24", "callsign", "origin_country", "time_position", "last_contact", "lon",
        "lat", "baro_altitude", "on_ground", "velocity", "true_track", "vertical_rate", "sensors",
        "geo_altitude", "squawk", "spi", "position_source", "category"]
rows = [[r["time"], *st] for r in json.load(open(sys.argv[1])) for st in r["states"]]
df = pd.DataFrame(rows, columns=cols).drop(columns="sensors")
df["time"] = pd.to_datetime(df["time"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_READSB = """
import sys, json, pandas as pd
d = json.load(open(sys.argv[1]))
cols = ["dt", "lat", "lon", "alt", "gs", "track", "flags", "vrate"]
df = pd.DataFrame([e[:8] for e in d["trace"]], columns=cols)
df["alt"] = pd.to_numeric(df["alt"], errors="coerce")  # "ground"
df["time"] = pd.to_datetime(d["timestamp"] + df["dt"], unit="s", utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_GENERIC_CSV = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
df["time"] = pd.to_datetime(df["time"], utc=True)
df.to_parquet(sys.argv[2])
"""
NAIVE_PARQUET = """
import sys, pandas as pd
pd.read_parquet(sys.argv[1]).to_parquet(sys.argv[2])
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

# A 1M-fix KML is 0.6 GB: above the default limit for files parsed whole (an eighth of 2 GiB).
BIG_INPUTS = ("--max-input-size", "8G")

Command = Callable[[Path, Path], list[str]]


def convert(inp: Path, out: Path) -> list[str]:
    """``flightmap convert INP -o OUT``."""
    return [FLIGHTMAP, *BIG_INPUTS, "convert", str(inp), "-o", str(out)]


def render(inp: Path, out: Path) -> list[str]:
    """``flightmap render --no-case --track INP -o OUT``."""
    return [FLIGHTMAP, "render", "--no-case", "--track", str(inp), "-o", str(out)]


def analyse(inp: Path, out: Path) -> list[str]:
    """``flightmap analyse INP`` (its report goes to stdout, discarded; ``out`` unused)."""
    del out
    return [FLIGHTMAP, "analyse", str(inp)]


def naive(script: str) -> Command:
    """The pandas script as a command (``python -c SCRIPT INP OUT``)."""
    return lambda inp, out: [PY, "-c", script, str(inp), str(out)]


@dataclass(frozen=True)
class Work:
    """One row: an input, the flightmap command and the one it is measured against."""

    name: str
    label: str
    generator: str  # call of benchmarks/synthetic.py making the input, ``{n}`` for its size
    rows: int  # full size
    flightmap: Command
    baseline: Command
    baseline_text: str  # what the baseline is, for the notes
    suffix: str  # of both outputs
    max_time: float  # goal: flightmap / baseline wall time at most this
    max_rss: float | None = None  # goal: flightmap / baseline peak RSS at most this
    reps: int | None = None  # fewer repetitions for the slowest rows (None: the run's number)

    @property
    def goal(self) -> str:
        if self.max_time < 1:
            text = f">= {1 / self.max_time:g}x faster"
        else:
            text = f"<= {self.max_time:g}x time"
        return text + (f", <= {self.max_rss:g}x RSS" if self.max_rss else "")


def _reader(
    name: str, label: str, generator: str, rows: int, script: str, text: str, **kw: int
) -> Work:
    suffix = ".parquet"
    return Work(name, label, generator, rows, convert, naive(script), text, suffix, 1.5, 2.0, **kw)


READERS = (
    _reader(
        "fr24_csv",
        "FR24 CSV -> Parquet",
        "fr24_csv({n})",
        5_000_000,
        NAIVE_FR24_CSV,
        'read_csv, Position split with str.split(",", expand=True).astype(float), '
        "to_datetime(Timestamp, unit='s', utc=True), to_parquet",
    ),
    _reader(
        "fr24_kml",
        "FR24 KML -> Parquet",
        "fr24_kml({n})",
        1_000_000,
        NAIVE_FR24_KML,
        "ElementTree.parse, findtext of when, coordinates and description per Point Placemark, "
        "coordinates split, description numbers by str.extract, to_datetime, to_parquet; "
        "flightmap with --max-input-size 8G (the file is 0.6 GB)",
        reps=3,
    ),
    _reader(
        "readsb",
        "readsb trace JSON -> Parquet",
        "readsb_trace({n})",
        1_000_000,
        NAIVE_READSB,
        "json.load, a frame of the first 8 fields of each entry, to_numeric of the altitude "
        '("ground"), to_datetime, to_parquet',
    ),
    _reader(
        "opensky_csv",
        "OpenSky CSV -> Parquet",
        "opensky_csv({n})",
        5_000_000,
        NAIVE_OPENSKY_CSV,
        "read_csv, to_datetime(time, unit='s', utc=True), to_parquet",
    ),
    _reader(
        "opensky_rest",
        "OpenSky REST JSON -> Parquet",
        "opensky_rest({n})",
        1_000_000,
        NAIVE_OPENSKY_REST,
        "json.load, one frame of [time, *state] rows, to_datetime, to_parquet",
    ),
    _reader(
        "generic_csv",
        "generic CSV (ISO times) -> Parquet",
        "generic_csv({n})",
        5_000_000,
        NAIVE_GENERIC_CSV,
        "read_csv, to_datetime(time, utc=True), to_parquet",
    ),
    _reader(
        "parquet",
        "Parquet (flightmap's schema) -> Parquet",
        "track_parquet({n})",
        1_000_000,
        NAIVE_PARQUET,
        "read_parquet, to_parquet",
    ),
)
RENDER = Work(
    "render",
    "FR24 CSV -> map (render --no-case --track)",
    "fr24_csv({n})",
    1_000_000,
    render,
    naive(NAIVE_FR24_RENDER),
    "read_csv, Position split, folium.Map + one folium.PolyLine of every point + save",
    ".html",
    1 / 3,
)
# The read alone, end to end, is `flightmap convert` of the same file: the same start-up and
# read, and a Parquet write (0.2-0.3 s per 1M rows) where analyse prints its report. In-process
# timing would leave out start-up, which both share.
ANALYSE = Work(
    "analyse",
    "analyse FR24 CSV (flightmap analyse)",
    "fr24_csv({n})",
    1_000_000,
    analyse,
    convert,
    "flightmap convert of the same file to Parquet (the read alone, end to end)",
    ".parquet",
    1.5,
)
WORKS = {w.name: w for w in (*READERS, RENDER, ANALYSE)}


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
        raise RuntimeError(f"{' '.join(cmd)[:300]} failed:\n{err[-2000:]}")
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


@dataclass(frozen=True)
class Result:
    """Medians of one row's paired runs."""

    work: Work
    rows: int
    input_bytes: int
    reps: int
    fm_s: float
    nv_s: float
    fm_rss: float
    nv_rss: float
    paired: float  # median of the per-repetition ratios flightmap / baseline
    out_fm: int  # output sizes, bytes
    out_nv: int
    load: tuple[float, float]  # 1-min load average before and after the row
    against: str = ""  # the --against note

    @property
    def ratio(self) -> float:
        return self.fm_s / self.nv_s

    @property
    def rss_ratio(self) -> float:
        return self.fm_rss / self.nv_rss

    @property
    def ok(self) -> bool:
        w = self.work
        return self.ratio <= w.max_time and (w.max_rss is None or self.rss_ratio <= w.max_rss)


def measure(
    work: Work,
    rows: int,
    reps: int,
    tmp: Path,
    log: Callable[[str], None],
    against: Path | None = None,
) -> Result:
    """Run one row's pair ``reps`` times, alternating (with ``against``, flightmap from that
    copy of its source too: before/after in one run)."""
    load0 = os.getloadavg()[0]
    inp = make_input(work.generator.format(n=rows))
    with open(inp, "rb") as fh:  # warm the page cache for both
        while fh.read(1 << 24):
            pass
    out_fm, out_nv = tmp / f"{work.name}-fm{work.suffix}", tmp / f"{work.name}-naive{work.suffix}"
    fm_cmd, nv_cmd = work.flightmap(inp, out_fm), work.baseline(inp, out_nv)
    # Before/after through the same launcher: started as ``python -c``, without the editable
    # install's finder, flightmap starts about 0.2 s sooner than through its console script.
    out_base, out_head = (
        tmp / f"{work.name}-against{work.suffix}",
        tmp / f"{work.name}-head{work.suffix}",
    )
    base_cmd = [PY, "-c", AGAINST_LAUNCHER, str(against), *work.flightmap(inp, out_base)[1:]]
    head_cmd = [PY, "-c", AGAINST_LAUNCHER, str(REPO), *work.flightmap(inp, out_head)[1:]]
    if against:
        run(base_cmd)  # warm-up: its bytecode
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

    note = ""
    if against:
        b, h, n = m(base, "seconds"), m(head, "seconds"), m(nv, "seconds")
        note = (
            f"same launcher: {against.name} {b:.2f} s, {m(base, 'rss') / 1e6:,.0f} MB "
            f"({b / n:.2f}x naive), this copy {h:.2f} s, {m(head, 'rss') / 1e6:,.0f} MB "
            f"({h / n:.2f}x naive)"
        )
    return Result(
        work=work,
        rows=rows,
        input_bytes=inp.stat().st_size,
        reps=reps,
        fm_s=m(fm, "seconds"),
        nv_s=m(nv, "seconds"),
        fm_rss=m(fm, "rss"),
        nv_rss=m(nv, "rss"),
        paired=float(
            statistics.median(f["seconds"] / n["seconds"] for f, n in zip(fm, nv, strict=True))
        ),
        out_fm=out_fm.stat().st_size if out_fm.exists() else 0,
        out_nv=out_nv.stat().st_size if out_nv.exists() else 0,
        load=(load0, os.getloadavg()[0]),
        against=note,
    )


def size_label(rows: int, nbytes: int) -> str:
    """``"5M rows, 880 MB"``."""
    n = f"{rows / 1e6:g}M" if rows >= 1_000_000 else f"{rows / 1e3:g}k"
    return f"{n} rows, {nbytes / 1e6:,.0f} MB"


def ratio_text(r: Result) -> str:
    """``"0.85x (paired 0.86x); RSS 0.53x"``, or ``"2.9x faster"`` for a speed-up goal."""
    if r.work.max_time < 1:
        return f"{1 / r.ratio:.2f}x faster (paired {1 / r.paired:.2f}x)"
    text = f"{r.ratio:.2f}x (paired {r.paired:.2f}x)"
    return text + (f"; RSS {r.rss_ratio:.2f}x" if r.work.max_rss else "")


HEAD = (
    "| work | input | flightmap (time, peak RSS) | baseline | ratio | goal | result | notes |\n"
    "|---|---|---|---|---|---|---|---|"
)


def markdown_row(r: Result) -> str:
    """One line of :data:`HEAD`."""
    verdict = "PASS" if r.ok else "MISS"
    notes = (
        f"baseline: {r.work.baseline_text}; outputs {r.out_fm / 1e6:,.1f} MB vs "
        f"{r.out_nv / 1e6:,.1f} MB; load {r.load[0]:.1f} / {r.load[1]:.1f}"
    )
    if r.against:
        notes += f"; {r.against}"
    return (
        f"| {r.work.label} | {size_label(r.rows, r.input_bytes)} | {r.fm_s:.2f} s, "
        f"{r.fm_rss / 1e6:,.0f} MB | {r.nv_s:.2f} s, {r.nv_rss / 1e6:,.0f} MB | {ratio_text(r)} | "
        f"{r.work.goal} | **{verdict}** | {notes} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, help="inputs of this size (default: each row's own)")
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
    lines = []
    with tempfile.TemporaryDirectory(prefix="flightmap-e2e-") as tmp:
        for name in args.only.split(","):
            work = WORKS[name.strip()]
            res = measure(work, args.rows or work.rows, args.reps, Path(tmp), log, args.against)
            lines.append(markdown_row(res))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"End to end, {when}: medians of {args.reps} paired runs, whole processes; "
        f"load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}."
    )
    print()
    print(HEAD)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
