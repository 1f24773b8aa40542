"""flightmap against the naive way, in one run: ``python benchmarks/run.py [--quick]``.

End to end through the CLI (:mod:`endtoend`): each reader (``flightmap convert``) against the
plain pandas read of the same file, ``flightmap analyse`` against ``flightmap convert``,
``flightmap render --track`` against pandas + folium, start-up and ``--help``; in process
(:mod:`workers`, :mod:`browser`): geodesic distances, the rendered page's size and deviation,
the browser's drawing time. Both sides run in fresh processes, alternating repetition by
repetition; the table gives medians, ratios and PASS/MISS per target. A full run of every row
(without ``--quick`` or ``--only``) also writes the table into ``benchmarks/README.md`` between
the ``<!-- results -->`` markers. See that README for what each row measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import endtoend  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent

FULL = {
    "rows_scale": 1.0,  # end-to-end inputs at their full sizes (endtoend.WORKS)
    "legs": 100_000,
    "naive_legs": 100_000,
    "render_points": 1_000_000,
    "reps": 5,
    "startup_reps": 15,
}
QUICK = {
    "rows_scale": 0.1,
    "legs": 100_000,
    "naive_legs": 10_000,
    "render_points": 200_000,
    "reps": 3,
    "startup_reps": 5,
}
GROUPS = ("readers", "analyse", "geodesic", "render", "startup", "browser")


@dataclass
class Row:
    target: str
    size: str
    flightmap: str
    naive: str
    ratio: str
    goal: str
    ok: bool | None  # None: skipped
    note: str = ""

    @property
    def verdict(self) -> str:
        return "SKIP" if self.ok is None else ("PASS" if self.ok else "MISS")


def worker(task: str, **kwargs: Any) -> dict[str, Any]:
    """Run one measurement in a fresh process (:mod:`workers`)."""
    proc = subprocess.run(
        [PY, str(HERE / "workers.py"), task, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{proc.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def interleaved(
    reps: int, runs: dict[str, Callable[[], dict[str, Any]]], log: Callable[[str], None]
) -> dict[str, list[dict[str, Any]]]:
    """Every run once per repetition, alternating, so drifting machine load hits all alike."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for rep in range(reps):
        for name, run in runs.items():
            res = run()
            out[name].append(res)
            log(f"  {name} #{rep + 1}: {res['seconds']:.3f} s")
    return out


def med(results: list[dict[str, Any]], key: str = "seconds") -> float:
    return float(statistics.median(r[key] for r in results))


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e3:,.0f} kB"


def secs(x: float) -> str:
    return f"{x * 1e3:.0f} ms" if x < 1 else f"{x:.2f} s"


def rows_label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


# ---------------------------------------------------------------------------------- targets


def e2e_row(number: str, res: endtoend.Result) -> Row:
    """A row of the table from an end-to-end result (:mod:`endtoend`)."""
    w = res.work
    notes = f"baseline: {w.baseline_text}"
    if res.out_fm:
        notes += f"; outputs {mb(res.out_fm)} vs {mb(res.out_nv)}"
    notes += f"; load {res.load[0]:.1f} / {res.load[1]:.1f}; {res.reps} paired runs"
    return Row(
        f"{number} {w.label}",
        endtoend.size_label(res.rows, res.input_bytes),
        f"{secs(res.fm_s)}, {mb(res.fm_rss)}",
        f"{secs(res.nv_s)}, {mb(res.nv_rss)}",
        endtoend.ratio_text(res),
        w.goal,
        res.ok,
        notes,
    )


def bench_endtoend(
    cfg: dict[str, Any],
    works: list[tuple[str, endtoend.Work]],
    tmp: Path,
    log: Callable[[str], None],
) -> list[Row]:
    rows = []
    for number, work in works:
        n = max(int(work.rows * cfg["rows_scale"]), 1000)
        reps = min(cfg["reps"], work.reps) if work.reps else cfg["reps"]
        log(f"{number} end to end: {work.label}, {n:,} rows, {reps} paired runs")
        rows.append(e2e_row(number, endtoend.measure(work, n, reps, tmp, log)))
    return rows


