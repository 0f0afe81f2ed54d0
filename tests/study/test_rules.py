"""Every validation rule of the data contract, broken one at a time in the fixture study.

Each case mutates one cell (or column, or row) of the valid fixture, writes it as CSV and
checks that validation reports exactly that place: table, file row (1-based, header excluded),
column and the rule's words.
"""

from __future__ import annotations

import pandas as pd
import pytest
from study_fixture import write_tables

import youthtransitions as yt
from youthtransitions.errors import StudyDataError


def _set(table, row, column, value):
    def mutate(t):
        frame = t[table]
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
        frame.loc[row - 1, column] = value
    return mutate


def _add_row(name, values):
    def mutate(t):
        t[name] = pd.concat([t[name], pd.DataFrame([values])], ignore_index=True)
    return mutate


def _waves_row(t, youth_id):
    return t["waves"].index[t["waves"]["youth_id"] == youth_id].tolist()


def _dates_not_increasing(equal):
    def mutate(t):
        first, second = _waves_row(t, "Y01")[:2]
        waves = t["waves"]
        waves.loc[second, "interview_date"] = (waves.loc[first, "interview_date"] if equal
                                               else pd.Timestamp("2018-01-01").date())
    return mutate


def _drop_column(table, column):
    def mutate(t):
        t[table] = t[table].drop(columns=column)
    return mutate


def _drop_scale(name):
    def mutate(t):
        t["scales"] = t["scales"][t["scales"]["scale"] != name].reset_index(drop=True)
    return mutate


def _scale_row(**changes):
    base = {"scale": "wellbeing", "table": "waves", "item": "wb_06", "reverse": False,
            "min": 1, "max": 5}
    return {**base, **changes}


