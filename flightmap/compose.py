"""Putting the parts together for the commands: read several track files into one frame, and
turn a case and tracks into a finished map page with its manifest.

The CLI calls these, so that a command stays a few lines: parse, call, write, report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.geo import Case

__all__ = ["MapPage", "read_tracks", "render_page"]


def read_tracks(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Read one or more track files into one canonical frame.

    Flight ids stay as the readers made them; when two files yield the same id, the ids of the
    later file get the suffix ``@<file name>`` so flights never merge across files.
    """
    from flightmap.readers import read_track

    frames: list[pd.DataFrame] = []
    seen: set[str] = set()
    for path in paths:
        track = read_track(path, format, mapping=mapping, tz=tz, progress=progress).track
        ids = set(track[s.FLIGHT_ID].dropna().unique())
        if ids & seen:
            track = track.assign(**{s.FLIGHT_ID: track[s.FLIGHT_ID] + f"@{Path(path).name}"})
            ids = set(track[s.FLIGHT_ID].dropna().unique())
        seen |= ids
        frames.append(track)
    if not frames:
        return pd.DataFrame(columns=list(s.COLUMNS))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@dataclass(frozen=True)
class MapPage:
    """A rendered map: the HTML page and the manifest embedded in it."""

    html: str
    manifest: dict[str, Any] = field(default_factory=dict)


def _esc(text: object) -> str:
    from flightmap.render import esc

    return esc(text)


def _interval_notes(analysis: Any) -> list[str]:
    """Per track row, escaped HTML naming its integrity state and the rules that fired."""
    import numpy as np

    notes = np.full(len(analysis.track), "", dtype=object)
    track = analysis.track
    times = track[s.TIME]
    for iv in _records(analysis.intervals):
        if iv["state"] == "nominal":
            continue
        rows = (
            (track[s.FLIGHT_ID] == iv["flight_id"]) & (times >= iv["start"]) & (times <= iv["end"])
        ).to_numpy()
        notes[rows] = (
            f"<b>GNSS {_esc(str(iv['state']).replace('_', ' '))}</b> {iv['start']:%H:%M:%S} to "
            f"{iv['end']:%H:%M:%S} UTC: " + " ".join(_esc(r) for r in iv["rules"])
        )
    return [str(n) for n in notes]


def _region_popup(title: str, basis: str, area_km2: float, speed_kt: float) -> str:
    return (
        f"<div class='fm-popup'><h4>{_esc(title)}</h4>"
        f"<p><b>Evidence:</b> inferred &middot; area {area_km2:,.0f} km² at a maximum speed of "
        f"{speed_kt:.1f} kt</p><p><b>Basis:</b> {_esc(basis)}</p></div>"
    )


def _case_regions(case: Case) -> list[tuple[Any, str, str]]:
    from flightmap.analysis import case_regions

    if not case.regions:
        return []
    spec = case.regions
    frame = case_regions(case, start=spec["start"], end=spec["end"], instants=spec["instants"])
    out = []
    for r in _records(frame):
        if r["geometry"] is None or r["geometry"].is_empty:
            continue
        label = (
            f"Where it could have been between {r['start']:%H:%M:%S} and {r['end']:%H:%M:%S} UTC"
            if r["kind"] == "gap"
            else f"Where it could have been at {r['time']:%H:%M:%S} UTC ({r['id']})"
        )
        popup = _region_popup(label, r["basis"], r["area_km2"], r["max_speed_kt"])
        out.append((r["geometry"], label, popup))
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


#: Largest number of gap regions drawn (the largest first); the rest are listed by analyse.
MAX_GAP_REGIONS = 200


def _gap_regions(analysis: Any) -> list[tuple[Any, str, str]]:
    from flightmap.analysis import gap_regions

    frame = gap_regions(analysis)
    frame = frame[frame["geometry"].notna()].sort_values("area_km2", ascending=False)
    out = []
    for r in _records(frame.head(MAX_GAP_REGIONS)):
        label = (
            f"{r['flight_id']}: where it could have been, {r['start']:%H:%M:%S} to "
            f"{r['end']:%H:%M:%S} UTC"
        )
        basis = (
            f"Gap of kind '{r['kind']}': every point P with d(A, P) + d(P, B) <= v (t1 - t0), "
            f"geodesic, between the fixes before (A) and after (B) the gap ({r['shape']})"
        )
        popup = _region_popup(label, basis, r["area_km2"], r["max_speed_kt"])
        out.append((r["geometry"], label, popup))
    return out


def render_page(
    case: Case | None,
    track_paths: Sequence[str | Path] = (),
    *,
    tiles: str = "OpenStreetMap",
    max_error_m: float = 25.0,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
) -> MapPage:
    """Read the tracks, analyse them, build the map of the case and tracks, and render it.

    Tracks are analysed with :func:`flightmap.analysis.analyse` (gaps and GNSS integrity): the
    map gets a layer coloured by integrity state, the gap regions and shaded intervals on the
    profile. A case with a ``[regions]`` table gets its where-could-it-have-been regions. The
    manifest records the SHA-256 of every input and every parameter given here, so the same
    inputs and options always give the same bytes.
    """
    from flightmap import render
    from flightmap.manifest import build_manifest

    if not max_error_m >= 0:
        raise InputError(f"{max_error_m} is not a distance >= 0 (metres)", field="--max-error-m")
    track = read_tracks(track_paths, format=format, mapping=mapping, tz=tz, progress=progress)
    manifest = build_manifest(
        case=case,
        tracks=track_paths,
        parameters={
            "tiles": tiles,
            "max_error_m": max_error_m,
            "track_format": format,
            "mapping": mapping,
            "tz": tz,
        },
    )
    regions = _case_regions(case) if case is not None else []
    kwargs: dict[str, Any] = {}
    if len(track):
        from flightmap.analysis import analyse

        analysis = analyse(track)
        track = analysis.track[list(track.columns)]
        kwargs["states"] = analysis.track["state"].astype(str).to_numpy()
        kwargs["state_notes"] = _interval_notes(analysis)
        kwargs["shaded"] = [
            (iv["start"], iv["end"], f"GNSS {iv['state']}")
            for iv in _records(analysis.intervals)
            if iv["state"] != "nominal"
        ]
        regions += _gap_regions(analysis)
    m = render.build_map(
        case,
        track if len(track) else None,
        tiles=tiles,
        max_error_m=max_error_m,
        regions=regions,
        manifest=manifest,
        **kwargs,
    )
    return MapPage(html=render.render_html(m), manifest=manifest)