def bench_analyse(cfg: dict[str, Any], tmp: Path, log: Callable[[str], None]) -> list[Row]:
    """Row 2a, end to end; its note adds the read and the analysis timed apart in process."""
    row = bench_endtoend(cfg, [("2a", endtoend.ANALYSE)], tmp, log)[0]
    n = max(int(endtoend.ANALYSE.rows * cfg["rows_scale"]), 1000)
    inp = endtoend.make_input(endtoend.ANALYSE.generator.format(n=n))
    runs = [worker("analyse_inprocess", path=str(inp)) for _ in range(3)]
    read_s, analyse_s = med(runs, "read_s"), med(runs, "analyse_s")
    log(f"  in process: read_track {secs(read_s)}, analyse {secs(analyse_s)}")
    row.note += (
        f"; in process (median of 3): read_track {secs(read_s)}, analysis.analyse "
        f"{secs(analyse_s)} = {analyse_s / read_s:.2f}x the read"
    )
    return [row]


def bench_geodesic(cfg: dict[str, Any], log: Callable[[str], None]) -> list[Row]:
    legs, naive_legs = cfg["legs"], cfg["naive_legs"]
    log(f"geodesic: {legs:,} legs vectorised, {naive_legs:,} legs with geopy")
    geo = interleaved(
        cfg["reps"],
        {
            "naive": lambda: worker("geodesic_naive", legs=naive_legs),
            "flightmap": lambda: worker("geodesic_flightmap", legs=legs),
        },
        log,
    )
    per_fm = med(geo["flightmap"]) / legs
    per_nv = med(geo["naive"]) / naive_legs
    note = "naive: geopy.distance.geodesic in a loop"
    if naive_legs != legs:
        note += f" on {rows_label(naive_legs)} legs, scaled per leg"
    return [
        Row(
            "2b geodesic",
            f"{rows_label(legs)} legs",
            f"{per_fm * 1e6:.2f} us/leg",
            f"{per_nv * 1e6:.1f} us/leg",
            f"{per_nv / per_fm:,.0f}x faster",
            ">= 50x",
            per_nv / per_fm >= 50,
            note,
        ),
    ]


def bench_render(cfg: dict[str, Any], tmp: Path, log: Callable[[str], None]) -> list[Row]:
    """Rows 3b and 3c: the page of a 1M-point track (in process, from a frame in memory, with
    its analysis) against folium's page of the same points; the pages stay in ``tmp`` for the
    browser row."""
    n = cfg["render_points"]
    log(f"render: {n:,} points to HTML (page size, deviation)")
    fm_html, nv_html = tmp / "render-flightmap.html", tmp / "render-naive.html"
    dev = worker("render_flightmap", points=n, out=str(fm_html), deviation=True)
    nv = worker("render_naive", points=n, out=str(nv_html))
    size_fm, size_nv = dev["html_bytes"], nv["html_bytes"]
    label = f"{rows_label(n)} points"
    return [
        Row(
            "3b render size",
            label,
            mb(size_fm),
            mb(size_nv),
            f"{size_nv / size_fm:.1f}x smaller",
            ">= 15x, <= 1.5 MB",
            size_nv / size_fm >= 15 and size_fm <= 1_500_000,
            f"{dev['layers']} track layers, {' + '.join(f'{v:,}' for v in dev['vertices'])} "
            "vertices; naive: folium.Map + one folium.PolyLine of all points",
        ),
        Row(
            "3c max deviation",
            label,
            f"{dev['max_deviation_m']:.1f} m",
            "0 m",
            "-",
            "<= 25 m",
            dev["max_deviation_m"] <= 25.0 and dev["uncovered_points"] == 0,
            f"decoded from the page, geodesic on WGS84; {dev['uncovered_points']} points "
            "not covered by a drawn segment",
        ),
    ]


def timed(cmd: list[str], cwd: Path, **extra_env: str) -> dict[str, Any]:
    # As installed: Python's bytecode cache on, as pip leaves it for pandas and folium (pip
    # byte-compiles what it installs). With PYTHONDONTWRITEBYTECODE set (this machine's shell
    # sets it) an editable flightmap would be compiled from source at every start, pandas and
    # folium not: about 0.1 s counted against flightmap only.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | extra_env
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return {"seconds": seconds}