# case id -> (mutation, (table, row, column), words that must appear in the rule)
CASES = {
    # youth
    "youth_id pattern": (_set("youth", 8, "youth_id", "Y 08!"), ("youth", 8, "youth_id"),
                         "identifier"),
    "youth_id unique": (_set("youth", 2, "youth_id", "Y01"), ("youth", 2, "youth_id"),
                        "must be unique"),
    "youth_id missing": (_set("youth", 8, "youth_id", ""), ("youth", 8, "youth_id"),
                         "missing value"),
    "gender category": (_set("youth", 3, "gender", "robot"), ("youth", 3, "gender"),
                        "one of female, male, another"),
    "ethnicity category": (_set("youth", 4, "ethnicity", "martian"), ("youth", 4, "ethnicity"),
                           "one of maori"),
    "age below range": (_set("youth", 5, "age_w1", 9.5), ("youth", 5, "age_w1"),
                        "between 10 and 25"),
    "age above range": (_set("youth", 5, "age_w1", 25.5), ("youth", 5, "age_w1"),
                        "between 10 and 25"),
    "age not a number": (_set("youth", 5, "age_w1", "old"), ("youth", 5, "age_w1"),
                         "must be a number"),
    "boolean unreadable": (_set("youth", 6, "pmk_nominated", "maybe"),
                           ("youth", 6, "pmk_nominated"), "true/false, 1/0 or yes/no"),
    "service missing": (_set("youth", 6, "svc_justice", ""), ("youth", 6, "svc_justice"),
                        "missing value"),
    "msu inconsistent": (_set("youth", 2, "msu", True), ("youth", 2, "msu"),
                         "two or more of the four services"),
    "subsample not msu": (_set("youth", 2, "qual_subsample", True),
                          ("youth", 2, "qual_subsample"), "only multiple-service users"),
    "youth column missing": (_drop_column("youth", "gender"), ("youth", None, "gender"),
                             "required column is missing"),
    "youth unknown column": (lambda t: t["youth"].insert(2, "region", "north"),
                             ("youth", None, "region"), "unknown column"),
    # waves
    "wave not 1-3": (_set("waves", 2, "wave", 4), ("waves", 2, "wave"), "one of 1, 2, 3"),
    "wave not whole": (_set("waves", 2, "wave", 1.5), ("waves", 2, "wave"),
                       "whole number"),
    "wave duplicate": (_set("waves", 2, "wave", 1), ("waves", 2, "youth_id"),
                       "(youth_id, wave) must be unique"),
    "waves unknown youth": (_set("waves", 20, "youth_id", "Y99"), ("waves", 20, "youth_id"),
                            "unknown youth"),
    "dates not increasing": (_dates_not_increasing(False), ("waves", 2, "interview_date"),
                             "strictly increasing"),
    "dates equal": (_dates_not_increasing(True), ("waves", 2, "interview_date"),
                    "strictly increasing"),
    "date unreadable": (_set("waves", 3, "interview_date", "yesterday"),
                        ("waves", 3, "interview_date"), "must be a date"),
    "item above range": (_set("waves", 4, "rq_01", 7), ("waves", 4, "rq_01"),
                         "response range 1 to 5"),
    "item below range": (_set("waves", 4, "wb_05", 0), ("waves", 4, "wb_05"),
                         "response range 1 to 5"),
    "item too large": (_set("waves", 4, "rq_02", "99999999999999999999"),
                       ("waves", 4, "rq_02"), "whole number"),
    "date out of range": (_set("waves", 3, "interview_date", "0099-01-01"),
                          ("waves", 3, "interview_date"), "must be a date"),
    "item not whole": (_set("waves", 4, "rq_02", 2.5), ("waves", 4, "rq_02"),
                       "whole number"),
    "waves undeclared column": (lambda t: t["waves"].insert(3, "zz_01", 1),
                                ("waves", None, "zz_01"), "not an item declared in scales"),
    "waves column missing": (_drop_column("waves", "wave"), ("waves", None, "wave"),
                             "required column is missing"),
    # pmk
    "pmk youth without PMK": (_add_row("pmk", {"youth_id": "Y02", "wave": 1, "pmk_role": "parent",
                                               "prq_01": 1, "prq_02": 2, "pfn_01": 3,
                                               "pfn_02": 4}),
                              ("pmk", 9, "youth_id"), "without a nominated PMK"),
    "pmk unknown youth": (_set("pmk", 1, "youth_id", "Y99"), ("pmk", 1, "youth_id"),
                          "unknown youth"),
    "pmk role category": (_set("pmk", 2, "pmk_role", "neighbour"), ("pmk", 2, "pmk_role"),
                          "one of parent"),
    "pmk duplicate": (_set("pmk", 2, "wave", 1), ("pmk", 2, "youth_id"), "must be unique"),
    "pmk item range": (_set("pmk", 3, "pfn_01", 5), ("pmk", 3, "pfn_01"),
                       "response range 1 to 4"),
    # scales
    "scales table category": (_set("scales", 1, "table", "survey"), ("scales", 1, "table"),
                              "one of waves, pmk"),
    "scales item not a column": (_add_row("scales", _scale_row()), ("scales", 19, "item"),
                                 "not a column of the waves table"),
    "scales min not below max": (_set("scales", 2, "min", 5), ("scales", 2, "max"),
                                 "must be less than max"),
    "scales required scale": (_drop_scale("wellbeing"), ("scales", None, "scale"),
                              "required scale is not defined"),
    "scales required pmk scale": (_drop_scale("pmk_functioning"), ("scales", None, "scale"),
                                  "required scale is not defined for table pmk"),
    "scales item name": (_add_row("scales", _scale_row(item="wellbeing6")),
                         ("scales", 19, "item"), "<prefix>_<nn>"),
    "scales scale name": (_set("scales", 1, "scale", "1st scale"), ("scales", 1, "scale"),
                          "start with a letter"),
    "scales duplicate item": (_add_row("scales", _scale_row(item="wb_01")),
                              ("scales", 19, "table"), "must be unique"),
    "scales two tables": (_set("scales", 2, "table", "pmk"), ("scales", 2, "table"),
                          "must be in one table"),
    "scales reverse unreadable": (_set("scales", 3, "reverse", "sometimes"),
                                  ("scales", 3, "reverse"), "true/false"),
    # codes
    "codes outside subsample": (_set("codes", 5, "youth_id", "Y02"), ("codes", 5, "youth_id"),
                                "qualitative subsample"),
    "codes unknown youth": (_set("codes", 5, "youth_id", "Y99"), ("codes", 5, "youth_id"),
                            "unknown youth"),
    "codes pmk interview without PMK": (_set("codes", 5, "source", "pmk_interview"),
                                        ("codes", 5, "source"), "nominated PMK"),
    "codes source category": (_set("codes", 5, "source", "diary"), ("codes", 5, "source"),
                              "one of youth_interview"),
    "codes mechanism dimension": (_set("codes", 3, "dimension", "care"),
                                  ("codes", 3, "dimension"),
                                  "recognition is coded on dimension recognition"),
    "codes mechanism category": (_set("codes", 3, "mechanism", "love"),
                                 ("codes", 3, "mechanism"), "one of power"),
    "codes level": (_set("codes", 4, "level", 3), ("codes", 4, "level"), "one of 0, 1, 2"),
    "codes wave": (_set("codes", 4, "wave", 0), ("codes", 4, "wave"), "one of 1, 2, 3"),
    "codes instance": (_set("codes", 4, "instance", "maybe"), ("codes", 4, "instance"),
                       "confirmatory, counterfactual"),
    "codes actor": (_set("codes", 4, "actor", "teacher"), ("codes", 4, "actor"),
                    "one of social_worker"),
    "codes segment unique per coder": (_set("codes", 2, "coder", "ana"),
                                       ("codes", 2, "segment_id"), "must be unique"),
    "codes coder missing": (_set("codes", 2, "coder", ""), ("codes", 2, "coder"),
                            "missing value"),
}


