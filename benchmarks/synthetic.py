"""Synthetic, flight-like inputs for the benchmarks (deterministic: fixed seeds).

- :func:`opensky_csv`: an OpenSky bulk state-vector CSV (``time,icao24,lat,lon,velocity,...``,
  see ``flightmap/readers/opensky.py``), written once and cached under ``benchmarks/.cache/``.
- :func:`analysis_track`: a canonical track with the faults the integrity rules look for (gaps,
  NIC drops, teleports, frozen runs), so every code path of :func:`flightmap.analysis.analyse`
  runs (formerly ``benchmarks/analysis_bench.py``).
- :func:`render_track`: a canonical track of long, wandering 1 Hz flights with position noise, as
  the render benchmark and the browser benchmark draw it.
- :func:`legs`: consecutive fixes of a track, for the geodesic benchmark.

The generators use numpy only (plus pandas/pyarrow for the frame and the file); nothing here
imports flightmap except :mod:`flightmap.schema` for column names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path(__file__).resolve().parent / ".cache"
#: Bump when the generators change, so cached files are rebuilt.
VERSION = 1

T0 = pd.Timestamp("2024-12-25T03:00:00Z")
OPENSKY_HEADER = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact"
)


def _walk(groups: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``steps`` restarting at each new value of ``groups`` (sorted)."""
    return pd.Series(steps).groupby(groups).cumsum().to_numpy()