def bench_startup(cfg: dict[str, Any], tmp: Path, log: Callable[[str], None]) -> list[Row]:
    log("start-up: flightmap render (default case), import pandas+folium, flightmap --help")
    cwd = tmp / "startup"
    cwd.mkdir(exist_ok=True)
    flightmap = str(BIN / "flightmap")
    timed([flightmap, "render"], cwd)  # warm the file and bytecode caches once
    res = interleaved(
        cfg["startup_reps"],
        {
            "import": lambda: timed([PY, "-c", "import pandas, folium"], cwd),
            "render": lambda: timed([flightmap, "render"], cwd),
            # For the note: the same without flightmap's cache of the case regions.
            "render, no cache": lambda: timed(
                [flightmap, "render"], cwd, FLIGHTMAP_CACHE_DIR="off"
            ),
            "help": lambda: timed([flightmap, "--help"], cwd),
        },
        log,
    )
    rnd, imp, hlp = med(res["render"]), med(res["import"]), med(res["help"])
    # Bursts of load on this shared machine last seconds: the two runs of one repetition
    # (back to back) share them, so their ratio is shown too. The goal is judged on the ratio
    # of the medians, as for every other row.
    paired = statistics.median(
        r["seconds"] / i["seconds"] for r, i in zip(res["render"], res["import"], strict=True)
    )
    return [
        Row(
            "4a start-up render",
            "default case",
            secs(rnd),
            secs(imp),
            f"{rnd / imp:.2f}x",
            "<= 1.5x",
            rnd / imp <= 1.5,
            'naive: python -c "import pandas, folium"; wall time of the whole process; '
            f"median of the {len(res['render'])} paired ratios: {paired:.2f}x; "
            f"without the case-regions cache: {secs(med(res['render, no cache']))} "
            f"= {med(res['render, no cache']) / imp:.2f}x",
        ),
        Row(
            "4b --help",
            "-",
            secs(hlp),
            "-",
            "-",
            "< 0.5 s",
            hlp < 0.5,
            "wall time of the whole process",
        ),
    ]


