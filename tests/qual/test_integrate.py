"""integrate() on the shipped synthetic study: finds what the generator built in, not more."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from youthtransitions.errors import UsageError
from youthtransitions.qual import integrate
from youthtransitions.qual.integrate import FAMILIES, INTEGRATION_COLUMNS
from youthtransitions.stats import holm
from youthtransitions.study import Study

ALPHA = 0.05
@pytest.fixture(scope="module")
def result(synthetic_study):
    return integrate(synthetic_study, seed=2024, n_perm=1000, B=200)


@pytest.mark.parametrize("family", FAMILIES)
def test_truth_effects_found_and_absent_ones_not(result, synthetic_study, family):
    truth = synthetic_study.metadata["truth"]["qual"]
    rows = result.family(family)
    assert len(rows) >= 1 and rows["p_holm"].notna().all()
    if family in truth["built_in"]:
        sign = -1 if family == "power_trap" else 1
        hit = (rows["p_holm"] < ALPHA) & (np.sign(rows["estimate"]) == sign)
        assert hit.any(), rows[["hypothesis", "estimate", "p_holm"]].to_string()
        assert set(rows.loc[hit, "reading"]) <= {"confirms", "expands"}
    else:
        assert family in truth["absent"]
        assert (rows["p_holm"] >= ALPHA).all(), rows[["hypothesis", "p_holm"]].to_string()
        assert (rows["reading"] == "confirms").all()


def test_table_shape_and_holm(result):
    table = result.to_frame()
    assert list(table.columns) == INTEGRATION_COLUMNS
    assert set(table["family"]) == set(FAMILIES)
    assert set(table["reading"]) <= {"confirms", "expands", "discords", "not estimable"}
    for fam in FAMILIES:
        sel = table[table["family"] == fam]
        np.testing.assert_allclose(sel["p_holm"], holm(sel["p_perm"].to_numpy()))
    # permutation p-values cannot go below 1 / (n_perm + 1)
    assert (table["p_perm"].dropna() >= 1 / 1001 - 1e-12).all()
    assert result.join.no_codes == [] and result.join.unknown == []


def test_coefficients_match_statsmodels(result):
    """Estimates and t intervals equal statsmodels OLS on the same youth-level frame."""
    data = result.data.assign(trap=result.data["power_trap"].astype(float))
    fit = smf.ols("wellbeing_w3 ~ wellbeing_w1 + trap", data).fit()
    row = result.family("power_trap").iloc[0]
    assert row["estimate"] == pytest.approx(fit.params["trap"], abs=1e-10)
    lo, hi = fit.conf_int().loc["trap"]
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((lo, hi), abs=1e-10)
    assert row["n"] == fit.nobs
    # the permutation and the t-test agree on a strong effect
    assert fit.pvalues["trap"] < 0.001 and row["p_perm"] <= 2 / 1001


def test_r2_gain_matches_statsmodels(result):
    d = result.data.assign(all4=result.data["all_active"].astype(float),
                           trap=result.data["power_trap"].astype(float)).dropna(
        subset=["wellbeing_w3", "wellbeing_w1", "relationship_quality_mean"])
    small = smf.ols("wellbeing_w3 ~ wellbeing_w1 + relationship_quality_mean", d).fit()
    big = smf.ols("wellbeing_w3 ~ wellbeing_w1 + relationship_quality_mean + n_active + all4"
                  " + trap", d).fit()
    row = result.family("codes_beyond_scale").iloc[0]
    assert row["estimate"] == pytest.approx(big.rsquared - small.rsquared, abs=1e-10)
    assert row["conf_low"] < row["estimate"] < row["conf_high"]


def test_reproducible(synthetic_study, result):
    again = integrate(synthetic_study, seed=2024, n_perm=1000, B=200)
    pd.testing.assert_frame_equal(again.to_frame(), result.to_frame())
    assert "Integration" in result.summary()


def test_majority_activation_finds_the_same(synthetic_study):
    """Sensitivity: the stricter activation rule reads the built-in effects the same way."""
    truth = synthetic_study.metadata["truth"]["qual"]
    res = integrate(synthetic_study, seed=5, n_perm=500, B=0, activation="majority")
    for fam in truth["built_in"]:
        assert (res.family(fam)["p_holm"] < ALPHA).any(), fam
    assert (res.family("subsample_difference")["p_holm"] >= ALPHA).all()


def test_errors(synthetic_study):
    no_codes = Study(youth=synthetic_study.youth, waves=synthetic_study.waves,
                     scales=synthetic_study.scales)
    with pytest.raises(UsageError, match="no codes table"):
        integrate(no_codes, n_perm=10, B=0)
    with pytest.raises(UsageError, match="n_perm"):
        integrate(synthetic_study, n_perm=0)
    with pytest.raises(UsageError, match="alpha"):
        integrate(synthetic_study, alpha=1.5)


def test_r2_gain_interval_is_the_percentile_bootstrap(result):
    """The codes_beyond_scale interval recomputed: youth resampled with replicate i's generator
    (``replicate_generators(seed, B)``), statsmodels R² difference, type-7 percentiles."""
    from youthtransitions.parallel import replicate_generators

    d = result.data.assign(all4=result.data["all_active"].astype(float),
                           trap=result.data["power_trap"].astype(float)).dropna(
        subset=["wellbeing_w3", "wellbeing_w1", "relationship_quality_mean"])
    d = d.reset_index(drop=True)
    small, big = ("wellbeing_w3 ~ wellbeing_w1 + relationship_quality_mean",
                  "wellbeing_w3 ~ wellbeing_w1 + relationship_quality_mean + n_active + all4"
                  " + trap")
    gains = []
    for rng in replicate_generators(2024, 200):
        s = d.iloc[rng.integers(0, len(d), len(d))]
        gains.append(smf.ols(big, s).fit().rsquared - smf.ols(small, s).fit().rsquared)
    lo, hi = np.quantile(gains, [0.025, 0.975])
    row = result.family("codes_beyond_scale").iloc[0]
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((lo, hi), abs=1e-10)


def test_missing_gender_stays_missing_in_subsample_balance(synthetic_study):
    youth = synthetic_study.youth.copy()
    first = youth.index[youth["qual_subsample"].astype(bool)][0]
    youth["gender"] = youth["gender"].astype(object)
    youth.loc[first, "gender"] = None
    study = Study(youth=youth, waves=synthetic_study.waves, scales=synthetic_study.scales,
                  pmk=synthetic_study.pmk, codes=synthetic_study.codes)
    base = integrate(synthetic_study, seed=3, n_perm=20, B=0).family("subsample_difference")
    res = integrate(study, seed=3, n_perm=20, B=0).family("subsample_difference")
    n = dict(zip(res["hypothesis"].str.split().str[-1], res["n"], strict=True))
    n0 = dict(zip(base["hypothesis"].str.split().str[-1], base["n"], strict=True))
    assert n["female"] == n0["female"] - 1   # the youth is left out, not counted as male
    assert n["maori"] == n0["maori"]
