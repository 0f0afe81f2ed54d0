"""Cluster-bootstrap refits of a block of draws at once (engine/block_newton.py).

Checked against each draw's own weighted deviance (value, analytic gradient and Hessian to
rounding), against the one-draw refits (theta, beta, sigma² and the random-effects
covariance to 1e-8 relative) and the refits of the resampled rows (1e-6, that optimiser's
tolerance), and by what the block must leave to the
one-draw path: a resample whose fixed effects are not identified and an optimum on the
boundary. The bootstrap's replicates are the same with and without the block.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models import bootstrap as bootstrap_module
from youthtransitions.models import bootstrap_r2, fit_lmm
from youthtransitions.models.bootstrap import (
    cluster_measures,
    cluster_measures_block,
    cluster_rows,
    cluster_statistics,
)
from youthtransitions.models.engine import block_newton, refit, refit_weighted
from youthtransitions.models.engine.block_newton import BlockNewton
from youthtransitions.models.engine.deviance import ProfiledDeviance
from youthtransitions.models.engine.hessian import profiled_hessian, varpar_hessian_exact

DATA = pd.read_csv(Path(__file__).parents[1] / "reference" / "r2mlm" / "r2mlm_data.csv")
FORMULA = "y ~ x_w + x_b + w"


def _setup(random, reml, data=DATA):
    fit = fit_lmm(FORMULA, data, group="id", random=random, method="REML" if reml else "ML")
    G = fit.n_groups
    stats = cluster_statistics(fit.X, fit.Z, np.asarray(fit.y, float), np.asarray(fit.groups),
                               G, theta=fit.theta, reml=reml)
    return fit, stats, G


def _draws(G, k, seed=5):
    rng = np.random.default_rng(seed)
    return np.array([np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(k)],
                    dtype=float)


def _rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(b)), 1.0)


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("random", ["1", "1 + x_w", "1 + x_w + z_w"])
def test_evaluation_is_each_draws_own_deviance_gradient_and_hessian(random, reml):
    fit, stats, G = _setup(random, reml)
    block = stats["block"]
    assert isinstance(block, BlockNewton)
    theta = np.asarray(fit.theta, float)
    W = _draws(G, 5)
    rng = np.random.default_rng(2)
    thetas = theta * (1 + 0.2 * rng.standard_normal((len(W), theta.size)))
    thetas[:, np.isfinite(block_newton.theta_lower_bounds(block.q))] = np.abs(
        thetas[:, np.isfinite(block_newton.theta_lower_bounds(block.q))])
    got = block.evaluate(thetas, W, parts="hessian")
    assert got["valid"].all()
    for k, w in enumerate(W):
        dev = ProfiledDeviance(stats["ss"].reweighted(w), reml=reml)
        st = dev.state(thetas[k], need_grad=True)
        H = profiled_hessian(varpar_hessian_exact(
            dev, np.append(thetas[k], math.sqrt(st["pwrss"] / dev.dof)), st))
        assert got["deviance"][k] == pytest.approx(st["deviance"], rel=1e-12)
        assert _rel(got["beta"][k], st["beta"]) < 1e-11
        assert _rel(got["grad"][k], dev.grad_from_state(st)) < 1e-9
        assert _rel(got["hessian"][k], H) < 1e-10


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("random", ["1", "1 + x_w", "1 + x_w + z_w"])
def test_block_refits_equal_refits_of_the_resampled_rows(random, reml):
    fit, stats, G = _setup(random, reml)
    theta = np.asarray(fit.theta, float)
    W = _draws(G, 6)
    got = stats["block"].fit(W)
    y, X, Z = np.asarray(fit.y, float), np.asarray(fit.X), np.asarray(fit.Z)
    groups = np.asarray(fit.groups)
    diag = np.isfinite(block_newton.theta_lower_bounds(stats["block"].q))
    for k, w in enumerate(W):
        draw = np.repeat(np.arange(G), w.astype(int))
        rows, codes = cluster_rows(groups, draw, n_groups=G)
        ref = refit(y[rows], X[rows], Z[rows], codes, reml=reml, start=theta)
        one = refit_weighted(stats["ss"], w, reml=reml, start=theta)
        # an interior optimum is the block's to find; one near the boundary is left alone
        assert got.ok[k] == (ref.theta[diag] >= block_newton.BOUNDARY).all()
        if not got.ok[k]:
            continue
        for name in ("theta", "beta", "sigma2", "random_cov"):
            g = getattr(got, name)[k]
            # the one-draw refit stops within about 1e-10, the row refit's optimiser (with
            # its convergence checks) within about 1e-7
            assert _rel(g, getattr(one, name)) < 1e-8, name
            assert _rel(g, getattr(ref, name)) < 1e-6, name


def test_passes_do_not_change_the_numbers(monkeypatch):
    """A block computed in passes of fewer draws (a large data set) gives the same refits."""
    _, stats, G = _setup("1 + x_w", True)
    W = _draws(G, 7)
    whole = stats["block"].fit(W)
    for name in ("MAX_CELLS", "MAX_CELLS_UNSTEADY"):
        monkeypatch.setattr(block_newton, name, 2 * G)  # passes of two draws
    parts = stats["block"].fit(W)
    for name in ("theta", "beta", "sigma2", "random_cov"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), rtol=1e-12,
                                   atol=1e-14)


def test_unidentified_resample_is_left_to_the_one_draw_path():
    fit, stats, G = _setup("1 + x_w", True)
    W = _draws(G, 3)
    W[1] = 0.0
    W[1, 0] = G  # one youth drawn G times: x_b and w are constant, beta not identified
    got = stats["block"].fit(W)
    assert got.ok.tolist() == [True, False, True]
    assert np.isnan(got.beta[1]).all() and np.isnan(got.theta[1]).all()
    kinds = bootstrap_module._kinds(bootstrap_module._spec(fit, "full"))
    values = cluster_measures_block(stats, W, reml=True, start=np.asarray(fit.theta),
                                    kinds=kinds)
    assert np.isnan(values[1]).all()
    expected = cluster_measures(stats, W[0], reml=True, start=np.asarray(fit.theta),
                                kinds=kinds)
    np.testing.assert_allclose(values[0], bootstrap_module._as_array(expected), rtol=1e-8)


def _small_slope_data(seed=4):
    """Random slopes with a standard deviation of 0.02 against a residual one of 1: the
    full-sample slope variance is small but positive, and some resamples put it at 0."""
    rng = np.random.default_rng(seed)
    G, n = 40, 6
    g = np.repeat(np.arange(G), n)
    x = rng.standard_normal(G * n)
    b0 = rng.normal(0, 1, G)
    b1 = rng.normal(0, 0.02, G)
    y = 1 + 0.5 * x + b0[g] + b1[g] * x + rng.standard_normal(G * n)
    return pd.DataFrame({"id": g, "y": y, "x_w": x, "x_b": rng.standard_normal(G)[g],
                         "w": rng.standard_normal(G)[g]})


def test_optimum_on_the_boundary_is_left_to_the_general_optimiser():
    data = _small_slope_data()
    fit, stats, G = _setup("1 + x_w", True, data)
    theta = np.asarray(fit.theta, float)
    assert theta[2] >= block_newton.BOUNDARY  # the block applies to the full sample
    W = _draws(G, 40, seed=9)
    got = stats["block"].fit(W)
    ones = [refit_weighted(stats["ss"], w, reml=True, start=theta) for w in W]
    on_boundary = np.array([one.theta[2] < block_newton.BOUNDARY for one in ones])
    assert on_boundary.any() and (~on_boundary).any()   # the planted case occurs
    assert not got.ok[on_boundary].any()                # ... and is never taken by the block
    for k in np.flatnonzero(got.ok):
        assert _rel(got.theta[k], ones[k].theta) < 1e-8
    kinds = bootstrap_module._kinds(bootstrap_module._spec(fit, "full"))
    values = cluster_measures_block(stats, W, reml=True, start=theta, kinds=kinds)
    for k in np.flatnonzero(on_boundary):
        expected = cluster_measures(stats, W[k], reml=True, start=theta, kinds=kinds)
        np.testing.assert_allclose(values[k], bootstrap_module._as_array(expected),
                                   rtol=1e-10, atol=1e-12)


def test_no_block_on_the_boundary_or_without_theta():
    fit, _, G = _setup("1", True)
    args = (fit.X, fit.Z, np.asarray(fit.y, float), np.asarray(fit.groups), G)
    assert cluster_statistics(*args)["block"] is None
    assert cluster_statistics(*args, theta=np.array([0.0]))["block"] is None
    with pytest.raises(ValueError, match="interior"):
        BlockNewton(cluster_statistics(*args)["ss"], np.array([0.0]), True)


@pytest.mark.parametrize("random", ["1", "1 + x_w"])
def test_bootstrap_replicates_do_not_depend_on_the_block(monkeypatch, random):
    """The same draws refitted together and one by one: the same optimum, so the same
    replicates to the Newton tolerance (1e-8 on R²)."""
    full = fit_lmm(FORMULA, DATA, group="id", random=random)
    reduced = fit_lmm("y ~ x_b", DATA, group="id", random=random)
    together = bootstrap_r2(full, reduced, B=30, seed=8).bootstrap["replicates"]

    class NoBlock(BlockNewton):
        def __init__(self, *args, **kwargs):
            raise ValueError("no block")

    monkeypatch.setattr(bootstrap_module, "BlockNewton", NoBlock)
    alone = bootstrap_r2(full, reduced, B=30, seed=8).bootstrap["replicates"]
    assert np.isfinite(together).any()
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-8)


@pytest.mark.parametrize("random", ["1", "1 + x_w + z_w"])
def test_estimates_are_those_at_the_optimum_found(random):
    """beta and sigma² come from the last point evaluated, moved to first order by the last
    step: equal to an evaluation at the optimum itself (to 1e-10 relative)."""
    _, stats, G = _setup(random, True)
    W = _draws(G, 6, seed=12)
    got = stats["block"].fit(W)
    ok = np.flatnonzero(got.ok)
    assert ok.size >= 3  # the others are left to the one-draw path (optimum near 0)
    exact = stats["block"].evaluate(got.theta[ok], W[ok])
    assert _rel(got.beta[ok], exact["beta"]) < 1e-10
    assert _rel(got.sigma2[ok], exact["pwrss"] / exact["dof"]) < 1e-10


def test_a_step_that_raises_the_deviance_is_halved():
    """warm_newton's step rule: a step above 1e-4 relative that raises the deviance is halved
    until it does not (here an uphill step, so down to the 1e-4 that is taken as it is)."""
    fit, stats, G = _setup("1 + x_w", True)
    block = stats["block"]
    W = _draws(G, 3)
    theta = np.tile(np.asarray(fit.theta, float), (3, 1))
    nt = theta.shape[1]
    store = {"deviance": np.zeros(3), "grad": np.zeros((3, nt)),
             "hessian": np.zeros((3, nt, nt)), "valid": np.zeros(3, bool),
             "beta": np.zeros((3, block.p)), "pwrss": np.zeros(3), "dof": np.zeros(3),
             "dbeta": np.zeros((3, nt, block.p)), "dpwrss": np.zeros((3, nt))}
    rows = np.arange(3)
    block._evaluate_into(store, theta, W, rows)
    dev0 = store["deviance"].copy()
    uphill = -0.05 * store["grad"] / np.linalg.norm(store["grad"], axis=1, keepdims=True)
    scaled = np.max(np.abs(uphill) / np.maximum(np.abs(theta), 1.0), axis=1)
    start = theta.copy()
    full = block.evaluate(start - uphill, W)["deviance"]
    accepted = block._line_search(store, theta, W, rows, uphill, scaled)
    assert accepted.all()
    moved = np.max(np.abs(theta - start) / np.maximum(np.abs(start), 1.0), axis=1)
    assert (moved <= block_newton.NEAR * 1.0000001).all() and (moved > 0).all()
    # the deviance rises by what a step of 1e-4 uphill costs, far less than the full step's
    assert ((store["deviance"] - dev0) < 0.05 * (full - dev0)).all()


def test_a_block_that_fails_refits_its_draws_alone(monkeypatch):
    fit, stats, G = _setup("1 + x_w", True)
    W = _draws(G, 3)
    kinds = bootstrap_module._kinds(bootstrap_module._spec(fit, "full"))
    start = np.asarray(fit.theta)

    def broken(weights):
        raise np.linalg.LinAlgError("a singular matrix in the block")

    monkeypatch.setattr(stats["block"], "fit", broken)
    values = cluster_measures_block(stats, W, reml=True, start=start, kinds=kinds)
    for k in range(len(W)):
        expected = cluster_measures(stats, W[k], reml=True, start=start, kinds=kinds)
        np.testing.assert_allclose(values[k], bootstrap_module._as_array(expected),
                                   rtol=1e-12)
