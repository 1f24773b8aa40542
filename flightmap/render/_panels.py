"""The page furniture: CSS, the title panel (summary, legend, timeline, methods)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from flightmap import __version__
from flightmap import schema as s
from flightmap.geo import Case
from flightmap.render._html import (
    conflict_html,
    esc,
    event_popup,
    evidence_html,
    source_item,
    sources_html,
    zone_popup,
)
from flightmap.render._regions import DrawnRegion
from flightmap.style import (
    ALTITUDE_BANDS,
    CATEGORY_COLOR,
    CATEGORY_WORDS,
    DEFAULT_COLOR,
    EVIDENCE_STYLE,
    GRID_COLORS,
    INTEGRITY_PALETTE,
    LEG_COLOR,
    WAYPOINT_COLOR,
    ZONE_STYLE,
    ZONE_WORDS,
)

# --------------------------------------------------------------------------- panels


def _tracks_html(summary: pd.DataFrame) -> str:
    """The tracks table: one row per flight of ``summary`` (columns as
    :func:`flightmap.tracks.summarize` gives them: ``flight_id``, ``callsign``, ``first``,
    ``last``, ``with_position``, ``reports``), in its order."""
    rows = "".join(
        f"<tr><td>{esc(fid)}</td>"
        f"<td>{esc('' if pd.isna(callsign) else callsign)}</td>"
        f"<td>{first:%H:%M:%S} to {last:%H:%M:%S}</td>"
        f"<td>{with_position}/{reports}</td></tr>"
        for fid, callsign, first, last, with_position, reports in zip(
            *(summary[c] for c in (s.FLIGHT_ID, s.CALLSIGN, "first", "last")),
            summary["with_position"].tolist(),
            summary["reports"].tolist(),
            strict=True,
        )
    )
    return (
        "<details open><summary>Tracks (UTC; reports with position / all)</summary>"
        f"<table class='fm-timeline'>{rows}</table></details>"
    )


def _tracks_title(track: pd.DataFrame | None) -> str:
    """The title of a map without a case: the callsigns (else flight ids) it draws and its date.

    >>> t = pd.DataFrame({s.FLIGHT_ID: ["a-1"], s.CALLSIGN: ["FZ981"],
    ...                   s.TIME: pd.to_datetime(["2021-10-29T18:21:00Z"])})
    >>> _tracks_title(t)
    'Flight track FZ981, 29 October 2021 (UTC)'
    """
    if track is None or track.empty:
        return "Flight tracks"
    # The distinct values first (a million rows hold a few hundred callsigns), then stripped.
    names = None
    if s.CALLSIGN in track:
        names = s.as_str(track[s.CALLSIGN].drop_duplicates()).dropna().str.strip()
    if names is None or names.empty:
        names = track[s.FLIGHT_ID].dropna().astype(str)
    unique = [n for n in names.drop_duplicates() if n]  # first appearance order
    shown = ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
    day = track[s.TIME].min()
    when = f", {day:%-d %B %Y} (UTC)" if pd.notna(day) else ""
    return f"Flight track{'s' if len(unique) > 1 else ''} {shown}{when}".replace("  ", " ")


def title_panel(
    case: Case | None,
    track: pd.DataFrame | None = None,
    *,
    max_error_m: float = 25.0,
    states: bool = False,
    regions: Sequence[DrawnRegion] = (),
    grid: bool = False,
    tracks_table: pd.DataFrame | None = None,
) -> str:
    """The panel at the top left: title, summary, legend, timeline, claims, methods, sources.

    ``regions`` are the where-could-it-have-been regions drawn on the map; the Methods panel
    repeats how each was derived. ``tracks_table`` is the tracks table when the caller has it
    (the columns of :func:`flightmap.tracks.summarize`, in the order shown); else it is
    summarised from ``track``.
    """
    has_track = track is not None and not track.empty
    title = case.title if case is not None else _tracks_title(track)
    parts = [f"<h3>{esc(title)}</h3>"]
    if case is not None:
        flight = " · ".join(
            esc(v) for k, v in case.flight.items() if k in ("iata", "registration", "aircraft")
        )
        parts.append(f"<div>{flight}</div>")
        parts.append(
            f"<details><summary>Summary</summary><p>{esc(case.summary.strip())}</p></details>"
        )
    if has_track:
        assert track is not None
        if tracks_table is None:
            from flightmap.tracks import summarize

            tracks_table = summarize(track)
        parts.append(_tracks_html(tracks_table))
    parts.append(legend(case, has_track=has_track, states=states, regions=bool(regions), grid=grid))
    methods = [
        "<p>Times are UTC; popups add local times in the named zones. Evidence classes: "
        "<b>observed</b> = measured by a sensor; <b>reported</b> = stated by a source; "
        "<b>inferred</b> = derived here, with the method given.</p>"
    ]
    if has_track:
        methods.append(
            "<p>Track lines join only consecutive fresh positions: stretches without one "
            "(altitude-only or stale reports, long silences) are left open, never bridged by a "
            f"line. Lines are simplified so that no received position is more than "
            f"{max_error_m:g} m from the drawn line.</p>"
        )
    else:
        methods.append("<p>No track file is drawn: every position comes from the case file.</p>")
    if case is not None:
        # Every event, placed on the map or not, is readable here with its sources.
        timeline_rows = "".join(
            f"<tr><td>{ev.time:%H:%M:%S}</td><td><details class='fm-ev-{esc(ev.evidence)}' "
            f"data-timeline-event='{esc(ev.id)}'>"
            f"<summary>{esc(ev.title)}"
            f"{' <i>(sources disagree)</i>' if ev.conflicts_with else ''}</summary>"
            f"{event_popup(case, ev, conflicts='ref')}</details></td></tr>"
            for ev in case.events
        )
        parts.append(
            f"<details><summary>Timeline (UTC, {len(case.events)} events)</summary>"
            f"<table class='fm-timeline'>{timeline_rows}</table></details>"
        )
        parts.append(claims_panel(case))
        inferred = (
            [(w.name, w.basis) for w in case.waypoints.values() if w.evidence == "inferred"]
            + [(z.name, z.basis) for z in case.zones if z.evidence == "inferred"]
            + [(g.label, g.basis) for g in case.legs if g.evidence == "inferred"]
            + [(c.statement, c.basis) for c in case.claims.values() if c.evidence == "inferred"]
            + [(e.title, e.basis) for e in case.events if e.evidence == "inferred"]
        )
        inferred_html = "".join(f"<li><b>{esc(n)}</b>: {esc(b)}</li>" for n, b in inferred)
        placed = "".join(
            f"<li><b>{ev.time:%H:%M:%S} UTC {esc(ev.title)}</b>: {esc(ev.position_basis)}</li>"
            for ev in case.events
            if ev.waypoint and ev.position_basis
        )
        sources = "".join(f"<li>{source_item(src)}</li>" for src in case.sources.values())
        methods.append(leg_speeds_html(case))
        methods.append(
            f"<p><b>Inferred elements and how they were derived</b></p><ul>{inferred_html}</ul>"
            "<p><b>Where events are placed</b> (no source gives the aircraft's position at "
            "these times; markers with a dotted ring are placed, not measured)</p>"
            f"<ul>{placed}</ul>"
            f"<p><b>Sources ({len(case.sources)})</b></p><ul>{sources}</ul>"
        )
    if regions:
        # The popup HTML of each region already holds its escaped basis (speed, window).
        region_items = "".join(
            f"<li><b>{esc(r.label)}</b><div>{r.popup_html}</div></li>" for r in regions
        )
        methods.append(
            "<p><b>Where it could have been</b>: for a stretch from a known place A at time t0 "
            "to a known place B at t1, every point P with d(A,P) + d(P,B) &le; v (t1 &minus; "
            "t0), distances geodesic on WGS84, v the stated maximum speed; at one instant, the "
            "intersection of the two reachable disks.</p>"
            f"<ul>{region_items}</ul>"
        )
    methods.append(
        f"<p class='fm-meta'>flightmap {esc(__version__)}"
        + (f" · case {esc(case.id)}" if case is not None else "")
        + "</p>"
    )
    parts.append(
        f"<details id='fm-methods'><summary>Methods and sources</summary>{''.join(methods)}"
        "</details>"
    )
    # Folded to its title line on a narrow screen (render/_page.py); open on a wide one.
    return (
        '<div class="fm-panel fm-title" id="fm-title"><details class="fm-fold" open>'
        f"<summary>{parts[0]}</summary>{''.join(parts[1:])}</details></div>"
    )


def leg_speeds_html(case: Case) -> str:
    """The speeds implied by consecutive placed events, each checked against the aircraft's
    stated maximum speed (:func:`flightmap.analysis.leg_speeds`); legs between events at the
    same place are left out."""
    from flightmap.analysis import E190_MAX_SPEED_KT, case_events, leg_speeds

    legs = leg_speeds(case_events(case))
    legs = legs[(legs["distance_km"] > 0) | ~legs["plausible"]]
    if legs.empty:
        return ""
    rows = "".join(
        f"<tr><td>{esc(case.event(str(r.from_id)).title)} &rarr; "
        f"{esc(case.event(str(r.to_id)).title)}"
        f"</td><td>{r.start:%H:%M:%S}&ndash;{r.end:%H:%M:%S}</td>"
        f"<td>{r.distance_km:,.0f} km</td><td>{r.speed_kt:,.0f} kt</td>"
        f"<td>{'plausible' if r.plausible else '<b>impossible</b>: ' + esc(r.note)}</td></tr>"
        for r in legs.itertuples(index=False)
    )
    return (
        "<p><b>Speeds implied by the placed events</b> (geodesic distance between the places "
        "over the time between the events; a leg is impossible when even the shortest path "
        "allowed by the places' radii and the times' uncertainty needs more than "
        f"{E190_MAX_SPEED_KT:.1f} kt). Places are where events are drawn, not always where "
        "the aircraft was.</p>"
        f"<table class='fm-timeline fm-leg-speeds'>{rows}</table>"
    )


def claims_panel(case: Case) -> str:
    """Every claim of the case (what sources state, kept apart from the timeline), and every
    conflict between sources with both sides next to each other."""
    claims = "".join(
        f"<li><details><summary>{esc(c.statement)}</summary>"
        f"<div class='fm-popup'><p class='fm-meta'>subject: {esc(c.subject)}</p>"
        f"{evidence_html(c.evidence, c.confidence)}"
        + (f"<p><b>Basis:</b> {esc(c.basis)}</p>" if c.basis else "")
        + f"{sources_html(c.sources, case.sources)}</div></details></li>"
        for c in case.claims.values()
    )
    conflicts = "".join(conflict_html(case, k, anchor=True) for k in case.conflicts)
    return (
        f"<details id='fm-claims'><summary>Claims ({len(case.claims)}) and conflicts "
        f"({len(case.conflicts)})</summary><p><b>What sources claim</b></p><ul>{claims}</ul>"
        f"<p><b>Where sources disagree</b> (both sides kept)</p>{conflicts}</details>"
    )


def legend(
    case: Case | None,
    *,
    has_track: bool = False,
    states: bool = False,
    regions: bool = False,
    grid: bool = False,
) -> str:
    """The legend, in plain words, listing only what this map draws."""
    items: list[str] = []

    def line(style: str, color: str, text: str) -> None:
        items.append(
            f"<div><span class='fm-swatch' style='border-top-style:{style};"
            f"border-top-color:{color}'></span>{text}</div>"
        )

    def dot(css: str, text: str, square: bool = False) -> None:
        shape = " fm-square" if square else ""
        items.append(f"<div><span class='fm-dot{shape}' style='{css}'></span>{text}</div>")

    drawn_evidence = set()
    if case is not None:
        drawn_evidence |= {leg.evidence for leg in case.legs}
    if has_track:
        drawn_evidence.add("observed")
    line_style = {"observed": "solid", "reported": "dashed", "inferred": "dotted"}
    for ev, st in EVIDENCE_STYLE.items():
        if ev in drawn_evidence:
            what = "track" if ev == "observed" and has_track else "route"
            line(line_style[ev], LEG_COLOR if what == "route" else "#555", f"{what}, {st['label']}")
    if has_track:
        lows = [b for b, _ in ALTITUDE_BANDS]
        for i, (low, color) in enumerate(ALTITUDE_BANDS):
            high = lows[i + 1] if i + 1 < len(lows) else None
            text = (
                f"below {high:,.0f} ft"
                if low == float("-inf")
                else f"{low:,.0f} ft and above"
                if high is None
                else f"{low:,.0f} to {high:,.0f} ft"
            )
            line("solid", color, f"track altitude {text}")
        if states:
            items += [
                f"<div><span class='fm-swatch' style='border-top-color:{color}'></span>"
                f"GNSS {esc(state.replace('_', ' '))} (layer &ldquo;Track: GNSS integrity&rdquo;)"
                "</div>"
                for state, color in zip(s.INTEGRITY_STATES, INTEGRITY_PALETTE, strict=True)
            ]
    if case is not None:
        kinds = sorted({w.kind for w in case.waypoints.values() if w.kind in WAYPOINT_COLOR})
        for k in kinds:
            dot(f"background:{WAYPOINT_COLOR[k]}", esc(k.replace("_", " ")), square=True)
        used = sorted({ev.category for ev in case.events if ev.waypoint})
        for c in used:
            color = CATEGORY_COLOR.get(c, DEFAULT_COLOR)
            dot(f"background:{color}", f"event: {esc(CATEGORY_WORDS.get(c, c))}")
        places = [pl for pl in map(case.placement, case.events) if pl is not None]
        if any(pl.evidence == "inferred" for pl in places):
            dot(
                "border:2px dotted #222",
                "event placed here by flightmap (time reported, place inferred)",
            )
        for z in case.zones:
            # A zone takes no click on the map (it would cover the marks inside it): its
            # popup opens here.
            st = ZONE_STYLE.get(z.kind, {"color": DEFAULT_COLOR, "fillColor": DEFAULT_COLOR})
            items.append(
                f"<details class='fm-legend-zone'><summary><span class='fm-dot' "
                f"style='background:{st['fillColor']};border:2px solid {st['color']}'></span>"
                f"{esc(ZONE_WORDS.get(z.kind, z.kind.replace('_', ' ')))}: {esc(z.name)}"
                f"</summary>{zone_popup(case, z)}</details>"
            )
        if any(w.uncertainty_km for w in case.waypoints.values()) or any(
            pl.uncertainty_m for pl in places
        ):
            dot("border:1px dashed #555", "uncertainty of a position (radius)")
        if case.events:
            dot(
                "background:#ffd400;border:2px solid #000",
                "the aircraft at the slider's time (where the last event puts it)"
                if not has_track
                else "the aircraft at the slider's time",
            )
    elif has_track:
        dot("background:#ffd400;border:2px solid #000", "the aircraft at the slider's time")
    if regions:
        dot(
            "background:#cab2d6;border:2px dotted #6a3d9a",
            "where it could have been (inferred from time and maximum speed)",
        )
    if grid:
        for level, color in GRID_COLORS.items():
            dot(f"background:{color}", f"GNSS interference {esc(level)}", square=True)
    return f"<details open id='fm-legend'><summary>Legend</summary>{''.join(items)}</details>"
