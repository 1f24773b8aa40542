"""Broken case files fail with one clear line naming the file, the place and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flightmap.cli import app
from flightmap.errors import InputError
from flightmap.geo import load_case

Edit = Callable[[Path, str, str], None]

CASES = [
    # (file, old text, new text, expected message fragments)
    (
        "events.csv",
        "fr24-kursiv;axar-929919,UBBB",
        "fr24-kursiv;no-such-source,UBBB",
        ["events.csv", "item takeoff", "field sources", "unknown source id 'no-such-source'"],
    ),
    (
        "events.csv",
        "takeoff,2024-12-25T03:55:00Z",
        "takeoff,2024-12-25T03:55:00",
        ["events.csv", "line 2", "field time", "naive time '2024-12-25T03:55:00'"],
    ),
    (
        "waypoints.csv",
        "UATE,Aktau,airport,43.860100",
        "UATE,Aktau,airport,91.0",
        ["waypoints.csv", "line 6", "field lat", "91 out of range [-90, 90]"],
    ),
    (
        "waypoints.csv",
        "UATE,Aktau,airport,43.860100",
        "UATE,Aktau,airport,north",
        ["waypoints.csv", "line 6", "field lat", "'north' is not a number"],
    ),
    (
        "events.csv",
        ",first_bang,4,2,",
        ",no_such_event,4,2,",
        ["events.csv", "event hyd3_fail_apa", "field relative_to", "unknown event id"],
    ),
    (
        "events.csv",
        ",reported,high,tengrinews-266610;reddit-prelim,,,",
        ",maybe,high,tengrinews-266610;reddit-prelim,,,",
        ["events.csv", "field evidence", "'maybe' is not one of observed, reported, inferred"],
    ),
    (
        "conflicts.csv",
        "takeoff_time,Take-off time: 07:55 or 07:49 Baku time,takeoff,takeoff_0749",
        "takeoff_time,Take-off time: 07:55 or 07:49 Baku time,takeoff,takeoff_9999",
        [
            "conflicts.csv",
            "conflict takeoff_time",
            "field side_b",
            "unknown item id 'takeoff_9999'",
        ],
    ),
    (
        "sources.csv",
        "https://tass.com/politics/2027565",
        "javascript:alert(1)",
        ["sources.csv", "line", "field url", "is not an http(s) URL"],
    ),
    (
        "zones.geojson",
        '"valid_from": "2024-12-25T05:21:42Z"',
        '"valid_from": "2024-12-25T05:21:42"',
        ["zones.geojson", "feature 3 (kover_grozny)", "field valid_from", "naive time"],
    ),
    (
        "case.toml",
        'zone = "Asia/Aqtau"',
        'zone = "Asia/Atlantis"',
        ["case.toml", "timezones 3", "unknown IANA time zone 'Asia/Atlantis'"],
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES)
def test_broken_case_error_names_file_place_field(
    case_copy: Path, edit: Edit, name: str, old: str, new: str, expected: list[str]
) -> None:
    edit(case_copy / name, old, new)
    with pytest.raises(InputError) as info:
        load_case(case_copy)
    message = str(info.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("events.csv", "fr24-kursiv;axar-929919,UBBB", "fr24-kursiv;no-such-source,UBBB"),
        ("events.csv", "takeoff,2024-12-25T03:55:00Z", "takeoff,2024-12-25T03:55:00"),
        ("waypoints.csv", "UATE,Aktau,airport,43.860100", "UATE,Aktau,airport,91.0"),
    ],
)
def test_cli_broken_case_exit_2_without_traceback(
    case_copy: Path, edit: Edit, runner: CliRunner, tmp_path: Path, name: str, old: str, new: str
) -> None:
    edit(case_copy / name, old, new)
    out = tmp_path / "map.html"
    for args in (["timeline", str(case_copy)], ["render", str(case_copy), "-o", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("flightmap: error: ")
        assert name in lines[0]
        assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_case_and_traversal_are_refused(runner: CliRunner) -> None:
    result = runner.invoke(app, ["timeline", "no-such-case"])
    assert result.exit_code == 2
    assert "unknown case 'no-such-case' (available: j2-8243" in result.stderr
    with pytest.raises(InputError, match="invalid case name"):
        load_case("J2 8243!")
    # A path is taken as given, but it must be a case folder.
    with pytest.raises(InputError, match="not a case folder"):
        load_case("..")


def test_missing_file_and_bad_header(case_copy: Path, edit: Edit) -> None:
    (case_copy / "sources.csv").unlink()
    with pytest.raises(InputError, match=r"sources\.csv: missing file"):
        load_case(case_copy)


def test_unknown_column(case_copy: Path, edit: Edit) -> None:
    edit(case_copy / "legs.csv", "id,from,to,label", "id,from,to,lable")
    with pytest.raises(InputError, match=r"legs\.csv: line 1: missing column\(s\) label"):
        load_case(case_copy)


def test_duplicate_id_across_files(case_copy: Path, edit: Edit) -> None:
    edit(case_copy / "claims.csv", "crash_3km,crash_site", "CRASH,crash_site")
    with pytest.raises(InputError, match="duplicate id 'CRASH'"):
        load_case(case_copy)


def test_relative_time_cycle(case_copy: Path, edit: Edit) -> None:
    edit(
        case_copy / "events.csv",
        "first_bang,2024-12-25T05:13:31Z,,",
        "first_bang,,hyd3_fail_apa,-4",
    )
    with pytest.raises(InputError, match="cycle: "):
        load_case(case_copy)
