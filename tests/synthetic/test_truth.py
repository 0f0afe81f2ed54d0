"""truth.json: calibration, the multilevel closed forms, recovery in the sample, MAR bias.

Tolerances: the shipped sample estimates an R² of about 0.14-0.25 from ~1,200-1,366 youth
with a standard error near 0.02, so sample-versus-truth checks allow 0.06 (3 SE); the
closed forms are checked against statsmodels on the same data to 1e-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

from youthtransitions.synthetic.params import make_params
from youthtransitions.synthetic.sample import draw_sample
from youthtransitions.synthetic.truth import multilevel_truth, population_scores


def test_share_active_is_the_normal_tail(truth):
    """A_k is standard normal (eta has no MSU shift), so P(active) = Phi(-threshold).

    Tolerance 0.003: about 4 binomial standard errors of a share near 0.87 in the
    200,000-youth population.
    """
    p = make_params()
    expected = norm.cdf(-p.mech_threshold)
    shares = truth["qual"]["population"]["share_active"]
    assert set(shares) == {"power", "recognition", "responsiveness", "mutuality"}
    for mechanism, share in shares.items():
        assert share == pytest.approx(expected, abs=0.003), mechanism


def test_headline_calibrated_to_014(truth):
    headline = truth["estimands"]["headline_r2"]
    assert headline["value"] == pytest.approx(0.14, abs=2e-4)  # b_between rounded to 4 dp
    assert headline["mc_se"] < 0.002
    assert truth["population_size"] == 200_000
    for name, est in truth["estimands"].items():
        assert "value" in est and est["definition"], name


def test_headline_recovered_in_sample(truth, wide):
    r = wide[("relationship_quality", 1)].corr(wide[("wellbeing", 3)])
    assert r**2 == pytest.approx(truth["estimands"]["headline_r2"]["value"], abs=0.06)


def test_r2_by_wave_recovered(truth, wave_scores):
    for wave, value in truth["estimands"]["r2_by_wave"]["value"].items():
        rows = wave_scores[wave_scores["wave"] == int(wave)]
        r = rows["relationship_quality"].corr(rows["wellbeing"])
        assert r**2 == pytest.approx(value, abs=0.06), wave


def _ml_measures(fit, data):
    bw, bb = fit.params["rq_w"], fit.params["rq_b"]
    sigma2, tau = fit.scale, float(fit.cov_re.iloc[0, 0])
    f1, f2 = bw**2 * data["rq_w"].var(ddof=0), bb**2 * data["rq_b"].var(ddof=0)
    total = f1 + f2 + tau + sigma2
    return {"total.f1": f1 / total, "total.f2": f2 / total, "total.m": tau / total,
            "within.f1": f1 / (f1 + sigma2), "between.f2": f2 / (f2 + tau),
            "b_within": bw, "b_between": bb, "sigma2": sigma2, "tau00": tau}


def _centred(frame):
    frame = frame.dropna(subset=["relationship_quality", "wellbeing"]).copy()
    frame["rq_b"] = frame.groupby("youth_id")["relationship_quality"].transform("mean")
    frame["rq_w"] = frame["relationship_quality"] - frame["rq_b"]
    return frame


def test_multilevel_closed_form_equals_ml_fit():
    """The balanced-data closed forms equal statsmodels' ML fit on the same data (1e-4)."""
    pop = population_scores(make_params(), n=800, seed=11)
    n = pop["rq"].shape[0]
    long = pd.DataFrame({"youth_id": np.repeat(np.arange(n), 3),
                         "relationship_quality": pop["rq"].ravel(),
                         "wellbeing": pop["wb"].ravel()})
    data = _centred(long)
    fit = smf.mixedlm("wellbeing ~ rq_w + rq_b", data, groups="youth_id").fit(reml=False)
    expected = _ml_measures(fit, data)
    got = multilevel_truth(pop["rq"], pop["wb"])
    for key in ("total.f1", "total.f2", "total.m", "within.f1", "between.f2"):
        assert got[key] == pytest.approx(expected[key], abs=1e-4), key
    for key in ("b_within", "b_between", "sigma2", "tau00"):
        assert got["parameters"][key] == pytest.approx(expected[key], abs=1e-4), key
    assert got["delta"]["between.f2"] == got["between.f2"]
    assert got["total.v"] == 0.0 and got["within.v"] == 0.0


