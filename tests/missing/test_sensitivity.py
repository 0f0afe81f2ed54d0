"""delta_sensitivity(): delta 0 equals the MAR analysis (1e-12); the pooled slope is exactly
linear in delta with the closed-form gradient (1e-10); tipping points interpolate linearly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import delta_sensitivity, impute
from youthtransitions.missing.estimate import mi_estimate
from youthtransitions.missing.sensitivity import _crossing


@pytest.fixture(scope="module")
def imputed():
    rng = np.random.default_rng(99)
    n = 400
    x = rng.normal(size=n)
    y = 0.3 * x + rng.normal(size=n)
    miss = rng.random(n) < 1 / (1 + np.exp(-(x - 0.2)))
    frame = pd.DataFrame({"x": x, "y": np.where(miss, np.nan, y)})
    return impute(frame, m=5, seed=4, n_iter=3)


def test_delta_zero_is_mar_analysis(imputed):
    res = delta_sensitivity(imputed, deltas=[-0.5, 0.0, 0.5], outcome="y", predictor="x")
    row = res.to_frame().set_index("delta").loc[0.0]
    ref = mi_estimate(imputed.datasets, outcome="y", predictor="x")
    for key in ("estimate", "std_error", "df", "r2"):
        assert row[key] == pytest.approx(ref[key], rel=1e-12)


def test_slope_linear_in_delta(imputed):
    res = delta_sensitivity(imputed, deltas=np.linspace(-1, 1, 5), outcome="y", predictor="x")
    miss = imputed.data["y"].isna().to_numpy().astype(float)
    x = imputed.data["x"].to_numpy()
    xc = x - x.mean()
    gradient = float(xc @ miss / (xc @ xc))  # OLS slope of the missingness indicator on x
    t = res.to_frame()
    base = t.loc[t["delta"] == 0.0, "estimate"].iloc[0]
    np.testing.assert_allclose(t["estimate"], base + gradient * t["delta"], rtol=1e-10)


def test_tipping_point_interpolation():
    deltas = np.array([-1.0, 0.0, 1.0, 2.0])
    lower = np.array([0.3, 0.2, 0.05, -0.10])
    assert _crossing(deltas, lower) == pytest.approx(1 + 0.05 / 0.15, abs=1e-12)
    assert _crossing(deltas, np.array([1.0, 1.0, 1.0, 1.0])) is None


def test_tipping_point_found_and_plotted(imputed):
    res = delta_sensitivity(imputed, outcome="y", predictor="x")
    t = res.to_frame()
    assert len(t) == 31
    tip = res.tipping_significance
    assert tip is not None
    # significance differs on the two sides of the tipping point
    near = t.iloc[(t["delta"] - tip).abs().argsort()[:2]]
    assert near["significant"].nunique() == 2
    from matplotlib.figure import Figure
    assert isinstance(res.plot(), Figure)


def test_errors(imputed):
    with pytest.raises(UsageError, match="result of impute"):
        delta_sensitivity(pd.DataFrame())
    with pytest.raises(UsageError, match="not in the imputed data"):
        delta_sensitivity(imputed, outcome="nope", predictor="x")
    with pytest.raises(UsageError, match="no missing values"):
        delta_sensitivity(imputed, outcome="x", predictor="y")
