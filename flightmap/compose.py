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
    """Read the tracks, build the map of the case and tracks, and render it with a manifest.

    The manifest records the SHA-256 of every input and every parameter given here, so the
    same inputs and options always give the same bytes.
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
    m = render.build_map(
        case,
        track if len(track) else None,
        tiles=tiles,
        max_error_m=max_error_m,
        manifest=manifest,
    )
    return MapPage(html=render.render_html(m), manifest=manifest)
