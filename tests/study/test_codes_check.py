"""The codes table checked once, by the contract: a loose codes file or frame is refused
exactly as validate_study refuses the same codes in a folder; a Study's codes are not checked
again; file formats are looked up in one table."""

from __future__ import annotations

import pandas as pd
import pytest
from study_fixture import write_tables
from test_rules import CASES

import youthtransitions as yt
from youthtransitions.errors import StudyDataError, UsageError
from youthtransitions.study import codes as codes_module
from youthtransitions.study.codes import as_codes, check_codes, read_codes
from youthtransitions.study.contract import CODE_COLUMNS
from youthtransitions.study.formats import FILE_FORMATS, file_format

#: rules of the codes table that need no other table
CODES_ONLY = ["codes source category", "codes mechanism dimension", "codes mechanism category",
              "codes level", "codes wave", "codes instance", "codes actor",
              "codes segment unique per coder", "codes coder missing"]


def _key(p):
    return (p.table, p.row, p.column, p.value, p.rule)


@pytest.mark.parametrize("case", CODES_ONLY)
def test_loose_codes_are_refused_as_validate_refuses_them(case, tables, tmp_path):
    mutate, (table, row, column), words = CASES[case]
    mutate(tables)
    folder = write_tables(tmp_path / "s", tables, "csv")
    in_folder = [_key(p) for p in yt.validate_study(folder) if p.table == "codes"]
    assert any(k[1:3] == (row, column) and words in k[4] for k in in_folder)
    with pytest.raises(StudyDataError) as err:
        read_codes(folder / "codes.csv")
    assert [_key(p) for p in err.value.problems] == in_folder
    assert "codes.csv" in str(err.value)
    raw = pd.read_csv(folder / "codes.csv", dtype=str, keep_default_na=False)
    with pytest.raises(StudyDataError) as err:
        check_codes(raw)
    assert [k[:3] + k[4:] for k in map(_key, err.value.problems)] == \
        [k[:3] + k[4:] for k in in_folder]


def test_valid_codes_in_working_form(tables):
    out = check_codes(tables["codes"].assign(mechanism=tables["codes"]["mechanism"].str.upper()))
    assert list(out.columns) == CODE_COLUMNS
    assert out["wave"].dtype == "int64" and out["level"].dtype == "int64"
    assert out["mechanism"].tolist() == tables["codes"]["mechanism"].tolist()
    bare = check_codes(tables["codes"].drop(columns=["actor", "excerpt"]))
    assert bare["actor"].isna().all() and bare["excerpt"].isna().all()


def test_a_study_holds_checked_codes(study_dir, monkeypatch):
    study = yt.load_study(study_dir)
    calls = []
    monkeypatch.setattr(codes_module, "check_codes", lambda *a, **k: calls.append(1))
    out = as_codes(study)
    assert calls == [] and list(out.columns) == CODE_COLUMNS and len(out) == len(study.codes)
    with pytest.raises(UsageError, match="expected a codes DataFrame"):
        as_codes([1, 2])


def test_one_table_of_file_formats(tmp_path):
    assert file_format("a/b.PQ", ("parquet",), "x") == "parquet"
    assert FILE_FORMATS[".zsav"] == "sav"
    with pytest.raises(UsageError, match=r"data 'b.qdpx': unknown type '.qdpx'; use one of "
                                         r"\.csv, \.txt$"):
        file_format("b.qdpx", ("csv",), "data 'b.qdpx'")
