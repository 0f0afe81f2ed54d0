"""ipw(): weights, balance and the weighted HC1 model against closed forms.

A logistic model with one binary covariate is saturated, so the fitted availability
probability in each group is that group's share available (tolerance 1e-6, Newton
convergence); weighted slope and HC1 SEs are recomputed by hand with numpy (1e-8 relative).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import availability_weights, ipw


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    n = 400
    g = (rng.random(n) < 0.5).astype(float)
    p = np.where(g == 1, 0.8, 0.3)
    a = (rng.random(n) < p).astype(float)
    x = rng.normal(size=n) + g
    y = 1.0 + 0.5 * x + g + rng.normal(size=n)
    y[a == 0] = np.nan
    return pd.DataFrame({"g": g, "pmk_available": a, "x": x, "y": y})


def test_weights_closed_form(frame):
    res = ipw(frame, formula="y ~ x", covariates=["g"], stabilize=False, trim=None)
    a, g = frame["pmk_available"], frame["g"]
    share = {k: a[g == k].mean() for k in (0.0, 1.0)}
    expected = np.where(a == 1, 1 / g.map(share), 0.0)
    np.testing.assert_allclose(res.weights, expected, rtol=1e-6)
    stab = ipw(frame, formula="y ~ x", covariates=["g"], stabilize=True, trim=None)
    np.testing.assert_allclose(stab.weights, expected * a.mean(), rtol=1e-6)
    # after weighting the available youth reproduce the whole sample's share of g exactly
    row = stab.balance.set_index("covariate").loc["g"]
    assert row["mean_weighted"] == pytest.approx(g.mean(), abs=1e-6)
    assert abs(row["smd_weighted"]) < 1e-5 < abs(row["smd_unweighted"])


def test_trimming_percentiles():
    p = np.linspace(0.05, 1.0, 20)
    a = np.ones(20, dtype=bool)
    a[::4] = False
    w = availability_weights(p, a, stabilize=False, trim=(0.1, 0.9))
    raw = 1 / p[a]
    lo, hi = np.quantile(raw, [0.1, 0.9])
    np.testing.assert_allclose(w[a], np.clip(raw, lo, hi), rtol=1e-12)
    assert np.all(w[~a] == 0)
    with pytest.raises(UsageError, match="trim"):
        availability_weights(p, a, trim=(0.9, 0.1))


def test_weighted_hc1_by_hand(frame):
    res = ipw(frame, formula="y ~ x", covariates=["g", "x"], trim=(0.05, 0.95))
    keep = frame["pmk_available"].to_numpy() == 1
    w = res.weights.to_numpy()[keep]
    X = np.column_stack([np.ones(keep.sum()), frame["x"].to_numpy()[keep]])
    y = frame["y"].to_numpy()[keep]
    xtwx = X.T @ (w[:, None] * X)
    beta = np.linalg.solve(xtwx, X.T @ (w * y))
    e = y - X @ beta
    bread = np.linalg.inv(xtwx)
    meat = (X * (w * e)[:, None]).T @ (X * (w * e)[:, None])
    n, k = X.shape
    cov = bread @ meat @ bread * n / (n - k)
    table = res.to_frame()
    np.testing.assert_allclose(table["estimate"], beta, rtol=1e-8)
    np.testing.assert_allclose(table["std_error"], np.sqrt(np.diag(cov)), rtol=1e-8)
    ybar = np.average(y, weights=w)
    r2 = 1 - np.sum(w * e**2) / np.sum(w * (y - ybar) ** 2)
    assert res.r2 == pytest.approx(r2, rel=1e-8)
    assert res.n_effective == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert res.r2_low < res.r2 < res.r2_high


def test_ipw_recovers_population_slope_where_cc_is_biased():
    # MAR on g, which also shifts the slope: CC is biased, IPW is not (truth 1.0 for x-slope
    # in the population mixing both groups equally; tolerance: 4 standard errors).
    rng = np.random.default_rng(11)
    n = 6000
    g = (rng.random(n) < 0.5).astype(float)
    x = rng.normal(size=n)
    y = x * (0.5 + g) + rng.normal(size=n)  # population slope 0.5 + 0.5 = 1.0
    a = (rng.random(n) < np.where(g == 1, 0.9, 0.2)).astype(float)
    d = pd.DataFrame({"g": g, "x": x, "y": np.where(a == 1, y, np.nan), "pmk_available": a})
    res = ipw(d, formula="y ~ x", covariates=["g"], trim=None)
    est, se = res.fit.params["x"], res.fit.bse["x"]
    assert abs(est - 1.0) < 4 * se
    cc = np.polyfit(x[a == 1], y[a == 1], 1)[0]
    assert cc - 1.0 > 4 * se


def test_errors(frame):
    with pytest.raises(UsageError, match="not a column"):
        ipw(frame, formula="y ~ x", covariates=["g"], indicator="nope")
    with pytest.raises(UsageError, match="outcome model"):
        ipw(frame, formula="y ~ nonexistent", covariates=["g"])
