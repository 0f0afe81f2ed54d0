"""fit_glmm's options and errors: every bad input is a UsageError naming the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions._coef import COEF_COLUMNS
from youthtransitions.errors import UsageError
from youthtransitions.models import GLMMResult, fit_glmm
from youthtransitions.models.random_terms import SUPPORTED_FORMS

from .conftest import CB, PO, TERM_MODELS, dataset, fitted


def test_public_api():
    assert yt.fit_glmm is fit_glmm
    assert isinstance(fitted("cbpp_logit_laplace"), GLMMResult)


def test_result_shape_for_model_comparisons():
    fit = fitted("cbpp_logit_laplace")
    assert fit.n_params == 5 and fit.n_obs == 56 and fit.n_groups == {"herd": 15}
    assert fit.formula == CB and fit.data is dataset("cbpp")
    assert fit.refit(method="ml") is fit and fit.method == "ML"
    with pytest.raises(UsageError, match="method"):
        fit.refit(method="reml")
    frame = fit.to_frame()
    assert list(frame.columns) == COEF_COLUMNS
    assert frame["df"].isna().all()
    cov = fit.cov_params.to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), fit.std_errors, rtol=1e-12)


def test_weights_as_trials_equal_cbind():
    # Closed form: a proportion with trials as prior weights is the cbind model.
    d = dataset("cbpp").assign(prop=lambda f: f["incidence"] / f["size"])
    w = fit_glmm("prop ~ period + (1 | herd)", d, weights="size")
    ref = fitted("cbpp_logit_laplace")
    np.testing.assert_allclose(w.params, ref.params, rtol=1e-6)
    assert w.loglik == pytest.approx(ref.loglik, rel=1e-9)


def test_offset_argument_equals_offset_term():
    d = dataset("cbpp").assign(logsize=lambda f: np.log(f["size"]))
    a = fit_glmm("incidence ~ period + (1 | herd)", d, family="poisson", offset="logsize")
    b = fitted("cbpp_poisson_offset_laplace")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-6)
    c = fit_glmm("incidence ~ period + (1 | herd)", d, family="poisson",
                 offset=d["logsize"].to_numpy())
    np.testing.assert_allclose(c.params, b.params, rtol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"family": "gaussian"}, "family must be one of binomial, poisson"),
    ({"family": "binomial", "link": "log"}, "link 'log' is not available for the binomial"),
    ({"family": "poisson", "link": "logit"}, "link 'logit' is not available for the poisson"),
    ({"link": "cloglog"}, "link must be one of"),
    ({"nagq": 0}, "nagq must be at least 1"),
    ({"nagq": 26}, "at most 25"),
    ({"nagq": 2.5}, "nagq must be a whole number"),
])
def test_bad_options(kwargs, match):
    with pytest.raises(UsageError, match=match):
        fit_glmm(CB, dataset("cbpp"), **kwargs)


def test_binomial_outcome_must_be_01():
    d = dataset("cbpp")
    with pytest.raises(UsageError, match="row 0 has value 2 .*must be 0/1, or successes"):
        fit_glmm("incidence ~ period + (1 | herd)", d)


def test_negative_counts():
    d = dataset("cbpp").assign(bad=lambda f: f["incidence"] - 3)
    with pytest.raises(UsageError, match="Poisson response bad: row 0 has value -1;"):
        fit_glmm("bad ~ period + (1 | herd)", d, family="poisson")
    with pytest.raises(UsageError, match="successes and .* failures; both must be at least"):
        fit_glmm("cbind(bad, size - bad) ~ period + (1 | herd)", d)


def test_quadrature_needs_one_scalar_random_effect():
    g = dataset("grouse")
    with pytest.raises(UsageError, match="nagq > 1 .* 2 random terms"):
        fit_glmm("TICKS ~ YEAR + (1 | BROOD) + (1 | LOCATION)", g, family="poisson", nagq=5)
    with pytest.raises(UsageError, match="single scalar random effect; the term for 'BROOD' "
                                         "has 2 columns"):
        fit_glmm("TICKS ~ YEAR + (1 + HEIGHT | BROOD)", g, family="poisson", nagq=5)


@pytest.mark.parametrize("formula, match, lists_forms", [
    ("y ~ x", "no random term", True),
    ("y ~ x + (1 | f(g))", "must be column names joined by ':' or '/'", True),
    ("y ~ x + x | g", "'|' outside a parenthesised random term", True),
    ("y ~ (x + (1 | g)", "unbalanced parentheses", False),
    ("cbind(a) ~ x + (1 | g)", "cbind.* takes two arguments", False),
    ("y", "formula must be a string 'response ~ terms'", False),
])
def test_formula_errors(formula, match, lists_forms):
    # read by the lme4 parser the LMMs share, before the data is looked at; an unsupported
    # random term lists the supported forms
    with pytest.raises(UsageError, match=match) as err:
        fit_glmm(formula, dataset("cbpp"))
    assert all(form in str(err.value) for form in SUPPORTED_FORMS) == lists_forms


def test_unknown_columns_and_missing_rows():
    d = dataset("cbpp")
    with pytest.raises(UsageError, match="grouping factor 'farm' is not a column"):
        fit_glmm("cbind(incidence, size - incidence) ~ period + (1 | farm)", d)
    with pytest.raises(UsageError, match="'colour'"):
        fit_glmm("cbind(incidence, size - incidence) ~ colour + (1 | herd)", d)
    # a row with a missing value is dropped, as R's na.omit
    extra = pd.concat([d, d.head(1).assign(incidence=np.nan)], ignore_index=True)
    fit = fit_glmm(PO, extra, family="poisson")
    assert fit.n_obs == 56 and fit.design.n_dropped == 1
    np.testing.assert_allclose(fit.params, fitted("cbpp_poisson_offset_laplace").params,
                               rtol=1e-8)


@pytest.mark.parametrize("name", list(TERM_MODELS))
def test_predict_new_data_with_uncorrelated_and_nested_terms(name):
    # Closed form: the fitted rows as new data give the fitted predictions
    fit = fitted(name)
    data = dataset(TERM_MODELS[name][1])
    np.testing.assert_allclose(fit.predict(data), fit.predict(), rtol=1e-12)


def test_new_inner_level_keeps_the_outer_effect():
    # (1 | LOCATION/BROOD): a brood not seen in the fit has no BROOD:LOCATION effect, so its
    # prediction is the population one plus its location's mode
    fit = fitted("grouse_nested_poisson")
    new = dataset("grouse").assign(BROOD="new")
    re = fit.random_effects()
    loc = re[re["group"] == "LOCATION"].set_index("level")["estimate"]
    expected = fit.predict(random=False) + loc.loc[new["LOCATION"]].to_numpy()
    np.testing.assert_allclose(fit.predict(new), expected, rtol=1e-12)
