"""Reading each format (Parquet, CSV, SPSS, Stata, Excel, REFI-QDA) and unreadable files."""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pandas as pd
import pytest
from study_fixture import make_tables, write_tables

import youthtransitions as yt
from youthtransitions.errors import StudyDataError, UsageError


@pytest.fixture(scope="module")
def csv_study(tmp_path_factory):
    return yt.load_study(write_tables(tmp_path_factory.mktemp("csv") / "s", make_tables()))


def _assert_same_study(a, b):
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False,
                                      check_categorical=True, check_exact=True, obj=name)


@pytest.mark.parametrize("fmt", ["parquet", "sav", "dta"])
def test_each_format_reads_the_same_study(fmt, csv_study, tables, tmp_path):
    """SPSS/Stata value labels (Yes/No, Female, Youth Interview) become contract values."""
    study = yt.load_study(write_tables(tmp_path / "s", tables, fmt))
    _assert_same_study(study, csv_study)


def test_contract_dtypes(csv_study):
    youth, waves, codes = csv_study.youth, csv_study.waves, csv_study.codes
    assert youth["svc_welfare"].dtype == bool and youth["msu"].dtype == bool
    assert list(youth["gender"].cat.categories) == ["female", "male", "another"]
    assert youth["age_w1"].dtype == np.float64
    assert waves["wave"].dtype == np.int64
    assert str(waves["interview_date"].dtype).startswith("datetime64")
    assert str(waves["rq_01"].dtype) == "Int64"
    assert list(codes["mechanism"].cat.categories) == ["power", "recognition",
                                                       "responsiveness", "mutuality"]
    assert waves.index.equals(pd.RangeIndex(len(waves)))


def test_msu_derived_when_absent(tables, tmp_path):
    expected = tables["youth"]["msu"].tolist()
    tables["youth"] = tables["youth"].drop(columns="msu")
    study = yt.load_study(write_tables(tmp_path / "s", tables, "csv"))
    assert study.youth["msu"].tolist() == expected


@pytest.mark.parametrize("true,false", [("yes", "no"), ("YES", "No"), ("TRUE", "false"),
                                        ("1", "0"), ("True", "FALSE")])
def test_boolean_spellings(true, false, tables, tmp_path):
    youth = tables["youth"]
    youth["pmk_nominated"] = youth["pmk_nominated"].map({True: true, False: false})
    study = yt.load_study(write_tables(tmp_path / "s", tables, "csv"))
    assert study.youth["pmk_nominated"].tolist() == [True, False, True, True, False, False,
                                                     True, False]


def test_category_labels_normalised(tables, tmp_path):
    tables["youth"]["ethnicity"] = tables["youth"]["ethnicity"].replace(
        {"maori": "Māori", "pakeha": "Pākehā"})
    tables["codes"]["dimension"] = tables["codes"]["dimension"].replace(
        {"friend_like": "Friend-like"})
    study = yt.load_study(write_tables(tmp_path / "s", tables, "csv"))
    assert study.youth["ethnicity"].tolist()[:2] == ["maori", "pakeha"]
    assert "friend_like" in study.codes["dimension"].tolist()


def test_spss_user_missing_becomes_missing(tables, tmp_path):
    import pyreadstat

    folder = write_tables(tmp_path / "s", tables, "sav")
    waves = tables["waves"].copy()
    waves.loc[0, "rq_01"] = 9  # declared user-missing below; outside 1..5 otherwise
    pyreadstat.write_sav(waves, str(folder / "waves.sav"), missing_ranges={"rq_01": [9]})
    study = yt.load_study(folder)
    assert pd.isna(study.waves.loc[0, "rq_01"])
    assert study.waves.loc[1, "rq_01"] == tables["waves"].loc[1, "rq_01"]


def test_spss_labels_without_match_are_reported(tables, tmp_path):
    import pyreadstat

    folder = write_tables(tmp_path / "s", tables, "sav")
    youth = tables["youth"].copy()
    youth["gender"] = youth["gender"].map({"female": 1, "male": 2, "another": 3}).astype(float)
    youth.loc[0, "gender"] = 7
    for col in youth.columns:
        if youth[col].dtype == bool:
            youth[col] = youth[col].astype(float)
    pyreadstat.write_sav(youth, str(folder / "youth.sav"), variable_value_labels={
        "gender": {1: "Female", 2: "Male", 3: "Another gender"}})
    problems = yt.validate_study(folder)
    assert [(p.table, p.row, p.column) for p in problems] == [("youth", 1, "gender"),
                                                              ("youth", 3, "gender")]