def test_multilevel_recovered_in_sample(truth, wide):
    """ML estimates on the sample's youth with all three waves scored (closed form above)."""
    rq, wb = wide["relationship_quality"], wide["wellbeing"]
    complete = rq.notna().all(axis=1) & wb.notna().all(axis=1)
    assert complete.sum() > 1100
    got = multilevel_truth(rq[complete].to_numpy(), wb[complete].to_numpy())
    want = truth["estimands"]["multilevel"]["value"]
    tolerance = {"total.f1": 0.03, "within.f1": 0.04, "total.f2": 0.06, "total.m": 0.06,
                 "between.f2": 0.08}
    for key, tol in tolerance.items():
        assert got[key] == pytest.approx(want[key], abs=tol), key


COVARIATES = ["contextual_risk", "individual_risk", "resilience", "wellbeing"]


def _pmk_frame(tables, add_scores):
    """Wave-1 scores (rq1 and the MAR covariates) with the wave-3 PMK functioning score."""
    waves = add_scores(tables["waves"], "waves")
    pmk = add_scores(tables["pmk"], "pmk")
    frame = waves[waves["wave"] == 1].set_index("youth_id")[
        ["relationship_quality"] + COVARIATES].rename(columns={"relationship_quality": "rq1"})
    frame["pfn3"] = pmk[pmk["wave"] == 3].set_index("youth_id")["pmk_functioning"]
    return frame.dropna(subset=["rq1"] + COVARIATES)


def _cc_and_adjusted(frame):
    """Complete-case slope, and the slope adjusted for the MAR covariates.

    Under MAR given the covariates, E(pfn3 | rq1, covariates) is estimable from complete
    cases; the marginal slope is b_rq1 + sum_c b_c * slope(c ~ rq1) over all youth.
    """
    cc = frame.dropna()
    simple = smf.ols("pfn3 ~ rq1", cc).fit()
    full = smf.ols("pfn3 ~ rq1 + " + " + ".join(COVARIATES), cc).fit()
    adjusted = full.params["rq1"] + sum(
        full.params[c] * smf.ols(f"{c} ~ rq1", frame).fit().params["rq1"] for c in COVARIATES)
    return simple, adjusted


def test_pmk_truth_recovered_with_full_availability(truth, scored):
    """Everyone nominated, every PMK answers, no attrition: the slope matches the truth."""
    params = make_params(nominate_intercept=60.0, pmk_wave_response=1.0,
                         dropout_intercept=-60.0)
    frame = _pmk_frame(draw_sample(params, 3).tables, scored).dropna()
    # only the subsample's top-66 rule (41), the never-interviewed PMK and unscored scales
    # (item missingness, 80% rule) remove youth
    assert len(frame) >= 1200
    fit = smf.ols("pfn3 ~ rq1", frame).fit()
    want = truth["estimands"]["pmk"]["value"]
    assert fit.params["rq1"] == pytest.approx(want["slope"], abs=3 * fit.bse["rq1"])
    assert fit.rsquared == pytest.approx(want["r2"], abs=0.04)


def test_complete_case_pmk_slope_is_biased_and_mar_holds(study, truth, scored):
    """PMK availability is MAR on covariates that predict pmk_functioning: CC is biased,
    adjusting for the observed covariates removes the bias."""
    want = truth["estimands"]["pmk"]["value"]["slope"]
    simple, _ = _cc_and_adjusted(_pmk_frame({"waves": study.waves, "pmk": study.pmk}, scored))
    assert want - simple.params["rq1"] > simple.bse["rq1"]  # shipped seed: > 1 SE low
    fits = [_cc_and_adjusted(_pmk_frame(draw_sample(make_params(), s).tables, scored))
            for s in (1, 2, 3)]
    cc_mean = np.mean([f.params["rq1"] for f, _ in fits])
    adjusted_mean = np.mean([a for _, a in fits])
    assert want - cc_mean > 0.05  # truth ~0.31, complete case ~0.21
    assert adjusted_mean == pytest.approx(want, abs=0.03)  # ~0.30: SE of a 3-seed mean ~0.02


def test_nomination_depends_on_observed_wave1_scores(study, wave_scores):
    """The nomination model's coefficients are recovered from the observed data (MAR)."""
    w1 = wave_scores.query("wave == 1").set_index("youth_id")
    youth = study.youth.set_index("youth_id")
    frame = w1[["contextual_risk", "individual_risk", "resilience", "wellbeing"]]
    frame = ((frame - frame.mean()) / frame.std(ddof=0)).fillna(0.0)
    frame["nominated"] = youth["pmk_nominated"].astype(int)
    frame = frame[~youth["qual_subsample"]]
    fit = smf.logit("nominated ~ contextual_risk + individual_risk + resilience + wellbeing",
                    frame).fit(disp=False)
    coefs = make_params().nominate_coefs
    for name, want in zip(["contextual_risk", "individual_risk", "resilience", "wellbeing"],
                          coefs, strict=True):
        assert fit.params[name] == pytest.approx(want, abs=4 * fit.bse[name]), name
