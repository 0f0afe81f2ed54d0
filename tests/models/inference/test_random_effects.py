"""Conditional modes, predictions and residuals against lme4 1.1-31
(tests/reference/lme4_ranef/make.R).

Tolerances: conditional modes and their SDs 1e-4 relative (absolute 1e-4 times the largest
|value| for modes near zero); conditional covariances, predictions and residuals 1e-4
relative (absolute 1e-4 times the response's SD for residuals near zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models.inference import (
    conditional_modes,
    fitted,
    predict,
    random_effects,
    residuals,
)

from .conftest import MODELS, read_ref

REL = 1e-4
RANEF = read_ref("lme4_ranef", "ranef.csv")
CONDCOV = read_ref("lme4_ranef", "ranef_condcov.csv")
PRED = read_ref("lme4_ranef", "predictions.csv")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_modes_and_sds(reml_fits, name):
    fit = reml_fits[name]
    ours = random_effects(fit).to_frame()
    assert list(ours.columns) == ["group", "level", "term", "estimate", "std_error"]
    ref = RANEF[RANEF["model"] == name]
    key = ["term", "level"]
    ours = ours.assign(level=ours["level"].astype(str)).set_index(key)
    ref = ref.assign(level=ref["level"].astype(str)).set_index(key)
    assert set(ours.index) == set(ref.index)
    ours = ours.loc[ref.index]
    assert (ours["group"] == ref["group"]).all()
    scale = np.abs(ref["estimate"]).max()
    np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=REL, atol=REL * scale)
    np.testing.assert_allclose(ours["std_error"], ref["std_error"], rtol=REL)


def test_conditional_covariance(reml_fits):
    fit = reml_fits["sleep_slope"]
    _, cov = conditional_modes(fit)
    ref = CONDCOV[CONDCOV["model"] == "sleep_slope"]
    pos = {t: i for i, t in enumerate(fit.random_names)}
    lev = {str(v): i for i, v in enumerate(fit.group_labels)}
    ours = cov[[lev[str(v)] for v in ref["level"]], ref["term1"].map(pos), ref["term2"].map(pos)]
    scale = np.abs(ref["value"]).max()
    np.testing.assert_allclose(ours, ref["value"], rtol=REL, atol=REL * scale)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_predictions_and_residuals(reml_fits, name):
    fit = reml_fits[name]
    ref = PRED[PRED["model"] == name]
    # the model frame keeps the data's rows in order (row = 1-based row of the CSV)
    assert len(ref) == fit.n_obs
    np.testing.assert_allclose(fitted(fit), ref["fitted"], rtol=REL)
    np.testing.assert_allclose(predict(fit), ref["fitted"], rtol=REL)
    np.testing.assert_allclose(predict(fit, random=False), ref["population"], rtol=REL)
    atol = REL * float(np.std(fit.y))
    np.testing.assert_allclose(residuals(fit), ref["resid_response"], rtol=REL, atol=atol)
    np.testing.assert_allclose(residuals(fit, "pearson"), ref["resid_pearson"], rtol=REL,
                               atol=atol)
    # predict on the model frame itself gives the fitted values
    np.testing.assert_allclose(predict(fit, fit.data), ref["fitted"], rtol=REL)


def test_new_data_unknown_group_gets_population_prediction(reml_fits):
    ref = read_ref("lme4_ranef", "newdata_predictions.csv").astype({"Subject": str})
    new = ref[["Subject", "Days"]]
    fit = reml_fits["sleep_slope"]
    np.testing.assert_allclose(predict(fit, new), ref["predict"], rtol=REL)
    np.testing.assert_allclose(predict(fit, new, random=False), ref["population"], rtol=REL)


def test_bad_input(reml_fits):
    fit = reml_fits["sleep_slope"]
    with pytest.raises(UsageError, match="kind"):
        residuals(fit, "deviance")
    with pytest.raises(UsageError, match="group column"):
        predict(fit, pd.DataFrame({"Days": [1.0]}))
    with pytest.raises(UsageError, match="Days"):
        predict(fit, pd.DataFrame({"Subject": ["308"]}))
