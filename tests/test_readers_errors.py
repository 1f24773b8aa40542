"""Unusable input: one InputError naming the file, the place (line / record / byte) and the
field; never another exception."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flightmap.errors import InputError
from flightmap.readers import FORMATS, detect_format, read_track

DATA = Path(__file__).parent / "data" / "tracks"
FR24_HEADER = "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"


def error_of(path: Path, **kwargs: object) -> InputError:
    """The InputError reading ``path`` raises: one line, starting with the file's name."""
    with pytest.raises(InputError) as info:
        read_track(path, **kwargs)  # type: ignore[arg-type]
    err = info.value
    text = str(err)
    assert "\n" not in text
    assert err.path == str(path)
    assert text.startswith(f"{path}: ")
    return err


def option_error(path: Path, **kwargs: object) -> InputError:
    """The InputError for a bad option: it names the option, not the file."""
    with pytest.raises(InputError) as info:
        read_track(path, **kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    return info.value


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.csv")
    assert err.message == "no such file"


def test_directory(tmp_path: Path) -> None:
    assert "directory" in error_of(tmp_path).message


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty(tmp_path: Path, content: str) -> None:
    err = error_of(write(tmp_path, "e.csv", content))
    assert err.message == "file is empty"


def test_empty_after_gzip(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "e.json.gz", gzip.compress(b"")))
    assert err.message == "file is empty after gzip decompression"


def test_header_only(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "h.csv", FR24_HEADER))
    assert (err.where, err.message) == ("line 1", "no data rows: the file has a header only")


def test_unknown_format(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "u.txt", "hello world\nnot a track\n"))
    assert err.where == "line 1"
    assert err.message.startswith("unknown format: first line 'hello world'")
    with pytest.raises(InputError, match="unknown format"):
        detect_format(tmp_path / "u.txt")


def test_unknown_json_layout(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "a.json", '{"now": 1, "aircraft": []}'))
    assert err.message.startswith("unknown JSON layout")


def test_unknown_format_name(tmp_path: Path) -> None:
    err = option_error(DATA / "fr24_anz1005.csv", format="fr24")
    assert err.field == "--format"


def test_missing_required_column_opensky(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "time,icao24,lat,velocity,baroaltitude\n1,abc123,2,3,4\n")
    err = error_of(path)
    assert (err.where, err.field) == ("line 1", "lon")
    assert err.message.startswith("required column missing")


def test_missing_required_column_generic(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "g.csv", "time,lat,alt\n2024-12-25T04:00:00Z,1,2\n"))
    assert (err.where, err.field) == ("line 1", "lon")
    assert "--map lon=NAME" in err.message


def test_mapping_names_unknown_column(tmp_path: Path) -> None:
    err = error_of(DATA / "generic_track.csv", mapping={"lat": "Breite"})
    assert (err.where, err.field) == ("line 1", "Breite")
    err = option_error(DATA / "generic_track.csv", mapping={"latitude": "Latitude"})
    assert err.field == "--map"


def test_every_latitude_unusable(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "lat.csv",
        FR24_HEADER
        + '1635481576,2021-10-29T04:26:16Z,ANZ1005,"abc,-118.4",500,0,250\n'
        + '1635481636,2021-10-29T04:27:16Z,ANZ1005,"95,-118.5",500,0,250\n',
    )
    err = error_of(path)
    assert (err.where, err.field) == ("line 2", "Position")
    assert err.message.startswith("no usable position: every latitude")
    assert "'abc'" in err.message


def test_every_longitude_unusable(tmp_path: Path) -> None:
    path = write(tmp_path, "lon.csv", "time,lat,lon\n1735100000,40,x\n1735100010,40,500\n")
    err = error_of(path)
    assert (err.where, err.field) == ("line 2", "lon")
    assert "every longitude" in err.message


def test_unparseable_times(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "t.csv", "time,lat,lon\nyesterday,1,2\nnoon,1,2\n"))
    assert (err.where, err.field) == ("line 2", "time")
    assert err.message.startswith("no usable time")
    assert "'yesterday'" in err.message


def test_unix_times_in_milliseconds(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "ms.csv", "time,lat,lon\n1735100000000,1,2\n"))
    assert (err.where, err.field) == ("line 2", "time")
    assert "between 1970 and 2100" in err.message


def test_naive_times_refused(tmp_path: Path) -> None:
    err = error_of(DATA / "generic_naive.csv")
    assert (err.where, err.field) == ("line 2", "time")
    assert "has no time zone" in err.message and "--tz" in err.message


def test_some_naive_times_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mixed.csv",
        "time,lat,lon\n2024-12-25T04:00:00Z,1,2\n2024-12-25 04:01:00,1,2\n",
    )
    err = error_of(path)
    assert (err.where, err.field) == ("line 3", "time")


def test_unknown_time_zone() -> None:
    err = option_error(DATA / "generic_naive.csv", tz="Mars/Olympus")
    assert err.field == "--tz"


