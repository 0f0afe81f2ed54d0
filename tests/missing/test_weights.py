"""ipw(): weights, balance and the weighted HC1 model against closed forms.

A logistic model with one binary covariate is saturated, so the fitted availability
probability in each group is that group's share available (tolerance 1e-6, Newton
convergence); weighted slope and HC1 SEs are recomputed by hand with numpy (1e-8 relative).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

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
    se = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-8)
    # t tests and t intervals on the n - k residual df the table reports (1e-8 relative)
    assert (table["df"] == n - k).all()
    q = stats.t.ppf(0.975, n - k)
    np.testing.assert_allclose(table["conf_low"], beta - q * se, rtol=1e-8)
    np.testing.assert_allclose(table["conf_high"], beta + q * se, rtol=1e-8)
    np.testing.assert_allclose(table["p_value"], 2 * stats.t.sf(np.abs(beta / se), n - k),
                               rtol=1e-8)
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


def test_two_stage_product_closed_form(frame):
    """Nomination then report, one binary covariate: both stage models are saturated, so
    P(nominated | g) P(report | nominated, g) is the share available in g (1e-6, Newton
    convergence), and each stage's model is fitted on the youth at risk."""
    rng = np.random.default_rng(3)
    a = frame["pmk_available"].to_numpy()
    # every available youth was nominated; some unavailable youth were too
    nominated = np.where(a == 1, 1.0, (rng.random(a.size) < 0.5).astype(float))
    d = frame.assign(pmk_nominated=nominated)
    res = ipw(d, formula="y ~ x", covariates=["g"], stabilize=False, trim=None)
    g = d["g"]
    share = g.map({k: d["pmk_available"][g == k].mean() for k in (0.0, 1.0)})
    np.testing.assert_allclose(res.probability, share, rtol=1e-6)
    np.testing.assert_allclose(res.weights, np.where(a == 1, 1 / share, 0.0), rtol=1e-6)
    n_by_stage = res.model.groupby("stage", sort=False)["n"].first()
    assert list(n_by_stage.index) == ["pmk_nominated", "pmk_available"]
    assert n_by_stage.tolist() == [len(d), int(nominated.sum())]
    explicit = ipw(d, formula="y ~ x", covariates=["g"], stages=["pmk_nominated"])
    np.testing.assert_allclose(explicit.probability, res.probability, rtol=1e-12)


def test_user_stages_are_checked(frame):
    a = frame["pmk_available"].to_numpy()
    broken = np.where(a == 1, 1.0, 0.0)
    broken[np.flatnonzero(a == 1)[:3]] = 0.0  # three available youth never nominated
    d = frame.assign(stage=broken, coded=np.where(a == 1, 2.0, 0.0))
    with pytest.raises(UsageError, match="3 available youth did not pass"):
        ipw(d, formula="y ~ x", covariates=["g"], stages=["stage"])
    with pytest.raises(UsageError, match="must be 0/1"):
        ipw(d, formula="y ~ x", covariates=["g"], stages=["coded"])
    with pytest.raises(UsageError, match="other than the indicator"):
        ipw(d, formula="y ~ x", covariates=["g"], stages=["pmk_available"])
    with pytest.raises(UsageError, match="not in the data"):
        ipw(d, formula="y ~ x", covariates=["g"], stages=["nope"])


@pytest.mark.parametrize("level", [95, 0, 1.0, -0.5, "0.95x", True])
def test_level_is_checked(frame, level):
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        ipw(frame, formula="y ~ x", covariates=["g"], level=level)


@pytest.mark.parametrize("trim", [(0.01,), (0.01, 0.5, 0.99), 0.05, ("a", "b"), (0.5, 0.5)])
def test_trim_is_checked(frame, trim):
    p = np.full(4, 0.5)
    a = np.array([1, 1, 0, 1], dtype=bool)
    with pytest.raises(UsageError, match="trim must be two percentiles"):
        availability_weights(p, a, trim=trim)
    with pytest.raises(UsageError, match="trim must be two percentiles"):
        ipw(frame, formula="y ~ x", covariates=["g"], trim=trim)


def test_retrim_equals_refit_without_refitting(frame, monkeypatch):
    from youthtransitions.missing import weights as weights_module

    d = frame.assign(pmk_nominated=np.where(frame["pmk_available"] == 1, 1.0,
                                            (np.arange(len(frame)) % 2).astype(float)))
    untrimmed = ipw(d, formula="y ~ x", covariates=["g", "x"], trim=None)
    direct = ipw(d, formula="y ~ x", covariates=["g", "x"], trim=(0.05, 0.95))

    def no_refit(*args, **kwargs):
        raise AssertionError("retrim refitted the availability model")

    monkeypatch.setattr(weights_module, "fit_logit", no_refit)
    again = untrimmed.retrim((0.05, 0.95))
    assert again.trim == (0.05, 0.95)
    pd.testing.assert_frame_equal(again.to_frame(), direct.to_frame(), rtol=1e-12)
    pd.testing.assert_frame_equal(again.balance, direct.balance, rtol=1e-12)
    pd.testing.assert_frame_equal(again.model, direct.model)
    np.testing.assert_allclose(again.weights, direct.weights, rtol=1e-12)
    assert (again.r2, again.r2_low, again.r2_high) == pytest.approx(
        (direct.r2, direct.r2_low, direct.r2_high), rel=1e-12)
    np.testing.assert_allclose(untrimmed.retrim(None).weights, untrimmed.weights, rtol=0)
    with pytest.raises(UsageError, match="trim must be two percentiles"):
        untrimmed.retrim((0.5,))


def test_errors(frame):
    with pytest.raises(UsageError, match="not a column"):
        ipw(frame, formula="y ~ x", covariates=["g"], indicator="nope")
    with pytest.raises(UsageError, match="outcome model"):
        ipw(frame, formula="y ~ nonexistent", covariates=["g"])