def test_excel_codes(tables, tmp_path):
    codes = tables.pop("codes")
    folder = write_tables(tmp_path / "s", tables, "csv")
    codes.to_excel(folder / "codes.xlsx", index=False)
    study = yt.load_study(folder)
    assert study.metadata["files"]["codes"] == "codes.xlsx"
    assert study.codes["segment_id"].tolist() == codes["segment_id"].tolist()


def test_qdpx_codes_use_qual_reader(tables, tmp_path, monkeypatch):
    """codes.qdpx goes through study.refi_qda.read_qdpx; unmapped items are kept as notes."""
    codes = tables.pop("codes")
    folder = write_tables(tmp_path / "s", tables, "csv")
    (folder / "codes.qdpx").write_bytes(b"PK fake project")
    seen = []

    def read_qdpx(path):
        seen.append(path.name)
        return codes.copy(), ["code 'memo/feelings' on selection 12 has no mechanism"]

    fake = types.ModuleType("youthtransitions.study.refi_qda.read")
    fake.read_qdpx = read_qdpx
    monkeypatch.setitem(sys.modules, "youthtransitions.study.refi_qda.read", fake)
    with pytest.warns(UserWarning, match="could not be mapped"):
        study = yt.load_study(folder)
    assert seen == ["codes.qdpx"]
    assert len(study.codes) == len(codes)
    assert study.metadata["codes_unmapped"] == [
        "code 'memo/feelings' on selection 12 has no mechanism"]


def test_qdpx_round_trip(csv_study, tables, tmp_path):
    """codes.qdpx written by yt.write_qdpx loads as the same codes table."""
    del tables["codes"]
    folder = write_tables(tmp_path / "s", tables, "csv")
    yt.write_qdpx(folder / "codes.qdpx", codes=csv_study.codes)
    codes = yt.load_study(folder).codes
    key = ["coder", "segment_id"]
    pd.testing.assert_frame_equal(
        codes.sort_values(key).reset_index(drop=True).drop(columns="excerpt"),
        csv_study.codes.sort_values(key).reset_index(drop=True).drop(columns="excerpt"))


def test_broken_qdpx_is_a_problem(tables, tmp_path):
    del tables["codes"]
    folder = write_tables(tmp_path / "s", tables, "csv")
    (folder / "codes.qdpx").write_bytes(b"not a zip archive at all")
    problems = yt.validate_study(folder)
    assert [p.table for p in problems] == ["codes.qdpx"]
    assert "not a zip archive" in problems[0].rule
    with pytest.raises(StudyDataError):
        yt.load_study(folder)


def test_synthetic_marker(tables, tmp_path):
    folder = write_tables(tmp_path / "s", tables, "parquet", synthetic=True)
    (folder / "truth.json").write_text(json.dumps({"estimands": {"headline_r2": {
        "value": 0.14, "definition": "test"}}}))
    study = yt.load_study(folder)
    assert study.synthetic is True
    assert study.metadata["truth"]["estimands"]["headline_r2"]["value"] == 0.14
    assert study.metadata["seed"] == 1
    (folder / "study.json").unlink()
    assert yt.load_study(folder).synthetic is False


def test_synthetic_needs_every_table_marked(tables, tmp_path):
    folder = write_tables(tmp_path / "s", tables, "parquet", synthetic=True)
    (folder / "codes.parquet").unlink()
    tables["codes"].to_csv(folder / "codes.csv", index=False)
    assert yt.load_study(folder).synthetic is False


def _only_problem(folder):
    problems = yt.validate_study(folder)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("content,words", [
    (b"", "file is empty"),
    (b"\x89\x00\x13binary\x00garbage\xff" * 20, "binary content"),
    (b"youth_id;wave;interview_date\nY01;1;2019-03-01\n", "semicolon-separated"),
    (b"youth_id\twave\tinterview_date\nY01\t1\t2019-03-01\n", "tab-separated"),
    (b"youth_id,wave\n\xe9t\xe9,1\n", "not UTF-8"),
    (b'youth_id,wave,interview_date\n"Y01,1,2019-03-01\n', "cannot be parsed as CSV"),
    (b"   \n\n", "file is empty"),
])
def test_unreadable_csv(content, words, study_dir):
    (study_dir / "waves.csv").write_bytes(content)
    problem = _only_problem(study_dir)
    assert (problem.table, problem.row, problem.value) == ("waves", None, "waves.csv")
    assert words in problem.rule


def test_ragged_csv_rows(study_dir):
    lines = (study_dir / "waves.csv").read_text().splitlines()
    lines[3] += ",extra"
    lines[5] = lines[5].rsplit(",", 2)[0]
    (study_dir / "waves.csv").write_text("\n".join(lines) + "\n")
    problems = [p for p in yt.validate_study(study_dir) if p.table == "waves"]
    assert [(p.row, p.column) for p in problems] == [(3, None), (5, None)]
    assert "cells but the header has 17" in problems[0].rule