def bench_browser(cfg: dict[str, Any], tmp: Path, log: Callable[[str], None]) -> list[Row]:
    n = cfg["render_points"]
    label = f"{rows_label(n)} points"
    log(f"browser: drawing a {n:,}-point map in headless Chromium")
    fm_html, nv_html = tmp / "render-flightmap.html", tmp / "render-naive.html"
    if not fm_html.exists():  # the render rows make them; without those, made here
        worker("render_flightmap", points=n, out=str(fm_html))
    if not nv_html.exists():
        worker("render_naive", points=n, out=str(nv_html))
    proc = subprocess.run(
        [
            PY,
            str(HERE / "browser.py"),
            f"{fm_html}=path.fm-track-alt",
            f"{nv_html}=.leaflet-overlay-pane svg path",
            "--reps",
            str(cfg["reps"]),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if proc.returncode == 3:
        reason = proc.stderr.strip().splitlines()[-1]
        log(f"  skipped: {reason}")
        return [Row("5 browser draw", label, "-", "-", "-", "<= 2 s", None, f"skipped: {reason}")]
    if proc.returncode != 0:
        raise RuntimeError(f"browser benchmark failed:\n{proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    fm, nv = res[str(fm_html)], res[str(nv_html)]
    for name, r in (("flightmap", fm), ("naive", nv)):
        log(f"  {name}: drawn at {r['drawn_ms']:.0f} ms, load {r['load_ms']:.0f} ms")
    ok = fm["drawn_ms"] <= 2000 and fm["paths"] >= fm["expected_paths"] and not fm["errors"]
    note = (
        f"from navigation start to overlays drawn ({fm['paths']} track paths, then 2 frames); "
        f"after load: {fm['after_load_ms']:.0f} ms"
    )
    if fm["errors"]:
        note += f"; page errors: {fm['errors']}"
    return [
        Row(
            "5 browser draw",
            label,
            f"{fm['drawn_ms'] / 1e3:.2f} s",
            f"{nv['drawn_ms'] / 1e3:.2f} s",
            f"{nv['drawn_ms'] / fm['drawn_ms']:.1f}x faster",
            "<= 2 s",
            ok,
            note,
        )
    ]


# ------------------------------------------------------------------------------- reporting


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for mod in ("pandas", "pyarrow", "numpy", "folium", "shapely", "pyproj", "geopy"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            pass
    chromium = ""
    try:
        out = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        chromium = f", {out}" if out else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; {', '.join(versions)}"
        f"{chromium}"
    )


def table(rows: list[Row]) -> str:
    head = ["target", "size", "flightmap", "naive", "ratio", "goal", "result"]
    body = [[r.target, r.size, r.flightmap, r.naive, r.ratio, r.goal, r.verdict] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*b) for b in body]
    return "\n".join(lines)


def markdown(rows: list[Row], header: str) -> str:
    out = [header, "", "| target | size | flightmap | naive | ratio | goal | result | notes |"]
    out.append("|---|---|---|---|---|---|---|---|")
    for r in rows:
        out.append(
            f"| {r.target} | {r.size} | {r.flightmap} | {r.naive} | {r.ratio} | {r.goal} | "
            f"**{r.verdict}** | {r.note} |"
        )
    return "\n".join(out)


def update_readme(text: str) -> None:
    readme = HERE / "README.md"
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    doc = readme.read_text(encoding="utf-8")
    a, b = doc.index(start) + len(start), doc.index(end)
    readme.write_text(doc[:a] + "\n" + text + "\n" + doc[b:], encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description="flightmap against the naive way, same run.")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes")
    ap.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated subset of: {', '.join(GROUPS)}, or of the end-to-end rows "
        f"({', '.join(endtoend.WORKS)})",
    )
    ap.add_argument("--reps", type=int, help="repetitions per measurement (median reported)")
    ap.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write the table into benchmarks/README.md (default: only for full runs of all)",
    )
    args = ap.parse_args()
    cfg = dict(QUICK if args.quick else FULL)
    if args.reps:
        cfg["reps"] = args.reps
        cfg["startup_reps"] = max(args.reps, 3)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = [x for x in only if x not in GROUPS and x not in endtoend.WORKS]
    if unknown:
        ap.error(f"unknown --only: {', '.join(unknown)}")
    t_start = time.perf_counter()
    load_before = os.getloadavg()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:6.1f} s] {msg}", flush=True)

    def wanted(group: str, *names: str) -> bool:
        return group in only or any(n in only for n in names)

    readers = [
        (f"1{chr(ord('a') + i)}", w)
        for i, w in enumerate(endtoend.READERS)
        if wanted("readers", w.name)
    ]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="flightmap-bench-") as tmp_s:
        tmp = Path(tmp_s)
        rows += bench_endtoend(cfg, readers, tmp, log)
        if wanted("analyse", "analyse"):
            rows += bench_analyse(cfg, tmp, log)
        if wanted("geodesic"):
            rows += bench_geodesic(cfg, log)
        if wanted("render", "render"):
            rows += bench_endtoend(cfg, [("3a", endtoend.RENDER)], tmp, log)
        if wanted("render"):
            rows += bench_render(cfg, tmp, log)
        if wanted("startup"):
            rows += bench_startup(cfg, tmp, log)
        if wanted("browser"):
            rows += bench_browser(cfg, tmp, log)
    elapsed = time.perf_counter() - t_start
    load_after = os.getloadavg()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick (smaller sizes; the goals are for the full sizes)" if args.quick else "full"
    header = (
        f"Run of {when}, {mode}, {elapsed / 60:.1f} min; medians of {cfg['reps']} repetitions "
        f"(fewer where the row says, {cfg['startup_reps']} for start-up), flightmap and "
        "the baseline alternating.\n"
        f"Machine: {machine()}.\n"
        f"Load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f}."
    )
    print()
    print(table(rows))
    print()
    for r in rows:
        print(f"{r.verdict:4}  {r.target}: {r.note}")
    print()
    print(header)
    complete = set(only) >= set(GROUPS)
    write = args.readme if args.readme is not None else (not args.quick and complete)
    if write:
        update_readme(markdown(rows, header))
        print(f"table written to {HERE / 'README.md'}")


if __name__ == "__main__":
    main()
