"""Putting the parts together for the commands: read several track files into one frame, and
turn a case and tracks into a finished map page with its manifest.

The CLI calls these, so that a command stays a few lines: parse, call, write, report.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from flightmap import schema as s
from flightmap.errors import InputError
from flightmap.geo import Case

if TYPE_CHECKING:
    from flightmap.readers import TrackRead

__all__ = ["MapPage", "integrity_params", "read_tracks", "render_page"]


def read_tracks(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    tz: str | None = None,
    progress: bool = False,
    on_read: Callable[[TrackRead], object] | None = None,
) -> pd.DataFrame:
    """Read one or more track files into one canonical frame.

    Flight ids stay as the readers made them; when two files yield the same id, the ids of the
    later file get the suffix ``@<file name>`` so flights never merge across files.
    ``on_read``, if given, is called with each file's :class:`~flightmap.readers.TrackRead`
    (its flags say which lines or records were bad), as soon as the file is read.
    """
    if not paths:
        # A case-only render: no reader to import (about 0.05 s of start-up).
        return pd.DataFrame(columns=list(s.DTYPES))
    from flightmap.readers import read_track

    frames: list[pd.DataFrame] = []
    seen: set[str] = set()
    for path in paths:
        result = read_track(path, format, mapping=mapping, tz=tz, progress=progress)
        if on_read is not None:
            on_read(result)
        track = result.track
        ids = set(track[s.FLIGHT_ID].dropna().unique())
        if ids & seen:
            track = track.assign(**{s.FLIGHT_ID: track[s.FLIGHT_ID] + f"@{Path(path).name}"})
            ids = set(track[s.FLIGHT_ID].dropna().unique())
        seen |= ids
        frames.append(track)
    if not frames:
        return pd.DataFrame(columns=list(s.DTYPES))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@dataclass(frozen=True)
class MapPage:
    """A rendered map: the HTML page and the manifest embedded in it."""

    html: str
    manifest: dict[str, Any] = field(default_factory=dict)


def _esc(text: object) -> str:
    from flightmap.render import esc

    return esc(text)


@functools.cache
def _clock_texts() -> Any:
    """``HH:MM:SS`` for every second of a day, to look times up instead of formatting each."""
    import numpy as np

    day = np.arange(86_400)
    hh, mm, ss = (
        pd.Series(x).astype(str).str.zfill(2) for x in (day // 3600, day // 60 % 60, day % 60)
    )
    return (hh + ":" + mm + ":" + ss).to_numpy(dtype=object)


def _interval_notes(analysis: Any) -> list[str]:
    """Per track row, escaped HTML naming its integrity interval's state and the rules that fired
    ("" in nominal intervals).

    Every row belongs to exactly one interval (``interval_id`` from the analysis: intervals are
    half-open, so the first nominal report after a degraded interval is nominal). Each note is
    written once per interval and given to its rows by indexing, so the cost does not grow with
    rows times intervals.
    """
    import numpy as np

    from flightmap.analysis import INTERVAL_ID

    iv = analysis.intervals
    if len(analysis.track) == 0 or len(iv) == 0:
        return [""] * len(analysis.track)
    bad = np.flatnonzero((iv["state"].astype(str) != "nominal").to_numpy())
    per_interval = np.full(len(iv), "", dtype=object)
    if bad.size:
        sub = iv.iloc[bad]
        codes = sub["rule_codes"]
        silent = ((codes.str.len() == 1) & (codes.str[0] == "no_reports")).to_numpy()
        label = sub["state"].astype(str).str.replace("_", " ", regex=False).to_numpy(dtype=object)
        label[silent] = "position lost (no reports received)"

        def escaped(texts: Any) -> Any:
            # Escape each distinct text once: many intervals share their sentences.
            k, uniques = pd.factorize(np.asarray(texts, dtype=object))
            return pd.Series(np.asarray([_esc(u) for u in uniques], dtype=object)[k])

        def hms(col: str) -> Any:
            sec = sub[col].to_numpy(dtype="datetime64[s]").view("int64") % 86_400
            return pd.Series(_clock_texts()[sec])

        rules = escaped(sub["rules"].map(" ".join))
        notes = (
            "<b>GNSS " + escaped(label) + "</b> " + hms("start") + " to " + hms("end") + " UTC: "
        ) + rules
        per_interval[bad] = notes.to_numpy(dtype=object)
    ids = analysis.track[INTERVAL_ID].to_numpy(dtype="int64")
    out: list[str] = per_interval[ids].tolist()
    return out


def _region_popup(title: str, basis: str, area_km2: float, speed_kt: float) -> str:
    return (
        f"<div class='fm-popup'><h4>{_esc(title)}</h4>"
        f"<p><b>Evidence:</b> inferred &middot; area {area_km2:,.0f} km² at a maximum speed of "
        f"{speed_kt:.1f} kt</p><p><b>Basis:</b> {_esc(basis)}</p></div>"
    )


_REGION_TIMES = ("time", "start", "end")
_REGION_NUMBERS = ("max_speed_kt", "reach_a_km", "reach_b_km", "area_km2", "diameter_km")
#: Version of the stored form of case regions (dump/load below); part of the cache key.
_REGIONS_FORMAT = 1


def _exact(value: Any) -> Any:
    """A JSON value that tells apart any two different inputs: times as integer nanoseconds,
    floats as floats (JSON keeps their shortest exact repr), NA as None."""
    if isinstance(value, pd.Timestamp):
        return int(value.value)
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    if isinstance(value, float | int | str | bool):
        return value
    return str(value)


def case_regions_cached(case: Case) -> pd.DataFrame:
    """The case's where-could-it-have-been regions (:func:`flightmap.analysis.case_regions`
    with the case's ``regions`` settings), from the on-disk cache (:mod:`flightmap.cache`) when
    the same events, settings and code made them before.

    The key holds every value ``case_regions`` reads, exactly (the case's events with their
    times in nanoseconds, places and uncertainties as floats, the settings, the maximum
    speed), the source of the modules that compute and store regions, and the numpy, shapely
    and pyproj versions. Geometries are stored as WKB, floats and times exactly, so a cached
    frame equals a computed one; an entry that does not have the expected shape is computed
    again.
    """
    import importlib.metadata

    import numpy as np
    import shapely

    from flightmap import cache, geodesy, regions
    from flightmap.analysis import _prep, cases, placement, reachable
    from flightmap.analysis.speeds import E190_MAX_SPEED_KT

    spec = case.regions
    ids = [f"{spec['start']}->{spec['end']}", *spec["instants"]]
    events = cases.case_events(case)
    modules = [cases, reachable, placement, _prep, geodesy, regions, sys.modules[__name__]]
    key = {
        "format": _REGIONS_FORMAT,
        "case": case.id,
        "events": [{k: _exact(v) for k, v in r.items()} for r in _records(events)],
        "spec": spec,
        "max_speed_kt": E190_MAX_SPEED_KT,
        "code": cache.code_fingerprint(modules),
        # pyproj by its metadata: a hit must not import it (0.05-0.1 s).
        "versions": [np.__version__, shapely.__version__, importlib.metadata.version("pyproj")],
    }

    def compute() -> pd.DataFrame:
        return cases.case_regions(
            case, start=spec["start"], end=spec["end"], instants=spec["instants"]
        )

    def dump(frame: pd.DataFrame) -> dict[str, Any]:
        rows = []
        for r in _records(frame):
            for col in _REGION_TIMES:
                r[col] = None if pd.isna(r[col]) else r[col].isoformat()
            r["geometry"] = (
                None if r["geometry"] is None else shapely.to_wkb(r["geometry"], hex=True)
            )
            rows.append(r)
        return {"columns": list(frame.columns), "rows": rows}

    def load(data: dict[str, Any]) -> pd.DataFrame:
        # Anything unexpected raises, and cache.cached computes the regions instead.
        frame = pd.DataFrame(data["rows"], columns=data["columns"])
        if frame["id"].tolist() != ids or frame["kind"].tolist() != ["gap"] + ["instant"] * (
            len(ids) - 1
        ):
            raise ValueError("cached regions are not the case's")
        for col in _REGION_TIMES:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        if frame[["start", "end"]].isna().any(axis=None) or frame["time"].iloc[1:].isna().any():
            raise ValueError("cached regions lack a time")
        numbers = frame[list(_REGION_NUMBERS)].to_numpy(dtype="float64")
        if not np.isfinite(numbers).all() or not all(isinstance(b, str) for b in frame["basis"]):
            raise ValueError("cached regions have a bad value")
        geoms = [None if g is None else shapely.from_wkb(g) for g in frame["geometry"]]
        if any(g is not None and g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms):
            raise ValueError("cached regions have a bad geometry")
        frame["geometry"] = geoms
        return frame

    return cache.cached("case-regions", key, compute, dump, load)


def _case_regions(case: Case) -> list[tuple[Any, str, str]]:
    if not case.regions:
        return []
    frame = case_regions_cached(case)
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


GRID_LEVELS = ("low", "medium", "high", "few")


def read_grid(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``flightmap jamming`` GeoJSON file, checking what the map will use.

    Returns the features; each has a Polygon geometry and the properties ``level`` (one of
    :data:`GRID_LEVELS`), ``share_bad`` (0 to 1), ``aircraft`` and ``bad_aircraft`` (counts),
    ``window_start`` and ``window_end`` (ISO 8601 with offset).
    """

    from shapely.geometry import shape

    from flightmap.geo import parse_utc
    from flightmap.readers._source import WHOLE_FILE_SHARE, max_input_bytes, too_large

    limit = max_input_bytes() // WHOLE_FILE_SHARE
    try:
        size = Path(path).stat().st_size
        if size > limit:
            raise too_large(Path(path), limit, size)
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=path, where=f"line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=path) from None
    except ValueError as exc:  # e.g. integers of more than 4300 digits
        raise InputError(f"invalid JSON ({' '.join(str(exc).split())[:100]})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=path) from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise InputError(
            "expected a GeoJSON FeatureCollection with features", path=path, field="features"
        )
    out = []
    for i, f in enumerate(feats, 1):
        where = f"feature {i}"
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            raise InputError("expected an object", path=path, where=where, field="properties")
        try:
            geom = shape(f.get("geometry"))
        except Exception:  # shapely raises several types for bad GeoJSON
            raise InputError("invalid geometry", path=path, where=where, field="geometry") from None
        if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError("expected a polygon", path=path, where=where, field="geometry")
        if props.get("level") not in GRID_LEVELS:
            raise InputError(
                f"expected one of {', '.join(GRID_LEVELS)}", path=path, where=where, field="level"
            )
        share = props.get("share_bad")
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
            raise InputError(
                "expected a share between 0 and 1", path=path, where=where, field="share_bad"
            )
        for key in ("aircraft", "bad_aircraft"):
            count = props.get(key)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InputError("expected a count", path=path, where=where, field=key)
        times = {}
        for key in ("window_start", "window_end"):
            try:
                times[key] = parse_utc(str(props.get(key)))
            except ValueError as exc:
                raise InputError(str(exc), path=path, where=where, field=key) from None
        out.append(
            {
                "geometry": geom,
                "level": props["level"],
                "share_bad": float(share),
                "aircraft": props["aircraft"],
                "bad_aircraft": props["bad_aircraft"],
                **times,
            }
        )
    return out


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
        radii = [
            f"{name} by {r[key]:,.0f} m"
            for name, key in (("A", "r_before_m"), ("B", "r_after_m"))
            if r[key] > 0  # NaN (no fix) and 0 (NACp unknown) add nothing
        ]
        grown = ""
        if radii:
            grown = f"; grown by the fixes' position error (95 % bound of NACp): {', '.join(radii)}"
        basis = (
            f"Gap of kind '{r['kind']}': every point P with d(A, P) + d(P, B) <= v (t1 - t0), "
            f"geodesic, between the fixes before (A) and after (B) the gap ({r['shape']}){grown}"
        )
        popup = _region_popup(label, basis, r["area_km2"], r["max_speed_kt"])
        out.append((r["geometry"], label, popup))
    return out


