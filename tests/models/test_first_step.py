"""The first Newton step of a block of cluster-bootstrap draws, computed at once.

Checked against each draw's own weighted deviance (its analytic gradient at the full-sample
theta, divided by the full sample's profiled Hessian), and by what it is for: the refit
reaches the same optimum from it in fewer evaluations. (The block refits that start from it
are checked in test_block_newton.py.)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models import fit_lmm
from youthtransitions.models.bootstrap import cluster_statistics
from youthtransitions.models.engine import make_deviance
from youthtransitions.models.engine.first_step import FirstStep
from youthtransitions.models.engine.hessian import profiled_hessian, varpar_hessian_exact
from youthtransitions.models.engine.warm_start import warm_newton

DATA = pd.read_csv(Path(__file__).parents[1] / "reference" / "r2mlm" / "r2mlm_data.csv")


def _stats(formula, random, reml):
    fit = fit_lmm(formula, DATA, group="id", random=random, method="REML" if reml else "ML")
    G = fit.n_groups
    stats = cluster_statistics(fit.X, fit.Z, np.asarray(fit.y, float), np.asarray(fit.groups),
                               G, theta=fit.theta, reml=reml)
    stats["first"] = FirstStep(stats["ss"], np.asarray(fit.theta, float), reml)
    return fit, stats, G


def _draws(G, k, seed=3):
    rng = np.random.default_rng(seed)
    return np.array([np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(k)])


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("random", ["1", "1 + x_w"])
def test_step_is_each_draws_gradient_over_the_full_sample_hessian(random, reml):
    fit, stats, G = _stats("y ~ x_w + x_b + w", random, reml)
    first = stats["first"]
    assert isinstance(first, FirstStep)
    ss, theta = stats["ss"], np.asarray(fit.theta, float)
    full = make_deviance(ss, reml=reml)
    st0 = full.state(theta, need_grad=True)
    H = profiled_hessian(varpar_hessian_exact(
        full, np.append(theta, math.sqrt(st0["pwrss"] / full.dof)), st0))
    W = _draws(G, 8)
    steps = first.steps(W)
    for w, got in zip(W, steps, strict=True):
        dev = make_deviance(ss.reweighted(w), reml=reml)
        grad = dev.grad_from_state(dev.state(theta, need_grad=True))
        np.testing.assert_allclose(got, theta - np.linalg.solve(H, grad), rtol=1e-9,
                                   atol=1e-12)


def test_step_lands_near_the_draws_optimum_and_saves_evaluations():
    fit, stats, G = _stats("y ~ x_w + x_b + w", "1 + x_w", True)
    theta = np.asarray(fit.theta, float)
    W = _draws(G, 10)
    steps = stats["first"].steps(W)
    before = after = 0
    for w, step in zip(W, steps, strict=True):
        cold = make_deviance(stats["ss"].reweighted(w), reml=True)
        opt = warm_newton(cold, theta)
        warm = make_deviance(stats["ss"].reweighted(w), reml=True)
        opt_first = warm_newton(warm, step)
        np.testing.assert_allclose(opt_first, opt, rtol=0, atol=1e-8)
        # the step covers most of the way: what is left is the distance times the relative
        # difference of the draw's Hessian from the full sample's (a sampling error)
        dist = np.max(np.abs(opt - theta))
        assert np.max(np.abs(step - opt)) < 0.5 * dist
        before, after = before + cold.n_evals, after + warm.n_evals
    assert after < before


def test_degenerate_draws_take_no_step():
    fit, stats, G = _stats("y ~ x_w + x_b + w", "1 + x_w", True)
    W = np.zeros((2, G))
    W[1, 0] = G  # one group drawn G times: the fixed effects are not identified
    assert np.isnan(stats["first"].steps(W)).all()
