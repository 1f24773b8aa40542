"""Text columns read dictionary-encoded by the CSV parser (``_csv.TEXT_CODES``) give the same
track and flags as the same columns read as plain text, on hostile values (issue 17)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flightmap.readers import generic, read_track

TEXTS = [
    "AHY8243",
    " ahy8243 ",
    "",
    " ",
    "NaN",
    "null",
    "NULL",
    '""',
    '" "',
    "ab\u00e9c",
    "<b>x</b>",
]
ICAOS = ["4B1805", "4b1805 ", "", "NaN", "600ABC", " 600abc", "zz"]
SQUAWKS = ["7700", "123", "1234.0", "", "0", "12a", "NaN", "7500 "]
SOURCES = ["adsb", "ADSB", " mlat ", "", "other", "null"]


def _hostile_csv(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["time,lat,lon,callsign,icao24,squawk,position_source"]
    for k in range(200):
        lines.append(
            ",".join(
                [
                    f"2024-12-25T03:{k // 60:02d}:{k % 60:02d}Z",
                    f"{40 + k / 1000:.4f}",
                    f"{49 + k / 1000:.4f}",
                    str(rng.choice(TEXTS)),
                    str(rng.choice(ICAOS)),
                    str(rng.choice(SQUAWKS)),
                    str(rng.choice(SOURCES)),
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", range(4))
def test_dictionary_text_reads_as_plain_text(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _hostile_csv(tmp_path / "hostile.csv", seed)
    coded = read_track(path)
    monkeypatch.setattr(generic, "_REPEATED_TEXT", ())
    plain = read_track(path)
    assert coded.track.equals(plain.track)
    assert coded.flags.equals(plain.flags)
    assert coded.track["callsign"].notna().any() and coded.track["icao24"].notna().any()