def integrity_params(aircraft: str = "any", max_speed_kt: float | None = None) -> Any:
    """:meth:`flightmap.analysis.IntegrityParams.for_aircraft`, with a bad value reported as an
    :class:`InputError` naming the option (``--aircraft``, ``--max-speed-kt``)."""
    from flightmap.analysis import IntegrityParams

    if max_speed_kt is not None and not max_speed_kt > 0:
        raise InputError(f"{max_speed_kt} is not a speed > 0 (kt)", field="--max-speed-kt")
    try:
        return IntegrityParams.for_aircraft(aircraft, max_speed_kt)
    except ValueError as exc:
        raise InputError(str(exc), field="--aircraft") from None


def _shaded(analysis: Any) -> list[tuple[Any, Any, str]]:
    out = []
    for iv in _records(analysis.intervals):
        if iv["state"] == "nominal":
            continue
        label = f"GNSS {iv['state']}"
        if list(iv["rule_codes"]) == ["no_reports"]:
            label = "no reports received"
        out.append((iv["start"], iv["end"], label))
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
    grid_path: str | Path | None = None,
    on_read: Callable[[TrackRead], object] | None = None,
    aircraft: str = "any",
    max_speed_kt: float | None = None,
) -> MapPage:
    """Read the tracks, analyse them, build the map of the case and tracks, and render it.

    Tracks are analysed with :func:`flightmap.analysis.analyse` (gaps and GNSS integrity) with
    the parameters of ``aircraft`` (``any``, ``e190``) and ``max_speed_kt`` (the category's
    speed when None; see :meth:`flightmap.analysis.IntegrityParams.for_aircraft`): the map gets
    a layer coloured by integrity state, the gap regions at that speed and shaded intervals on
    the profile. A case with tracks gets its events placed on them at that speed
    (:func:`flightmap.analysis.place_events`: the "Events on the track" layer). A case with a
    ``[regions]`` table gets its where-could-it-have-been regions. The manifest records the
    SHA-256 of every input and every parameter given here, so the same inputs and options
    always give the same bytes.
    """
    from flightmap import render
    from flightmap.manifest import build_manifest

    if not max_error_m >= 0:
        raise InputError(f"{max_error_m} is not a distance >= 0 (metres)", field="--max-error-m")
    params = integrity_params(aircraft, max_speed_kt)
    track = read_tracks(
        track_paths, format=format, mapping=mapping, tz=tz, progress=progress, on_read=on_read
    )
    grid = read_grid(grid_path) if grid_path is not None else None
    manifest = build_manifest(
        case=case,
        tracks=track_paths,
        grids=[grid_path] if grid_path is not None else [],
        parameters={
            "tiles": tiles,
            "max_error_m": max_error_m,
            "track_format": format,
            "mapping": mapping,
            "tz": tz,
            "aircraft": aircraft,
            "max_speed_kt": params.max_speed_kt,
        },
    )
    regions = _case_regions(case) if case is not None else []
    kwargs: dict[str, Any] = {}
    if len(track):
        from flightmap.analysis import analyse, case_events, place_events

        analysis = analyse(track, params)
        track = analysis.track[list(track.columns)]
        kwargs["states"] = analysis.track["state"].astype(str).to_numpy()
        kwargs["state_notes"] = _interval_notes(analysis)
        kwargs["shaded"] = _shaded(analysis)
        regions += _gap_regions(analysis)
        if case is not None:
            kwargs["placements"] = place_events(
                analysis, case_events(case), max_speed_kt=params.max_speed_kt
            )
    m = render.build_map(
        case,
        track if len(track) else None,
        tiles=tiles,
        max_error_m=max_error_m,
        regions=regions,
        grid=grid,
        manifest=manifest,
        **kwargs,
    )
    return MapPage(html=render.render_html(m), manifest=manifest)
