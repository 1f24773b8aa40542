"""The track schema: one documented set of columns, dtypes and units; validate() names what is
wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flightmap import schema as s
from flightmap.errors import InputError


def minimal(**columns: object) -> pd.DataFrame:
    base: dict[str, object] = {
        s.FLIGHT_ID: ["abc123-1", "abc123-1"],
        s.TIME: pd.to_datetime([0, 60], unit="s", utc=True),
        s.LAT: [40.0, np.nan],
        s.LON: [50.0, np.nan],
    }
    base.update(columns)
    return s.conform(pd.DataFrame(base))


def test_columns_documented_once() -> None:
    names = [c.name for c in s.COLUMNS]
    assert len(names) == len(set(names))
    # Every column appears in the module docstring, with its dtype.
    doc = s.__doc__ or ""
    for col in s.COLUMNS:
        assert col.name in doc, col.name
    # The names the issue requires.
    for name in (
        "flight_id",
        "time",
        "lat",
        "lon",
        "alt_baro_ft",
        "alt_geom_ft",
        "gs_kt",
        "track_deg",
        "vrate_fpm",
        "callsign",
        "icao24",
        "squawk",
        "nic",
        "nac_p",
        "position_source",
        "stale",
        "source",
        "record",
    ):
        assert name in names
    # Units are in the names of quantity columns and in the table.
    units = {c.name: c.unit for c in s.COLUMNS}
    assert units[s.ALT_BARO_FT] == "ft" and units[s.GS_KT] == "kt"
    assert units[s.VRATE_FPM] == "ft/min" and units[s.LAT] == "deg"


def test_conform_adds_missing_columns_as_na() -> None:
    df = minimal()
    assert list(df.columns) == [c.name for c in s.COLUMNS]
    assert {c: str(df[c].dtype) for c in df.columns} == s.DTYPES
    assert df[s.NIC].isna().all() and df[s.STALE].isna().all() and df[s.CALLSIGN].isna().all()
    assert df[s.ALT_BARO_FT].isna().all()  # NA, never 0
    assert df[s.RECORD].tolist() == [1, 2]
    s.validate(df)


def test_conform_does_not_modify_input() -> None:
    raw = pd.DataFrame({s.LAT: [1.0], s.NIC: [8.0]})
    before = raw.copy()
    out = s.conform(raw)
    out.loc[0, s.LAT] = 5.0
    pd.testing.assert_frame_equal(raw, before)
    assert str(out[s.NIC].dtype) == "Int8"


def test_validate_latitude_out_of_range() -> None:
    df = minimal(**{s.LAT: [91.0, np.nan], s.RECORD: [12, 13]})
    with pytest.raises(InputError, match=r"latitude 91\.0 out of range") as info:
        s.validate(df, path="t.csv")
    assert (info.value.field, info.value.where, info.value.path) == ("lat", "record 12", "t.csv")


def test_validate_longitude_out_of_range() -> None:
    with pytest.raises(InputError, match=r"longitude 200\.0 out of range") as info:
        s.validate(minimal(**{s.LON: [200.0, np.nan]}))
    assert info.value.field == "lon"


def test_validate_half_position() -> None:
    with pytest.raises(InputError, match="both present or both missing"):
        s.validate(minimal(**{s.LON: [np.nan, np.nan]}))


def test_validate_naive_time() -> None:
    df = minimal()
    df[s.TIME] = df[s.TIME].dt.tz_localize(None)
    with pytest.raises(InputError, match="naive") as info:
        s.validate(df)
    assert info.value.field == "time"


def test_validate_other_zone() -> None:
    df = minimal()
    df[s.TIME] = df[s.TIME].dt.tz_convert("Asia/Baku")
    with pytest.raises(InputError, match="time zone is Asia/Baku, expected UTC"):
        s.validate(df)


def test_validate_missing_time_and_column_and_dtype() -> None:
    df = minimal()
    df.loc[1, s.TIME] = pd.NaT
    with pytest.raises(InputError, match="NaT") as info:
        s.validate(df)
    assert info.value.where == "record 2"
    with pytest.raises(InputError, match="column missing") as info:
        s.validate(minimal().drop(columns=[s.NAC_P]))
    assert info.value.field == "nac_p"
    with pytest.raises(InputError, match="dtype is float64, expected Int8"):
        s.validate(minimal().astype({s.NIC: "float64"}))


def test_empty_flags_frame() -> None:
    flags = s.empty_flags()
    assert tuple(flags.columns) == s.FLAG_COLUMNS
    assert len(flags) == 0
    assert set(s.FLAG_CODES) >= {"bad_value", "out_of_range", "bad_time", "duplicate"}


def test_position_time_and_pos_gap_before_default_to_na() -> None:
    df = minimal()
    assert str(df[s.POSITION_TIME].dtype) == "datetime64[ns, UTC]"
    assert df[s.POSITION_TIME].isna().all() and df[s.POS_GAP_BEFORE].isna().all()


def test_validate_naive_position_time() -> None:
    df = minimal()
    df[s.POSITION_TIME] = df[s.TIME].dt.tz_localize(None)
    with pytest.raises(InputError, match="naive") as info:
        s.validate(df)
    assert info.value.field == "position_time"


def test_position_times_fill_with_report_time() -> None:
    # Positions measured 1.5 s and (unknown) before reports at 0 and 60 s.
    df = minimal(**{s.POSITION_TIME: pd.to_datetime([-1.5, None], unit="s", utc=True)})
    out = s.position_times(df)
    assert out.tolist() == [
        pd.Timestamp("1969-12-31T23:59:58.5", tz="UTC"),
        pd.Timestamp("1970-01-01T00:01:00", tz="UTC"),
    ]
    assert str(out.dtype) == "datetime64[ns, UTC]"
    assert s.position_times(df.drop(columns=[s.POSITION_TIME])).tolist() == df[s.TIME].tolist()


def test_conform_turns_categorical_text_into_str() -> None:
    # Readers hand text columns over as Categoricals; the track holds text (NA kept).
    icao = pd.Series(pd.Categorical(["abc123", None], categories=["zzz999", "abc123"]))
    df = minimal(**{s.ICAO24: icao})
    assert str(df[s.ICAO24].dtype) == "str"
    assert df[s.ICAO24].iloc[0] == "abc123" and pd.isna(df[s.ICAO24].iloc[1])
    s.validate(df)
