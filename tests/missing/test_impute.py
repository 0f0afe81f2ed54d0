"""impute(): mechanics (exact), determinism across workers (exact) and recovery of a known
truth under MAR (tolerance: 4 pooled standard errors; complete cases shown biased by more
than 2.5 of their standard errors)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import impute
from youthtransitions.missing.estimate import mi_estimate
from youthtransitions.stats import simple_ols


@pytest.fixture(scope="module")
def mar():
    """x complete; z complete auxiliary; y missing at random given z (truth: slope 0.5)."""
    rng = np.random.default_rng(2024)
    n = 3000
    z = rng.normal(size=n)
    x = 0.5 * z + rng.normal(size=n)
    y = 0.5 * x + 0.8 * z + rng.normal(size=n)
    miss = rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 3.0 * z)))
    frame = pd.DataFrame({"youth_id": [f"Y{i}" for i in range(n)], "x": x, "z": z,
                          "y": np.where(miss, np.nan, y)})
    # population slope of y on x (marginal over z): 0.5 + 0.8 * cov(x, z) / var(x)
    truth = 0.5 + 0.8 * 0.5 / (0.25 + 1.0)
    return frame, truth


def test_pmm_keeps_observed_and_draws_observed_values(mar):
    frame, _ = mar
    res = impute(frame, m=3, seed=1, n_iter=3)
    obs = frame["y"].notna()
    observed_values = set(frame.loc[obs, "y"])
    for d in res.datasets:
        assert d["y"].notna().all()
        np.testing.assert_array_equal(d.loc[obs, "y"], frame.loc[obs, "y"])
        assert set(d.loc[~obs, "y"]) <= observed_values
        assert list(d["youth_id"]) == list(frame["youth_id"])
    assert res.imputed == ["y"]
    assert len(res.trace) == 3 * 3
    table = res.to_frame().iloc[0]
    assert table["n_missing"] == int((~obs).sum())


@pytest.mark.slow
def test_seed_determinism_and_workers(mar):
    frame, _ = mar
    a = impute(frame, m=4, seed=7, n_iter=2)
    b = impute(frame, m=4, seed=7, n_iter=2, workers=2)
    for da, db in zip(a.datasets, b.datasets, strict=True):
        pd.testing.assert_frame_equal(da, db)
    c = impute(frame, m=4, seed=8, n_iter=2)
    assert not a.datasets[0]["y"].equals(c.datasets[0]["y"])
    # the first k chains do not depend on m (SeedSequence children)
    pd.testing.assert_frame_equal(impute(frame, m=2, seed=7, n_iter=2).datasets[1],
                                  a.datasets[1])


@pytest.mark.parametrize("method", ["pmm", "norm"])
def test_recovers_truth_under_mar(mar, method):
    frame, truth = mar
    res = impute(frame, m=10, seed=3, n_iter=5, method=method)
    est = mi_estimate(res.datasets, outcome="y", predictor="x")
    assert abs(est["estimate"] - truth) < 4 * est["std_error"]
    params, cov, _, _ = simple_ols(frame["x"].to_numpy(), frame["y"].to_numpy())
    assert truth - params[1] > 2.5 * np.sqrt(cov[1, 1])  # complete cases are biased


def test_plots_return_figures(mar):
    frame, _ = mar
    res = impute(frame, m=2, seed=1, n_iter=2)
    from matplotlib.figure import Figure
    assert isinstance(res.plot_trace(), Figure)
    assert isinstance(res.plot_distributions(), Figure)


def test_errors(mar):
    frame, _ = mar
    with pytest.raises(UsageError, match="method"):
        impute(frame, method="forest")
    with pytest.raises(UsageError, match="m must be"):
        impute(frame, m=0)
    with pytest.raises(UsageError, match="not numeric"):
        impute(frame.assign(label="a"), id_cols=())
    with pytest.raises(UsageError, match="not in the data"):
        impute(frame, columns=["nope"])
    with pytest.raises(UsageError, match="DataFrame or a Study"):
        impute([1, 2, 3])


def test_long_form():
    frame = pd.DataFrame({"youth_id": ["a", "b", "c"], "age_w1": [15.0, 16.0, 17.0],
                          "wb_w1": [1.0, 2.0, np.nan], "wb_w2": [1.5, np.nan, 3.0],
                          "rq_w1": [2.0, 2.5, 3.0], "rq_w2": [2.2, 2.4, 2.9]})
    res = impute(frame, m=2, seed=1, n_iter=2, donors=1)
    long = res.long(1)
    assert list(long.columns) == ["youth_id", "age_w1", "wb", "rq", "wave"]
    assert len(long) == 6 and long["wb"].notna().all()
    row = long[(long["youth_id"] == "a") & (long["wave"] == 2)].iloc[0]
    assert row["wb"] == 1.5 and row["rq"] == 2.2 and row["age_w1"] == 15.0
    with pytest.raises(UsageError, match="imputation index"):
        res.long(2)


@pytest.mark.parametrize("prediction, donors", [(-5.0, [0, 1, 2, 3, 4]),
                                                (99.0, [15, 16, 17, 18, 19]),
                                                (0.6, [0, 1, 2, 3, 4])])
def test_pmm_draws_evenly_from_the_k_nearest_donors(prediction, donors):
    """Closed form (mice's type-1 matching): a recipient takes one of the k donors whose
    predictions are nearest its own, each with probability 1/k, also at the ends of the
    donor range (where a clipped window once repeated the end donor)."""
    from youthtransitions.missing.fcs import _pmm

    rng = np.random.default_rng(3)
    hat = np.arange(20.0)
    y_obs = hat * 10
    draws = _pmm(rng, hat, np.full(20_000, prediction), y_obs, 5)
    values, counts = np.unique(draws, return_counts=True)
    assert sorted(values) == [10 * d for d in donors]
    # each share within 4 binomial SEs of 1/5
    assert np.all(np.abs(counts / 20_000 - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 20_000))


def test_predictors_option_restricts_the_imputation_model(mar):
    """Imputing y from x alone leaves out z, on which y is missing at random: the pooled slope
    is then biased like the complete-case one (more than 2.5 pooled SEs below the truth),
    where the default model (x and z) recovers it (test_recovers_truth_under_mar)."""
    frame, truth = mar
    res = impute(frame, m=10, seed=3, n_iter=5, method="norm", predictors=["x"])
    est = mi_estimate(res.datasets, outcome="y", predictor="x")
    assert truth - est["estimate"] > 2.5 * est["std_error"]
