"""Rebuild the evaluation corpus from the sample data of the ``traffic`` wheel (MIT licence).

Usage::

    pip download traffic==2.13 --no-deps -d /tmp/traffic
    git clone https://github.com/rwiren/adsb-research-grid /tmp/grid   # optional, see below
    python tests/data/corpus/make_corpus.py /tmp/traffic/traffic-2.13-py3-none-any.whl \
        [/tmp/grid/docs/fresh_20260202_2309_2h/east_aircraft.csv]

The second argument (optional) rebuilds ``bti24x_generic.csv.gz``, the jamming episode, from
the readsb snapshot log of rwiren/adsb-research-grid (MIT licence, see ``README.md``): the rows
of 502cce (BTI24X) from 19:04:19 to 19:07:17 UTC, verbatim.

Each output is one of flightmap's reader formats, written from the sample without changing a
value beyond the unit conversion the format needs (kt -> m/s and ft -> m for the OpenSky CSV,
which flightmap converts back); the FR24 files are the ``track`` of Flightradar24's
``flight/list`` JSON written as FR24's CSV export. Files are trimmed to the hours shown in
``README.md`` and gzip-compressed. Labels are not written here: see ``README.md``.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
KT_MS = 1852.0 / 3600.0  # 1 kt in m/s (1 NM = 1852 m, exact)
FT_M = 0.3048  # 1 ft in m (exact)
SAMPLES = "traffic/data/samples/"


def _write_gz(name: str, text: str) -> None:
    # mtime=0: the same input gives byte-identical files.
    with open(HERE / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text.encode())


def _epoch_s(times: pd.Series) -> pd.Series:
    return times.astype("datetime64[ms]").astype("int64") / 1000.0


def opensky_csv(frame: pd.DataFrame) -> str:
    """A traffic sample frame as the OpenSky bulk state-vector CSV."""
    t = _epoch_s(frame["timestamp"])
    lp = frame["last_position"] / 1000.0 if "last_position" in frame else t
    out = pd.DataFrame(
        {
            "time": t,
            "icao24": frame["icao24"],
            "lat": frame["latitude"],
            "lon": frame["longitude"],
            "velocity": frame["groundspeed"] * KT_MS,
            "heading": frame["track"],
            "vertrate": frame["vertical_rate"] * FT_M / 60.0,
            "callsign": frame.get("callsign", ""),
            "onground": frame.get("onground", False),
            "alert": frame.get("alert", False),
            "spi": False,
            "squawk": "",
            "baroaltitude": frame["altitude"] * FT_M,
            "geoaltitude": frame["geoaltitude"] * FT_M if "geoaltitude" in frame else None,
            "lastposupdate": lp.where(frame["latitude"].notna()),
            "lastcontact": t,
        }
    )
    return str(out.to_csv(index=False, float_format="%.6f"))


def generic_csv(frame: pd.DataFrame, every_s: int) -> str:
    """A traffic sample frame resampled to one report every ``every_s`` seconds, as a generic
    CSV with a ``ts_utc`` time column and no position time (as many exports are)."""
    keep = frame[frame["timestamp"].astype("datetime64[s]").astype("int64") % every_s == 0]
    out = pd.DataFrame(
        {
            "ts_utc": keep["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "icao24": keep["icao24"],
            "callsign": keep["callsign"],
            "lat": keep["latitude"],
            "lon": keep["longitude"],
            "alt_baro_ft": keep["altitude"],
            "gs_kt": keep["groundspeed"],
            "track_deg": keep["track"].round(2),
        }
    )
    return str(out.to_csv(index=False))


def fr24_csv(flight: dict, start: int | None = None, end: int | None = None) -> str:
    """The ``track`` of an FR24 flight JSON as FR24's CSV export."""
    callsign = flight["identification"]["callsign"]
    lines = ["Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction"]
    for p in flight["track"]:
        ts = int(p["timestamp"])
        if (start is not None and ts < start) or (end is not None and ts > end):
            continue
        utc = pd.Timestamp(ts, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(
            f'{ts},{utc},{callsign},"{p["latitude"]},{p["longitude"]}",'
            f"{p['altitude']['feet']},{p['speed']['kts']},{p['heading']}"
        )
    return "\n".join(lines) + "\n"


GRID_HEX = "502cce"  # BTI24X, airBaltic A220, into Helsinki
GRID_START = "2026-02-02T19:04:19"
GRID_END = "2026-02-02T19:07:18"


def snapshot_rows(csv_path: Path, hex_id: str, start: str, end: str) -> str:
    """The header and the rows of one aircraft between two times (ISO 8601 UTC, end excluded)
    of a readsb snapshot CSV log, lines unchanged."""
    lines = csv_path.read_text().splitlines()
    keep = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        if fields[1] == hex_id and start <= fields[0][:19] < end:
            keep.append(line)
    return "\n".join(keep) + "\n"


def main(wheel: Path, grid_csv: Path | None = None) -> None:
    with zipfile.ZipFile(wheel) as z:

        def frame(name: str) -> pd.DataFrame:
            return pd.read_json(io.BytesIO(z.read(SAMPLES + name)), compression="gzip")

        def fr24(name: str) -> dict:
            data = json.loads(z.read(SAMPLES + "fr24/" + name))
            return dict(data["result"]["response"]["data"]["flight"])

        spoof = frame("noisy/noisy_spoofing.json.gz")
        _write_gz("thy9bp_opensky.csv.gz", opensky_csv(spoof))
        _write_gz("thy9bp_generic10s.csv.gz", generic_csv(spoof, 10))
        _write_gz("thy9bp_fr24.csv.gz", fr24_csv(fr24("372355e5.json")))
        _write_gz("dlh4tr_opensky.csv.gz", opensky_csv(frame("noisy/noisy_landing.json.gz")))
        _write_gz("jal516_fr24.csv.gz", fr24_csv(fr24("3376ab31.json")))
        _write_gz("edw24_fr24.csv.gz", fr24_csv(fr24("34a8254b.json")))
        _write_gz("spar19_fr24.csv.gz", fr24_csv(fr24("2ce4f83f.json")))
        trace = z.read(SAMPLES + "readsb/trace_full_ac671b.json").decode()
        _write_gz("ac671b_readsb.json.gz", trace)
    if grid_csv is not None:
        rows = snapshot_rows(grid_csv, GRID_HEX, GRID_START, GRID_END)
        _write_gz("bti24x_generic.csv.gz", rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
