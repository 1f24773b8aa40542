"""Case events placed on a track: interpolated between close fixes, or the region at that
instant inside a gap (inferred, dotted)."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import pytest

from flightmap import analysis, geo, render
from flightmap import schema as s


@pytest.fixture(scope="module")
def track() -> pd.DataFrame:
    """Positions every 10 s from 05:00:00 to 05:12:30 and from 05:25:00 to 05:35:00 UTC, flying
    east along 43.40 N at 0.001 degree of longitude per report (about 81 m / 10 s = 16 kt: a
    slow, hand-checkable track); nothing in between (a 12.5-minute gap)."""
    t1 = pd.date_range("2024-12-25T05:00:00Z", "2024-12-25T05:12:30Z", freq="10s")
    t2 = pd.date_range("2024-12-25T05:25:00Z", "2024-12-25T05:35:00Z", freq="10s")
    t = t1.append(t2)
    n = len(t)
    return pd.DataFrame(
        {
            s.FLIGHT_ID: "test-1",
            s.TIME: t,
            s.LAT: 43.40,
            s.LON: 45.60 + 0.001 * np.arange(n),
            s.ALT_BARO_FT: 3000.0,
            s.GS_KT: 16.0,
            s.CALLSIGN: "TEST1",
            s.ICAO24: "abc123",
        }
    )


def test_events_on_the_track_layer(case: geo.Case, track: pd.DataFrame) -> None:
    an = analysis.analyse(track)
    placed = analysis.place_events(an, analysis.case_events(case)).set_index("id")
    assert placed.loc["approach_2", "method"] == "interpolated"  # 05:10:00, between fixes
    assert placed.loc["kover", "method"] == "gap"  # 05:21:42, inside the gap
    assert placed.loc["impact", "method"] == "no_track"  # 06:27:58: 53 min after the last fix
    m = render.build_map(case, an, placements=placed.reset_index())
    layer = next(
        c
        for c in m._children.values()
        if isinstance(c, folium.FeatureGroup) and c.layer_name == "Events on the track"
    )
    markers = [c for c in layer._children.values() if type(c) is folium.CircleMarker]
    drawn = placed[placed["method"] != "no_track"]
    assert len(markers) == len(drawn)
    by_id = {mk.options["className"].split()[-1].removeprefix("fm-placed-"): mk for mk in markers}
    # Interpolated or in a gap, the position is derived here: the inferred dots on both.
    dotted = render.EVIDENCE_STYLE["inferred"]["dash_array"]
    assert by_id["approach_2"].options["dashArray"] == dotted
    assert by_id["kover"].options["dashArray"] == dotted
    assert by_id["approach_2"].location == pytest.approx(
        [placed.loc["approach_2", "lat"], placed.loc["approach_2", "lon"]]
    )
    # 05:10:00 is the 61st report: longitude 45.60 + 0.060, exactly on a fix.
    assert placed.loc["approach_2", "lon"] == pytest.approx(45.66, abs=1e-6)
    regions = [c for c in layer._children.values() if type(c) is folium.GeoJson]
    assert len(regions) == int((drawn["method"] != "interpolated").sum())
    page = render.render_html(m)
    assert f"<h4>{render.esc(case.event('kover').title)} (on the track)</h4>" in page
    assert "inside a gap in the positions" in page
    # No placed event (nor anything of this case) is called observed.
    assert "<span class='fm-ev-observed'>" not in page
    assert page.count("<span class='fm-ev-inferred'>inferred</span>") >= len(drawn)
