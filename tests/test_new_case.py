"""``flightmap new-case``: a commented case that loads, from nothing or from a track, written
whole or not at all."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flightmap import geo
from flightmap.cli import app
from flightmap.errors import InputError
from flightmap.geo import load_case
from flightmap.scaffold import new_case

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
LAT0, LON0 = 40.467499, 50.0467  # Baku GYD, OpenFlights airport reference point


def _fr24_csv(path: Path) -> Path:
    """A hand-checkable FR24 CSV: at 0 kt on the Baku GYD reference point (OpenFlights
    40.467499, 50.0467), a climb east along that latitude at 60 s spacing, nothing from 10:10
    to 10:30, then a descent to a stop at 0 kt."""
    rows = ["Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction"]
    plan = [(i * 60, LON0 + 0.01 * i, 500 + 1000 * i, 0 if i == 0 else 250) for i in range(11)]
    plan += [
        (1800 + i * 60, LON0 + 0.5 + 0.01 * i, 5000 - 1000 * i, 250 if i < 5 else 0)
        for i in range(6)
    ]
    for dt, lon, alt, gs in plan:
        t = T0 + timedelta(seconds=dt)
        rows.append(
            f'{int(t.timestamp())},{t:%Y-%m-%dT%H:%M:%SZ},TST123,"{LAT0:.6f},{lon:.6f}",{alt},{gs},90'
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_template_has_one_of_each_item_and_loads(tmp_path: Path) -> None:
    folder = new_case("my-bird", title="My bird strike", parent=tmp_path, today=date(2025, 1, 2))
    assert folder == (tmp_path / "my-bird").resolve()
    c = load_case(folder)
    assert (c.id, c.title) == ("my-bird", "My bird strike")
    assert len(c.sources) == len(c.waypoints) == len(c.zones) == len(c.conflicts) == 1
    assert len(c.claims) == len(c.events) == 2  # a conflict needs two sides; a relative time
    for item in [*c.waypoints.values(), *c.events, *c.claims.values(), *c.zones]:
        assert item.evidence in ("observed", "reported", "inferred") and item.confidence
        assert item.sources == ("example-source",)
    assert c.event("example_event").time == datetime(2025, 1, 2, 12, tzinfo=UTC)
    assert c.event("example_event_later").time == datetime(2025, 1, 2, 12, 1, 30, tzinfo=UTC)
    assert c.claims["example_claim_a"].conflicts_with == ("example_claim_b",)
    assert c.zones[0].valid_to is None
    # Comments: case.toml says where the fields are described; a README says what to do next.
    assert "data/README.md" in (folder / "case.toml").read_text(encoding="utf-8")
    assert "flightmap timeline my-bird" in (folder / "README.md").read_text(encoding="utf-8")


def test_never_over_an_existing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases" / "taken").mkdir(parents=True)
    (tmp_path / "cases" / "taken" / "mine.txt").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(app, ["new-case", "taken"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"flightmap: error: {tmp_path / 'cases' / 'taken'}: already exists")
    assert [p.name for p in (tmp_path / "cases").iterdir()] == ["taken"]  # no staging left
    assert [p.name for p in (tmp_path / "cases" / "taken").iterdir()] == ["mine.txt"]
    with pytest.raises(InputError, match="invalid case id"):
        new_case("../evil", parent=tmp_path)
    result = CliRunner().invoke(app, ["new-case", "Bad Name"])
    assert result.exit_code == 2 and "invalid case id" in result.stderr


def test_from_track(tmp_path: Path) -> None:
    track = _fr24_csv(tmp_path / "tst123.csv")
    sha = hashlib.sha256(track.read_bytes()).hexdigest()
    c = load_case(new_case("tst", tracks=[track], parent=tmp_path / "cases"))
    assert c.title == "TST123, 01 March 2024"
    assert c.window == (T0, T0 + timedelta(seconds=1800 + 300))
    src = c.sources["track-1"]
    assert set(c.sources) == {"track-1", "airportsdata"}
    assert src.kind == "dataset" and f"SHA-256 {sha}" in src.note
    (t,) = c.tracks
    assert (t.path.name, t.source, t.sha256) == ("tst123.csv", src.id, sha)
    assert t.path.read_bytes() == track.read_bytes()
    # Observed waypoints at the first and last fixes.
    first, last = c.waypoint("FIRST_FIX"), c.waypoint("LAST_FIX")
    assert (first.lat, first.lon, first.evidence) == (LAT0, LON0, "observed")
    assert (last.lat, last.lon) == (LAT0, round(LON0 + 0.55, 6))
    # The nearest airport to the first fix, from airportsdata as flightmap ships it.
    gyd = c.waypoint("UBBB")
    assert (gyd.iata, gyd.evidence, gyd.sources) == ("GYD", "reported", ("airportsdata",))
    assert (gyd.lat, gyd.lon) == (40.468, 50.047)  # places.csv: airport,GYD,UBBB,40.468,50.047
    assert "Nearest airport in airportsdata: GYD · UBBB, 0.1 km" in ev_first_description(c)
    # Inferred take-off/landing-like events at the first and last reports, rule in basis.
    ev = {e.id: e for e in c.events}
    assert ev["first_report"].time == T0 and ev["first_report"].title.startswith("Take-off-like")
    assert ev["last_report"].title.startswith("Landing-like")
    assert ev["last_report"].time == T0 + timedelta(seconds=2100)
    assert ev["last_report"].waypoint == "LAST_FIX"
    assert all(e.evidence == "inferred" and "rule" in e.basis for e in (ev["first_report"],))
    # The 20-minute hole is a gap event at the last fix before it.
    (gap,) = [e for e in c.events if e.id.startswith("gap")]
    assert gap.time == T0 + timedelta(seconds=600) and gap.evidence == "inferred"
    assert "find_gaps" in gap.basis and "1200 s" in gap.title
    before = c.waypoint(gap.waypoint)
    assert (before.lon, before.evidence) == (round(LON0 + 0.1, 6), "observed")


def ev_first_description(c: geo.Case) -> str:
    return c.event("first_report").description


def test_a_changed_track_is_refused(tmp_path: Path) -> None:
    folder = new_case("tst", tracks=[_fr24_csv(tmp_path / "t.csv")], parent=tmp_path)
    with (folder / "tracks" / "t.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    with pytest.raises(InputError, match=r"case\.toml: tracks 1: field sha256: does not match"):
        load_case(folder)


def test_new_case_then_cases_then_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flightmap.pipeline import render_page

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLIGHTMAP_CASES", raising=False)
    track = _fr24_csv(tmp_path / "tst123.csv")
    runner = CliRunner()
    result = runner.invoke(app, ["new-case", "tst", "--from-track", str(track)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str((tmp_path / "cases" / "tst").resolve())
    result = runner.invoke(app, ["cases"])
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("tst\tTST123") and line.endswith("(./cases)")
        for line in result.stdout.splitlines()
    )
    page = render_page(load_case("tst"))
    assert "TST123, 01 March 2024" in page.html
    assert "Take-off-like first report of TST123" in page.html


def test_check_lists_every_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLIGHTMAP_CASES", raising=False)
    runner = CliRunner()
    folder = new_case("tst", tracks=[_fr24_csv(tmp_path / "t.csv")])
    result = runner.invoke(app, ["check", "tst"])
    assert result.exit_code == 0, result.output
    n_waypoints = len(load_case("tst").waypoints)  # the fixes and their nearest airports
    assert result.stdout.splitlines() == [
        f"{folder}: OK (2 sources, {n_waypoints} waypoints, 3 events, 0 claims, 0 legs, "
        "0 conflicts, 0 zones)"
    ]
    # Three problems in two files and one across files: all listed, each file: place: field.
    waypoints = folder / "waypoints.csv"
    waypoints.write_text(
        waypoints.read_text(encoding="utf-8").replace(f",{LAT0:.6f},", ",95,", 1),
        encoding="utf-8",
    )
    events = folder / "events.csv"
    text = events.read_text(encoding="utf-8")
    text = text.replace(",flight,inferred,", ",flight,maybe,", 1)
    text = text.replace(",adsb,inferred,medium,track-1,", ",adsb,inferred,medium,track-9,", 1)
    events.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", "tst"])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines == [
        f"{waypoints}: line 2: field lat: 95 out of range [-90, 90]",
        f"{events}: line 2: field evidence: 'maybe' is not one of observed, reported, inferred",
        f"{events}: item gap1: field sources: unknown source id 'track-9' (not in sources.csv)",
    ]
    assert result.stderr.strip() == f"flightmap: error: 3 problem(s) in {folder}"
    # load_case stops at the first of them.
    with pytest.raises(InputError, match="field lat"):
        load_case("tst")


def test_from_a_wheel_in_an_empty_folder(tmp_path: Path) -> None:
    """The issue's user path on a non-editable install: new-case from a track in an empty
    folder, cases lists it, check passes, render draws it; a broken file lists its problem."""
    import os
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    build = ["wheel", str(root), "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist")]
    subprocess.run([sys.executable, "-m", "pip", *build, "-q"], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("flightmap-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path / "site")
    work = tmp_path / "empty"
    work.mkdir()
    track = _fr24_csv(tmp_path / "tst123.csv")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "FLIGHTMAP_CASES": ""}

    def flightmap(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flightmap", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    made = flightmap("new-case", "tst", "--from-track", str(track))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(work / "cases" / "tst")
    listed = flightmap("cases")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert ["tst", str(work / "cases" / "tst"), "(./cases)"] in [[r[0], *r[3:]] for r in rows]
    shipped = next(r for r in rows if r[0] == "j2-8243")
    assert shipped[3].startswith(str(tmp_path / "site")) and shipped[4] == "(shipped)"
    checked = flightmap("check", "tst")
    assert checked.returncode == 0 and ": OK (" in checked.stdout, checked.stderr
    drawn = flightmap("render", "tst", "-o", "map.html")
    assert drawn.returncode == 0, drawn.stderr
    assert "Take-off-like first report of TST123" in (work / "map.html").read_text("utf-8")
    events = work / "cases" / "tst" / "events.csv"
    events.write_text(
        events.read_text("utf-8").replace(",flight,inferred,", ",flight,maybe,", 1), "utf-8"
    )
    broken = flightmap("check", "tst")
    assert broken.returncode == 2
    assert broken.stdout.splitlines() == [
        f"{events}: line 2: field evidence: 'maybe' is not one of observed, reported, inferred"
    ]


def test_airports_by_code(tmp_path: Path) -> None:
    from flightmap.geo.airports import AIRPORTS_SOURCE

    folder = new_case("codes", parent=tmp_path, today=date(2025, 1, 2))
    with (folder / "sources.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(_row(folder / "sources.csv", AIRPORTS_SOURCE))
    row = {"id": "GRV", "kind": "airport", "icao": "URMG", "evidence": "reported"}
    row |= {"confidence": "high", "sources": "airportsdata"}
    with (folder / "waypoints.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(_row(folder / "waypoints.csv", row))
    grv = load_case(folder).waypoint("GRV")
    # places.csv: airport,GRV,URMG,43.388,45.699 (airportsdata 20261103)
    assert (grv.lat, grv.lon, grv.name, grv.iata) == (43.388, 45.699, "GRV · URMG", "GRV")
    assert grv.uncertainty_km == 0.1 and "airportsdata 20261103 by ICAO code URMG" in grv.basis
    text = (folder / "waypoints.csv").read_text(encoding="utf-8")
    (folder / "waypoints.csv").write_text(text.replace(",URMG,", ",ZZZZ,"), encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: field icao: 'ZZZZ' is not in airportsdata"):
        load_case(folder)


def _header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def _row(path: Path, values: dict[str, str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=_header(path), lineterminator="\n").writerow(values)
    return buf.getvalue()
