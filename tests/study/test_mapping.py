"""Import by mapping: raw exports of the small fixture study (wide CSV, SPSS, a QDA project)
imported back equal the fixture's tables; every kind of bad mapping or raw file is refused
with the TOML key or the raw file's row and column, and nothing is written."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from study_fixture import SERVICES, make_tables, write_tables

import youthtransitions as yt
from youthtransitions.errors import StudyDataError, UsageError
from youthtransitions.study.mapping import import_study, read_mapping

EXAMPLES = str(Path(__file__).resolve().parents[2] / "docs" / "examples")
if EXAMPLES not in sys.path:  # the example maker's codebook rewriting
    sys.path.insert(0, EXAMPLES)
from make_raw_examples import flatten_codebook  # noqa: E402

GENDER_CODES = {"female": "F", "male": "M", "another": "X"}
SCALES_TOML = """
[scales.define.relationship_quality]
table = "waves"
items = "rq_01..rq_03"
reverse = ["rq_03"]
min = 1
max = 5
[scales.define.resilience]
table = "waves"
items = ["res_01", "res_02"]
min = 1
max = 5
[scales.define.contextual_risk]
table = "waves"
items = "crisk_01..crisk_02"
min = 1
max = 5
[scales.define.individual_risk]
table = "waves"
items = "irisk_01..irisk_02"
min = 1
max = 5
[scales.define.wellbeing]
table = "waves"
items = "wb_01..wb_05"
reverse = ["wb_02"]
min = 1
max = 5
[scales.define.pmk_relationship]
table = "pmk"
items = "prq_01..prq_02"
min = 1
max = 4
[scales.define.pmk_functioning]
table = "pmk"
items = "pfn_01..pfn_02"
reverse = ["pfn_02"]
min = 1
max = 4
"""


def _stem(item: str) -> str:
    prefix, number = item.rsplit("_", 1)
    return f"{prefix.upper()}{number}"


def write_wide(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """youth and waves as one wide CSV: ``Q_<ITEM>_W<wave>`` columns, dates as dd/mm/yyyy,
    gender as letters, an extra column no table uses."""
    youth, waves = tables["youth"], tables["waves"]
    wide = {"Youth ID": youth["youth_id"],
            **{s.upper(): youth[s].astype(int) for s in SERVICES},
            "Gender": youth["gender"].map(GENDER_CODES), "Ethnicity": youth["ethnicity"],
            "Age": youth["age_w1"], "PMK": youth["pmk_nominated"],
            "Qual": youth["qual_subsample"], "Interviewer notes": "none"}
    items = [c for c in waves.columns if c not in ("youth_id", "wave", "interview_date")]
    for wave in (1, 2, 3):
        rows = waves[waves["wave"] == wave].set_index("youth_id").reindex(youth["youth_id"])
        wide[f"Q_DATE_W{wave}"] = pd.to_datetime(rows["interview_date"]).dt.strftime(
            "%d/%m/%Y").to_numpy()
        for item in items:
            wide[f"Q_{_stem(item)}_W{wave}"] = rows[item].astype("Int64").to_numpy()
    pd.DataFrame(wide).to_csv(path, index=False)


def _patterns() -> str:
    pairs = ", ".join(f'"{p.upper()}(\\\\d+)" = "{p}_\\\\1"'
                      for p in ("rq", "res", "crisk", "irisk", "wb"))
    return f"rename_patterns = {{ {pairs} }}"


def mapping_text() -> str:
    return f"""
[youth]
file = "youth_wide.csv"
rename = {{ "Youth ID" = "youth_id", SVC_WELFARE = "svc_welfare", SVC_JUSTICE = "svc_justice", SVC_MENTAL_HEALTH = "svc_mental_health", SVC_ALT_EDUCATION = "svc_alt_education", Gender = "gender", Ethnicity = "ethnicity", Age = "age_w1", PMK = "pmk_nominated", Qual = "qual_subsample" }}
values.gender = {{ F = "female", M = "male", X = "another" }}
[waves]
file = "youth_wide.csv"
wide = "Q_{{name}}_W{{wave}}"
rename = {{ "Youth ID" = "youth_id", DATE = "interview_date" }}
{_patterns()}
dates = {{ interview_date = "%d/%m/%Y" }}

[pmk]
file = "pmk.csv"

