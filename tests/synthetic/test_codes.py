"""Mechanism codes: coverage, double coding, agreement, and the built-in effects.

Youth-level activity is read from the first coder's segments: a mechanism is active for a
youth when at least half of its non-control segments have level >= 1; a trap is power/care
active in fewer than half the care segments with a mean control level >= 1.5. Outcome change
is the wellbeing score at wave 3 minus wave 1. Effects are tested at p < 0.05 in the
default draw (n = 107).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf


@pytest.fixture(scope="module")
def codes(study):
    return study.codes


@pytest.fixture(scope="module")
def first(codes):
    return codes.drop_duplicates("segment_id", keep="first")


@pytest.fixture(scope="module")
def per_youth(first, wide, wave_scores):
    plain = first[first["dimension"] != "control"].assign(on=lambda d: d["level"] >= 1)
    active = plain.groupby(["youth_id", "mechanism"], observed=True)["on"].mean().unstack()
    active = active >= 0.5
    care = plain[plain["dimension"] == "care"].groupby("youth_id")["on"].mean()
    control = first[first["dimension"] == "control"].groupby("youth_id")["level"].mean()
    frame = pd.DataFrame({"n_active": active.sum(axis=1),
                          "all4": active.all(axis=1).astype(int)})
    frame["trap"] = ((care.reindex(frame.index) < 0.5)
                     & (control.reindex(frame.index) >= 1.5)).astype(int)
    frame["level"] = plain.groupby("youth_id")["level"].mean()
    frame["change"] = wide[("wellbeing", 3)] - wide[("wellbeing", 1)]
    frame["rq"] = wave_scores.groupby("youth_id")["relationship_quality"].mean()
    return frame.dropna()


def test_coverage(first, study):
    sub = set(study.youth.loc[study.youth["qual_subsample"], "youth_id"])
    assert set(first["youth_id"]) == sub
    for source in ("youth_interview", "case_summary"):
        rounds = first[first["source"] == source].groupby("youth_id")["wave"].nunique()
        assert len(rounds) == 107 and (rounds == 3).all(), source
    dims = first.groupby("youth_id")["dimension"].nunique()
    assert (dims == 6).mean() > 0.95  # nearly every youth has every dimension coded


def test_double_coding_share_and_agreement(codes, first):
    doubled = codes[codes["segment_id"].duplicated(keep=False)]
    share = doubled["segment_id"].nunique() / len(first)
    assert share == pytest.approx(0.25, abs=0.005)
    assert (doubled.groupby("segment_id")["coder"].nunique() == 2).all()
    pairs = doubled.sort_values(["segment_id", "coder"]).groupby("segment_id")["level"]
    a, b = pairs.first().to_numpy(), pairs.last().to_numpy()
    # Cohen's kappa: (po - pe) / (1 - pe), pe from the two coders' marginals
    po = np.mean(a == b)
    pe = sum(np.mean(a == k) * np.mean(b == k) for k in (0, 1, 2))
    kappa = (po - pe) / (1 - pe)
    assert 0.6 <= kappa <= 0.8


def test_counterfactual_instances(first):
    counter = first["instance"] == "counterfactual"
    assert 0.05 < counter.mean() < 0.35
    assert set(first.loc[counter, "mechanism"]) == {"power", "recognition", "responsiveness",
                                                    "mutuality"}
    traps = first[counter & (first["dimension"] == "control")]
    assert len(traps) > 0 and traps["actor"].isin(["justice", "income_support"]).mean() > 0.8


def test_all_four_active_for_most_youth(per_youth):
    assert per_youth["all4"].mean() > 0.5
    assert len(per_youth) >= 100


def test_convergence_with_the_scale(per_youth):
    r = per_youth["level"].corr(per_youth["rq"])
    assert r > 0.4


def _p(formula, data, term):
    fit = smf.ols(formula, data).fit()
    return fit.params[term], fit.pvalues[term]


def test_mechanisms_and_dose_go_with_change(per_youth):
    coef, p = _p("change ~ n_active", per_youth, "n_active")
    assert coef > 0 and p < 0.05


def test_synergy_beyond_additive(per_youth):
    coef, p = _p("change ~ n_active + all4", per_youth, "all4")
    assert coef > 0 and p < 0.05


def test_power_trap_worse_change(per_youth):
    assert per_youth["trap"].sum() >= 3
    coef, p = _p("change ~ trap", per_youth, "trap")
    assert coef < 0 and p < 0.05


def test_codes_beyond_scale(per_youth):
    coef, p = _p("change ~ rq + level", per_youth, "level")
    assert coef > 0 and p < 0.05


def test_truth_lists_effects(truth):
    qual = truth["qual"]
    assert set(qual["built_in"]) | set(qual["absent"]) == {
        "convergence", "mechanism_change", "dose_response", "synergy", "power_trap",
        "codes_beyond_scale", "subsample_difference"}
    assert qual["absent"] == ["subsample_difference"]
    assert qual["counts"]["youth_with_source"] == {"youth_interview": 107,
                                                   "pmk_interview": 65, "case_summary": 107}
