"""fit_glmm against lme4 1.1-31 glmer (tests/reference/glmer/, models in models.R, and the
uncorrelated and nested random terms of tests/reference/glmer_terms/).

Tolerances (relative): fixed effects, theta and variance components 1e-4; standard errors
(Hessian-based, summary()'s default, and RX-based) 1e-3; log-likelihood, AIC and BIC 1e-6.
Values that can be near zero (random effects, predictions on the link scale) are compared
with the same relative tolerance plus that tolerance times the largest absolute value of
the column, so a mode of 1e-9 is not held to a relative tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .conftest import MODELS, TERM_MODELS, fitted

NAMES = list(MODELS) + list(TERM_MODELS)


def _close(actual, expected, rtol):
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=rtol,
                               atol=rtol * np.nanmax(np.abs(expected)))


@pytest.mark.parametrize("name", NAMES)
def test_fixed_effects_and_standard_errors(name, glmer_ref):
    ref = glmer_ref["fixef"][glmer_ref["fixef"]["model"] == name]
    fit = fitted(name)
    assert list(fit.params.index) == list(ref["term"])
    np.testing.assert_allclose(fit.params, ref["estimate"], rtol=1e-4)
    np.testing.assert_allclose(fit.std_errors, ref["std_error"], rtol=1e-3)
    np.testing.assert_allclose(fit.std_errors_rx, ref["std_error_rx"], rtol=1e-3)
    frame = fit.to_frame()
    np.testing.assert_allclose(frame["statistic"], ref["statistic"], rtol=1e-3)
    # a p value of 1e-60 moves by z * dz relative: compare those through the statistic only
    moderate = ref["p_value"].to_numpy() > 1e-8
    np.testing.assert_allclose(frame["p_value"][moderate], ref["p_value"][moderate], rtol=1e-2)


@pytest.mark.parametrize("name", NAMES)
def test_likelihood_and_information_criteria(name, glmer_ref):
    ref = glmer_ref["fit"].set_index("model").loc[name]
    fit = fitted(name)
    assert fit.n_obs == ref["nobs"] and fit.nagq == ref["nagq"]
    assert (fit.family, fit.link) == (ref["family"], ref["link"])
    for ours, theirs in [(fit.loglik, ref["loglik"]), (fit.loglik_full, ref["loglik_full"]),
                         (fit.aic, ref["aic"]), (fit.bic, ref["bic"])]:
        assert ours == pytest.approx(theirs, rel=1e-6)
    assert fit.singular == bool(ref["singular"])
    assert fit.converged
    theta = [float(v) for v in str(ref["theta"]).split(";")]
    assert list(fit.theta.index) == str(ref["theta_names"]).split(";")
    np.testing.assert_allclose(fit.theta, theta, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_varcorr(name, glmer_ref):
    ref = glmer_ref["varcorr"][glmer_ref["varcorr"]["model"] == name].reset_index(drop=True)
    vc = fitted(name).varcorr()
    assert list(vc.columns) == ["group", "var1", "var2", "vcov", "sdcor"]
    assert list(vc["group"]) == list(ref["group"])
    assert list(vc["var1"]) == list(ref["var1"])
    assert vc["var2"].isna().tolist() == ref["var2"].isna().tolist()
    np.testing.assert_allclose(vc["vcov"], ref["vcov"], rtol=1e-4)
    np.testing.assert_allclose(vc["sdcor"], ref["sdcor"], rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_random_effects(name, glmer_ref):
    ref = glmer_ref["ranef"][glmer_ref["ranef"]["model"] == name]
    re = fitted(name).random_effects()
    assert list(re.columns) == ["group", "level", "term", "estimate", "std_error"]
    re = re.assign(level=re["level"].astype(str))
    merged = ref.assign(level=ref["level"].astype(str)).merge(
        re, on=["group", "level", "term"], suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(ref) == len(re)
    _close(merged["estimate"], merged["estimate_r"], 1e-4)
    _close(merged["std_error"], merged["std_error_r"], 1e-3)


@pytest.mark.parametrize("name", NAMES)
def test_predictions(name, glmer_ref):
    ref = glmer_ref["predictions"][glmer_ref["predictions"]["model"] == name]
    fit = fitted(name)
    _close(fit.predict(), ref["link"], 1e-4)
    _close(fit.predict(scale="response"), ref["response"], 1e-4)
    _close(fit.predict(random=False), ref["population_link"], 1e-4)


def test_predict_on_new_data_matches_fitted_rows():
    # Closed form: predicting the fitted rows as new data gives the fitted predictions, and a
    # level not seen in the fit gets the population-level prediction.
    from .conftest import dataset

    fit = fitted("cbpp_poisson_offset_laplace")
    data = dataset("cbpp")
    np.testing.assert_allclose(fit.predict(data, scale="response"),
                               fit.predict(scale="response"), rtol=1e-12)
    new = data.assign(herd=999)
    np.testing.assert_allclose(fit.predict(new), fit.predict(random=False), rtol=1e-12)
    assert isinstance(fit.predict(new.head(3)), np.ndarray)
    assert pd.notna(fit.summary())