def test_truncated_json(tmp_path: Path) -> None:
    text = (DATA / "readsb_trace.json").read_text()
    err = error_of(write(tmp_path, "t.json", text[:300]))
    assert err.where is not None and err.where.startswith("line 3 column ")
    assert err.message.startswith("invalid or truncated JSON")


def test_trace_without_trace_list(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", json.dumps({"icao": "abc123", "timestamp": 1, "trace": 5}))
    err = error_of(path)
    assert err.field == "trace"


def test_trace_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", json.dumps({"icao": "abc123", "timestamp": 1, "trace": []}))
    assert error_of(path).message == "no reports: the trace is empty"


def test_trace_bad_timestamp(tmp_path: Path) -> None:
    path = write(
        tmp_path, "t.json", json.dumps({"icao": "a", "timestamp": "soon", "trace": [[0, 1, 2, 3]]})
    )
    err = error_of(path)
    assert err.field == "timestamp"


def test_opensky_rest_without_states(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "r.json", '{"time": 1499105360, "states": null}'))
    assert err.field == "states"


def test_truncated_kml(tmp_path: Path) -> None:
    text = (DATA / "fr24_fz981.kml").read_text()
    err = error_of(write(tmp_path, "t.kml", text[:1500]))
    assert err.where is not None and err.where.startswith("line ")
    assert err.message.startswith("invalid or truncated XML")


def test_kml_without_points(tmp_path: Path) -> None:
    path = write(tmp_path, "n.kml", '<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')
    assert error_of(path).field == "Placemark"


def test_corrupt_gzip(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "c.gz", b"\x1f\x8b\x08\x00garbage, not deflate data"))
    assert err.message.startswith("corrupt or truncated gzip data")


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress((DATA / "readsb_trace.json").read_bytes())
    err = error_of(write(tmp_path, "t.json.gz", data[: len(data) // 2]))
    assert err.message.startswith("corrupt or truncated gzip data")


def test_truncated_gzip_after_the_head(tmp_path: Path) -> None:
    # Big enough that the format is detected from an intact start and the CSV reader meets the
    # damage later, inside pyarrow.
    rows = "".join(
        f"{1735100000 + i},abc123,{40 + i * 1e-5:.5f},50,100,90,0,TEST1,False,False,False,"
        f"1000,3000,3100,{1735100000 + i},{1735100000 + i}\n"
        for i in range(40_000)
    )
    header = (
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        "baroaltitude,geoaltitude,lastposupdate,lastcontact\n"
    )
    data = gzip.compress((header + rows).encode())
    err = error_of(write(tmp_path, "big.csv.gz", data[: int(len(data) * 0.8)]))
    assert err.message.startswith("corrupt or truncated gzip data")


def test_binary_junk(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "j.csv", b"PK\x03\x04\x14\x00\x00\x00binary"))
    # P K 03 04 14 00: the first NUL is byte 5 (from 0).
    assert (err.where, err.message) == ("byte 5", "binary data (NUL byte), not a track file")


def test_not_utf8(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "l.csv", b"time,lat,lon\n\xff\xfe\xfa,1,2\n"))
    assert err.where == "byte 13"
    assert err.message.startswith("not UTF-8 text")


def test_every_row_ragged(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "r.csv", FR24_HEADER + "1,2\n3,4\n"))
    assert err.where == "line 2"
    assert "wrong number of fields" in err.message


def test_mapping_with_other_format() -> None:
    err = error_of(DATA / "readsb_trace.json", format="readsb_trace", mapping={"lat": "x"})
    assert err.field == "--map"


# -- robustness: whatever the input, InputError or a valid track ------------------------------

FIXTURES = sorted(p for p in DATA.iterdir() if p.suffix != ".md")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_forced_format_never_crashes(path: Path, fmt: str) -> None:
    """Every fixture read as every format: a track, or one InputError naming the file."""
    try:
        result = read_track(path, fmt, tz="UTC")
    except InputError as err:
        assert err.path == str(path) or err.field in ("--map", "--tz", "--format")
        assert "\n" not in str(err)
    else:
        assert result.format == fmt
        assert len(result.track) > 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.lists(
            st.sampled_from(
                [
                    "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction",
                    "time,lat,lon",
                    '1635481576,2021-10-29T04:26:16Z,X,"1,2",500,0,250',
                    "1,2,3",
                    "",
                    ",,,",
                    '{"trace": [',
                    '"a,b"',
                    "2024-01-01T00:00:00Z,91,0",
                    "x,y,z",
                ]
            ),
            max_size=6,
        ).map(lambda lines: "\n".join(lines).encode()),
    )
)
def test_random_input_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    try:
        result = read_track(path)
    except InputError as err:
        assert str(err).startswith(f"{path}: ")
        assert "\n" not in str(err)
    else:
        s_cols = list(result.track.columns)
        assert s_cols[:2] == ["flight_id", "time"]
