"""Everything the readers return, saved and compared: ``python benchmarks/reader_snapshot.py
save DIR`` before a change, ``... compare DIR`` after it.

Reads every file of ``tests/data/tracks``, ``tests/data/bad`` and ``tests/data/corpus``, the
hostile track of ``tests/hostile.py``, a 200k-line FR24 CSV with bad lines
(:func:`synthetic.fr24_csv`) and small FR24 and generic CSVs filled with hostile positions and
times (fixed seed), each with the format detected, and the CSVs again with ``tz="UTC"``. Saves
the track, the flags, the format and the mapping of each read (or the error message), then
compares: ``DataFrame.equals`` and the dtypes of the track and of the flags, the same format,
mapping and error text.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import synthetic  # noqa: E402

# Values the small hostile files draw from (with the synthetic module's bad positions/times).
_JUNK = ("", " ", "NaN", "null", "ab\u00e9c", '""', "1e400", "-0", "+5", ".5", "5.", "1,5", "\t7")
_UTC_TEXT = (
    "2021-10-29T04:26:16Z",
    "2021-10-29T04:26:16.123456Z",
    "2021-10-29T04:26:16+0200",
    "2021-10-29 04:26 UTC",
    "2021-10-29",
    "2021-10-29T04:26:16",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:59:59Z",
    "1635481576.5",
    " 2021-10-29T04:26:16Z ",
    "2021-02-30T00:00:00Z",
    "Fri, 29 Oct 2021 04:26:16 GMT",
)


def _quote(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def hostile_files(tmp: Path, n: int = 40, seed: int = 17) -> list[Path]:
    """Small FR24 and generic CSVs whose fields mix good and hostile values (fixed seed)."""
    rng = np.random.default_rng(seed)
    positions = [*synthetic.FR24_BAD_POSITIONS, "40.5,49.9", " 40.6 ,49.8", "-33.9,151.2", *_JUNK]
    times = [t for pair in synthetic.FR24_BAD_TIMES for t in pair] + list(_UTC_TEXT)
    out = []
    for i in range(n):
        rows = []
        for k in range(int(rng.integers(1, 30))):
            good = rng.random() < 0.6
            ts = str(1635481576 + 60 * k) if good else str(rng.choice(times + list(_JUNK)))
            utc = str(rng.choice(times))
            pos = f"{40 + k / 100:.4f},{49 + k / 50:.4f}" if good else str(rng.choice(positions))
            nums = [str(rng.choice([*_JUNK, "3000", "-20", "451"])) for _ in range(3)]
            call = str(rng.choice(["AHY8243", " ahy8243 ", "", "NULL", "<b>x</b>"]))
            rows.append(",".join([_quote(ts), _quote(utc), _quote(call), _quote(pos), *nums]))
        p = tmp / f"hostile_fr24_{i:02d}.csv"
        p.write_text(synthetic.FR24_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        out.append(p)
        lines = ["time,lat,lon,alt_baro_ft,callsign"]
        for _ in range(int(rng.integers(1, 30))):
            lat_lon = [*str(rng.choice(positions)).split(",", 1), ""]
            lines.append(
                ",".join(
                    _quote(x) for x in (str(rng.choice(times)), lat_lon[0], lat_lon[1], "100", "X")
                )
            )
        p = tmp / f"hostile_generic_{i:02d}.csv"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(p)
    return out


def inputs(tmp: Path) -> list[tuple[str, Path, str | None]]:
    """(key, path, tz) of every read to snapshot."""
    import hostile

    files: list[Path] = []
    for d in ("tracks", "bad", "corpus"):
        files += sorted(
            p for p in (REPO / "tests" / "data" / d).iterdir() if p.suffix not in (".md", ".py")
        )
    files.append(hostile.hostile_track(tmp / "hostile_track.csv"))
    files.append(synthetic.fr24_csv(200_000, bad=True))
    files += hostile_files(tmp)
    out: list[tuple[str, Path, str | None]] = []
    for p in files:
        key = p.relative_to(REPO).as_posix() if p.is_relative_to(REPO) else p.name
        out.append((key, p, None))
        if ".csv" in p.name:
            out.append((key + " tz=UTC", p, "UTC"))
    return out


def read_all() -> dict[str, Any]:
    from flightmap.errors import InputError
    from flightmap.readers import read_track

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_s:
        for key, path, tz in inputs(Path(tmp_s)):
            try:
                r = read_track(path, tz=tz)
            except InputError as exc:
                results[key] = ("error", str(exc).replace(tmp_s, "<tmp>"))
                continue
            results[key] = ("ok", r.track, r.flags, r.format, r.mapping)
    return results


def _same(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    if list(a.columns) != list(b.columns):
        return f"columns {list(a.columns)} != {list(b.columns)}"
    if not a.dtypes.equals(b.dtypes):
        return f"dtypes differ: {dict(a.dtypes)} != {dict(b.dtypes)}"
    if not a.equals(b):
        try:
            pd.testing.assert_frame_equal(a, b)
        except AssertionError as exc:
            return str(exc)[:600]
        return "not equal"
    return None


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The differences, one line each (empty: everything read is the same)."""
    diffs = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            diffs.append(f"{key}: only {'after' if a is None else 'before'}")
        elif a[0] != b[0] or a[0] == "error":
            if a != b:
                diffs.append(
                    f"{key}: {a[:2] if a[0] == 'error' else 'read'} -> "
                    f"{b[:2] if b[0] == 'error' else 'read'}"
                )
        else:
            for what, x, y in (("track", a[1], b[1]), ("flags", a[2], b[2])):
                why = _same(x, y)
                if why:
                    diffs.append(f"{key}: {what}: {why}")
            if a[3:] != b[3:]:
                diffs.append(f"{key}: format/mapping {a[3:]} -> {b[3:]}")
    return diffs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "compare"))
    ap.add_argument("dir", type=Path)
    args = ap.parse_args()
    results = read_all()
    target = args.dir / "readers.pkl"
    n_ok = sum(r[0] == "ok" for r in results.values())
    print(f"{len(results)} reads: {n_ok} read, {len(results) - n_ok} refused")
    if args.action == "save":
        args.dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pickle.dumps(results))
        print(f"saved to {target}")
        return
    diffs = compare(pickle.loads(target.read_bytes()), results)
    for d in diffs:
        print(d)
    print("same" if not diffs else f"{len(diffs)} differences")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
