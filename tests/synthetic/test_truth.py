"""truth.json: calibration, the multilevel closed forms, recovery in the sample, MAR bias.

Tolerances: a sample-versus-truth check allows 4 standard errors of the estimate at the
sample's size, each SE the standard deviation of the estimand over 200 population draws of
that many youth (:func:`_sampling_sd`; e.g. at 1,164 youth: total.f1 0.0039 on a truth of
0.030, within.f1 0.0088 on 0.071; the PMK R² 0.016 on 0.072 at 1,240, so that check
averages four samples). The closed forms are checked against statsmodels on the same data
to 1e-4.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

from youthtransitions.synthetic.params import make_params
from youthtransitions.synthetic.sample import draw_sample
from youthtransitions.synthetic.truth import multilevel_truth, population_scores

MULTILEVEL = ("total.f1", "within.f1", "total.f2", "total.m", "between.f2")


@functools.cache
def _sampling_sd(n: int, reps: int = 200) -> dict[str, float]:
    """Standard deviation of each sample estimand over ``reps`` population draws of ``n``
    youth (complete data; the generator behind truth.json): the Monte Carlo error of one
    sample of that size. Its own precision is about 5% (sqrt(1 / (2 (reps - 1))))."""
    draws: dict[str, list[float]] = {}
    for rep in range(reps):
        pop = population_scores(make_params(), n=n, seed=10_000 + rep)
        rq, wb = pop["rq"], pop["wb"]
        ml = multilevel_truth(rq, wb)
        values = {k: ml[k] for k in MULTILEVEL}
        values["headline_r2"] = np.corrcoef(rq[:, 0], wb[:, 2])[0, 1] ** 2
        for w in range(3):
            values[f"r2_wave{w + 1}"] = np.corrcoef(rq[:, w], wb[:, w])[0, 1] ** 2
        slope, _ = np.polyfit(rq[:, 0], pop["pfn3"], 1)
        values["pmk_slope"] = slope
        values["pmk_r2"] = np.corrcoef(rq[:, 0], pop["pfn3"])[0, 1] ** 2
        for k, v in values.items():
            draws.setdefault(k, []).append(float(v))
    return {k: float(np.std(v, ddof=1)) for k, v in draws.items()}


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
    pair = wide[[("relationship_quality", 1), ("wellbeing", 3)]].dropna()
    r = pair.iloc[:, 0].corr(pair.iloc[:, 1])
    sd = _sampling_sd(len(pair))["headline_r2"]
    assert r**2 == pytest.approx(truth["estimands"]["headline_r2"]["value"], abs=4 * sd)


def test_r2_by_wave_recovered(truth, wave_scores):
    for wave, value in truth["estimands"]["r2_by_wave"]["value"].items():
        rows = wave_scores[wave_scores["wave"] == int(wave)]
        rows = rows.dropna(subset=["relationship_quality", "wellbeing"])
        r = rows["relationship_quality"].corr(rows["wellbeing"])
        sd = _sampling_sd(len(rows))[f"r2_wave{wave}"]
        assert r**2 == pytest.approx(value, abs=4 * sd), wave


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
    sd = _sampling_sd(int(complete.sum()))
    for key in MULTILEVEL:
        assert got[key] == pytest.approx(want[key], abs=4 * sd[key]), key


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
    """Everyone nominated, every PMK answers, no attrition: slope and R² match the truth.

    One sample's R² has SE 0.016 on a truth of 0.072, so the check averages four samples
    (seeds 3-6) and allows 4 SE of that mean.
    """
    params = make_params(nominate_intercept=60.0, pmk_wave_response=1.0,
                         dropout_intercept=-60.0)
    fits, sizes = [], []
    for seed in (3, 4, 5, 6):
        frame = _pmk_frame(draw_sample(params, seed).tables, scored).dropna()
        # only the subsample's top-66 rule (41), the never-interviewed PMK and unscored
        # scales (item missingness, 80% rule) remove youth
        assert len(frame) >= 1200
        fits.append(smf.ols("pfn3 ~ rq1", frame).fit())
        sizes.append(len(frame))
    sd = _sampling_sd(int(np.mean(sizes)))
    want = truth["estimands"]["pmk"]["value"]
    slope = np.mean([f.params["rq1"] for f in fits])
    r2 = np.mean([f.rsquared for f in fits])
    assert slope == pytest.approx(want["slope"], abs=4 * sd["pmk_slope"] / 2)
    assert r2 == pytest.approx(want["r2"], abs=4 * sd["pmk_r2"] / 2)


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
