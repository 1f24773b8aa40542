"""Time flightmap.analysis on large synthetic tracks (not a test: prints timings only).

Usage: ``.venv/bin/python benchmarks/analysis_bench.py [ROWS ...]`` (default 1,000,000 and
5,000,000). Each flight flies east at 450 kt with a report every second; a few per cent of the
rows carry the faults the rules look for (gaps, NIC drops, teleports, frozen runs), so every
code path runs.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from flightmap import schema as s
from flightmap.analysis import analyse, jamming_grid


def synthetic_track(rows: int, per_flight: int = 5000, seed: int = 0) -> pd.DataFrame:
    """``rows`` reports of ``rows // per_flight`` flights, sorted by time as readers return."""
    rng = np.random.default_rng(seed)
    n_f = max(rows // per_flight, 1)
    k = np.tile(np.arange(per_flight), n_f)[:rows]
    f = np.repeat(np.arange(n_f), per_flight)[:rows]
    t0 = pd.Timestamp("2024-12-25T03:00:00Z").value + f * 7_000_000_000
    t = t0 + k * 1_000_000_000
    lat = 40.0 + (f % 50) * 0.2 + rng.normal(0, 1e-5, rows)
    lon = 40.0 + (f // 50) * 0.5 + k * (450 * 1852 / 3600 / 111_320 / np.cos(np.radians(lat)))
    gs = np.full(rows, 450.0)
    nic = np.where((k > 1000) & (k < 1300) & (f % 3 == 0), 3, 8).astype("int8")
    no_pos = (k > 2000) & (k < 2200) & (f % 2 == 0)
    lat[no_pos] = np.nan
    lon[no_pos] = np.nan
    tele = (k == 3000) & (f % 5 == 0)
    lat[tele] += 1.0
    frozen = (k > 4000) & (k < 4060) & (f % 7 == 0)
    frozen_idx = np.flatnonzero(frozen)
    lon[frozen_idx] = lon[frozen_idx - (k[frozen_idx] - 4000)]
    lat[frozen_idx] = lat[frozen_idx - (k[frozen_idx] - 4000)]
    df = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array([f"f{i:05d}-1" for i in f], dtype=s.STR_DTYPE),
            s.TIME: pd.to_datetime(t, unit="ns", utc=True),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: 35000.0,
            s.ALT_GEOM_FT: 35500.0,
            s.GS_KT: gs,
            s.NIC: pd.array(nic, dtype="Int8"),
            s.NAC_P: pd.array(np.where(nic < 8, 6, 9), dtype="Int8"),
        }
    )
    return df.sort_values(s.TIME, kind="stable", ignore_index=True)


def main(sizes: list[int]) -> None:
    for rows in sizes:
        df = synthetic_track(rows)
        t = time.perf_counter()
        a = analyse(df)
        t_an = time.perf_counter() - t
        t = time.perf_counter()
        grid = jamming_grid(a.track)
        t_grid = time.perf_counter() - t
        print(
            f"{rows:>10,} rows, {df[s.FLIGHT_ID].nunique():,} flights: analyse {t_an:.2f} s "
            f"({len(a.gaps):,} gaps, {len(a.intervals):,} intervals); "
            f"jamming_grid {t_grid:.2f} s ({len(grid):,} cell-windows)"
        )


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [1_000_000, 5_000_000])
