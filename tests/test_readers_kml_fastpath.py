"""The KML reader's fast paths give what its value-by-value paths give (issue 17).

- Fixes: found by tag in C (:func:`fr24._kml_fixes`) or by visiting every element in Python
  (:func:`fr24._fixes_by_walk`): same tuples, same order, on namespaced, prefixed, bare,
  nested and decorated documents.
- Description numbers: in Arrow (RE2) or with Python's ``re`` after ``html.unescape``
  (:func:`fr24._description_numbers`): same text, on hostile descriptions.
- Coordinates: split in Arrow (:func:`fr24._split_text`) or by ``Series.str.split``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.readers import fr24
from flightmap.readers._source import probe

DATA = Path(__file__).parent / "data"

FR24_DESC = (
    "<div><div><span><b>Altitude:</b></span> <span>{alt} ft</span></div>\n"
    "<div><span><b>Speed:</b></span> <span>{gs} kt</span></div>\n"
    "<div><span><b>Heading:</b></span> <span>{hdg}&deg;</span></div>\n</div>"
)
HOSTILE_DESCRIPTIONS = [
    FR24_DESC.format(alt="30,025", gs="447", hdg="118"),
    FR24_DESC.format(alt="-50", gs="0", hdg="359.5"),
    FR24_DESC.format(alt=".", gs=",", hdg="1.2.3"),  # FR24's form, numbers that are not
    FR24_DESC.format(alt="1-2", gs="--5", hdg=""),  # not FR24's form: the other paths
    FR24_DESC.format(alt="7", gs="8", hdg="9").replace("&deg;", "&amp;deg;"),
    FR24_DESC.format(alt="7", gs="8", hdg="9").upper(),
    "Altitude: 100 FT Speed:200KT heading:\t90",
    "altitude:\x0b12 ft speed:\x1c3 kt Heading:\x1f4",  # \v and \x1c-\x1f: spaces to Python
    "Altitude:\u00a012 ft",  # a no-break space: Unicode, the Python path
    "Altitude: \u0661\u0662 ft",  # Arabic-Indic digits: Python's \d takes them
    "Altitude: 12&deg; ft Speed: 5&amp;deg; kt",
    "Altitude: 1&lt;b&gt;2 ft",  # entities that unescape to a tag
    "Altitude: <b\nclass='x'>77</b> ft",  # a tag across lines
    "Altitude: 1 ft Altitude: 2 ft Heading: 3 Heading: 4",
    "Altitude: ft Speed: , kt Heading: .",
    "Altitude: 5.5.5 ft Speed: -- kt Heading: -7",
    "Altitude:5ft",
    "ALTITUDE:  9\n ft",
    "Altitude: 9 f t",
    "Heading: 12&deg",
    "Heading: 12&DEG;",
    "&&deg; Heading: 1",
    "Spe\u0130d: 3 kt",  # dotted capital I: case folding differs by engine, Python decides
    "Altitude: 3 \u212at",  # Kelvin sign
    "",
    "plain words, no numbers",
    "\u00b0" * 3 + "Heading: 8",
    None,
]


def test_description_numbers_as_python_finds_them() -> None:
    fast = fr24._description_columns(HOSTILE_DESCRIPTIONS)
    for name in fr24._DESC_NUMBERS:
        expected = [
            fr24._description_numbers(d)[name] if d is not None else None
            for d in HOSTILE_DESCRIPTIONS
        ]
        got = [None if pd.isna(v) else v for v in fast[name].tolist()]
        assert got == expected, name
        assert fast[name].dtype == s.STR_DTYPE


def test_description_numbers_all_simple_and_all_python() -> None:
    simple = [FR24_DESC.format(alt=i, gs=i + 1, hdg=i % 360) for i in range(50)]
    fast = fr24._description_columns(simple)
    assert fast[s.ALT_BARO_FT].tolist()[:3] == ["0", "1", "2"]
    odd = ["Altitude: \u0661 ft"] * 3
    assert fr24._description_columns(odd)[s.ALT_BARO_FT].tolist() == ["\u0661"] * 3


@pytest.mark.parametrize(
    "values",
    [
        ["55.362,25.2619,0", "1,2", "1,2,3,4", "", ",", ",,", None, " 1 , 2 ,x", "abc"],
        ["1,2", "3,4"],  # no third part anywhere: the column is all NA
        [None, None],
        [],
    ],
)
def test_split_text_as_pandas_splits(values: list[str | None]) -> None:
    got = fr24._split_text(values, 3)
    want = pd.Series(values, dtype=s.STR_DTYPE).str.split(",", expand=True)
    want = want.reindex(columns=range(3))
    assert list(got.columns) == [0, 1, 2]
    for i in range(3):
        assert [None if pd.isna(v) else v for v in got[i]] == [
            None if pd.isna(v) else v for v in want[i]
        ]


PLACEMARK = (
    "<{p}Placemark><{p}name>2016-03-18 18:2{i}:00 UTC</{p}name>"
    "<{p}description>Altitude: {i}00 ft</{p}description>"
    "<{p}TimeStamp><{p}when> 2016-03-18T18:2{i}:00Z </{p}when></{p}TimeStamp>"
    "<{p}Point><{p}altitudeMode>absolute</{p}altitudeMode>"
    "<{p}coordinates>55.{i},25.{i},{i}</{p}coordinates></{p}Point></{p}Placemark>"
)
DOCS = {
    "namespaced": '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{pm}</Document></kml>',
    "bare": "<kml><Document>{pm}</Document></kml>",
    "prefixed": '<k:kml xmlns:k="http://www.opengis.net/kml/2.2"><k:Document>{pm}'
    "</k:Document></k:kml>",
}


def _placemarks(p: str = "") -> str:
    pms = [PLACEMARK.format(p=p, i=i) for i in range(4)]
    # No when: the name is the time; no Point: skipped; empty texts; a Placemark in a Placemark.
    pms[1] = pms[1].replace(f"<{p}when> 2016-03-18T18:21:00Z </{p}when>", "")
    pms[2] = (
        pms[2]
        .replace(f"<{p}Point>", f"<{p}Polygon>", 1)
        .replace(f"</{p}Point>", f"</{p}Polygon>", 1)
    )
    pms[3] = (
        pms[3]
        .replace("Altitude: 300 ft", " ")
        .replace(f"</{p}Placemark>", PLACEMARK.format(p=p, i=9) + f"</{p}Placemark>", 1)
    )
    trail = (
        f"<{p}Placemark><{p}LineString><{p}coordinates>1,2 3,4</{p}coordinates>"
        f"</{p}LineString><{p}name>P-1</{p}name></{p}Placemark>"
    )
    return "".join(pms) + trail


@pytest.mark.parametrize("kind", sorted(DOCS))
def test_fixes_by_tag_as_by_walk(kind: str, tmp_path: Path) -> None:
    prefix = "k:" if kind == "prefixed" else ""
    text = DOCS[kind].format(pm=_placemarks(prefix))
    path = tmp_path / "t.kml"
    path.write_text(text)
    root = ET.fromstring(text)
    fast = fr24._kml_fixes(root, probe(path))
    assert fast == fr24._fixes_by_walk(root, probe(path))
    assert len(fast) == 4
    assert fast[1][0] == "2016-03-18 18:21:00 UTC"  # no <when>: the name
    assert fast[2][3] is None  # a description of spaces only
    assert fast[3][3] == "Altitude: 900 ft"  # the Placemark inside a Placemark, after it


def test_mixed_namespaces_and_tracks_take_the_walk(tmp_path: Path) -> None:
    mixed = (
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:o="urn:other"><Document>'
        + _placemarks()
        + PLACEMARK.format(p="o:", i=5)
        + '<Placemark><gx:Track xmlns:gx="http://www.google.com/kml/ext/2.2">'
        "<when>2016-03-18T19:00:00Z</when><gx:coord>1 2 3</gx:coord></gx:Track></Placemark>"
        "</Document></kml>"
    )
    path = tmp_path / "m.kml"
    path.write_text(mixed)
    root = ET.fromstring(mixed)
    fixes = fr24._kml_fixes(root, probe(path))
    assert fixes == fr24._fixes_by_walk(root, probe(path))
    assert fixes[-1] == ("2016-03-18T19:00:00Z", "1,2,3", None, None)
    assert len(fixes) == 6


def test_fixture_and_bad_kml_read_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from flightmap.errors import InputError
    from flightmap.readers import read_track

    paths = [DATA / "tracks" / "fr24_fz981.kml", *sorted((DATA / "bad").glob("kml_*.kml"))]

    def read_all() -> list[object]:
        out: list[object] = []
        for p in paths:
            try:
                r = read_track(p, tz="UTC")
                out.append((r.track, r.flags))
            except InputError as err:
                out.append(str(err))
        return out

    fast = read_all()
    monkeypatch.setattr(fr24, "_kml_fixes", lambda root, inp: fr24._fixes_by_walk(root, inp))
    slow = read_all()
    for a, b in zip(fast, slow, strict=True):
        if isinstance(a, str):
            assert a == b
        else:
            assert isinstance(b, tuple)
            assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert np.sum([not isinstance(a, str) for a in fast]) >= 1
