"""New cases: a commented case folder that loads, written whole or not at all.

:func:`new_case` writes ``case.toml``, the CSV tables, ``zones.geojson`` and a ``README.md``
into a new folder (never over an existing one: the files go to a temporary folder beside it,
are loaded with :func:`flightmap.geo.load_case`, and the folder is renamed into place).

- Without a track: one example of each item (source, waypoint, event, claim, conflict, zone),
  each with its evidence class, confidence and source, for the user to replace.
- With tracks (:func:`track_draft`): each file is copied into ``tracks/`` and cited as a source
  with its SHA-256; the first and last fix of each flight become ``observed`` waypoints, with
  the nearest airport of each (airportsdata, as flightmap ships it) as a reported one; the
  first and last reports and every gap that :func:`flightmap.analysis.analyse` finds become
  ``inferred`` events whose ``basis`` states the rule; ``case.toml`` gets the time window.
  The user then adds the reported items (statements of sources) by hand.

What goes into the case is decided here; :mod:`flightmap.casedraft` writes it, and the
``flightmap new-case`` command is in :mod:`flightmap.cli.newcase`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flightmap.casedraft import CaseDraft, refuse_existing, write_case
from flightmap.errors import InputError
from flightmap.geo.airports import AIRPORTS_SOURCE, ROUNDING_KM, nearest_airport
from flightmap.geo.folders import CASE_NAME, LOCAL_CASES, NAME_RULE

__all__ = [
    "GROUND_SPEED_KT",
    "new_case",
    "template_draft",
    "track_draft",
]

GROUND_SPEED_KT = 50.0
"""A report at or below this ground speed (knots), or flagged on the ground, is called
take-off-like (first report) or landing-like (last report): slower than an airliner or a
business jet can fly (their take-off speeds are well above 100 kt). A rule stated in each
event's ``basis``, not a measured fact; light aircraft may need another."""


# --------------------------------------------------------------------------- the template


def template_draft(case_id: str, title: str, day: date) -> CaseDraft:
    """A case with one example of each item, to be replaced; the example point is at 0°N 0°E
    and the example times are noon UTC on ``day``: placeholders, not facts."""
    noon = f"{day.isoformat()}T12:00:00Z"
    draft = CaseDraft(case_id, title, day)
    draft.sources.append(
        {
            "id": "example-source",
            "title": "[Title of the document or data set: replace this example]",
            "publisher": "[Publisher]",
            "date": day.isoformat(),
            "url": "",
            "kind": "news",
            "note": "Example row: one row per document cited; url is http(s) or empty",
        }
    )
    draft.waypoints.append(
        {
            "id": "EXAMPLE_POINT",
            "name": "Example point (replace: name, lat, lon from a source)",
            "kind": "airport",
            "lat": "0.000000",
            "lon": "0.000000",
            "evidence": "reported",
            "confidence": "low",
            "sources": "example-source",
            "note": "Placeholder at 0°N 0°E: replace with a sourced position",
        }
    )
    draft.events.append(
        {
            "id": "example_event",
            "time": noon,
            "uncertainty_s": "60",
            "title": "Example event (replace)",
            "description": "What happened, in the source's words; times with an offset (Z = UTC)",
            "category": "flight",
            "evidence": "reported",
            "confidence": "low",
            "sources": "example-source",
            "waypoint": "EXAMPLE_POINT",
            "position_uncertainty_km": "10",
            "position_evidence": "reported",
            "position_basis": "Example: placed at EXAMPLE_POINT because the source names it",
        }
    )
    draft.events.append(
        {
            "id": "example_event_later",
            "relative_to": "example_event",
            "offset_s": "90",
            "uncertainty_s": "1",
            "title": "Example of a time derived from another event (replace)",
            "category": "systems",
            "evidence": "inferred",
            "confidence": "low",
            "sources": "example-source",
            "basis": "Example: the source says '90 seconds later'; the time is computed",
        }
    )
    for side, text in (("a", "Example statement of one source"), ("b", "What another says")):
        draft.claims.append(
            {
                "id": f"example_claim_{side}",
                "subject": "example",
                "statement": f"{text} (replace)",
                "evidence": "reported",
                "confidence": "low",
                "sources": "example-source",
            }
        )
    draft.conflicts.append(
        {
            "id": "example_conflict",
            "topic": "Example: two sources disagree (replace)",
            "side_a": "example_claim_a",
            "side_b": "example_claim_b",
            "summary": "What each side says, with its source",
            "handling": "Which value the map uses and why; both sides stay in the case",
        }
    )
    draft.zones.append(
        {
            "id": "example_zone",
            "name": "Example zone (replace)",
            "kind": "gnss_interference",
            "valid_from": noon,
            "valid_to": None,
            "evidence": "inferred",
            "confidence": "low",
            "sources": ["example-source"],
            "construction": {"type": "disk", "center": "EXAMPLE_POINT", "radius_km": 10},
            "basis": "Example: no outline published; a disk of 10 km around EXAMPLE_POINT. "
            "valid_to null: no source gives an end",
        }
    )
    return draft


