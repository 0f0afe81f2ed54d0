"""read_codes (CSV, Parquet, Excel, REFI-QDA), write_qdpx round trip, and ``yt codes``."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.cli import main
from youthtransitions.errors import StudyDataError, UsageError
from youthtransitions.qual import read_codes, write_qdpx
from youthtransitions.study.contract import CODE_COLUMNS

DATA = Path(__file__).resolve().parent / "data"


def _sorted(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain tuples (missing as None, numbers as int), sorted by segment and coder."""
    def plain(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return int(v) if isinstance(v, (int, np.integer)) else str(v)
    return sorted(tuple(plain(v) for v in row)
                  for row in frame[CODE_COLUMNS].itertuples(index=False))


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_tables_read_and_normalise(small_codes, tmp_path, suffix):
    path = tmp_path / f"codes{suffix}"
    raw = small_codes.assign(mechanism=small_codes["mechanism"].str.upper())  # case-insensitive
    {".csv": raw.to_csv, ".parquet": raw.to_parquet, ".xlsx": raw.to_excel}[suffix](
        path, index=False)
    got = read_codes(path)
    assert got.unmapped == []
    assert _sorted(got.codes) == _sorted(small_codes)
    assert got.codes["wave"].dtype == np.int64 and got.codes["level"].dtype == np.int64


def test_contract_problems_are_all_listed(small_codes, tmp_path):
    bad = small_codes.copy()
    bad.loc[0, "dimension"] = "recognition"   # not a power dimension
    bad.loc[1, "level"] = 3
    bad.loc[2, "source"] = "diary"
    bad.loc[3, "wave"] = 4
    bad.loc[4, "segment_id"] = "s 4"
    bad.loc[5, "segment_id"] = "s2"           # s2 coded twice by ... bob? no: ann has s2
    bad.loc[5, "coder"] = "ann"
    path = tmp_path / "codes.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(StudyDataError) as err:
        read_codes(path)
    problems = {(p.row, p.column) for p in err.value.problems}
    assert problems == {(1, "dimension"), (2, "level"), (3, "source"), (4, "wave"),
                        (5, "segment_id"), (6, "segment_id")}
    assert "codes.csv" in str(err.value)


def test_missing_column_and_bad_suffix(small_codes, tmp_path):
    path = tmp_path / "codes.csv"
    small_codes.drop(columns=["coder"]).to_csv(path, index=False)
    with pytest.raises(StudyDataError, match="column coder: required column is missing"):
        read_codes(path)
    with pytest.raises(UsageError, match="unknown type .*use one of .csv"):
        read_codes(tmp_path / "codes.docx")
    with pytest.raises(UsageError, match="does not exist"):
        read_codes(tmp_path / "none.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not excel")
    with pytest.raises(StudyDataError, match="cannot read codes"):
        read_codes(broken)


def test_qdpx_round_trip(small_codes, tmp_path):
    variables = pd.DataFrame({"youth_id": ["Y1", "Y2", "Y3"], "n_active": [2, 1, 0],
                              "rq": [3.5, np.nan, 2.25], "synergy": [True, False, False],
                              "quadrant": ["enabling", "trap", "absent"]})
    path = write_qdpx(tmp_path / "out.qdpx", codes=small_codes, case_variables=variables)
    got = read_codes(path)
    assert got.unmapped == []
    assert _sorted(got.codes) == _sorted(small_codes)
    cv = got.case_variables.sort_index()
    assert cv.loc["Y1"].to_dict() == {"n_active": 2, "rq": 3.5, "synergy": True,
                                      "quadrant": "enabling"}
    assert np.isnan(cv.loc["Y2", "rq"])            # missing values are left out
    assert cv.loc["Y3", "quadrant"] == "absent"    # a case with variables but no codes
    with zipfile.ZipFile(path) as zf:
        assert "project.qde" in zf.namelist()
        assert sum(n.startswith("sources/") for n in zf.namelist()) == 5  # youth x source x wave
    # deterministic: the same input writes the same bytes
    again = write_qdpx(tmp_path / "again.qdpx", codes=small_codes, case_variables=variables)
    assert again.read_bytes() == path.read_bytes()


def test_round_trip_of_many_codes(double_coded, tmp_path):
    path = write_qdpx(tmp_path / "many.qdpx", codes=double_coded)
    got = read_codes(path)
    assert _sorted(got.codes) == _sorted(double_coded)
    assert len(got.codes) == len(double_coded)


def test_text_xml_cannot_carry_is_dropped(small_codes, tmp_path):
    variables = pd.DataFrame({"youth_id": ["Y1"], "note": ["bell\x07 and tab\tkept"]})
    codes = small_codes.assign(coder=small_codes["coder"].replace({"ann": "ann\x01"}))
    got = read_codes(write_qdpx(tmp_path / "x.qdpx", codes=codes, case_variables=variables))
    assert got.case_variables.loc["Y1", "note"] == "bell and tab\tkept"
    assert sorted(got.codes["coder"].unique()) == ["ann", "bob"]


def test_write_qdpx_errors(small_codes, tmp_path):
    with pytest.raises(UsageError, match="more than one row"):
        write_qdpx(tmp_path / "x.qdpx", codes=small_codes,
                   case_variables=pd.DataFrame({"youth_id": ["Y1", "Y1"], "v": [1, 2]}))
    with pytest.raises(UsageError, match="expected a codes DataFrame"):
        write_qdpx(tmp_path / "x.qdpx", codes=[1, 2])
    assert not (tmp_path / "x.qdpx").exists()


def test_summary_lists_unmapped():
    got = read_codes(DATA / "handmade.qde")
    s = got.summary_dict()
    assert s["segments"] == 6 and s["youth"] == 2
    assert s["by_mechanism"] == {"power": 3, "recognition": 2, "responsiveness": 0,
                                 "mutuality": 1}
    assert len(s["unmapped"]) == 9
    text = got.summary()
    assert "Not mapped:" in text and "field notes" in text
    frame = got.to_frame()
    assert frame.loc[(frame["mechanism"] == "power") & (frame["dimension"] == "care"),
                     "codings"].item() == 2


def test_cli_codes(capsys, small_codes, tmp_path):
    path = tmp_path / "codes.csv"
    small_codes.to_csv(path, index=False)
    # a loose file carries no synthetic marker: the exact counts need the rules off
    assert main(["codes", str(path), "--json", "--no-output-rules"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out.pop("output_rules").startswith("Output rules turned off")
    assert out == {"segments": 5, "youth": 2, "coders": ["ann", "bob"],
                   "by_mechanism": {"power": 3, "recognition": 1, "responsiveness": 0,
                                    "mutuality": 1}, "unmapped": []}
    assert main(["codes", str(DATA / "handmade.qde"), "--no-output-rules"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"unmapped items:\s+9\n", text)
    assert re.search(r"segments by mechanism:\s+power 3, recognition 2, responsiveness 0, "
                     r"mutuality 1\n", text)
    assert "Not mapped:" in text and "field notes" in text
    assert main(["codes", str(DATA / "xxe.qde")]) == 2
    assert "DTD or entities" in capsys.readouterr().err


def test_semicolon_csv_gets_one_clear_problem(small_codes, tmp_path):
    path = tmp_path / "codes.csv"
    small_codes.to_csv(path, index=False, sep=";")
    with pytest.raises(StudyDataError, match="semicolon-separated") as err:
        read_codes(path)
    assert len(err.value.problems) == 1
    assert "required column is missing" not in str(err.value)
