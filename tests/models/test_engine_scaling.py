"""Internal scaling and the boundary restarts of the fast engine.

Tolerances:
- transformed sufficient statistics and the Lambda back-transform: 1e-10 relative against
  the statistics of the transformed columns and ``T Lambda_s Lambda_s' T'`` (rounding only);
- the deviance under Z's transform: 1e-10 relative (it is invariant);
- the planted boundary local optimum: the restart reaches lme4's log-likelihood to 1e-6
  relative (tests/reference/lme4_datasets/fits.json);
- the moment start: within 15% of the simulated relative covariance (400 groups of 8).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models.engine import make_deviance, sufficient_statistics
from youthtransitions.models.engine.deviance import theta_to_lambda
from youthtransitions.models.engine.optimize import minimise_deviance
from youthtransitions.models.engine.scaling import (
    column_scaling,
    fit_scalings,
    scale_suffstats,
    theta_back,
)
from youthtransitions.models.engine.starts import moment_start
from youthtransitions.models.formula import build_design

DATASETS = Path(__file__).resolve().parents[1] / "reference" / "lme4_datasets"


def _panel(seed=0, G=60, mean=200.0, sd=17.0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(G), 6)
    n = len(groups)
    t = mean + sd * rng.normal(size=n)
    X = np.column_stack([np.ones(n), t, rng.normal(size=n) * 1e5])
    Z = X[:, :2].copy()
    y = 1 + 0.05 * t + rng.normal(size=G)[groups] + rng.normal(size=n)
    return y, X, Z, groups, G


def test_scaling_rule_centres_and_scales_far_columns_only():
    # mean 200, sd 17: in Z centred on the intercept and divided by 16 (nearest power of
    # two), in X divided by 256 (rms 200, X is not centred); sd 1e5 divided by 2^17;
    # unit-scale columns left alone
    y, X, Z, groups, G = _panel()
    ss = sufficient_statistics(y, X, Z, groups, G)
    xs, zs = fit_scalings(ss, X, Z)
    assert xs.scale.tolist() == [1.0, 256.0, 2.0**17] and zs.scale.tolist() == [1.0, 16.0]
    np.testing.assert_allclose(zs.T[0, 1], -X[:, 1].mean() / 16, rtol=1e-12)
    unit = column_scaling(np.array([600.0, 10.0]), np.array([600.0, 700.0]), 600, 0)
    assert unit.identity


def test_scaled_statistics_equal_those_of_scaled_columns():
    y, X, Z, groups, G = _panel(1)
    ss = sufficient_statistics(y, X, Z, groups, G)
    xs, zs = fit_scalings(ss, X, Z)
    want = sufficient_statistics(y, X @ xs.T, Z @ zs.T, groups, G)
    got = scale_suffstats(ss, xs.T, zs.T)
    for name in ("ZtZ", "ZtX", "Zty", "XtX", "Xty"):
        a, b = getattr(got, name), getattr(want, name)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max())


def test_theta_back_gives_the_same_covariance_and_deviance():
    y, X, Z, groups, G = _panel(2)
    ss = sufficient_statistics(y, X, Z, groups, G)
    _, zs = fit_scalings(ss, X, Z)
    theta_s = np.array([0.7, -0.4, 0.3])
    theta = theta_back(theta_s, zs.T)
    lam, lam_s = theta_to_lambda(theta, 2), theta_to_lambda(theta_s, 2)
    want = zs.T @ lam_s @ lam_s.T @ zs.T.T
    np.testing.assert_allclose(lam @ lam.T, want, rtol=1e-10)
    assert np.all(np.diag(lam) >= 0)
    scaled = make_deviance(scale_suffstats(ss, np.eye(3), zs.T), reml=False)
    np.testing.assert_allclose(make_deviance(ss, reml=False)(theta), scaled(theta_s),
                               rtol=1e-10)
    # a singular Lambda_s (zero last column) maps to a singular Lambda
    sing = theta_back(np.array([0.7, -0.4, 0.0]), zs.T)
    assert abs(sing[-1]) < 1e-12


def test_planted_boundary_local_optimum_is_escaped():
    # R's cake data on the raw temperature scale (no internal scaling): from the unit start
    # L-BFGS-B stops at Lambda = [[0, 0], [-0.0065, 0]] (log-likelihood -831.089, both
    # diagonal elements on the boundary); started there, the restarts must reach lme4's
    # optimum -831.0128
    ref = json.loads((DATASETS / "fits.json").read_text())["cake_slope_reml"]
    d = build_design(ref["formula"], pd.read_csv(DATASETS / ref["data"]),
                     group=ref["group"], random=ref["random"])
    dev = make_deviance(sufficient_statistics(d.y, d.X, d.Z, d.groups, len(d.group_labels)),
                        reml=True)
    planted = np.array([0.0, -0.00651754, 0.0])
    assert -dev(planted) / 2 == pytest.approx(-831.0894, abs=1e-4)
    opt = minimise_deviance(dev, start=planted)
    assert opt["restarts"] >= 1
    np.testing.assert_allclose(-opt["deviance"] / 2, ref["loglik"], rtol=1e-6)


def test_moment_start_is_near_the_truth():
    rng = np.random.default_rng(5)
    G, m = 400, 8
    groups = np.repeat(np.arange(G), m)
    n = len(groups)
    t = rng.normal(size=n)
    X = np.column_stack([np.ones(n), t])
    lam_true = np.array([[1.2, 0.0], [0.3, 0.5]])
    b = rng.normal(size=(G, 2)) @ lam_true.T
    y = X @ [1.0, 0.5] + (X * b[groups]).sum(1) + rng.normal(size=n)
    theta = moment_start(sufficient_statistics(y, X, X, groups, G))
    lam = theta_to_lambda(theta, 2)
    np.testing.assert_allclose(lam @ lam.T, lam_true @ lam_true.T, rtol=0.15, atol=0.05)
