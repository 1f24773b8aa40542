"""How well the integrity analysis finds the labelled episodes of the real-flight corpus.

``python benchmarks/detection.py`` reads every track of ``tests/data/corpus/`` with
:func:`flightmap.readers.read_track` (format detected, default settings, no ``--aircraft``),
runs :func:`flightmap.analysis.analyse` and compares its intervals with the file's hand-written
labels (``<name>.labels.csv``, method in ``tests/data/corpus/README.md``). It prints, per file and
overall:

- time-weighted **precision** and **recall** per state (``spoofed``, ``position_lost``,
  ``degraded``): the time both say the state over the time the analysis says it (precision) or
  the labels say it (recall). Time not in a label is ``nominal``; time not in an interval of
  the analysis (between flights) is ``nominal`` too.
- **false GNSS intervals**: intervals of the analysis in a GNSS state (any but ``nominal``, not
  only ``no_reports``) that overlap no labelled episode, per 10 flight-hours.

Scored time runs from a file's first report to its last, minus silences of ``SILENCE_S`` or more
(no report at all: receiver coverage, not GNSS) and intervals whose only rule is ``no_reports``
(the analysis' own "out of coverage, not evidence of GNSS loss"), unless a label covers them.
``--write`` puts the table in ``benchmarks/README.md`` under the given heading (``--as before``
or ``--as after``).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis import analyse
from flightmap.errors import InputError
from flightmap.readers import read_track

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
README = Path(__file__).resolve().parent / "README.md"
STATES = (s.SPOOFED, s.POSITION_LOST, s.DEGRADED)
GNSS = frozenset(STATES)
SILENCE_S = 60.0
NS = 1_000_000_000


@dataclass(frozen=True)
class Score:
    """Seconds per (label, predicted) state pair, false GNSS intervals and scored hours."""

    seconds: dict[tuple[str, str], float]
    false_intervals: int
    hours: float

    def __add__(self, other: Score) -> Score:
        keys = set(self.seconds) | set(other.seconds)
        total = {k: self.seconds.get(k, 0.0) + other.seconds.get(k, 0.0) for k in keys}
        return Score(total, self.false_intervals + other.false_intervals, self.hours + other.hours)

    def precision(self, state: str) -> float:
        said = sum(v for (lab, pred), v in self.seconds.items() if pred == state)
        return self.seconds.get((state, state), 0.0) / said if said else float("nan")

    def recall(self, state: str) -> float:
        true = sum(v for (lab, pred), v in self.seconds.items() if lab == state)
        return self.seconds.get((state, state), 0.0) / true if true else float("nan")


def labels_of(track_file: Path) -> pd.DataFrame:
    """The labels of a corpus track: ``start``, ``end`` (UTC), ``state``."""
    name = track_file.name.split(".")[0]
    frame = pd.read_csv(CORPUS / f"{name}.labels.csv")
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def _state_at(mid: np.ndarray, start: np.ndarray, end: np.ndarray, state: np.ndarray) -> np.ndarray:
    """State of the interval holding each instant of ``mid`` (``nominal`` where none)."""
    if not start.size:
        return np.full(mid.size, s.NOMINAL, dtype=object)
    order = np.argsort(start, kind="stable")
    start, end, state = start[order], end[order], state[order]
    k = np.searchsorted(start, mid, side="right") - 1
    ok = (k >= 0) & (mid < end[np.maximum(k, 0)])
    return np.where(ok, state[np.maximum(k, 0)], s.NOMINAL)


def score(intervals: pd.DataFrame, labels: pd.DataFrame, times_ns: np.ndarray) -> Score:
    """Compare the analysis' ``intervals`` with ``labels`` over the reports' times."""
    times_ns = np.sort(times_ns)

    def ns(col: pd.Series) -> np.ndarray:
        return s.epoch_ns(col) if len(col) else np.zeros(0, dtype="int64")

    l_start, l_end = ns(labels["start"]), ns(labels["end"])
    l_state = labels["state"].to_numpy(dtype=object)
    p_start, p_end = ns(intervals["start"]), ns(intervals["end"])
    p_state = intervals["state"].astype(str).to_numpy(dtype=object)
    # Silences no label covers are not scored.
    dt = np.diff(times_ns)
    quiet = np.flatnonzero(dt >= SILENCE_S * NS)
    q_start, q_end = times_ns[quiet], times_ns[quiet + 1]
    cuts = np.unique(
        np.concatenate([times_ns[[0, -1]], l_start, l_end, p_start, p_end, q_start, q_end])
    )
    cuts = cuts[(cuts >= times_ns[0]) & (cuts <= times_ns[-1])]
    lo, hi = cuts[:-1], cuts[1:]
    mid = lo + (hi - lo) // 2
    length = (hi - lo) / NS
    labelled = _state_at(mid, l_start, l_end, l_state)
    silent = _state_at(mid, q_start, q_end, np.full(q_start.size, "quiet", dtype=object))
    predicted = _state_at(mid, p_start, p_end, p_state)
    coverage = np.array([set(c) <= {"no_reports"} for c in intervals["rule_codes"]], dtype=bool)
    cov = _state_at(mid, p_start[coverage], p_end[coverage], p_state[coverage])
    silent[cov != s.NOMINAL] = "quiet"  # the analysis says: coverage, not GNSS
    keep = (silent != "quiet") | (labelled != s.NOMINAL)
    seconds: dict[tuple[str, str], float] = {}
    for lab, pred, sec in zip(labelled[keep], predicted[keep], length[keep], strict=True):
        seconds[(lab, pred)] = seconds.get((lab, pred), 0.0) + float(sec)
    false = 0
    g = labels[labels["state"].isin(GNSS)]
    g_start, g_end = ns(g["start"]), ns(g["end"])
    for start, end, state, codes in zip(
        p_start, p_end, p_state, intervals["rule_codes"], strict=True
    ):
        if state not in GNSS or set(codes) <= {"no_reports"}:
            continue
        if not ((g_start < max(end, start + 1)) & (g_end > start)).any():
            false += 1
    return Score(seconds, false, float(sum(length[keep])) / 3600.0)


def evaluate(track_file: Path) -> tuple[Score | None, str]:
    """Score one corpus file; ``None`` and the reason when it cannot be read."""
    try:
        read = read_track(track_file)
    except InputError as exc:
        return None, str(exc).splitlines()[0].removeprefix(f"{track_file}: ")
    result = analyse(read.track)
    times = s.epoch_ns(read.track[s.TIME])
    return score(result.intervals, labels_of(track_file), times), read.format


def _pr(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.2f}"


def table(rows: list[tuple[str, Score | None, str]]) -> str:
    """The results as a Markdown table (one row per file, then overall)."""
    head = ["file", "format", "hours"]
    for st in STATES:
        head += [f"{st} P", f"{st} R"]
    head += ["false GNSS intervals", "per 10 h"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    total: Score | None = None
    for name, sc, fmt in rows:
        if sc is None:
            lines.append(f"| {name} | not read: {fmt} |" + " |" * (len(head) - 2))
            continue
        total = sc if total is None else total + sc
        lines.append(_row(name, fmt, sc))
    if total is not None:
        lines.append(_row("**overall**", "", total))
    return "\n".join(lines)


def _row(name: str, fmt: str, sc: Score) -> str:
    cells = [name, fmt, f"{sc.hours:.1f}"]
    for st in STATES:
        cells += [_pr(sc.precision(st)), _pr(sc.recall(st))]
    rate = sc.false_intervals / sc.hours * 10 if sc.hours else float("nan")
    cells += [str(sc.false_intervals), f"{rate:.1f}"]
    return "| " + " | ".join(cells) + " |"


def write_readme(heading: str, text: str) -> None:
    """Replace the table under ``heading`` between its markers in ``benchmarks/README.md``."""
    start, end = f"<!-- detection {heading} -->", f"<!-- /detection {heading} -->"
    readme = README.read_text()
    block = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(readme):
        sys.exit(f"{README}: no '{start}' marker")
    README.write_text(pattern.sub(lambda _: block, readme))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="put the table in benchmarks/README.md")
    ap.add_argument("--as", dest="heading", default="after", choices=("before", "after"))
    args = ap.parse_args(argv)
    files = sorted(p for p in CORPUS.glob("*.gz"))
    rows = [(p.name, *evaluate(p)) for p in files]
    text = table(rows)
    print(text)
    if args.write:
        write_readme(args.heading, text)


if __name__ == "__main__":
    main()
