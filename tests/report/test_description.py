"""The sample description against direct computations on the fixture study (closed forms)
and against the published figures on the shipped synthetic study."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report import describe
from youthtransitions.report.description import DESCRIBE_COLUMNS
from youthtransitions.study.reliability import reliability


def test_tidy_frame_shape(exact):
    frame = exact.to_frame()
    assert list(frame.columns) == DESCRIBE_COLUMNS
    assert set(frame["section"]) == {"sample", "services", "demographics", "attrition", "pmk",
                                     "subsample_profile", "reliability"}
    assert not frame.duplicated(["section", "variable", "level", "group", "statistic"]).any()
    assert not frame["value_suppressed"].any()


def test_counts_match_direct_computation(small_study, exact):
    y, w, p = small_study.youth, small_study.waves, small_study.pmk
    msu, sub = y["msu"], y["qual_subsample"]
    assert exact.value("sample", "youth") == 60
    assert exact.value("sample", "youth", group="msu") == msu.sum() == 36
    assert exact.value("sample", "youth", group="subsample") == sub.sum() == 12
    assert exact.value("sample", "msu", "percent") == pytest.approx(100 * 36 / 60, abs=1e-12)
    assert exact.value("sample", "waves", "number") == 3
    assert exact.value("sample", "youth_waves") == len(w)
    assert exact.value("sample", "pmk_interviews") == len(p)
    for col, label in [("svc_welfare", "welfare"), ("svc_alt_education", "alternative education")]:
        assert exact.value("services", label, group="msu") == (y[col] & msu).sum()
        assert exact.value("services", label, "percent", group="msu") == pytest.approx(
            100 * (y[col] & msu).sum() / msu.sum(), abs=1e-12)
    for level in ("female", "male", "another"):
        assert exact.value("demographics", "gender", level=level, group="subsample") == (
            (y["gender"] == level) & sub).sum()
    ages = y.loc[msu, "age_w1"]
    assert exact.value("demographics", "age_w1", "mean", group="msu") == pytest.approx(
        ages.mean(), abs=1e-12)
    assert exact.value("demographics", "age_w1", "sd", group="msu") == pytest.approx(
        ages.std(ddof=1), abs=1e-12)
    for wave in (1, 2, 3):
        n = w.loc[w["wave"] == wave, "youth_id"].isin(y.loc[msu, "youth_id"]).sum()
        assert exact.value("attrition", "wave", level=str(wave), group="msu") == n
    all3 = (w.groupby("youth_id")["wave"].nunique() == 3).sum()
    assert exact.value("attrition", "all waves") == all3
    assert exact.value("pmk", "pmk_nominated", group="subsample") == (
        y["pmk_nominated"] & sub).sum()
    sub_ids = y.loc[sub, "youth_id"]
    assert exact.value("pmk", "pmk_interviews", group="subsample") == p["youth_id"].isin(
        sub_ids).sum()
    assert exact.value("pmk", "youth with a PMK interview", group="subsample") == p.loc[
        p["youth_id"].isin(sub_ids), "youth_id"].nunique()


def test_categorical_levels_sum_to_group_total(exact):
    f = exact.to_frame()
    for var in ("gender", "ethnicity"):
        for g in ("all", "msu", "subsample"):
            rows = f[(f["variable"] == var) & (f["group"] == g) & (f["statistic"] == "n")
                     & (f["section"] == "demographics")]
            assert rows["value"].sum() == exact.value("sample", "youth", group=g)


def test_smd_closed_forms(small_study, exact):
    y = small_study.youth
    sub, msu = y["qual_subsample"], y["msu"]
    a, b = y.loc[sub, "age_w1"], y.loc[msu, "age_w1"]
    expected = (a.mean() - b.mean()) / math.sqrt((a.var() + b.var()) / 2)
    assert exact.value("subsample_profile", "age_w1", "smd", group="difference") == pytest.approx(
        expected, abs=1e-12)
    p_s = (y.loc[sub, "gender"] == "female").mean()
    p_m = (y.loc[msu, "gender"] == "female").mean()
    expected = (p_s - p_m) / math.sqrt((p_s * (1 - p_s) + p_m * (1 - p_m)) / 2)
    assert exact.value("subsample_profile", "gender", "smd", level="female",
                       group="difference") == pytest.approx(expected, abs=1e-12)
    # wave-1 resilience: scored by hand (3 items, mean of answered when >= 80% answered)
    w1 = small_study.waves[small_study.waves["wave"] == 1].set_index("youth_id")
    items = w1[["res_01", "res_02", "res_03"]].astype(float)
    score = items.mean(axis=1).where(items.notna().sum(axis=1) == 3)
    s = score[y.loc[sub, "youth_id"]].dropna()
    m = score[y.loc[msu, "youth_id"]].dropna()
    expected = (s.mean() - m.mean()) / math.sqrt((s.var() + m.var()) / 2)
    assert exact.value("subsample_profile", "resilience (wave 1)", "smd",
                       group="difference") == pytest.approx(expected, abs=1e-12)
    assert exact.value("subsample_profile", "resilience (wave 1)", group="msu") == len(m)


def test_reliability_rows_are_the_study_table(small_study, exact):
    rel = reliability(small_study).to_frame()
    for row in rel.itertuples():
        wave = f"wave {row.wave}"
        assert exact.value("reliability", row.scale, "n", level=row.table, group=wave) == row.n
        assert exact.value("reliability", row.scale, "alpha", level=row.table,
                           group=wave) == pytest.approx(row.alpha, abs=1e-12)
        assert exact.value("reliability", row.scale, "omega", level=row.table,
                           group=wave) == pytest.approx(row.omega, abs=1e-12)


def test_output_rules_default_on_for_real_data(small_study, exact, ruled):
    assert ruled.output_rules and ruled.note.startswith("Output rules applied")
    f = ruled.to_frame()
    counts = f[f["statistic"] == "n"]
    shown = counts.loc[~counts["value_suppressed"], "value"]
    assert (np.mod(shown, 3) == 0).all()
    assert not shown.between(1, 5).any()
    raw = exact.to_frame()
    small = raw[(raw["statistic"] == "n") & raw["value"].between(1, 5)].index
    assert len(small) > 0 and f.loc[small, "value_suppressed"].all()
    # percentages are recomputed from the rounded counts
    pct = ruled.value("sample", "msu", "percent")
    assert pct == pytest.approx(100 * ruled.value("sample", "msu") / ruled.value("sample", "youth"))
    # statistics resting on a suppressed count are suppressed
    key = (f["section"] == "subsample_profile") & (f["statistic"] == "smd")
    assert f.loc[key, "value_suppressed"].any()
    assert f.loc[key & f["value_suppressed"], "value"].isna().all()
    # consistent: same study, same table, whatever the (deprecated, ignored) seed
    again = describe(small_study, reliability=False).to_frame()
    no_rel = f[f["section"] != "reliability"].reset_index(drop=True)
    pd.testing.assert_frame_equal(no_rel, again)
    with pytest.warns(DeprecationWarning, match="ignored"):
        other = describe(small_study, reliability=False, seed=12345).to_frame()
    pd.testing.assert_frame_equal(other, again)
    assert ruled.seed is None and ruled.to_json()["seed"] is None


def test_secondary_suppression_protects_gender_totals(ruled):
    f = ruled.to_frame()
    for g in ("all", "msu", "subsample"):
        rows = f[(f["section"] == "demographics") & (f["variable"] == "gender")
                 & (f["group"] == g) & (f["statistic"] == "n")]
        assert rows["value_suppressed"].sum() != 1


def test_synthetic_default_off_and_explicit_override(small_synthetic_study):
    off = describe(small_synthetic_study, reliability=False)
    assert not off.output_rules and "synthetic" in off.note and off.seed is None
    on = describe(small_synthetic_study, output_rules=True, reliability=False)
    assert on.output_rules and on.to_frame()["value_suppressed"].any()


def test_tables_render(ruled):
    result = ruled
    tables = result.tables()
    assert list(tables) == ["sample", "subsample_profile", "reliability"]
    sample = tables["sample"].formatted()
    row = sample[sample["characteristic"] == "Gender: another"].iloc[0]
    assert row["all"] == "S"
    assert "Output rules applied" in tables["sample"].note
    md = tables["subsample_profile"].to_markdown()
    assert "SMD" in md and "Austin 2009" in md
    text = result.summary()
    assert "Table 1. Sample description" in text and "Table 3. Scale reliability" in text
    html = result._repr_html_()
    assert html.count('<table class="apa-table">') == 3
    js = result.to_json()
    assert js["output_rules"] is True and len(js["rows"]) == len(result.to_frame())


def test_bad_input(small_study, exact):
    with pytest.raises(UsageError, match="Study"):
        describe(pd.DataFrame())
    with pytest.raises(UsageError, match="no single row"):
        exact.value("sample", "nope")
    youth = small_study.youth.drop(columns=["age_w1"])
    broken = type(small_study)(youth=youth, waves=small_study.waves, scales=small_study.scales)
    with pytest.raises(UsageError, match="age_w1"):
        describe(broken)


@pytest.mark.slow
def test_published_figures_on_shipped_study():
    synthetic = pytest.importorskip("youthtransitions.synthetic")
    from youthtransitions.study import load_study

    path = synthetic.SHIPPED_STUDY
    if not (path / "study.json").is_file():
        pytest.skip("synthetic_data/ not present")
    result = describe(load_study(path, validate=False), reliability=False)
    assert not result.output_rules  # marked synthetic
    assert result.value("sample", "youth") == 1366
    assert result.value("sample", "msu") == 506
    assert result.value("sample", "waves", "number") == 3
    assert result.value("sample", "youth", group="subsample") == 107
    assert round(result.value("demographics", "age_w1", "mean", group="subsample"), 2) == 17.49
    assert result.value("pmk", "pmk_nominated", group="subsample") == 66
    assert result.value("pmk", "youth with a PMK interview", group="subsample") == 65
    for var in ("age_w1", "contextual_risk (wave 1)", "individual_risk (wave 1)",
                "resilience (wave 1)"):  # the subsample reflects the 506 (|SMD| < 0.2)
        assert abs(result.value("subsample_profile", var, "smd", group="difference")) < 0.2


def test_one_count_is_rounded_once(ruled):
    """The same people counted in two places get the same published value (no averaging)."""
    v = ruled.value
    assert v("sample", "msu") == v("sample", "youth", group="msu")
    assert v("sample", "qual_subsample", group="msu") == v("sample", "youth", group="subsample")
    assert v("sample", "pmk_interviews") == v("pmk", "pmk_interviews")
    f = ruled.to_frame()
    for g in ("subsample", "msu"):
        assert v("subsample_profile", "youth", group=g) == v("sample", "youth", group=g)
        for var in ("gender", "ethnicity"):
            prof = f[(f["section"] == "subsample_profile") & (f["variable"] == var)
                     & (f["group"] == g) & (f["statistic"] == "n")]
            demo = f[(f["section"] == "demographics") & (f["variable"] == var)
                     & (f["group"] == g) & (f["statistic"] == "n")]
            merged = prof.merge(demo, on="level", suffixes=("_p", "_d"))
            assert len(merged) == len(prof) > 0
            assert merged["value_p"].fillna(-1).tolist() == merged["value_d"].fillna(-1).tolist()
            assert (merged["value_suppressed_p"] == merged["value_suppressed_d"]).all()


def test_whole_group_counts_stay_whole(ruled):
    """A count of all the group's youth is published as the group total (100%), and no
    percentage exceeds 100 after rounding."""
    f = ruled.to_frame()
    for g in ("all", "msu", "subsample"):
        assert ruled.value("attrition", "wave", level="1", group=g) == ruled.value(
            "sample", "youth", group=g)
        assert ruled.value("attrition", "wave", "percent", level="1", group=g) == 100
    assert (f.loc[f["statistic"] == "percent", "value"].dropna() <= 100).all()


def test_study_without_pmk_table(small_study):
    from dataclasses import replace

    no_pmk = replace(small_study, pmk=None)
    result = describe(no_pmk, output_rules=False, reliability=False)
    assert result.value("sample", "pmk_interviews") == 0
    assert result.value("pmk", "youth with a PMK interview", group="msu") == 0
    assert result.value("pmk", "pmk_nominated") == no_pmk.youth["pmk_nominated"].sum()
    assert "Table 1" in result.summary()