# --------------------------------------------------------------------------- from tracks


def _hms(when: Any) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S} UTC"


def _known(value: Any) -> bool:
    """``value`` is neither None, NaN nor pandas' NA."""
    import pandas as pd

    return not bool(pd.isna(value))


def _num(value: Any, fmt: str) -> str:
    """``value`` formatted, or empty for a missing value."""
    return format(float(value), fmt) if _known(value) else ""


def _ground_like(row: Any) -> tuple[bool, str]:
    """Whether a report looks like one on the ground (flagged so, or at or below
    :data:`GROUND_SPEED_KT`), and the values that say so."""
    from flightmap import schema as s

    on_ground, gs, alt = row.get(s.ON_GROUND), row.get(s.GS_KT), row.get(s.ALT_BARO_FT)
    said = [
        f"on_ground={bool(on_ground)}" if _known(on_ground) else "",
        f"ground speed {float(gs):.0f} kt" if _known(gs) else "",
        f"pressure altitude {float(alt):.0f} ft" if _known(alt) else "",
    ]
    values = ", ".join(v for v in said if v) or "no ground flag, speed or altitude"
    ground = (_known(on_ground) and bool(on_ground)) or (
        _known(gs) and float(gs) <= GROUND_SPEED_KT
    )
    return ground, values


def track_draft(case_id: str, title: str | None, paths: Sequence[Path]) -> CaseDraft:
    """A case built from the track files ``paths`` (any format :mod:`flightmap.readers`
    reads): sources, observed first/last fixes, inferred take-off/landing-like and gap events,
    and the time window. ``title`` defaults to the callsigns and the day."""
    from flightmap import schema as s
    from flightmap.analysis import FIX, analyse
    from flightmap.manifest import sha256_file
    from flightmap.pipeline import gather
    from flightmap.readers import read_track

    named, draft_sources, copies, shas = [], [], {}, {}
    for i, path in enumerate(paths, 1):
        result = read_track(Path(path))
        name = Path(path).name if Path(path).name not in copies else f"{i}-{Path(path).name}"
        sha = sha256_file(path)
        copies[name], shas[name] = Path(path), sha
        sid = f"track-{i}"
        draft_sources.append(
            {
                "id": sid,
                "title": f"Track file {Path(path).name} ({result.format})",
                "publisher": "[Who recorded or exported the track: fill in]",
                "url": "",
                "kind": "dataset",
                "note": f"SHA-256 {sha}; copied into this case as tracks/{name}; "
                f"{len(result.track)} reports read by flightmap.readers ({result.format})",
            }
        )
        named.append((name, result.track.assign(**{s.SOURCE: sid})))
    frame = gather(named)
    if not len(frame):
        raise InputError("no reports in the track file(s)", field="--from-track")
    analysis = analyse(frame)
    track = analysis.track
    times = frame[s.TIME]
    start, end = times.min().to_pydatetime(), times.max().to_pydatetime()
    callsigns = sorted({str(c) for c in frame[s.CALLSIGN].dropna().unique()})
    draft = CaseDraft(
        case_id,
        title or f"{', '.join(callsigns) or case_id}, {start:%d %B %Y}",
        start.date(),
        sources=draft_sources,
        tracks=copies,
        track_sha256=shas,
        window=(start, end),
    )
    flights = sorted(track[s.FLIGHT_ID].dropna().unique())
    for n, fid in enumerate(flights, 1):
        prefix = "" if len(flights) == 1 else f"f{n}_"
        rows = track[track[s.FLIGHT_ID] == fid].sort_values(s.TIME, kind="stable")
        _flight_items(draft, prefix, str(fid), rows, rows[rows[FIX]])
        gaps = analysis.gaps[analysis.gaps[s.FLIGHT_ID] == fid]
        _gap_items(draft, prefix, gaps, rows)
    return draft


