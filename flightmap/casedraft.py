"""A new case folder written from a draft, whole or not at all (see :mod:`flightmap.scaffold`).

:class:`CaseDraft` holds the rows of each file; :func:`write_case` writes ``case.toml``, the CSV
tables, ``zones.geojson`` (outlines built from their constructions), a ``README.md`` and the
copied track files into a temporary folder beside the target, loads it with
:func:`flightmap.geo.load_case`, and renames it into place: never over an existing folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flightmap.errors import InputError
from flightmap.geo.tables import COLUMNS

__all__ = ["CaseDraft", "refuse_existing", "write_case"]


@dataclass
class CaseDraft:
    """The rows of a new case, by file (see ``data/README.md`` for every column).

    ``tracks`` maps a name under ``tracks/`` to the file copied there; ``window`` is the
    first and last report time (UTC) of the tracks, or None.
    """

    case_id: str
    title: str
    day: date
    sources: list[dict[str, str]] = field(default_factory=list)
    waypoints: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    claims: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    zones: list[dict[str, Any]] = field(default_factory=list)
    tracks: dict[str, Path] = field(default_factory=dict)
    track_sha256: dict[str, str] = field(default_factory=dict)
    window: tuple[datetime, datetime] | None = None


def _csv(name: str, rows: Iterable[Mapping[str, Any]]) -> str:
    required, optional = COLUMNS[name]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*required, *optional], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _case_toml(d: CaseDraft) -> str:
    lines = [
        "# Case metadata; every file and column is described in data/README.md of flightmap.",
        "# id must equal the folder name. Times in every file are ISO 8601 with an offset.",
        f"id = {_toml_str(d.case_id)}",
        f"title = {_toml_str(d.title)}",
        'summary = """',
        "[One paragraph: what happened, in the words of your sources.]",
        '"""',
        f'date = "{d.day.isoformat()}"',
        "",
        "# Free facts about the flight: iata, icao, callsign, registration, aircraft, operator...",
        "[flight]",
        "",
    ]
    if d.window is not None:
        lines += [
            "# First and last report of the track(s), UTC.",
            "[window]",
            f'start = "{d.window[0].isoformat()}"',
            f'end = "{d.window[1].isoformat()}"',
            "",
        ]
    for name, sha in d.track_sha256.items():
        source = next(r["id"] for r in d.sources if f"tracks/{name};" in r["note"])
        lines += [
            "# A track file of this case (copied into tracks/); sha256 must match the file.",
            "[[tracks]]",
            f"file = {_toml_str('tracks/' + name)}",
            f"source = {_toml_str(source)}",
            f'sha256 = "{sha}"',
            "",
        ]
    lines += [
        "# Local clocks, in display order (IANA names such as Europe/Paris); add the local zones.",
        "[[timezones]]",
        'zone = "UTC"',
        'label = "UTC"',
        "",
    ]
    return "\n".join(lines)


def _zones_geojson(d: CaseDraft) -> str:
    from shapely.geometry import mapping

    from flightmap.geodesy import LatLon
    from flightmap.regions import from_construction

    points = {w["id"]: LatLon(float(w["lat"]), float(w["lon"])) for w in d.waypoints}
    features = []
    for z in d.zones:
        geom = mapping(from_construction(z["construction"], points))
        coords = json.loads(
            json.dumps(geom["coordinates"]), parse_float=lambda v: round(float(v), 5)
        )
        features.append(
            {
                "type": "Feature",
                "properties": z,
                "geometry": {"type": geom["type"], "coordinates": coords},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "coordinate_order": "lon,lat (RFC 7946)",
        "features": features,
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


_README = """\
# {title}

Case `{case_id}`, made by `flightmap new-case`. Every file and column is described in
flightmap's `data/README.md`; this is what to do next.

- `case.toml`: write the summary, the `[flight]` facts and the local time zones.
- `sources.csv`: one row per document or data set you cite.{track_note}
- `waypoints.csv`, `events.csv`: every row has an evidence class (`observed`: measured by a
  sensor; `reported`: stated by a source; `inferred`: derived, with the method in `basis`), a
  confidence (high / medium / low) and the ids of its sources.
- `claims.csv`: what sources say that is neither a time nor a position; `conflicts.csv`: where
  they disagree (both sides stay in the case).
- `zones.geojson`: areas with a validity; `valid_to` is `null` when no source gives an end.

Check the case with `flightmap timeline {case_id}` and draw it with `flightmap render
{case_id}`. Never type a time or a coordinate that no source gives: derive it, and say how in
`basis`.
"""


def _files(d: CaseDraft) -> dict[str, str]:
    track_note = (
        "\n- `tracks/`: the track files, cited in `sources.csv` with their SHA-256; the "
        "`observed` fixes and the `inferred` take-off/landing-like and gap events come from them."
        if d.tracks
        else ""
    )
    return {
        "case.toml": _case_toml(d),
        "sources.csv": _csv("sources.csv", d.sources),
        "waypoints.csv": _csv("waypoints.csv", d.waypoints),
        "events.csv": _csv("events.csv", d.events),
        "claims.csv": _csv("claims.csv", d.claims),
        "conflicts.csv": _csv("conflicts.csv", d.conflicts),
        "zones.geojson": _zones_geojson(d),
        "README.md": _README.format(title=d.title, case_id=d.case_id, track_note=track_note),
    }


def refuse_existing(dest: Path) -> None:
    """Raise if anything (a folder, a file, a dangling link) is at ``dest``."""
    if dest.exists() or dest.is_symlink():
        raise InputError("already exists; nothing written (choose another ID or --dir)", path=dest)


def write_case(draft: CaseDraft, dest: Path) -> Path:
    """Write ``draft`` as the case folder ``dest`` (whose name must be the draft's id) and
    return its absolute path.

    Raises
    ------
    InputError
        If ``dest`` exists (nothing is written), or if the written case would not load (a bug:
        nothing is written either).
    """
    from flightmap.geo.loader import load_case

    refuse_existing(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{draft.case_id}.", dir=dest.parent))
    try:
        folder = staging / draft.case_id
        folder.mkdir()
        for name, text in _files(draft).items():
            (folder / name).write_text(text, encoding="utf-8")
        if draft.tracks:
            (folder / "tracks").mkdir()
            for name, src in draft.tracks.items():
                shutil.copyfile(src, folder / "tracks" / name)
        load_case(folder)  # every file must load before the folder appears
        refuse_existing(dest)  # again: something may have made it meanwhile
        os.rename(folder, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest.resolve()
