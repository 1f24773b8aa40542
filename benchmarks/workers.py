"""One measurement per process: ``python benchmarks/workers.py TASK JSON-ARGS`` prints one JSON
line with ``seconds`` (the timed step only, ``time.perf_counter``), ``peak_bytes`` (peak
resident memory of the timed step above the resident memory just before it) and task details.

Peak memory: after the imports and after building the task's input, the kernel's high-water
mark is reset (``echo 5 > /proc/self/clear_refs``) and ``VmRSS`` read as the baseline; after the
step, ``VmHWM`` is the peak. Where ``clear_refs`` is not writable, the baseline is
``ru_maxrss`` before the step (which can only understate the peak).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _reset_peak() -> int:
    """Reset the high-water mark; return the baseline resident memory in bytes."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _status_kb("VmRSS") * 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak() -> int:
    try:
        return _status_kb("VmHWM") * 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(step: Callable[[], Any]) -> tuple[float, int, Any]:
    """Run ``step`` once: (seconds, peak bytes above the baseline, its result)."""
    base = _reset_peak()
    t = time.perf_counter()
    out = step()
    seconds = time.perf_counter() - t
    return seconds, max(_peak() - base, 0), out


def frame_bytes(df: Any) -> int:
    return int(df.memory_usage(deep=True, index=True).sum())


# ---------------------------------------------------------------------------------- analyse


def analyse_inprocess(path: str) -> dict[str, Any]:
    """Row 2a's note: ``read_track`` of ``path`` and ``analysis.analyse`` of its track, timed
    apart in one process (the end-to-end row adds start-up, the report and the write)."""
    from flightmap.analysis import analyse
    from flightmap.readers import read_track

    # Warm-up on a small file: lazy imports and first calls are start-up, not the read.
    analyse(read_track(Path(__file__).parents[1] / "tests/data/tracks/fr24_anz1005.csv").track)
    read_s, _, res = measure(lambda: read_track(path))
    analyse_s, _, _ = measure(lambda: analyse(res.track))
    return {"seconds": read_s + analyse_s, "read_s": read_s, "analyse_s": analyse_s}


# ---------------------------------------------------------------------------------- geodesy


def geodesic_flightmap(legs: int, repeat: int = 5) -> dict[str, Any]:
    from flightmap.geodesy import distances_m

    a1, o1, a2, o2 = synthetic.legs(legs)
    distances_m(a1[:10], o1[:10], a2[:10], o2[:10])  # warm: creates the Geod once
    times = []
    for _ in range(repeat):
        sec, _, d = measure(lambda: distances_m(a1, o1, a2, o2))
        times.append(sec)
    return {"seconds": float(np.median(times)), "legs": legs, "total_m": float(d.sum())}


def geodesic_naive(legs: int) -> dict[str, Any]:
    from geopy.distance import geodesic

    a1, o1, a2, o2 = synthetic.legs(legs)
    pts = list(zip(a1.tolist(), o1.tolist(), a2.tolist(), o2.tolist(), strict=True))

    def step() -> list[float]:
        return [geodesic((p[0], p[1]), (p[2], p[3])).meters for p in pts]

    sec, _, d = measure(step)
    return {"seconds": sec, "legs": legs, "total_m": float(sum(d))}


# ----------------------------------------------------------------------------------- render


def render_flightmap(points: int, out: str, deviation: bool = False) -> dict[str, Any]:
    # Imports before the timed step, as for the naive way: folium.plugins too, which the map
    # would otherwise import during its first build (a library process imports it whole).
    import folium.plugins  # noqa: F401

    from flightmap import render
    from flightmap.analysis import analyse as run

    track = synthetic.render_track(points)
    analysed = run(track)

    def step() -> int:
        m = render.build_map(None, analysed, max_error_m=25.0)
        render.write_html(out, render.render_html(m))
        return Path(out).stat().st_size

    sec, peak, size = measure(step)
    result: dict[str, Any] = {"seconds": sec, "peak_bytes": peak, "html_bytes": size}
    if deviation:
        result.update(measure_deviation(track, Path(out).read_text(encoding="utf-8")))
    return result


