"""The chained-equations draws: the posterior of one regression against its closed form, and
whole multiple imputations against R ``mice`` (tests/reference/mice_mi/).

Tolerances are Monte Carlo errors: 4 standard errors of the quantity over the draws made.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.missing import impute
from youthtransitions.missing.estimate import cc_estimate, mi_estimate
from youthtransitions.missing.fcs import draw_regression

MICE = Path(__file__).resolve().parents[1] / "reference" / "mice_mi"
N_DRAWS = 20_000


@pytest.fixture(scope="module")
def small_regression():
    """n = 30, p = 3 (nu = 27 residual df: the draws are far from their large-n limit)."""
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(30), rng.normal(size=(30, 2))])
    y = x @ np.array([1.0, 2.0, -1.0]) + rng.normal(size=30)
    return x, y


@pytest.fixture(scope="module")
def posterior_draws(small_regression):
    x, y = small_regression
    rng = np.random.default_rng(5)
    out = [draw_regression(rng, x, y, ridge=0.0) for _ in range(N_DRAWS)]
    return np.array([o[1] for o in out]), np.array([o[2] for o in out]) ** 2


def test_estimate_is_least_squares(small_regression):
    x, y = small_regression
    coef, beta, sigma = draw_regression(np.random.default_rng(1), x, y, ridge=0.0)
    np.testing.assert_allclose(coef, np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-10)
    # mice's ridge (ls.meth = "ridge"): (X'X + kappa diag(X'X))^{-1} X'y
    xtx = x.T @ x
    ridged = np.linalg.solve(xtx + 1e-5 * np.diag(np.diag(xtx)), x.T @ y)
    np.testing.assert_allclose(draw_regression(np.random.default_rng(1), x, y)[0], ridged,
                               rtol=1e-12)
    assert beta.shape == (3,) and sigma > 0


def test_sigma_draws_follow_scaled_inverse_chi_square(small_regression, posterior_draws):
    """sigma*^2 = RSS / g, g ~ chi^2_nu: mean RSS/(nu-2), variance 2 RSS^2/((nu-2)^2 (nu-4))."""
    x, y = small_regression
    _, s2 = posterior_draws
    nu = x.shape[0] - x.shape[1]
    rss = float(((y - x @ np.linalg.lstsq(x, y, rcond=None)[0]) ** 2).sum())
    mean = rss / (nu - 2)
    var = 2 * rss**2 / ((nu - 2) ** 2 * (nu - 4))
    assert abs(s2.mean() - mean) < 4 * np.sqrt(var / N_DRAWS)
    # SE of a sample variance: sqrt((mu4 - var^2) / N), mu4 estimated from the draws
    mu4 = float(((s2 - s2.mean()) ** 4).mean())
    assert abs(s2.var(ddof=1) - var) < 4 * np.sqrt((mu4 - var**2) / N_DRAWS)


def test_beta_draws_follow_their_posterior(small_regression, posterior_draws):
    """beta* ~ N(beta_hat, sigma*^2 (X'X)^{-1}) given sigma*: over sigma*, mean beta_hat and
    covariance E[sigma*^2] (X'X)^{-1} = RSS/(nu-2) (X'X)^{-1} (the standard noninformative
    prior, as mice.impute.norm). A draw fixed at beta_hat (improper imputation) has covariance
    zero; a draw that ignores sigma*'s spread has it at RSS/nu (X'X)^{-1}, 7% smaller."""
    x, y = small_regression
    beta, s2 = posterior_draws
    nu = x.shape[0] - x.shape[1]
    bhat = np.linalg.lstsq(x, y, rcond=None)[0]
    rss = float(((y - x @ bhat) ** 2).sum())
    cov = rss / (nu - 2) * np.linalg.inv(x.T @ x)
    dev = beta - bhat
    assert np.all(np.abs(dev.mean(axis=0)) < 4 * np.sqrt(np.diag(cov) / N_DRAWS))
    # each covariance element: the mean of dev_j dev_k, with its own Monte Carlo SE
    products = dev[:, :, None] * dev[:, None, :]
    se = products.std(axis=0, ddof=1) / np.sqrt(N_DRAWS)
    assert np.all(np.abs(products.mean(axis=0) - cov) < 4 * se)
    # and beta* given sigma*: (beta* - beta_hat) / sigma* ~ N(0, (X'X)^{-1}) exactly, so its
    # whitened form has identity covariance (variance SE sqrt(2/N), covariance SE sqrt(1/N))
    white = np.linalg.solve(np.linalg.cholesky(np.linalg.inv(x.T @ x)),
                            (dev / np.sqrt(s2)[:, None]).T).T
    np.testing.assert_allclose(np.cov(white.T), np.eye(3), rtol=0,
                               atol=4 * np.sqrt(2 / N_DRAWS))


@pytest.fixture(scope="module")
def mice_data():
    return pd.read_csv(MICE / "mi_data.csv")


@pytest.fixture(scope="module")
def mice_results():
    return pd.read_csv(MICE / "mi_results.csv").set_index("method")


@pytest.mark.parametrize("method", ["norm", "pmm"])
def test_multiple_imputation_matches_mice(mice_data, mice_results, method):
    """Our m = 50 imputations against mice's m = 50 on the same MAR data (y missing given z).

    The two runs use different random numbers, so they differ by Monte Carlo error: the
    pooled slope by sqrt(B/m) each (B: mice's between-imputation variance), the pooled SE by
    (1 + 1/m) B sqrt(2/(m-1)) / (2 SE) each (B has m - 1 df). Tolerance: 4 SE of the
    difference. The complete-case slope (0.359) is 0.15 away from mice's, far outside it.
    """
    ref = mice_results.loc[method]
    res = impute(mice_data[["x", "z", "y"]], m=50, seed=11, n_iter=1, method=method,
                 id_cols=())
    got = mi_estimate(res.datasets, outcome="y", predictor="x")
    m, b = ref["m"], ref["b"]
    assert abs(got["estimate"] - ref["estimate"]) < 4 * np.sqrt(2 * b / m)
    se_sd = (1 + 1 / m) * b * np.sqrt(2 / (m - 1)) / (2 * ref["std_error"])
    assert abs(got["std_error"] - ref["std_error"]) < 4 * np.sqrt(2) * se_sd
    assert got["n"] == ref["n"]
    assert got["conf_low"] < mice_results.loc["truth", "estimate"] < got["conf_high"]


def test_complete_cases_match_r_and_miss_the_truth(mice_data, mice_results):
    """Complete cases as R's lm (to 1e-10) and, on these data, an interval that excludes the
    true slope 0.5."""
    ref = mice_results.loc["complete_case"]
    got = cc_estimate(mice_data, outcome="y", predictor="x")
    for key in ("estimate", "std_error", "conf_low", "conf_high"):
        assert got[key] == pytest.approx(ref[key], rel=1e-10), key
    assert got["conf_high"] < mice_results.loc["truth", "estimate"]