[scales]
{SCALES_TOML}
"""


@pytest.fixture
def raw(tmp_path):
    """The fixture study as raw exports, a mapping beside them; returns (mapping, tables)."""
    tables = make_tables()
    folder = tmp_path / "raw"
    folder.mkdir()
    write_wide(tables, folder / "youth_wide.csv")
    tables["pmk"].to_csv(folder / "pmk.csv", index=False)
    (folder / "mapping.toml").write_text(mapping_text())
    return folder / "mapping.toml", tables


def expected(tables: dict[str, pd.DataFrame], tmp_path: Path, names=("youth", "waves", "pmk",
                                                                      "scales")) -> yt.Study:
    folder = write_tables(tmp_path / "expected", {n: tables[n] for n in names}, "csv")
    return yt.load_study(folder)


def test_wide_csv_imports_equal_to_the_study(raw, tmp_path):
    mapping, tables = raw
    result = import_study(mapping)
    want = expected(tables, tmp_path)
    for name in ("youth", "pmk", "scales"):
        pd.testing.assert_frame_equal(getattr(result.study, name), getattr(want, name))
    waves = want.waves.assign(interview_date=want.waves["interview_date"].astype(
        "datetime64[ms]"))  # the import's one date unit
    pd.testing.assert_frame_equal(result.study.waves, waves)
    assert result.report.msu == "derived"
    assert result.report.left_out["youth_wide.csv"] == ["Interviewer notes"]
    assert result.report.tables["waves"].columns["rq_01"] == "Q_RQ01_W1"
    assert result.report.tables["waves"].dated == ["interview_date"]
    assert result.report.tables["youth"].mapped == ["gender"]
    assert result.path is None and not result.study.synthetic


def test_written_folder_loads_as_the_study(raw, tmp_path):
    mapping, tables = raw
    result = import_study(mapping, tmp_path / "out")
    loaded = yt.load_study(tmp_path / "out")
    pd.testing.assert_frame_equal(loaded.youth, result.study.youth)
    pd.testing.assert_frame_equal(loaded.waves, result.study.waves)
    assert not loaded.synthetic and result.path == tmp_path / "out"


def test_msu_in_export_is_checked(raw):
    mapping, tables = raw
    frame = pd.read_csv(mapping.parent / "youth_wide.csv", dtype=str)
    frame["MSU"] = ["1"] * len(frame)  # wrong for youth with fewer than two services
    frame.to_csv(mapping.parent / "youth_wide.csv", index=False)
    mapping.write_text(mapping.read_text().replace('Qual = "qual_subsample"',
                                                   'Qual = "qual_subsample", MSU = "msu"'))
    with pytest.raises(StudyDataError) as info:
        import_study(mapping)
    wrong = [p for p in info.value.problems if p.column == "MSU"]
    n_wrong = int((tables["youth"][SERVICES].sum(axis=1) < 2).sum())
    assert len(wrong) == n_wrong and all(p.table == "youth (youth_wide.csv)" for p in wrong)


def test_problem_names_raw_file_row_and_column_and_nothing_is_written(raw, tmp_path):
    mapping, _ = raw
    frame = pd.read_csv(mapping.parent / "youth_wide.csv", dtype=str)
    frame.loc[3, "Q_RQ02_W3"] = "7"  # row 4 of the file, youth Y04 at wave 3
    frame.to_csv(mapping.parent / "youth_wide.csv", index=False)
    out = tmp_path / "out"
    with pytest.raises(StudyDataError, match="nothing was written") as info:
        import_study(mapping, out)
    (problem,) = info.value.problems
    assert (problem.table, problem.row, problem.column, problem.value) == (
        "waves (youth_wide.csv)", 4, "Q_RQ02_W3", 7)
    assert not out.exists()


def test_bad_date_is_named_at_its_raw_cell(raw):
    mapping, _ = raw
    frame = pd.read_csv(mapping.parent / "youth_wide.csv", dtype=str)
    frame.loc[1, "Q_DATE_W2"] = "2019-03-02"  # not the mapping's dd/mm/yyyy
    frame.to_csv(mapping.parent / "youth_wide.csv", index=False)
    with pytest.raises(StudyDataError) as info:
        import_study(mapping)
    problems = [p for p in info.value.problems if p.column == "Q_DATE_W2"]
    assert [(p.row, p.value) for p in problems] == [(2, "2019-03-02")]


def test_spss_value_labels_are_used_by_default(tmp_path):
    tables = make_tables()
    folder = write_tables(tmp_path / "raw", tables, "sav")  # codes with labels "Female"..
    text = ('[youth]\nfile = "youth.sav"\n[waves]\nfile = "waves.sav"\n'
            '[pmk]\nfile = "pmk.sav"\n[scales]\nfile = "scales.sav"\n')
    (folder / "m.toml").write_text(text)
    result = import_study(folder / "m.toml")
    assert result.report.msu == "checked"
    assert set(result.report.tables["youth"].labelled) >= {"gender", "msu", *SERVICES}
    want = yt.load_study(folder)
    pd.testing.assert_frame_equal(result.study.youth, want.youth)
    (folder / "m.toml").write_text(text.replace('file = "youth.sav"',
                                                'file = "youth.sav"\nvalue_labels = false'))
    with pytest.raises(StudyDataError) as info:  # codes 1, 2, 3 are no gender
        import_study(folder / "m.toml")
    assert any(p.column == "gender" and p.value == 1.0 for p in info.value.problems)


@pytest.mark.parametrize("edit, key", [
    (('[pmk]\nfile = "pmk.csv"', '[pmk]\nfile = "pmk.csv"\nrenmae = {}'), "[pmk] unknown key"),
    (('file = "pmk.csv"', 'file = "missing.csv"'), "[pmk.file] 'missing.csv' does not exist"),
    (('file = "pmk.csv"', 'file = "pmk.docx"'), "[pmk.file] 'pmk.docx': unknown type"),
    (('wide = "Q_{name}_W{wave}"', 'wide = "Q_{name}"'), "[waves.wide] pattern"),
    (('items = "rq_01..rq_03"', 'items = "rq_03..rq_01"'),
     "[scales.define.relationship_quality.items] range"),
    (('reverse = ["rq_03"]', 'reverse = ["rq_09"]'),
     "[scales.define.relationship_quality.reverse] 'rq_09'"),
    (('table = "pmk"', 'table = "codes"'), "[scales.define.pmk_relationship.table]"),
    (("[pmk]", "[pmkk]"), "[pmkk] unknown section"),
    (('dates = { interview_date = "%d/%m/%Y" }', 'dates = { date = "%d/%m/%Y" }'),
     "[waves.dates.date] 'date' is not a column"),
])
def test_bad_mapping_names_the_toml_key(raw, edit, key):
    mapping, _ = raw
    text = mapping.read_text()
    assert edit[0] in text
    mapping.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(UsageError) as info:
        import_study(mapping)
    assert key in str(info.value)


def test_not_toml_is_a_usage_error(tmp_path):
    (tmp_path / "m.toml").write_text("[youth\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        read_mapping(tmp_path / "m.toml")
    with pytest.raises(UsageError, match="does not exist"):
        read_mapping(tmp_path / "nope.toml")


def test_two_raw_columns_for_one_contract_column_are_refused(raw):
    mapping, _ = raw
    mapping.write_text(mapping.read_text().replace('Age = "age_w1"',
                                                   'Age = "age_w1", "Interviewer notes" = "age_w1"', 1))
    with pytest.raises(UsageError, match="both become 'age_w1'"):
        import_study(mapping)


# --------------------------------------------------------------------------- codebook

OWN_NAMES = {("power", "care", 2): "Being there for me", ("power", "care", 1): "Care",
             ("recognition", "recognition", 2): "Seen", ("mutuality", "friend_like", 0):
             "Distant", ("responsiveness", "responsiveness", 1): "Slow",
             ("counterfactual",): "Missed chance", ("actor", "social_worker"): "SW",
             ("actor", "youth_worker"): "YW", ("actor", "justice"): "Justice"}


def write_project(codes: pd.DataFrame, path: Path, names: dict[tuple, str] | None) -> None:
    """A REFI-QDA project of ``codes``; with ``names``, a flat codebook of those own names
    (an ATLAS.ti-style export that follows no path convention), plus an unused memo code."""
    yt.write_qdpx(path, codes=codes)
    if names is not None:
        flatten_codebook(path, names, ("Memo",))


CODEBOOK = """
[codebook]
"Being there for me" = { mechanism = "power", dimension = "care", level = 2 }
"Care" = { mechanism = "Power", dimension = "Care", level = 1 }
"Seen" = { mechanism = "recognition", dimension = "recognition", level = 2 }
"Distant" = { mechanism = "mutuality", dimension = "friend-like", level = 0 }
"Slow" = { mechanism = "responsiveness", dimension = "responsiveness", level = 1 }
"Missed chance" = { counterfactual = true }
"SW" = { actor = "social_worker" }
"YW" = { actor = "Youth worker" }
"Justice" = { actor = "justice" }
"""


@pytest.fixture
def with_codes(raw):
    mapping, tables = raw
    write_project(tables["codes"], mapping.parent / "codes.qdpx", OWN_NAMES)
    mapping.write_text(mapping.read_text() + '\n[codes]\nfile = "codes.qdpx"\n' + CODEBOOK)
    return mapping, tables


def _sorted(codes: pd.DataFrame) -> pd.DataFrame:
    return codes.sort_values(["segment_id", "coder"]).reset_index(drop=True)


def test_codebook_maps_own_code_names(with_codes, tmp_path):
    mapping, tables = with_codes
    result = import_study(mapping)
    want = expected(tables, tmp_path, ("youth", "waves", "pmk", "scales", "codes"))
    # a QDA project orders segments by source document; the rows are the same
    pd.testing.assert_frame_equal(_sorted(result.study.codes), _sorted(want.codes))
    cb = result.report.codebook
    assert cb.mapped["Being there for me"] == "power/care/2"
    assert cb.mapped["Missed chance"] == "counterfactual instance"
    assert cb.left_out == ["Memo"] and cb.unmatched == []
    assert any("'Memo'" in line for line in result.report.lines())


def test_codebook_that_matches_nothing_refuses_loudly(raw):
    mapping, tables = raw
    write_project(tables["codes"], mapping.parent / "codes.qdpx", OWN_NAMES)
    mapping.write_text(mapping.read_text() + '\n[codes]\nfile = "codes.qdpx"\n')
    with pytest.raises(UsageError, match="matched nothing") as info:
        import_study(mapping)
    assert "'Being there for me'" in str(info.value) and "'Memo'" in str(info.value)


def test_project_in_the_layout_needs_no_codebook(raw, tmp_path):
    mapping, tables = raw
    write_project(tables["codes"], mapping.parent / "codes.qdpx", None)
    mapping.write_text(mapping.read_text() + '\n[codes]\nfile = "codes.qdpx"\n')
    result = import_study(mapping)
    assert "power/care/2" in result.report.codebook.by_layout
    assert "power" in result.report.codebook.grouping  # a folder of codes, listed
    assert len(result.study.codes) == len(tables["codes"])


def test_codebook_entries_that_name_no_code_and_ignored_codes_are_listed(with_codes):
    mapping, _ = with_codes
    mapping.write_text(mapping.read_text() + '"Carer" = { ignore = true }\n'
                       '"Memo" = { ignore = true }\n')
    cb = import_study(mapping).report.codebook
    assert cb.unmatched == ["Carer"] and cb.ignored == ["Memo"] and cb.left_out == []


@pytest.mark.parametrize("entry, message", [
    ('"X" = { mechanism = "power", dimension = "recognition", level = 1 }',
     "not a dimension of power"),
    ('"X" = { mechanism = "power", dimension = "care" }', "missing level"),
    ('"X" = { mechanism = "power", dimension = "care", level = 3 }', "must be one of 0, 1, 2"),
    ('"X" = { actor = "teacher" }', "'teacher' is not one of"),
    ('"X" = { actor = "health", level = 1 }', "an actor code takes no other key"),
    ('"X" = {}', "maps to nothing"),
    ('"X" = { colour = "red" }', "unknown key 'colour'"),
])
def test_bad_codebook_entry_names_the_code(with_codes, entry, message):
    mapping, _ = with_codes
    mapping.write_text(mapping.read_text() + entry + "\n")
    with pytest.raises(UsageError, match=message) as info:
        import_study(mapping)
    assert '[codebook."X"' in str(info.value)


def test_codes_table_from_a_csv_export(raw, tmp_path):
    mapping, tables = raw
    tables["codes"].rename(columns={"segment_id": "Segment"}).to_csv(
        mapping.parent / "codes.csv", index=False)
    mapping.write_text(mapping.read_text() + '\n[codes]\nfile = "codes.csv"\n'
                       'rename = { Segment = "segment_id" }\n')
    result = import_study(mapping)
    want = expected(tables, tmp_path, ("youth", "waves", "pmk", "scales", "codes"))
    pd.testing.assert_frame_equal(result.study.codes, want.codes)
    assert result.report.codebook is None