def render_naive(points: int, out: str) -> dict[str, Any]:
    import folium

    track = synthetic.render_track(points)
    lat = track["lat"].to_numpy()
    lon = track["lon"].to_numpy()

    def step() -> int:
        m = folium.Map(location=[float(lat.mean()), float(lon.mean())], zoom_start=5)
        folium.PolyLine(np.column_stack([lat, lon]).tolist(), weight=3).add_to(m)  # type: ignore[no-untyped-call]
        m.save(out)
        return Path(out).stat().st_size

    sec, peak, size = measure(step)
    return {"seconds": sec, "peak_bytes": peak, "html_bytes": size}


_R = 6_378_137.0  # EPSG:3857 sphere radius, metres (what Leaflet projects with)


def _merc(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _R * np.radians(lon), _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _unmerc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(2 * np.arctan(np.exp(y / _R)) - np.pi / 2), np.degrees(x / _R)


def _varints(text: str) -> np.ndarray:
    """Google polyline values (zigzag varints), decoded here independently of flightmap."""
    out, i = [], 0
    while i < len(text):
        shift = result = 0
        while True:
            b = ord(text[i]) - 63
            i += 1
            result |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                break
        out.append(~(result >> 1) if result & 1 else result >> 1)
    return np.asarray(out, dtype=np.int64)


def measure_deviation(track: Any, page: str) -> dict[str, Any]:
    """The real deviation of the drawn lines from the input points, in metres on WGS84.

    Every track layer's payload is decoded from the page. Each input point is matched, by its
    time, to the drawn segment whose end vertices bracket it; the nearest point of that segment
    is found where Leaflet draws it (a straight line in Web Mercator), taken back to latitude and
    longitude, and its geodesic distance to the input point computed with pyproj on WGS84.
    Points covered by no drawn segment are counted (they would be missing from the map).
    """
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    layers = [json.loads(m) for m in re.findall(r"var data = (\{.*?\});\n", page)]
    worst, uncovered, layer_vertices = 0.0, 0, []
    by_flight = {fid: rows for fid, rows in track.groupby("flight_id", sort=False)}
    for layer in layers:
        layer_vertices.append(layer["points_out"])
        for flight in layer["flights"]:
            rows = by_flight[flight["label"].split(" · ")[0]]
            t_all = rows["time"].to_numpy(dtype="datetime64[s]").astype(np.int64) - flight["t0"]
            lat_all = rows["lat"].to_numpy(dtype=float)
            lon_all = rows["lon"].to_numpy(dtype=float)
            covered = np.zeros(len(rows), dtype=bool)
            for chunk in flight["chunks"]:
                d = _varints(chunk["p"])
                vlat, vlon = np.cumsum(d[0::2]) / 1e5, np.cumsum(d[1::2]) / 1e5
                vt = np.cumsum(_varints(chunk["t"]))
                inside = (t_all >= vt[0]) & (t_all <= vt[-1])
                covered |= inside
                la, lo, tt = lat_all[inside], lon_all[inside], t_all[inside]
                seg = np.clip(np.searchsorted(vt, tt, side="right") - 1, 0, len(vt) - 2)
                px, py = _merc(la, lo)
                vx, vy = _merc(vlat, vlon)
                ax, ay, dx, dy = vx[seg], vy[seg], vx[seg + 1] - vx[seg], vy[seg + 1] - vy[seg]
                len2 = np.maximum(dx * dx + dy * dy, 1e-12)
                u = np.clip(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0)
                flat, flon = _unmerc(ax + u * dx, ay + u * dy)
                _, _, dist = geod.inv(lo, la, flon, flat)
                worst = max(worst, float(np.max(dist)) if len(dist) else 0.0)
            uncovered += int((~covered & ~np.isnan(lat_all)).sum())
    return {
        "max_deviation_m": worst,
        "uncovered_points": uncovered,
        "layers": len(layers),
        "vertices": layer_vertices,
    }


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "analyse_inprocess": analyse_inprocess,
    "geodesic_flightmap": geodesic_flightmap,
    "geodesic_naive": geodesic_naive,
    "render_flightmap": render_flightmap,
    "render_naive": render_naive,
}


if __name__ == "__main__":
    result = TASKS[sys.argv[1]](**json.loads(sys.argv[2]))
    print(json.dumps(result))
