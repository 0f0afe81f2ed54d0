"""engine="statsmodels" agrees with the fast engine (and so with lme4).

statsmodels' optimiser stops earlier than lme4's or ours, so the tolerances are those of its
convergence: fixed effects 1e-5 relative, log-likelihood 1e-7 relative, standard errors
1e-4, variance components 1e-3, Satterthwaite df 1e-3 (both df computed by the same
formula at slightly different estimates).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models import ConvergenceWarning, fit_lmm
from youthtransitions.models.sm_engine import lambda_from_cov

REF = Path(__file__).resolve().parents[1] / "reference" / "lme4"

CASES = [
    ("data_a.csv", "y ~ x + wave", "1", "reml", 100),
    ("data_d.csv", "y ~ x + wave + female + C(site)", "1", "ml", 100),
    ("data_c.csv", "y ~ x + wave", "1 + wave", "reml", 80),  # first 80 youth: keeps it fast
]


@pytest.mark.parametrize("file, formula, random, method, n_ids", CASES)
def test_statsmodels_engine_agrees_with_fast(file, formula, random, method, n_ids):
    d = pd.read_csv(REF / file)
    if n_ids:
        d = d[d["id"] <= n_ids]
    fast = fit_lmm(formula, d, group="id", random=random, method=method)
    sm = fit_lmm(formula, d, group="id", random=random, method=method, engine="statsmodels")
    assert sm.engine == "statsmodels" and sm.converged
    assert sm.fixed_names == fast.fixed_names and sm.n_obs == fast.n_obs
    np.testing.assert_allclose(sm.params, fast.params, rtol=1e-5)
    np.testing.assert_allclose(sm.loglik, fast.loglik, rtol=1e-7)
    np.testing.assert_allclose(sm.std_errors, fast.std_errors, rtol=1e-4)
    np.testing.assert_allclose(sm.random_cov, fast.random_cov, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(sm.residual_variance, fast.residual_variance, rtol=1e-3)
    np.testing.assert_allclose(sm.df, fast.df, rtol=1e-3)
    assert sm.df_method.startswith("Satterthwaite")


def test_lambda_from_cov_handles_singular_matrices():
    m = np.array([[2.0, 1.0], [1.0, 3.0]])
    lam = lambda_from_cov(m)
    np.testing.assert_allclose(lam @ lam.T, m, rtol=1e-12)
    v = np.array([1.0, 2.0])
    lam = lambda_from_cov(np.outer(v, v))  # rank 1: Cholesky fails
    np.testing.assert_allclose(lam @ lam.T, np.outer(v, v), atol=1e-12)
    assert np.all(np.diag(lam) >= 0) and lam[0, 1] == 0


# lme4's isSingular on statsmodels' estimates (sm_engine.boundary_singular), against R's
# verdict in the stored references: singular fits where statsmodels stops short of the
# boundary, and fits with a small but real variance component.
DATASETS = REF.parent / "lme4_datasets"
SINGULAR_CASES = [(REF, "a_slope_singular"), (REF, "e1_singular_reml"),
                  (REF, "e2_sm10239_reml"), (REF, "e1_singular_slope"),
                  (DATASETS, "dye2_singular_reml"), (DATASETS, "cake_slope_ml"),
                  (DATASETS, "sleep_seconds_reml"), (DATASETS, "ox_slope_reml"),
                  (DATASETS, "cake_slope_reml")]


@pytest.mark.parametrize("folder, name", SINGULAR_CASES, ids=[c[1] for c in SINGULAR_CASES])
def test_statsmodels_engine_singular_as_lme4(folder, name, request):
    if name == "cake_slope_reml":
        request.applymarker(pytest.mark.xfail(
            strict=True, reason="statsmodels stops far from the optimum here (and warns)"))
    ref = json.loads((folder / "fits.json").read_text())[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = fit_lmm(ref["formula"], pd.read_csv(folder / ref["data"]), group=ref["group"],
                     random=ref["random"], method=ref["method"], engine="statsmodels")
    assert sm.singular is bool(ref["singular"])


def test_statsmodels_convergence_advice_names_the_other_engine():
    ref = json.loads((DATASETS / "fits.json").read_text())["cake_slope_reml"]
    with pytest.warns(ConvergenceWarning) as caught:
        fit_lmm(ref["formula"], pd.read_csv(DATASETS / ref["data"]), group=ref["group"],
                random=ref["random"], engine="statsmodels")
    text = " ".join(str(w.message) for w in caught if w.category is ConvergenceWarning)
    assert "engine='fast'" in text and "engine='statsmodels'" not in text