def _flight_items(draft: CaseDraft, prefix: str, fid: str, rows: Any, fixes: Any) -> None:
    """Observed first/last fix waypoints and inferred first/last report events of a flight."""
    from flightmap import schema as s

    source = str(rows.iloc[0][s.SOURCE])
    file_note = next(r["note"].split(";")[1].strip() for r in draft.sources if r["id"] == source)
    for end, label in ((0, "first"), (-1, "last")):
        report = rows.iloc[end]
        fix = fixes.iloc[end] if len(fixes) else None
        wid = f"{prefix}{label}_fix".upper()
        if fix is not None:
            draft.waypoints.append(
                {
                    "id": wid,
                    "name": f"{label.capitalize()} position of {fid} ({_hms(fix[s.TIME])})",
                    "kind": f"track_{label}_fix",
                    "lat": f"{float(fix[s.LAT]):.6f}",
                    "lon": f"{float(fix[s.LON]):.6f}",
                    "elev_ft": "",
                    "evidence": "observed",
                    "confidence": "medium",
                    "sources": source,
                    "note": f"The {label} fresh position of flight {fid} in the track "
                    f"({file_note}); pressure altitude {_num(fix[s.ALT_BARO_FT], '.0f') or 'NA'} "
                    "ft. Medium confidence: one receiver network; raise it when another source "
                    "agrees",
                }
            )
        near = ""
        if fix is not None:
            near = _airport_item(draft, float(fix[s.LAT]), float(fix[s.LON]), label)
        ground, values = _ground_like(report)
        kind = ("take-off" if end == 0 else "landing") if ground else "airborne"
        title = (
            f"{'Take-off' if end == 0 else 'Landing'}-like {label} report of {fid}"
            if ground
            else f"Track {'starts' if end == 0 else 'ends'} airborne ({fid})"
        )
        rule = (
            f"at or below {GROUND_SPEED_KT:g} kt or flagged on the ground"
            if ground
            else f"neither flagged on the ground nor at or below {GROUND_SPEED_KT:g} kt"
        )
        draft.events.append(
            {
                "id": f"{prefix}{label}_report",
                "time": report[s.TIME].isoformat(),
                "uncertainty_s": "1",
                "title": title,
                "description": f"The {label} report of flight {fid} in the track ({values}). "
                + (
                    "Not a report of the take-off or landing itself: the track shows a "
                    f"{kind}-like state"
                    if ground
                    else "The track does not show where the flight "
                    + ("began" if end == 0 else "ended")
                )
                + near,
                "category": "flight",
                "evidence": "inferred",
                "confidence": "medium",
                "sources": source,
                "waypoint": wid if fix is not None else "",
                "position_evidence": "observed" if fix is not None else "",
                "position_basis": f"At the {label} fix of the track (observed)"
                if fix is not None
                else "",
                "basis": f"Time of the {label} report of {fid} in the track; "
                + (f"called {kind}-like" if ground else "taken as airborne")
                + f" by the rule: {rule} (flightmap.scaffold.GROUND_SPEED_KT)",
                "alt_ft": _num(report.get(s.ALT_BARO_FT), ".0f"),
                "gs_kt": _num(report.get(s.GS_KT), ".0f"),
            }
        )


def _airport_item(draft: CaseDraft, lat: float, lon: float, label: str) -> str:
    """Add the airport nearest to a fix as a reported waypoint (once) and return a sentence
    naming it with its distance, for the event's description."""
    place, dist_m = nearest_airport(lat, lon)
    if not any(r["id"] == AIRPORTS_SOURCE["id"] for r in draft.sources):
        draft.sources.append(dict(AIRPORTS_SOURCE))
    if not any(w["id"] == place.code for w in draft.waypoints):
        draft.waypoints.append(
            {
                "id": place.code,
                "name": f"{place.name} · {place.code} (nearest airport to the {label} fix)",
                "kind": "airport",
                "lat": f"{place.lat:.6f}",
                "lon": f"{place.lon:.6f}",
                "icao": place.code,
                "iata": place.name,
                "uncertainty_km": f"{ROUNDING_KM:g}",
                "evidence": "reported",
                "confidence": "medium",
                "sources": AIRPORTS_SOURCE["id"],
                "note": f"Nearest airport with IATA and ICAO codes in airportsdata to the {label} "
                f"fix: {dist_m / 1000:.1f} km (WGS84 geodesic). Not a statement that the flight "
                "used it: check the flight's origin and destination in your sources. "
                "Uncertainty 0.1 km: coordinates rounded to 0.001 degree",
            }
        )
    return (
        f". Nearest airport in airportsdata: {place.name} · {place.code}, "
        f"{dist_m / 1000:.1f} km from the {label} fix"
    )


