"""Rebuild the bad-input corpus in this folder: ``python tests/data/bad/make_bad.py``.

Every file is small and hand-made; README.md says, for each, what flightmap must do with it.
The output is deterministic (gzip files carry no name and mtime 0), so running this again
changes nothing in git.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

FR24_HEADER = "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"
OSKY_HEADER = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact\n"
)
T0 = 1735100000  # 2024-12-25T04:13:20Z


def fr24_row(
    i: int,
    *,
    lat: str | None = None,
    ts: str | None = None,
    utc: str | None = None,
    alt: str = "10000",
    cs: str = "AHY8243",
) -> str:
    t = T0 + 10 * i
    lat = lat if lat is not None else f"{40.4 + i * 0.01:.4f}"
    ts = ts if ts is not None else str(t)
    utc = utc if utc is not None else _iso(t)
    return f'{ts},{utc},{cs},"{lat},{49.9 + i * 0.01:.4f}",{alt},300,270\n'


def _iso(t: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fr24(rows: list[str]) -> str:
    return FR24_HEADER + "".join(rows)


def good_fr24(n: int = 4) -> list[str]:
    return [fr24_row(i) for i in range(n)]


def osky_row(
    i: int,
    *,
    time: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    alt: str = "3048.0",
) -> str:
    t = T0 + 10 * i
    time = time if time is not None else str(t)
    lat = lat if lat is not None else f"{40.4 + i * 0.01:.4f}"
    lon = lon if lon is not None else f"{49.9 + i * 0.01:.4f}"
    return (
        f"{time},600881,{lat},{lon},154.3,270.0,0.0,AHY8243,False,False,False,1000,"
        f"{alt},3100.0,{t},{t}\n"
    )


def trace(entries: list[object], **extra: object) -> str:
    doc = {"icao": "600881", "timestamp": T0, "trace": entries, **extra}
    return json.dumps(doc, allow_nan=True)


def entry(i: int, lat: object = None, lon: object = None, alt: object = 10000) -> list[object]:
    return [
        10.0 * i,
        40.4 + i * 0.01 if lat is None else lat,
        49.9 + i * 0.01 if lon is None else lon,
        alt,
        300.0,
        270.0,
        0,
        0,
        None,
    ]


def rest(states: list[object], time: object = T0) -> str:
    return json.dumps({"time": time, "states": states}, allow_nan=True)


def state(i: int, lon: object = None, lat: object = None) -> list[object]:
    return [
        "600881",
        "AHY8243 ",
        "Azerbaijan",
        T0,
        T0,
        49.9 + i * 0.01 if lon is None else lon,
        40.4 + i * 0.01 if lat is None else lat,
        3048.0,
        False,
        154.3,
        270.0,
        0.0,
        None,
        3100.0,
        "1000",
        False,
        0,
    ]


def kml(placemarks: str, doctype: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + doctype
        + '<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n<name>J28243/AHY8243</name>\n'
        + placemarks
        + "</Document>\n</kml>\n"
    )


def placemark(when: str, coords: str) -> str:
    return (
        f"<Placemark><TimeStamp><when>{when}</when></TimeStamp>"
        f"<Point><coordinates>{coords}</coordinates></Point></Placemark>\n"
    )


def good_placemarks(n: int = 3) -> str:
    return "".join(
        placemark(_iso(T0 + 10 * i), f"{49.9 + i * 0.01:.4f},{40.4 + i * 0.01:.4f},3000")
        for i in range(n)
    )


def generic(rows: list[str], header: str = "time,lat,lon,alt_baro_ft,callsign\n") -> str:
    return header + "".join(rows)


def gen_row(i: int, *, time: str | None = None, lat: str | None = None) -> str:
    time = time if time is not None else _iso(T0 + 10 * i)
    lat = lat if lat is not None else f"{40.4 + i * 0.01:.4f}"
    return f"{time},{lat},{49.9 + i * 0.01:.4f},10000,AHY8243\n"


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


FILES: dict[str, str | bytes] = {
    # -- FR24 CSV ------------------------------------------------------------------------------
    "fr24_empty.csv": "",
    "fr24_header_only.csv": FR24_HEADER,
    "fr24_truncated.csv": fr24(good_fr24(3))[:-25],
    "fr24_semicolon.csv": fr24(good_fr24(3)).replace(",", ";"),
    "fr24_latin1.csv": fr24([*good_fr24(2), fr24_row(2, cs="AHY\xc9\xe9")]).encode("latin-1"),
    "fr24_bom.csv": b"\xef\xbb\xbf" + fr24([*good_fr24(2), fr24_row(2, lat="north")]).encode(),
    "fr24_nan_inf.csv": fr24(
        [
            fr24_row(0),
            fr24_row(1, lat="nan"),
            fr24_row(2, lat="inf", alt="-inf"),
            fr24_row(3, alt="NaN"),
            fr24_row(4),
        ]
    ),
    "fr24_lat_1e308.csv": fr24([fr24_row(0), fr24_row(1, lat="1e308"), fr24_row(2, lat="-1e309")]),
    "fr24_year1.csv": fr24(
        [fr24_row(0), fr24_row(1, ts="-62135596800", utc="0001-01-01T00:00:00Z"), fr24_row(2)]
    ),
    "fr24_year9999.csv": fr24(
        [
            fr24_row(0),
            fr24_row(1, ts="253402300799", utc="9999-12-31T23:59:59Z"),
            fr24_row(2, ts="", utc="9999-12-31T23:59:59Z"),
            fr24_row(3),
        ]
    ),
    "fr24_duplicated_times.csv": fr24(
        [fr24_row(0), fr24_row(1), fr24_row(1), fr24_row(1, lat="41.0"), fr24_row(2)]
    ),
    "fr24_unsorted.csv": fr24([fr24_row(3), fr24_row(0), fr24_row(2), fr24_row(1)]),
    "fr24_ragged.csv": fr24([fr24_row(0), "1735100010,x\n", fr24_row(2), "\n", fr24_row(3)]),
    "fr24_binary.csv": bytes(range(256)) * 4,
    "fr24_huge_line.csv.gz": gz((FR24_HEADER + "1735100000," + "A" * 3_000_000 + "\n").encode()),
    "fr24_crlf_quotes.csv": fr24(good_fr24(2)).replace("\n", "\r\n")
    + '1735100020,2024-12-25T04:13:40Z,"AHY\n8243","40.42,49.92",10000,300,270\r\n'
    + '1735100030,2024-12-25T04:13:50Z,AHY8243,"40.43,49.93",high,300,270\r\n',
    # -- FR24 / generic KML --------------------------------------------------------------------
    "kml_truncated.kml": kml(good_placemarks(3))[:-60],
    "kml_no_points.kml": kml("<Placemark><name>nothing</name></Placemark>\n"),
    "kml_bad_coords.kml": kml(
        good_placemarks(2)
        + placemark(_iso(T0 + 20), "east,north,0")
        + placemark(_iso(T0 + 30), "1e308,40.5,0")
        + placemark("0001-01-01T00:00:00Z", "49.95,40.45,0")
        + placemark(_iso(T0 + 50), "49.96,40.46,0")
    ),
    "kml_naive_times.kml": kml(
        placemark("2024-12-25T04:13:20", "49.9,40.4,0")
        + placemark("2024-12-25T04:13:30", "49.91,40.41,0")
    ),
    "kml_billion_laughs.kml": kml(
        "<Placemark><name>&lol9;</name></Placemark>\n",
        doctype='<!DOCTYPE kml [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">'
            for k in range(1, 10)
        )
        + "]>\n",
    ),
    "kml_external_entity.kml": kml(
        "<Placemark><name>&xxe;</name></Placemark>\n",
        doctype='<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    ),
    "kml_deeply_nested.kml": kml("<Folder>" * 5_000 + "</Folder>" * 5_000),
    # -- readsb trace JSON ---------------------------------------------------------------------
    "readsb_empty.json.gz": gz(b""),
    "readsb_truncated.json": trace([entry(i) for i in range(4)])[:-40],
    "readsb_corrupt.json.gz": gz(trace([entry(i) for i in range(50)]).encode())[:200]
    + b"\x00garbage" * 4,
    "readsb_nan_inf.json": trace(
        [
            entry(0),
            entry(1, lat=float("nan")),
            entry(2, lon=float("inf")),
            entry(3, alt=float("-inf")),
            entry(4),
        ]
    ),
    "readsb_lat_1e308.json": trace([entry(0), entry(1, lat=1e308), entry(2, lat=-1e308), entry(3)]),
    "readsb_time_9999.json": trace(
        [entry(0), [253402300799.0, *entry(1)[1:]], [-1e308, *entry(2)[1:]], entry(3)]
    ),
    "readsb_year1.json": trace([entry(0)], timestamp=-62135596800),
    "readsb_wrong_types.json": trace(
        [
            entry(0),
            ["ten", "40.41", True, "high", {}, [], "x", None, 5],
            entry(2),
            [1, 2],
            None,
            entry(3),
        ]
    ),
    "readsb_deeply_nested.json": '{"icao":"600881","timestamp":1735100000,"trace":'
    + "[" * 5_000
    + "]" * 5_000
    + "}",
    "readsb_utf16.json": trace([entry(0), entry(1)]).encode("utf-16"),
    # -- OpenSky CSV ---------------------------------------------------------------------------
    "opensky_header_only.csv": OSKY_HEADER,
    "opensky_tab_separated.csv": (OSKY_HEADER + osky_row(0)).replace(",", "\t"),
    "opensky_nan_inf.csv": OSKY_HEADER
    + osky_row(0)
    + osky_row(1, lat="NaN")
    + osky_row(2, lon="Infinity", alt="inf")
    + osky_row(3),
    "opensky_year1_9999.csv": OSKY_HEADER
    + osky_row(0)
    + osky_row(1, time="-62135596800")
    + osky_row(2, time="253402300799")
    + osky_row(3),
    "opensky_binary_tail.csv": (OSKY_HEADER + osky_row(0) + osky_row(1)).encode()
    + b"\x00\x01\x02\xff" * 8
    + b"\n",
    # -- OpenSky REST JSON ---------------------------------------------------------------------
    "rest_empty_states.json": rest([]),
    "rest_bad_states.json": rest(
        [
            state(0),
            ["600881", None],
            state(2, lat="forty"),
            state(3, lat=1e308),
            state(4, lon=float("nan")),
            "junk",
            state(5),
        ]
    ),
    "rest_time_inf.json": rest([state(0), state(1)], time=1e400),
    "rest_time_naive_text.json": rest([state(0)], time="2024-12-25T04:13:20"),
    "rest_deeply_nested.json": '{"time": 1735100000, "states": ' + "[" * 5_000 + "]" * 5_000 + "}",
    # -- generic CSV ---------------------------------------------------------------------------
    "generic_header_only.csv": "time,lat,lon\r\n",
    "generic_naive.csv": generic([gen_row(0, time="2024-12-25 04:13:20"), gen_row(1)]),
    "generic_year1_9999.csv": generic(
        [
            gen_row(0),
            gen_row(1, time="0001-01-01T00:00:00Z"),
            gen_row(2, time="9999-12-31T23:59:59Z"),
            gen_row(3, time="10000-01-01T00:00:00Z"),
            gen_row(4),
        ]
    ),
    "generic_unsorted_dupes.csv": generic(
        [gen_row(2), gen_row(0), gen_row(1), gen_row(1), gen_row(1, lat="41.5")]
    ),
    "generic_cp1252.csv": generic([gen_row(0), gen_row(1)]).encode()
    + "2024-12-25T04:13:40Z,40.42,49.92,10000,AHY\u20ac\n".encode("cp1252"),
    "generic_no_lon.csv": "time,lat,alt_baro_ft\n2024-12-25T04:13:20Z,40.4,10000\n",
    "generic_all_bad_lat.csv": generic([gen_row(0, lat="x"), gen_row(1, lat="1e308")]),
    "generic_gzip_of_gzip.csv.gz": gz(gz(generic([gen_row(0), gen_row(1)]).encode())),
    "generic_formula.csv": generic(
        [gen_row(0), gen_row(1, lat='=HYPERLINK("http://x")'), gen_row(2)]
    ),
}


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in ("README.md", "make_bad.py") and old.is_file():
            old.unlink()
    for name, content in FILES.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