def test_fixture_is_valid(study_dir):
    assert yt.validate_study(study_dir) == []


@pytest.mark.parametrize("case", list(CASES))
def test_rule(case, tables, tmp_path):
    mutate, (table, row, column), words = CASES[case]
    mutate(tables)
    problems = yt.validate_study(write_tables(tmp_path / "s", tables, "csv"))
    hits = [p for p in problems if (p.table, p.row, p.column) == (table, row, column)
            and words in p.rule]
    assert hits, f"expected {table}/{row}/{column} '{words}', got:\n" + "\n".join(
        map(str, problems))


def test_problem_carries_value(tables, tmp_path):
    _set("youth", 3, "gender", "robot")(tables)
    problems = yt.validate_study(write_tables(tmp_path / "s", tables, "csv"))
    assert [(p.table, p.row, p.column, p.value) for p in problems] == [
        ("youth", 3, "gender", "robot")]


def test_all_problems_together_in_order(tables, tmp_path):
    for name in ("codes level", "age below range", "dates not increasing", "wave not 1-3"):
        CASES[name][0](tables)
    folder = write_tables(tmp_path / "s", tables, "csv")
    problems = yt.validate_study(folder)
    places = [(p.table, p.row, p.column) for p in problems]
    assert places == [("youth", 5, "age_w1"), ("waves", 2, "interview_date"),
                      ("waves", 2, "wave"), ("codes", 4, "level")]
    with pytest.raises(StudyDataError) as info:
        yt.load_study(folder)
    assert info.value.problems == problems
    assert "table youth, row 5, column age_w1, value 9.5" in str(info.value)


def test_pmk_scales_not_required_without_pmk_table(tables, tmp_path):
    del tables["pmk"]
    tables["scales"] = tables["scales"][tables["scales"]["table"] == "waves"]
    assert yt.validate_study(write_tables(tmp_path / "s", tables, "csv")) == []


def test_codes_table_optional(tables, tmp_path):
    del tables["codes"]
    assert yt.validate_study(write_tables(tmp_path / "s", tables, "csv")) == []


def test_missing_required_table(study_dir):
    (study_dir / "scales.csv").unlink()
    problems = yt.validate_study(study_dir)
    assert any(p.table == "scales" and p.row is None and "required table is missing" in p.rule
               for p in problems)


def test_table_without_rows(tables, tmp_path):
    tables["youth"] = tables["youth"].iloc[:0]
    problems = yt.validate_study(write_tables(tmp_path / "s", tables, "csv"))
    assert any((p.table, p.row) == ("youth", None) and p.rule == "table has no rows"
               for p in problems)


def test_row_numbers_follow_the_file_after_blank_cells(tables, tmp_path):
    """Row numbers are file rows even when earlier rows have empty cells."""
    tables["waves"].loc[0, "rq_01"] = None
    _set("waves", 12, "rq_03", 9)(tables)
    problems = yt.validate_study(write_tables(tmp_path / "s", tables, "csv"))
    assert [(p.table, p.row, p.column) for p in problems] == [("waves", 12, "rq_03")]
