"""Least squares against statsmodels OLS (same algebra: tolerance 1e-12 on coefficients and
SEs, 1e-10 on t and R²)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from youthtransitions.errors import UsageError
from youthtransitions.stats import ols, simple_ols

Y = np.array([2.1, 3.4, 1.9, 4.8, 5.2, 3.9, 2.7])
G = np.array([0, 0, 0, 1, 1, 1, 0], dtype=float)
X1 = np.array([1.0, 2.0, 0.5, 2.5, 3.0, 1.5, 0.0])


def test_ols_matches_statsmodels():
    X = np.column_stack([np.ones(7), X1, G])
    fit = ols(Y, X)
    ref = sm.OLS(Y, X).fit()
    np.testing.assert_allclose(fit["beta"][:, 0], ref.params, atol=1e-12)
    np.testing.assert_allclose(fit["se"][:, 0], ref.bse, atol=1e-12)
    np.testing.assert_allclose(fit["t"][:, 0], ref.tvalues, atol=1e-10)
    assert fit["df"] == ref.df_resid
    with pytest.raises(UsageError, match="too few"):
        ols(Y[:2], X[:2])


def test_ols_batches_outcome_columns():
    X = np.column_stack([np.ones(7), X1])
    both = ols(np.column_stack([Y, 2 * Y + 1]), X)
    np.testing.assert_allclose(both["beta"][:, 1], 2 * ols(Y, X)["beta"][:, 0] + [1, 0],
                               atol=1e-12)


def test_simple_ols_matches_statsmodels_and_drops_missing():
    x, y = X1.copy(), Y.copy()
    x[2], y[5] = np.nan, np.nan
    ok = np.isfinite(x) & np.isfinite(y)
    ref = sm.OLS(y[ok], sm.add_constant(x[ok])).fit()
    params, cov, r2, n = simple_ols(x, y)
    np.testing.assert_allclose(params, ref.params, atol=1e-12)
    np.testing.assert_allclose(cov, ref.cov_params(), atol=1e-12)
    assert r2 == pytest.approx(ref.rsquared, abs=1e-10) and n == 5
    with pytest.raises(UsageError, match="at least 4"):
        simple_ols(x[:3], y[:3])
    with pytest.raises(UsageError, match="does not vary"):
        simple_ols(np.ones(5), Y[:5])