def _gap_items(draft: CaseDraft, prefix: str, gaps: Any, rows: Any) -> None:
    """An inferred event per gap, placed at the fix before it (an observed waypoint)."""
    from flightmap import schema as s

    source = str(rows.iloc[0][s.SOURCE])
    for k, gap in enumerate(gaps.itertuples(index=False), 1):
        g = gap._asdict()
        gid = f"{prefix}gap{k}"
        wid = ""
        if _known(g["lat_before"]):
            wid = f"{gid}_before".upper()
            draft.waypoints.append(
                {
                    "id": wid,
                    "name": f"Last fix before gap {k} ({_hms(g['start'])})",
                    "kind": "track_fix",
                    "lat": f"{float(g['lat_before']):.6f}",
                    "lon": f"{float(g['lon_before']):.6f}",
                    "evidence": "observed",
                    "confidence": "medium",
                    "sources": source,
                    "note": "Pressure altitude "
                    + (_num(g["alt_before_ft"], ".0f") or "NA")
                    + " ft",
                }
            )
        inside = ", ".join(
            f"{g[c]} {c.replace('_', ' ')}"
            for c in ("without_position", "stale", "frozen", "spoofed")
            if g[c]
        )
        draft.events.append(
            {
                "id": gid,
                "time": g["start"].isoformat(),
                "uncertainty_s": "1",
                "title": f"Gap in positions ({g['kind'].replace('_', ' ')}, "
                f"{g['duration_s']:.0f} s)",
                "description": f"No fresh position from {_hms(g['start'])} to "
                f"{_hms(g['end'])} ({g['duration_s']:.0f} s; {g['reports']} reports inside"
                + (f": {inside}" if inside else "")
                + ")"
                + (
                    f"; {g['distance_m'] / 1000:.1f} km between the fixes either side"
                    if _known(g["distance_m"])
                    else ""
                ),
                "category": "adsb",
                "evidence": "inferred",
                "confidence": "medium",
                "sources": source,
                "waypoint": wid,
                "position_evidence": "observed" if wid else "",
                "position_basis": "At the last fix before the gap (observed)" if wid else "",
                "basis": "flightmap.analysis.analyse (find_gaps): consecutive fresh positions "
                f"{g['threshold_s']:.0f} s or more apart (the flight's gap threshold: its "
                "median cadence times IntegrityParams.gap_cadence_factor, at least min_gap_s); "
                f"kind '{g['kind']}' says what filled the gap",
            }
        )


def new_case(
    case_id: str,
    *,
    title: str | None = None,
    tracks: Sequence[str | os.PathLike[str]] = (),
    parent: str | os.PathLike[str] | None = None,
    today: date | None = None,
) -> Path:
    """Write a new case folder ``parent/case_id`` (``parent`` defaults to ``./cases``): from
    the track files ``tracks`` (:func:`track_draft`), else the template
    (:func:`template_draft`, dated ``today``, UTC, by default); return its path.

    Raises
    ------
    InputError
        For an invalid id, an existing folder (nothing is written), an unreadable track, or a
        case that would not load (a bug: nothing is written either).
    """
    if not CASE_NAME.match(case_id):
        raise InputError(f"invalid case id {case_id!r}: expected {NAME_RULE}", field="ID")
    root = Path(parent) if parent is not None else Path.cwd() / LOCAL_CASES
    dest = root / case_id
    refuse_existing(dest)  # before reading any track
    if tracks:
        draft = track_draft(case_id, title, [Path(t) for t in tracks])
    else:
        day = today or datetime.now(UTC).date()
        draft = template_draft(case_id, title or f"{case_id} (new case)", day)
    return write_case(draft, dest)