def test_csv_rows_numbered_as_in_file(study_dir):
    """Rows count records as a spreadsheet does (blank lines count, a quoted line break
    does not), header excluded."""
    lines = (study_dir / "codes.csv").read_text().splitlines()
    lines[1] = lines[1].replace("She listened.", '"She\nlistened."')
    lines.insert(3, "")
    lines[4] = lines[4].replace(",2,confirmatory", ",7,confirmatory")  # S2: 4th record
    (study_dir / "codes.csv").write_text("\n".join(lines) + "\n")
    problems = yt.validate_study(study_dir)
    assert [(p.table, p.row, p.column, p.value) for p in problems] == [
        ("codes", 4, "level", 7)]


def test_truncated_parquet(tables, tmp_path):
    folder = write_tables(tmp_path / "s", tables, "parquet")
    data = (folder / "waves.parquet").read_bytes()
    (folder / "waves.parquet").write_bytes(data[: len(data) // 2])
    problem = _only_problem(folder)
    assert (problem.table, problem.value) == ("waves", "waves.parquet")
    assert "not a readable Parquet file" in problem.rule


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_garbage_stat_file(fmt, study_dir):
    (study_dir / "youth.csv").unlink()
    (study_dir / f"youth.{fmt}").write_bytes(b"this is not a statistics file" * 10)
    problem = _only_problem(study_dir)
    assert problem.table == "youth" and problem.value == f"youth.{fmt}"
    assert "not a readable" in problem.rule


def test_two_files_for_one_table(study_dir, tables):
    tables["youth"].to_parquet(study_dir / "youth.parquet")
    problem = _only_problem(study_dir)
    assert problem.table == "youth" and "exactly one file per table" in problem.rule
    assert problem.value == "youth.csv, youth.parquet"


def test_bad_study_json(study_dir):
    (study_dir / "study.json").write_text("{not json")
    with pytest.raises(StudyDataError, match="study.json"):
        yt.load_study(study_dir)


@pytest.mark.parametrize("name", ["study.json", "truth.json"])
@pytest.mark.parametrize("content,words", [
    ("{not json", "not valid JSON"),
    ("[1]", "must hold a JSON object, not a JSON list"),
    ('"text"', "must hold a JSON object, not a JSON str"),
])
def test_bad_json_file_is_one_problem_for_both_entry_points(study_dir, name, content, words):
    """validate_study and load_study (also validate=False) report the same JSON problem."""
    (study_dir / name).write_text(content)
    problem = _only_problem(study_dir)
    assert problem.table == name and words in problem.rule
    for validate in (True, False):
        with pytest.raises(StudyDataError) as exc:
            yt.load_study(study_dir, validate=validate)
        assert exc.value.problems == [problem]


@pytest.mark.parametrize("marker,words", [
    (b"[1]", "must hold a JSON object, not a JSON list"),
    (b"{oops", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
])
def test_parquet_marker_must_be_a_json_object(tables, tmp_path, marker, words):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_tables(tmp_path / "s", tables, "parquet")
    arrow = pa.Table.from_pandas(tables["youth"], preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"youthtransitions"] = marker
    pq.write_table(arrow.replace_schema_metadata(meta), folder / "youth.parquet")
    problem = _only_problem(folder)
    assert problem.table == "youth" and problem.value == "youth.parquet"
    assert problem.rule.startswith("Parquet metadata 'youthtransitions'") and words in problem.rule
    with pytest.raises(StudyDataError, match="youthtransitions"):
        yt.load_study(folder)


def test_not_a_folder(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        yt.load_study(tmp_path / "nowhere")
    (tmp_path / "file.csv").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        yt.validate_study(tmp_path / "file.csv")


def test_load_without_validation_returns_what_could_be_read(tables, tmp_path):
    tables["youth"].loc[2, "age_w1"] = 40.0
    tables["youth"]["svc_welfare"] = tables["youth"]["svc_welfare"].astype(object)
    tables["youth"].loc[0, "svc_welfare"] = "perhaps"
    study = yt.load_study(write_tables(tmp_path / "s", tables, "csv"), validate=False)
    assert study.youth.loc[2, "age_w1"] == 40.0
    assert pd.isna(study.youth.loc[0, "svc_welfare"]) and pd.isna(study.youth.loc[0, "msu"])
    assert len(study.analysis_frame()) == len(study.waves)


def test_load_without_validation_still_needs_the_structure(tables, tmp_path):
    tables["waves"] = tables["waves"].drop(columns="wave")
    with pytest.raises(StudyDataError, match="column wave: required column is missing"):
        yt.load_study(write_tables(tmp_path / "s", tables, "csv"), validate=False)
