"""Scale scoring: reverse keying and the 80% rule against hand-computed closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from study_fixture import write_tables

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.study.scales import score_matrix

nan = np.nan


@pytest.mark.parametrize("row,expected", [
    ([1, 2, 3, 4, 5], 3.0),            # all answered
    ([1, 2, 3, 4, nan], 2.5),          # 4 of 5 = 80%: scored
    ([1, 2, 3, nan, nan], nan),        # 3 of 5 = 60%: missing
    ([nan] * 5, nan),
])
def test_score_matrix_80_percent_rule_five_items(row, expected):
    got = score_matrix(np.array([row], dtype=float))[0]
    assert (np.isnan(got) and np.isnan(expected)) or got == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("k,needed", [(2, 2), (3, 3), (4, 4), (5, 4), (9, 8), (10, 8),
                                      (15, 12)])
def test_score_matrix_threshold_is_ceil_of_80_percent(k, needed):
    """Exactly ``ceil(0.8 k)`` answers are needed (no floating-point edge at 80%)."""
    for answered in range(k + 1):
        row = np.full((1, k), nan)
        row[0, :answered] = 2.0
        scored = not np.isnan(score_matrix(row)[0])
        assert scored == (answered >= needed), (k, answered)


def _study(tables, tmp_path):
    return yt.load_study(write_tables(tmp_path / "s", tables, "csv"))


def test_wave_scores_reverse_keying(tables, tmp_path):
    """relationship_quality = mean(rq_01, rq_02, 6 - rq_03); wellbeing reflects wb_02."""
    waves = tables["waves"]
    waves.loc[0, ["rq_01", "rq_02", "rq_03"]] = [5, 4, 1]
    waves.loc[1, ["rq_01", "rq_02", "rq_03"]] = [2, None, 2]  # 2 of 3 answered: missing
    waves.loc[2, ["wb_01", "wb_02", "wb_03", "wb_04", "wb_05"]] = [1, 2, None, 5, 3]
    scores = _study(tables, tmp_path).wave_scores()
    assert list(scores.columns) == ["youth_id", "wave", "relationship_quality", "resilience",
                                    "contextual_risk", "individual_risk", "wellbeing"]
    assert scores.loc[0, "relationship_quality"] == pytest.approx((5 + 4 + 5) / 3, abs=1e-15)
    assert np.isnan(scores.loc[1, "relationship_quality"])
    assert scores.loc[2, "wellbeing"] == pytest.approx((1 + 4 + 5 + 3) / 4, abs=1e-15)


def test_wave_scores_match_direct_formula(tables, tmp_path):
    study = _study(tables, tmp_path)
    scores = study.wave_scores()
    raw = tables["waves"]
    expected = (raw["wb_01"] + (6 - raw["wb_02"]) + raw["wb_03"] + raw["wb_04"]
                + raw["wb_05"]) / 5
    np.testing.assert_allclose(scores["wellbeing"], expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(scores["resilience"], (raw["res_01"] + raw["res_02"]) / 2,
                               rtol=0, atol=1e-14)
    assert scores[["youth_id", "wave"]].equals(study.waves[["youth_id", "wave"]])


def test_pmk_scores(tables, tmp_path):
    scores = _study(tables, tmp_path).pmk_scores()
    raw = tables["pmk"]
    assert list(scores.columns) == ["youth_id", "wave", "pmk_role", "pmk_relationship",
                                    "pmk_functioning"]
    np.testing.assert_allclose(scores["pmk_functioning"], (raw["pfn_01"] + 5 - raw["pfn_02"]) / 2,
                               rtol=0, atol=1e-14)


def test_score_scales_defaults_to_the_waves_table(tables, tmp_path):
    study = _study(tables, tmp_path)
    pd.testing.assert_frame_equal(yt.score_scales(study), yt.score_scales(study, table="waves"))


def test_scale_items_refuses_empty_cells(tables, tmp_path):
    study = _study(tables, tmp_path)
    broken = study.scales.copy()
    broken.loc[0, "max"] = None
    unvalidated = yt.Study(youth=study.youth, waves=study.waves, scales=broken)
    with pytest.raises(UsageError, match="empty cells in 1 row"):
        yt.score_scales(unvalidated)


def test_pmk_scores_without_pmk_table(tables, tmp_path):
    del tables["pmk"]
    tables["scales"] = tables["scales"][tables["scales"]["table"] == "waves"]
    study = _study(tables, tmp_path)
    assert list(study.pmk_scores().columns) == ["youth_id", "wave", "pmk_role"]
    assert len(study.pmk_scores()) == 0
    with pytest.raises(UsageError, match="no pmk table"):
        yt.score_scales(study, table="pmk")
    with pytest.raises(UsageError, match="'waves' or 'pmk'"):
        yt.score_scales(study, table="youth")


def test_analysis_frame(tables, tmp_path):
    study = _study(tables, tmp_path)
    frame = study.analysis_frame()
    assert list(frame.columns) == [
        "youth_id", "wave", "interview_date", "relationship_quality", "resilience",
        "contextual_risk", "individual_risk", "wellbeing", "msu", "gender", "ethnicity",
        "age_w1", "pmk_nominated", "qual_subsample", "svc_welfare", "svc_justice",
        "svc_mental_health", "svc_alt_education"]
    assert len(frame) == len(study.waves)
    row = frame[(frame["youth_id"] == "Y07") & (frame["wave"] == 3)].iloc[0]
    assert row["msu"] and row["age_w1"] == 16.7 and row["gender"] == "male"
    scores = study.wave_scores().set_index(["youth_id", "wave"])
    assert row["wellbeing"] == scores.loc[("Y07", 3), "wellbeing"]
    assert row["interview_date"] == pd.Timestamp("2021-03-07")
    assert frame["youth_id"].tolist() == sorted(frame["youth_id"])


def test_analysis_frame_derives_msu_for_a_study_built_in_code(tables, tmp_path):
    study = _study(tables, tmp_path)
    bare = yt.Study(youth=study.youth.drop(columns="msu"), waves=study.waves,
                    scales=study.scales)
    pd.testing.assert_frame_equal(bare.analysis_frame(), study.analysis_frame())


def test_reverse_keying_on_ranges_not_starting_at_one(tables, tmp_path):
    """Reflection is ``min + max - x``: on 0..4 an answer of 1 becomes 3, on -2..2 it becomes -1.

    Hand computation, row 0: relationship_quality on 0..4 with rq_03 reversed,
    answers (4, 0, 1) -> (4 + 0 + 3) / 3; wellbeing on -2..2 with wb_02 reversed,
    answers (-2, 1, 0, 2, -1) -> (-2 - 1 + 0 + 2 - 1) / 5. A reflection that forgets the
    minimum (``1 + max - x``) gives (4 + 0 + 4) / 3 and (-2 + 4 + 0 + 2 - 1) / 5 instead.
    """
    scales = tables["scales"]
    rq = scales["scale"] == "relationship_quality"
    wb = scales["scale"] == "wellbeing"
    scales.loc[rq, ["min", "max"]] = [0, 4]
    scales.loc[wb, ["min", "max"]] = [-2, 2]
    waves = tables["waves"]
    rng = np.random.default_rng(3)
    for items, low in ((["rq_01", "rq_02", "rq_03"], 0),
                       (["wb_01", "wb_02", "wb_03", "wb_04", "wb_05"], -2)):
        waves[items] = rng.integers(low, low + 5, size=(len(waves), len(items)))
    waves.loc[0, ["rq_01", "rq_02", "rq_03"]] = [4, 0, 1]
    waves.loc[0, ["wb_01", "wb_02", "wb_03", "wb_04", "wb_05"]] = [-2, 1, 0, 2, -1]
    scores = _study(tables, tmp_path).wave_scores()
    assert scores.loc[0, "relationship_quality"] == pytest.approx(7 / 3, abs=1e-15)
    assert scores.loc[0, "wellbeing"] == pytest.approx(-2 / 5, abs=1e-15)
    np.testing.assert_allclose(
        scores["relationship_quality"],
        (waves["rq_01"] + waves["rq_02"] + (4 - waves["rq_03"])) / 3, rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        scores["wellbeing"],
        (waves["wb_01"] + (0 - waves["wb_02"]) + waves["wb_03"] + waves["wb_04"]
         + waves["wb_05"]) / 5, rtol=0, atol=1e-14)
