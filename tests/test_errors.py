"""Errors name table, row, column, value and rule."""

from youthtransitions.errors import Problem, StudyDataError


def test_problem_text_names_everything():
    p = Problem("waves", 12, "wave", 4, "must be 1, 2 or 3")
    assert str(p) == "table waves, row 12, column wave, value 4: must be 1, 2 or 3"
    assert p.to_dict()["row"] == 12


def test_study_data_error_lists_all_problems():
    problems = [Problem("youth", i, "age_w1", 99, "must lie in 10 to 25") for i in (1, 2)]
    err = StudyDataError(problems)
    assert "2 rules" in str(err) and str(err).count("age_w1") == 2
    assert err.problems == problems