def opensky_csv(rows: int, seed: int = 0) -> Path:
    """Path of a cached OpenSky state-vector CSV of ``rows`` data lines (built if missing).

    Like the hourly bulk files: aircraft sampled every 10 s, lines in time order (aircraft
    interleaved), SI units, floats as the decoder writes them (lat/lon at float32 precision,
    speeds and headings at full precision, altitudes in 25 ft steps), ``True``/``False``
    booleans, empty fields where a value is missing (1 % of positions, most squawks), and some
    positions older than the vector (stale).
    """
    path = CACHE / f"opensky_{rows}_s{seed}_v{VERSION}.csv"
    if path.exists():
        return path
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    per_ac = 2000  # 5.5 hours of 10 s vectors per aircraft
    n_ac = -(-rows // per_ac)
    k = np.repeat(np.arange(per_ac), n_ac)[:rows]  # time-major: vector k of every aircraft
    ac = np.tile(np.arange(n_ac), per_ac)[:rows]
    by_ac = np.lexsort((k, ac))  # per-aircraft order, for the random walks
    heading0 = rng.uniform(0, 360, n_ac)
    turn = rng.normal(0, 0.5, rows)
    hdg = np.empty(rows)
    hdg[by_ac] = (heading0[ac[by_ac]] + _walk(ac[by_ac], turn[by_ac])) % 360
    speed = 230.0 + rng.normal(0, 1.5, rows)  # m/s
    step_n = speed * 10 * np.cos(np.radians(hdg))
    step_e = speed * 10 * np.sin(np.radians(hdg))
    north = np.empty(rows)
    east = np.empty(rows)
    north[by_ac] = _walk(ac[by_ac], step_n[by_ac])
    east[by_ac] = _walk(ac[by_ac], step_e[by_ac])
    lat0 = rng.uniform(35, 55, n_ac)[ac]
    lon0 = rng.uniform(-10, 40, n_ac)[ac]
    lat = np.clip(lat0 + north / 111_320.0, -89, 89)
    lon = (lon0 + east / (111_320.0 * np.cos(np.radians(lat))) + 180) % 360 - 180
    lat = lat.astype("float32").astype("float64")
    lon = lon.astype("float32").astype("float64")
    t = T0.value // 10**9 + k * 10 + ac % 10
    missing = rng.random(rows) < 0.01
    stale = rng.random(rows) < 0.02
    lastpos = np.round(t - rng.uniform(0.0, 1.0, rows) - stale * 20.0, 2)
    lastcontact = np.round(t - rng.uniform(0.0, 0.3, rows), 3)
    alt = np.round((10_668.0 + rng.normal(0, 30, n_ac)[ac]) / 7.62) * 7.62
    geo = alt + 121.92
    vr = np.round(np.round(rng.normal(0, 2, rows) / 0.32512) * 0.32512, 5)
    hexes = np.array([f"{0x4B0000 + i:06x}" for i in range(n_ac)], dtype=object)
    calls = np.array([f"AHY{1000 + i % 9000}" for i in range(n_ac)], dtype=object)
    squawks = np.array([f"{(i * 7) % 8}{(i * 3) % 8}{i % 8}{(i * 5) % 8}" for i in range(n_ac)])
    has_squawk = ac % 4 == 0

    def nums(v: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return pa.array(v, mask=mask)

    def bools(v: np.ndarray) -> pa.Array:
        return pa.array(np.where(v, "True", "False"))

    table = pa.table(
        {
            "time": pa.array(t),
            "icao24": pa.array(hexes[ac]),
            "lat": nums(lat, missing),
            "lon": nums(lon, missing),
            "velocity": nums(speed),
            "heading": nums(hdg),
            "vertrate": nums(vr),
            "callsign": pa.array(calls[ac]),
            "onground": bools(np.zeros(rows, dtype=bool)),
            "alert": bools(np.zeros(rows, dtype=bool)),
            "spi": bools(rng.random(rows) < 0.001),
            "squawk": pa.array(squawks[ac], mask=~has_squawk),
            "baroaltitude": nums(alt, missing & (rng.random(rows) < 0.5)),
            "geoaltitude": nums(geo),
            "lastposupdate": nums(lastpos, missing),
            "lastcontact": nums(lastcontact),
        }
    )
    # Aircraft report at different seconds of each 10 s cycle; lines are in time order.
    table = table.take(pa.array(np.argsort(t, kind="stable")))
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write((OPENSKY_HEADER + "\n").encode())
        pacsv.write_csv(
            table,
            fh,
            pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65536),
        )
    tmp.replace(path)
    return path


def analysis_track(rows: int, per_flight: int = 5000, seed: int = 0) -> pd.DataFrame:
    """``rows`` reports of ``rows // per_flight`` flights, sorted by time as readers return.

    Each flight flies east at 450 kt with a report every second; a few per cent of the rows
    carry the faults the rules look for (no-position stretches, NIC drops, teleports, frozen
    runs), so every code path runs.
    """
    from flightmap import schema as s

    rng = np.random.default_rng(seed)
    n_f = max(rows // per_flight, 1)
    k = np.tile(np.arange(per_flight), n_f)[:rows]
    f = np.repeat(np.arange(n_f), per_flight)[:rows]
    t0 = T0.value + f * 7_000_000_000
    t = t0 + k * 1_000_000_000
    lat = 40.0 + (f % 50) * 0.2 + rng.normal(0, 1e-5, rows)
    lon = 40.0 + (f // 50) * 0.5 + k * (450 * 1852 / 3600 / 111_320 / np.cos(np.radians(lat)))
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
            s.GS_KT: np.full(rows, 450.0),
            s.NIC: pd.array(nic, dtype="Int8"),
            s.NAC_P: pd.array(np.where(nic < 8, 6, 9), dtype="Int8"),
        }
    )
    return s.conform(df.sort_values(s.TIME, kind="stable", ignore_index=True))


def render_track(points: int, per_flight: int = 10_000, seed: int = 8243) -> pd.DataFrame:
    """``points`` reports in flights of ``per_flight``: one a second at 230 m/s from around
    40N 45E, heading a random walk, altitude a random walk around FL300 (so the altitude colour
    changes now and then), 5 m of position noise. Every report has a position."""
    from flightmap import schema as s

    rng = np.random.default_rng(seed)
    groups = np.arange(points) // per_flight
    k = np.arange(points) % per_flight
    n_f = int(groups[-1]) + 1
    heading = rng.uniform(0, 2 * np.pi, n_f)[groups]
    turn = rng.normal(0, 0.003, points)
    turn[k == 0] = 0.0
    heading = heading + _walk(groups, turn)
    north = _walk(groups, 230.0 * np.cos(heading))
    east = _walk(groups, 230.0 * np.sin(heading))
    lat = 40.0 + north / 111_320.0 + rng.normal(0, 5 / 111_320.0, points)
    lon = 45.0 + east / (111_320.0 * np.cos(np.radians(lat)))
    alt = _walk(groups, rng.normal(0, 5, points)) + 30_000
    labels = np.array([f"f{g:03d}-1" for g in range(n_f)], dtype=object)
    frame = pd.DataFrame(
        {
            s.FLIGHT_ID: pd.array(labels[groups], dtype=s.STR_DTYPE),
            s.TIME: pd.to_datetime(T0.value + (k + groups * 86_400) * 10**9, unit="ns", utc=True),
            s.LAT: lat,
            s.LON: lon,
            s.ALT_BARO_FT: alt.round(),
            s.GS_KT: 447.0,
            s.CALLSIGN: "AHY8243",
            s.ICAO24: "600abc",
        }
    )
    return s.conform(frame)


def legs(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n`` consecutive legs of a 1 Hz track (lat1, lon1, lat2, lon2), degrees."""
    track = render_track(n + 1, per_flight=n + 1, seed=seed)
    lat = track["lat"].to_numpy()
    lon = track["lon"].to_numpy()
    return lat[:-1], lon[:-1], lat[1:], lon[1:]


FR24_HEADER = "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction"

# Bad values sprinkled through :func:`fr24_csv` with ``bad=True`` (every reader path that flags).
FR24_BAD_POSITIONS = (
    "12.3,abc",
    "91,0",
    "",
    "1,2,3",
    "abc",
    " 12.5 , 45.1 ",
    "NaN,NaN",
    "40.1,",
    ",49.8",
    "1e400,0",
    "-0,-180",
    "45.5;50.1",
    "45.5,180.0001",
    "nan",
    "+40.5,+.5",
)
FR24_BAD_TIMES = (  # Timestamp unreadable, the UTC text decides
    ("xyz", "2021-10-29T04:26:16Z"),
    ("", "2021-10-29 04:26:16 UTC"),
    ("", "2021-10-29T07:26:16+03:00"),
    ("x", "2021-13-40T00:00:00Z"),
    ("", ""),
    ("", "noon"),
    ("", "0001-01-01T00:00:00Z"),
    ("-5", "2021-10-29T04:26:16Z"),
    ("1e12", "2021-10-29T04:26:16.250Z"),
    ("", "1635481576"),
    ("", "29 Oct 2021 04:26:16 GMT"),
)


def fr24_csv(rows: int, *, bad: bool = False, seed: int = 24) -> Path:
    """Path of a cached Flightradar24 CSV export of ``rows`` data lines (built if missing).

    Flights of 2,500 fixes each (2.8 h), one every 4 s, one after the other (a new callsign a day),
    written as FR24 writes them: Unix seconds, ISO time with ``Z``, the callsign, a quoted
    ``"lat,lon"`` with up to 6 decimals, integer altitude (ft), speed (kt) and direction (deg).
    With ``bad``, about 1 line in 500 gets a hostile position (:data:`FR24_BAD_POSITIONS`),
    1 in 700 an unreadable Timestamp with good or bad UTC text (:data:`FR24_BAD_TIMES`),
    1 in 1,000 a bad number, and 1 in 2,000 is repeated (an exact duplicate).
    """
    path = CACHE / f"fr24_{rows}_s{seed}{'_bad' if bad else ''}_v{VERSION}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    f = _fr24_fixes(rows, rng)
    n_f = int(f["flight"][-1]) + 1
    calls = np.array([f"AHY{1000 + i}" for i in range(n_f)], dtype=object)
    ts = _text(f["t"])
    utc = _strftime(f["t"], "%Y-%m-%dT%H:%M:%SZ")
    pos = np.asarray([f'"{a},{o}"' for a, o in zip(_text(f["lat"]), _text(f["lon"]), strict=True)])
    alt_s = _text(f["alt"].astype("int64"))
    gs = _text(f["gs"].astype("int64"))
    hdg = _text(f["hdg"].astype("int64"))
    if bad:
        at = np.flatnonzero(rng.random(rows) < 1 / 500)
        pos[at] = ['"' + FR24_BAD_POSITIONS[i % len(FR24_BAD_POSITIONS)] + '"' for i in at]
        at = np.flatnonzero(rng.random(rows) < 1 / 700)
        for i in at:
            ts[i], utc[i] = FR24_BAD_TIMES[i % len(FR24_BAD_TIMES)]
        at = np.flatnonzero(rng.random(rows) < 1 / 1000)
        alt_s[at] = np.array(["abc", "inf", "-1e400", "", "1.5.5"], dtype=object)[at % 5]
        gs[at[::2]] = "-3"
    lines = np.char.add(
        np.asarray(ts, dtype=str),
        np.char.add(",", np.asarray(utc, dtype=str)),
    ).astype(object)
    for col in (calls[f["flight"]], pos, alt_s, gs, hdg):
        lines = lines + "," + np.asarray(col, dtype=object)
    if bad:
        again = np.flatnonzero(rng.random(rows) < 1 / 2000)
        lines = np.insert(lines, again + 1, lines[again])
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(FR24_HEADER + "\n" + "\n".join(lines.tolist()) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def generic_csv(rows: int) -> Path:
    """Path of a cached generic CSV (``time,lat,lon,alt_baro_ft,gs_kt,callsign,icao24``) of
    ``rows`` lines: the :func:`render_track` flights, times as ISO 8601 text with ``Z``, built
    if missing."""
    path = CACHE / f"generic_{rows}_v{VERSION}.csv"
    if path.exists():
        return path
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from flightmap import schema as s

    track = render_track(rows)
    times = pa.array(track[s.TIME].to_numpy(dtype="datetime64[ms]"), pa.timestamp("ms", "UTC"))
    table = pa.table(
        {
            "time": pc.binary_join_element_wise(
                pc.strftime(times, format="%Y-%m-%dT%H:%M:%S", locale="C"), "Z", ""
            ),
            "lat": pa.array(track[s.LAT].round(6)),
            "lon": pa.array(track[s.LON].round(6)),
            "alt_baro_ft": pa.array(track[s.ALT_BARO_FT]),
            "gs_kt": pa.array(track[s.GS_KT]),
            "callsign": pa.array(track[s.CALLSIGN].astype(object)),
            "icao24": pa.array(track[s.ICAO24].astype(object)),
        }
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
    tmp.replace(path)
    return path


def readsb_trace(rows: int) -> Path:
    """Path of a cached readsb trace JSON of ``rows`` entries (built if missing): one aircraft
    flying the :func:`render_track` flights once a second (a day apart), 14 fields per entry
    as readsb writes them since 2022, an aircraft object (callsign, squawk, NIC, NACp, SIL, Rc,
    category) on every 60th entry, ``null`` otherwise."""
    path = CACHE / f"readsb_{rows}_v{VERSION}.json"
    if path.exists():
        return path
    from flightmap import schema as s

    track = render_track(rows)  # flights of 10,000 s a day apart: legs of one aircraft
    dt = (track[s.TIME] - T0).dt.total_seconds().to_numpy()
    lat = track[s.LAT].round(6).to_numpy()
    lon = track[s.LON].round(6).to_numpy()
    alt = track[s.ALT_BARO_FT].to_numpy().astype(int)
    obj = (
        '{"type":"adsb_icao","flight":"AHY8243 ","squawk":"1000","nic":8,"rc":186,'
        '"version":2,"nac_p":9,"sil":3,"category":"A3"}'
    )
    entries = [
        f"[{dt[k]},{lat[k]},{lon[k]},{alt[k]},447.0,{(k // 100) % 360}.0,0,64,"
        f'{obj if k % 60 == 0 else "null"},"adsb_icao",{alt[k] + 350},64,280,0.0]'
        for k in range(rows)
    ]
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        '{"icao":"600abc","r":"4K-AZ65","t":"E190","timestamp":1735095600.0,"trace":[\n'
        + ",\n".join(entries)
        + "\n]}\n",
        encoding="utf-8",
    )
    tmp.replace(path)
    return path


def _fr24_fixes(rows: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The :func:`fr24_csv` flights as arrays: Unix seconds, lat, lon (6 decimals), altitude
    (ft), speed (kt), heading (deg), flight number (``rng`` seeded 24 for those flights)."""
    per_flight = 2_500
    flight = np.arange(rows) // per_flight
    k = np.arange(rows) % per_flight
    n_f = int(flight[-1]) + 1
    heading = rng.uniform(0, 2 * np.pi, n_f)[flight] + _walk(flight, rng.normal(0, 0.01, rows))
    north = _walk(flight, 230.0 * 4 * np.cos(heading))
    east = _walk(flight, 230.0 * 4 * np.sin(heading))
    lat = np.round(35.0 + (flight % 20) + north / 111_320.0, 6)
    lon = np.round(-10.0 + (flight % 50) + east / (111_320.0 * np.cos(np.radians(lat))), 6)
    return {
        "t": T0.value // 10**9 + flight * 86_400 + k * 4,
        "lat": lat,
        "lon": lon,
        "alt": np.clip(np.round(_walk(flight, rng.normal(0, 20, rows))) + 30_000, 0, None),
        "gs": np.round(447 + rng.normal(0, 3, rows)),
        "hdg": np.round(np.degrees(heading) % 360),
        "flight": flight,
    }


def _text(v: np.ndarray) -> np.ndarray:
    """Numbers as Arrow writes them (shortest round-trip text), as a numpy object array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.cast(pa.array(v), pa.string()).to_numpy(zero_copy_only=False))


def _strftime(t: np.ndarray, fmt: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    times = pa.array(t, pa.timestamp("s", "UTC"))
    return np.asarray(pc.strftime(times, fmt, locale="C").to_numpy(zero_copy_only=False))


def fr24_kml(rows: int, trail_flights: int = 1) -> Path:
    """Path of a cached Flightradar24 KML export of ``rows`` fixes (built if missing).

    The fixes of :func:`fr24_csv` (same seed: flights of 2,500 fixes 4 s apart, a day apart),
    written as FR24 writes its KML (``shared/research/track-formats.md`` §3, the FZ981 sample
    in ``tests/data/tracks``): a Document named ``FLIGHT/CALLSIGN``, a ``Route`` folder with one
    Placemark per fix (name ``YYYY-MM-DD HH:MM:SS UTC``, the HTML description with Altitude,
    Speed and Heading, ``TimeStamp/when`` with ``+00:00``, an IconStyle with the heading,
    ``Point`` with ``altitudeMode`` absolute and ``lon,lat,0``), then the ``Trail`` folder of
    LineString segments P-1, P-2... between consecutive fixes. FR24 writes one file per flight,
    its Trail as long as its Route; here the Trail covers the first ``trail_flights`` flights
    only (the reader skips it; a full Trail would double a file that is already 0.5 GB at 1M
    fixes). One fix per line, without FR24's indentation.
    """
    path = CACHE / f"fr24_{rows}_trail{trail_flights}_v{VERSION}.kml"
    if path.exists():
        return path
    f = _fr24_fixes(rows, np.random.default_rng(24))
    when = _strftime(f["t"], "%Y-%m-%dT%H:%M:%S+00:00")
    name = _strftime(f["t"], "%Y-%m-%d %H:%M:%S UTC")
    alt = _text(f["alt"].astype("int64"))
    gs = _text(f["gs"].astype("int64"))
    hdg = _text(f["hdg"].astype("int64"))
    lonlat = _text(f["lon"]) + "," + _text(f["lat"]) + ",0"
    route = (
        "<Placemark><name>"
        + name
        + "</name><description><![CDATA[<div><div><span><b>Altitude:</b></span> <span>"
        + alt
        + " ft</span></div>\n<div><span><b>Speed:</b></span> <span>"
        + gs
        + " kt</span></div>\n<div><span><b>Heading:</b></span> <span>"
        + hdg
        + "&deg;</span></div>\n</div>]]></description><TimeStamp><when>"
        + when
        + "</when></TimeStamp><Style><IconStyle><heading>"
        + hdg
        + "</heading><Icon><href>http://maps.google.com/mapfiles/kml/shapes/airports.png"
        "</href></Icon></IconStyle></Style><Point><altitudeMode>absolute</altitudeMode>"
        "<coordinates>" + lonlat + "</coordinates></Point></Placemark>"
    )
    n_trail = min(rows, 2_500 * trail_flights) - 1
    idx = np.arange(max(n_trail, 0))
    trail = (
        "<Placemark><Style><LineStyle><color>ffffffff</color><width>2</width></LineStyle>"
        "</Style><MultiGeometry><LineString><tessellate>1</tessellate><altitudeMode>"
        "clampToGround</altitudeMode><coordinates>"
        + lonlat[idx]
        + " "
        + lonlat[idx + 1]
        + "</coordinates></LineString></MultiGeometry><name>P-"
        + _text(idx + 1)
        + "</name><description><![CDATA[<div><div><span><b>Altitude:</b></span> <span>"
        + alt[idx]
        + " ft</span></div>\n<div><span><b>Speed:</b></span> <span>"
        + gs[idx]
        + " kt - "
        + gs[idx + 1]
        + " kt</span></div>\n<div><span><b>Timestamp:</b></span><br/><span>"
        + name[idx]
        + "<br/>"
        + name[idx + 1]
        + "</span></div>\n</div>]]></description></Placemark>"
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n'
        "<Document>\n<name>AH8243/AHY8243</name>\n<description><![CDATA[<div>AH8243 / AHY8243"
        " Azerbaijan Airlines (synthetic)</div>]]></description>\n<Folder>\n<name>Route</name>\n"
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(head)
        for start in range(0, rows, 100_000):
            fh.write("\n".join(route[start : start + 100_000].tolist()) + "\n")
        fh.write("</Folder>\n<Folder>\n<name>Trail</name>\n")
        fh.write("\n".join(trail.tolist()) + "\n")
        fh.write("</Folder>\n</Document>\n</kml>\n")
    tmp.replace(path)
    return path


def opensky_rest(rows: int) -> Path:
    """Path of a cached OpenSky REST ``/states/all`` JSON of ``rows`` states (built if missing).

    The :func:`opensky_csv` vectors (same seed), as the REST API returns them
    (``shared/research/track-formats.md`` §5.1): a list of responses ``{"time": T, "states":
    [...]}``, one per 10 s snapshot (500 aircraft at 1M states), each state the 18-field array
    of the current layout (icao24, callsign padded to 8, origin country, time_position,
    last_contact, **longitude, latitude**, baro_altitude m, on_ground, velocity m/s, true_track,
    vertical_rate m/s, sensors null, geo_altitude m, squawk, spi, position_source 0, category),
    ``null`` where the CSV has an empty field; integers as integers.
    """
    path = CACHE / f"opensky_rest_{rows}_v{VERSION}.json"
    if path.exists():
        return path
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text = {c: pa.string() for c in ("icao24", "callsign", "squawk")}
    table = pacsv.read_csv(
        opensky_csv(rows),
        convert_options=pacsv.ConvertOptions(column_types=text, strings_can_be_null=True),
    ).to_pandas()
    snap = (table["time"].to_numpy() // 10) * 10  # the response a vector belongs to

    def num(col: str, digits: int | None = None) -> np.ndarray:
        v = table[col].to_numpy(dtype="float64")
        out = _text(np.round(v, digits) if digits is not None else v)
        out[np.isnan(v)] = "null"
        return out

    def quoted(col: str, width: int = 0) -> np.ndarray:
        v = table[col]
        out = np.asarray('"' + v.fillna("").astype(str).str.ljust(width) + '"', dtype=object)
        out[v.isna().to_numpy()] = "null"
        return out

    tpos = np.floor(table["lastposupdate"].to_numpy(dtype="float64"))
    tpos_s = _text(np.nan_to_num(tpos).astype("int64")).astype(object)
    tpos_s[np.isnan(tpos)] = "null"
    country = np.where(table["icao24"].str.startswith("4b").to_numpy(), "Switzerland", "Azerbaijan")
    ground = np.where(table["onground"].to_numpy(dtype=bool), "true", "false")
    spi = np.where(table["spi"].to_numpy(dtype=bool), "true", "false")
    states = (
        "["
        + quoted("icao24")
        + ","
        + quoted("callsign", 8)
        + ',"'
        + country
        + '",'
        + tpos_s
        + ","
        + _text(np.floor(table["lastcontact"].to_numpy()).astype("int64"))
        + ","
        + num("lon", 4)
        + ","
        + num("lat", 4)
        + ","
        + num("baroaltitude", 2)
        + ","
        + ground
        + ","
        + num("velocity", 2)
        + ","
        + num("heading", 2)
        + ","
        + num("vertrate", 2)
        + ",null,"
        + num("geoaltitude", 2)
        + ","
        + quoted("squawk")
        + ","
        + spi
        + ",0,4]"
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    bounds = np.flatnonzero(np.diff(snap)) + 1
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i, (a, b) in enumerate(zip([0, *bounds], [*bounds, len(snap)], strict=True)):
            fh.write(("," if i else "") + f'\n{{"time":{int(snap[a])},"states":[\n')
            fh.write(",\n".join(states[a:b].tolist()) + "]}")
        fh.write("\n]\n")
    tmp.replace(path)
    return path


def track_parquet(rows: int) -> Path:
    """Path of a cached Parquet file in flightmap's track schema (built if missing): the
    :func:`opensky_csv` of ``rows`` lines read by flightmap and written as ``flightmap convert
    FILE -o OUT.parquet`` writes it."""
    path = CACHE / f"track_opensky_{rows}_v{VERSION}.parquet"
    if path.exists():
        return path
    from flightmap.readers import read_track
    from flightmap.readers.output import write_track

    CACHE.mkdir(parents=True, exist_ok=True)
    write_track(read_track(opensky_csv(rows)).track, path)
    return path
