"""The fast engine's pieces against closed forms and finite differences.

Tolerances:
- sufficient statistics, block Cholesky/solves: 1e-12 relative (exact arithmetic up to
  rounding) against numpy on the dense per-group matrices;
- profiled deviance: 1e-10 relative against the dense formula (log|V| + GLS RSS);
- analytic gradients and the Var(beta) Jacobian: 1e-5 relative against central differences
  (step 1e-6; truncation error ~1e-9 relative).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg
from threadpoolctl import threadpool_limits

from youthtransitions.models.engine import ProfiledDeviance, sufficient_statistics
from youthtransitions.models.engine.blocks import cholesky_blocks, forward_solve_blocks
from youthtransitions.models.engine.deviance import theta_positions, theta_to_lambda


def _data(q: int, seed: int = 0, n_groups: int = 40):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, n_groups)
    groups = np.repeat(np.arange(n_groups), sizes)
    rng.shuffle(groups)  # rows need not be sorted by group
    n = len(groups)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    Z = np.column_stack([np.ones(n)] + [rng.normal(size=n) for _ in range(q - 1)])
    b = rng.normal(size=(n_groups, q))
    y = X @ [1.0, 0.5, -0.3] + (Z * b[groups]).sum(1) + rng.normal(size=n)
    return y, X, Z, groups, n_groups


def _theta(q: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([abs(rng.normal()) + 0.2 if r == c else 0.3 * rng.normal()
                     for r, c in theta_positions(q)])


def _dense_deviance(y, X, Z, groups, G, theta, reml):
    q = Z.shape[1]
    lam = theta_to_lambda(theta, q)
    n, p = X.shape
    Zfull = np.zeros((n, G * q))
    for i in range(n):
        Zfull[i, groups[i] * q:(groups[i] + 1) * q] = Z[i]
    Lfull = np.kron(np.eye(G), lam)
    V = np.eye(n) + Zfull @ Lfull @ Lfull.T @ Zfull.T
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    beta = np.linalg.solve(XVX, X.T @ Vi @ y)
    e = y - X @ beta
    r2 = e @ Vi @ e
    dof = n - p if reml else n
    dev = np.linalg.slogdet(V)[1] + dof * (1 + math.log(2 * math.pi * r2 / dof))
    if reml:
        dev += np.linalg.slogdet(XVX)[1]
    return dev, beta


@pytest.mark.parametrize("q", [1, 2, 3])
def test_sufficient_statistics(q):
    y, X, Z, groups, G = _data(q)
    ss = sufficient_statistics(y, X, Z, groups, G)
    for g in (0, 7, G - 1):
        m = groups == g
        np.testing.assert_allclose(ss.ZtZ[:, :, g], Z[m].T @ Z[m], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ss.ZtX[:, :, g], Z[m].T @ X[m], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ss.Zty[:, g], Z[m].T @ y[m], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ss.XtX, X.T @ X, rtol=1e-12)
    assert ss.n == len(y) and ss.p == 3 and ss.q == q


@pytest.mark.parametrize("q", [1, 2, 3, 5])
def test_block_cholesky_and_solve(q):
    rng = np.random.default_rng(q)
    G = 50
    A = rng.normal(size=(G, q, q))
    S = A @ A.transpose(0, 2, 1) + np.eye(q)
    L = cholesky_blocks(S.transpose(1, 2, 0).copy())
    for g in (0, 25, 49):
        want = np.linalg.cholesky(S[g])
        got = np.array([[L[i][j][g] if j <= i else 0.0 for j in range(q)] for i in range(q)])
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    B = rng.normal(size=(q, 4, G))
    x = forward_solve_blocks(L, B)
    for g in (0, 49):
        np.testing.assert_allclose(x[:, :, g], linalg.solve_triangular(
            np.linalg.cholesky(S[g]), B[:, :, g], lower=True), rtol=1e-10, atol=1e-12)


def test_theta_order_is_lme4s():
    # lme4: theta fills the lower triangle column by column
    lam = theta_to_lambda(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 3)
    np.testing.assert_array_equal(lam, [[1, 0, 0], [2, 4, 0], [3, 5, 6]])


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("q", [1, 2, 3])
def test_deviance_matches_dense_formula(q, reml):
    y, X, Z, groups, G = _data(q, seed=q)
    dev = ProfiledDeviance(sufficient_statistics(y, X, Z, groups, G), reml=reml)
    theta = _theta(q)
    want, beta = _dense_deviance(y, X, Z, groups, G, theta, reml)
    st = dev.state(theta)
    np.testing.assert_allclose(st["deviance"], want, rtol=1e-10)
    np.testing.assert_allclose(st["beta"], beta, rtol=1e-9)


def _central(f, x, h=1e-6):
    out = []
    for j in range(len(x)):
        up, dn = x.copy(), x.copy()
        up[j] += h
        dn[j] -= h
        out.append((f(up) - f(dn)) / (2 * h))
    return np.array(out)


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("q", [1, 2, 3])
def test_gradient_matches_finite_differences(q, reml):
    y, X, Z, groups, G = _data(q, seed=10 + q)
    dev = ProfiledDeviance(sufficient_statistics(y, X, Z, groups, G), reml=reml)
    theta = _theta(q, seed=q)
    _, grad = dev.value_and_grad(theta)
    np.testing.assert_allclose(grad, _central(dev, theta), rtol=1e-5, atol=1e-6)
    varpar = np.append(theta, 1.3)
    np.testing.assert_allclose(dev.varpar_grad(varpar), _central(dev.varpar_deviance, varpar),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("q", [1, 2])
def test_covbeta_jacobian_matches_finite_differences(q):
    y, X, Z, groups, G = _data(q, seed=20 + q)
    dev = ProfiledDeviance(sufficient_statistics(y, X, Z, groups, G), reml=True)
    varpar = np.append(_theta(q, seed=5), 0.9)

    def covbeta(vp):
        return vp[-1] ** 2 * np.linalg.inv(dev.state(vp[:-1])["XVX"])

    jac = dev.covbeta_jacobian(varpar)
    for k in range(len(varpar)):
        up, dn = varpar.copy(), varpar.copy()
        up[k] += 1e-6
        dn[k] -= 1e-6
        fd = (covbeta(up) - covbeta(dn)) / 2e-6
        np.testing.assert_allclose(jac[k], fd, rtol=1e-5, atol=1e-9)


# -- pattern-compressed evaluation (engine/patterns.py) ------------------------------------
from youthtransitions.models.engine import make_deviance  # noqa: E402
from youthtransitions.models.engine.patterns import PatternDeviance, design_patterns  # noqa: E402


def _few_patterns(q, seed):
    y, X, Z, groups, G = _data(q, seed=seed)
    return y, X, np.round(Z), groups, G  # integer-valued Z: groups share Z_i'Z_i


def test_design_patterns_groups_equal_crossproducts():
    y, X, Z, groups, G = _few_patterns(2, 3)
    ss = sufficient_statistics(y, X, Z, groups, G)
    Zp, inverse, counts = design_patterns(ss)
    assert counts.sum() == G and len(Zp) == len(counts) < G
    for g in range(G):
        np.testing.assert_array_equal(ss.ZtZ[:, :, g], Zp[inverse[g]])
    assert len({tuple(z.ravel()) for z in Zp}) == len(Zp)  # all distinct


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("q", [1, 2, 3])
def test_pattern_evaluation_equals_per_group(q, reml):
    # exact identity: same numbers up to rounding (1e-10 relative)
    y, X, Z, groups, G = _few_patterns(q, 30 + q)
    ss = sufficient_statistics(y, X, Z, groups, G)
    per_group, pattern = ProfiledDeviance(ss, reml=reml), PatternDeviance(ss, reml=reml)
    theta = _theta(q, seed=7)
    varpar = np.append(theta, 1.2)
    np.testing.assert_allclose(pattern(theta), per_group(theta), rtol=1e-10)
    np.testing.assert_allclose(pattern.value_and_grad(theta)[1],
                               per_group.value_and_grad(theta)[1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(pattern.varpar_grad(varpar), per_group.varpar_grad(varpar),
                               rtol=1e-9, atol=1e-9)
    for a, b in zip(pattern.covbeta_jacobian(varpar), per_group.covbeta_jacobian(varpar),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_make_deviance_chooses_by_number_of_patterns():
    y, X, Z, groups, G = _data(2, seed=5, n_groups=200)
    Z[:, 1] = Z[:, 1] > 0  # binary slope: at most 20 distinct Z_i'Z_i among 200 groups
    assert isinstance(make_deviance(sufficient_statistics(y, X, Z, groups, G), reml=True),
                      PatternDeviance)
    y, X, Z, groups, G = _data(2, seed=5)  # continuous slope: every group its own pattern
    dev = make_deviance(sufficient_statistics(y, X, Z, groups, G), reml=True)
    assert type(dev) is ProfiledDeviance


def test_unpolished_minimisation_is_close_to_polished():
    # L-BFGS-B alone (for warm-started bootstrap refits) vs the Newton method of fit_lmm:
    # same optimum to 1e-4 in theta, deviance to 1e-8 relative
    from youthtransitions.models.engine.optimize import minimise_deviance

    y, X, Z, groups, G = _data(2, seed=41, n_groups=150)
    ss = sufficient_statistics(y, X, Z, groups, G)
    full = minimise_deviance(ProfiledDeviance(ss, reml=True))
    quick = minimise_deviance(ProfiledDeviance(ss, reml=True), polish=False)
    assert full["converged"] and quick["converged"]
    assert quick["varpar_hessian"] is None and full["varpar_hessian"] is not None
    np.testing.assert_allclose(quick["theta"], full["theta"], atol=1e-4)
    np.testing.assert_allclose(quick["deviance"], full["deviance"], rtol=1e-8)


def test_one_varpar_hessian_and_shared_inference():
    from youthtransitions.models.engine import finish_fit, inference, satterthwaite
    from youthtransitions.models.engine import optimize as opt

    assert satterthwaite.varpar_hessian is opt.varpar_hessian
    y, X, Z, groups, n_groups = _data(2)
    dev = ProfiledDeviance(sufficient_statistics(y, X, Z, groups, n_groups), reml=True)
    theta = opt.minimise_deviance(dev)["theta"]
    done = finish_fit(dev, theta)
    again = inference(dev, theta, done["sigma2"])
    # at sigma-hat(theta) the (theta, sigma) deviance equals the profiled deviance
    assert again["loglik"] == pytest.approx(done["loglik"], rel=1e-12)
    np.testing.assert_allclose(again["vcov"], done["vcov"], rtol=1e-12)
    np.testing.assert_allclose(again["df"], done["df"], rtol=1e-12)
    assert again["singular"] == done["singular"]
    # the Hessian Satterthwaite uses is the analytic one (tested below)
    varpar = np.append(theta, np.sqrt(done["sigma2"]))
    np.testing.assert_array_equal(opt.varpar_hessian(dev, varpar),
                                  varpar_hessian_exact(dev, varpar))


# -- the analytic Hessian (engine/hessian.py) ------------------------------------------------
# Tolerance 1e-6 relative to the largest entry: the central difference of the analytic
# gradient (step 1e-5) has truncation error ~1e-9 relative and rounding ~1e-10.
from youthtransitions.models.engine.hessian import profiled_hessian, varpar_hessian_exact  # noqa: E402,E501


@pytest.mark.parametrize("kind", ["groups", "patterns"])
@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("q", [1, 2, 3])
def test_varpar_hessian_matches_finite_differences(q, reml, kind):
    make, cls = (_data, ProfiledDeviance) if kind == "groups" else (_few_patterns, PatternDeviance)
    y, X, Z, groups, G = make(q, 50 + q)
    dev = cls(sufficient_statistics(y, X, Z, groups, G), reml=reml)
    varpar = np.append(_theta(q, seed=q + 3), 1.1)
    H = varpar_hessian_exact(dev, varpar)
    want = _central(dev.varpar_grad, varpar, h=1e-5)
    np.testing.assert_allclose(H, (want + want.T) / 2, rtol=0, atol=1e-6 * np.abs(want).max())


def _dense_varpar_deviance(y, X, Z, groups, G, varpar, reml):
    """lmerTest's devfun_vp from the dense n x n matrices: log|V| + e'V^{-1}e / sigma^2 +
    n log(2 pi sigma^2) (REML: + log|X'V^{-1}X| - p log(2 pi sigma^2)), V = I + Z L L'Z'."""
    theta, sigma = varpar[:-1], varpar[-1]
    q = Z.shape[1]
    n, p = X.shape
    Zfull = np.zeros((n, G * q))
    for i in range(n):
        Zfull[i, groups[i] * q:(groups[i] + 1) * q] = Z[i]
    ZL = Zfull @ np.kron(np.eye(G), theta_to_lambda(theta, q))
    V = np.eye(n) + ZL @ ZL.T
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    e = y - X @ np.linalg.solve(XVX, X.T @ Vi @ y)
    s2 = sigma**2
    dev = np.linalg.slogdet(V)[1] + e @ Vi @ e / s2 + n * math.log(2 * math.pi * s2)
    if reml:
        dev += np.linalg.slogdet(XVX)[1] - p * math.log(2 * math.pi * s2)
    return dev


def _second_differences(f, x, h):
    """Hessian of a scalar function from its values only (central second differences).

    BLAS runs single-threaded here: on these 125 x 125 matrices threads only add contention.
    """
    with threadpool_limits(1):
        return _second_differences_serial(f, x, h)


def _second_differences_serial(f, x, h):
    k = len(x)
    E = np.eye(k) * h
    f0 = f(x)
    H = np.empty((k, k))
    for i in range(k):
        H[i, i] = (f(x + 2 * E[i]) - 2 * f0 + f(x - 2 * E[i])) / (4 * h * h)
        for j in range(i):
            H[i, j] = H[j, i] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j])
                                 - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (4 * h * h)
    return H


# Against the deviance itself: second differences (step 1e-4) of the dense n x n formula,
# which shares no code with the engine; truncation ~1e-8 and rounding ~eps |dev| / h^2 ~1e-5
# absolute, so 1e-6 relative to the largest entry (measured: at most 1.1e-7).
@pytest.mark.parametrize("kind", ["groups", "patterns"])
@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("q", [1, 2, 3])
def test_varpar_hessian_is_the_second_derivative_of_the_deviance(q, reml, kind):
    make, cls = (_data, ProfiledDeviance) if kind == "groups" else (_few_patterns, PatternDeviance)
    data = make(q, 50 + q)
    dev = cls(sufficient_statistics(*data), reml=reml)
    varpar = np.append(_theta(q, seed=q + 3), 1.1)
    H = varpar_hessian_exact(dev, varpar)
    want = _second_differences(lambda v: _dense_varpar_deviance(*data, v, reml), varpar, 1e-4)
    np.testing.assert_allclose(H, want, rtol=0, atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("reml", [True, False])
def test_profiled_hessian_is_the_second_derivative_of_the_dense_deviance(reml):
    data = _data(2, 61)
    dev = ProfiledDeviance(sufficient_statistics(*data), reml=reml)
    theta = _theta(2, seed=9)
    st = dev.state(theta)
    hv = varpar_hessian_exact(dev, np.append(theta, np.sqrt(st["pwrss"] / dev.dof)))
    want = _second_differences(lambda t: _dense_deviance(*data, t, reml)[0], theta, 1e-4)
    np.testing.assert_allclose(profiled_hessian(hv), want, rtol=0,
                               atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("reml", [True, False])
def test_profiled_hessian_is_the_hessian_of_the_profiled_deviance(reml):
    # at sigma-hat(theta) the Schur complement on sigma is d''(theta)
    y, X, Z, groups, G = _data(2, 61)
    dev = ProfiledDeviance(sufficient_statistics(y, X, Z, groups, G), reml=reml)
    theta = _theta(2, seed=9)
    st = dev.state(theta)
    hv = varpar_hessian_exact(dev, np.append(theta, np.sqrt(st["pwrss"] / dev.dof)))
    want = _central(lambda t: dev.value_and_grad(t)[1], theta, h=1e-5)
    np.testing.assert_allclose(profiled_hessian(hv), (want + want.T) / 2, rtol=0,
                               atol=1e-6 * np.abs(want).max())



@pytest.mark.parametrize("random", ["1", "1 + wave"])
def test_refit_is_fit_lmm_path(random):
    # fit_lmm runs refit(inference=True): the same numbers; an estimates-only refit warm-started
    # at the fit's theta reaches the same optimum (beta to 1e-10; Sigma_b to 1e-6 relative,
    # bounded Brent's xatol 1e-10 on theta for one covariance parameter)
    import dataclasses

    import pandas as pd

    from youthtransitions.models import fit_lmm
    from youthtransitions.models.engine import EngineFit, refit

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"id": np.repeat(np.arange(150), 3), "wave": np.tile([0, 1, 2], 150)})
    d["y"] = (1 + 0.5 * d["wave"] + rng.normal(size=150)[d["id"]]
              + 0.4 * rng.normal(size=150)[d["id"]] * d["wave"] + rng.normal(size=450))
    fit = fit_lmm("y ~ wave", d, group="id", random=random)
    des = fit.design
    again = refit(des.y, des.X, des.Z, des.groups, reml=True)
    assert isinstance(again, EngineFit) and again.converged
    np.testing.assert_allclose(again.beta, fit.params, atol=1e-10, rtol=0)
    np.testing.assert_allclose(again.vcov, fit.cov_params, atol=1e-10, rtol=0)
    np.testing.assert_allclose(again.df, fit.df, atol=1e-10, rtol=0)
    assert again.loglik == pytest.approx(fit.loglik, abs=1e-10)
    quick = refit(des.y, des.X, des.Z, des.groups, reml=True, start=fit.theta,
                  inference=False)
    assert quick.vcov is None and quick.df is None
    np.testing.assert_allclose(quick.beta, fit.params, atol=1e-10, rtol=0)
    np.testing.assert_allclose(quick.random_cov, fit.random_cov, rtol=1e-6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.beta = None


def test_statsmodels_engine_returns_the_typed_result():
    import pandas as pd

    from youthtransitions.models.engine import EngineFit
    from youthtransitions.models.formula import build_design
    from youthtransitions.models.sm_engine import fit_statsmodels

    y, X, Z, groups, _ = _data(1, seed=8, n_groups=60)
    d = pd.DataFrame({"y": y, "x1": X[:, 1], "x2": X[:, 2], "g": groups})
    out = fit_statsmodels(build_design("y ~ x1 + x2", d, group="g"), reml=True)
    assert isinstance(out, EngineFit) and out.vcov.shape == (3, 3) and out.df.shape == (3,)



def _resample(y, X, Z, groups, G, seed):
    """A cluster draw as multiplicities and as the resampled rows with fresh group codes."""
    from youthtransitions.models.bootstrap import cluster_rows

    draw = np.random.default_rng(seed).integers(0, G, size=G)
    rows, codes = cluster_rows(groups, draw, n_groups=G)
    return np.bincount(draw, minlength=G), (y[rows], X[rows], Z[rows], codes)


@pytest.mark.parametrize("q", [1, 2])
@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("kind", ["groups", "patterns"])
def test_reweighted_statistics_are_those_of_the_resampled_rows(q, reml, kind):
    # exactness of the weighting (up to rounding, 1e-10 relative): the deviance, its gradient
    # and Hessian from the multiplicity-weighted per-group statistics equal those of the
    # resampled rows, a group drawn twice being two groups
    from youthtransitions.models.engine import PatternDeviance
    from youthtransitions.models.engine.hessian import varpar_hessian_exact

    y, X, Z, groups, G = _data(q, seed=30 + q)
    if kind == "patterns":  # few distinct Z_i'Z_i: the pattern-compressed evaluation
        Z = np.ones((len(y), 1)) if q == 1 else np.column_stack([np.ones(len(y)),
                                                                 (groups % 3).astype(float)])
    stats = sufficient_statistics(y, X, Z, groups, G, per_group=True)
    w, (yr, Xr, Zr, codes) = _resample(y, X, Z, groups, G, seed=q)
    ssw = stats.reweighted(w)
    ssr = sufficient_statistics(yr, Xr, Zr, codes, int(codes.max()) + 1)
    assert ssw.n == ssr.n and ssw.group_count == ssr.n_groups == G
    assert ssw.n_groups == np.count_nonzero(w) < G
    np.testing.assert_allclose(ssw.XtX, ssr.XtX, rtol=1e-12)
    np.testing.assert_allclose(ssw.Xty, ssr.Xty, rtol=1e-12)
    assert ssw.yty == pytest.approx(ssr.yty, rel=1e-12)
    cls = PatternDeviance if kind == "patterns" else ProfiledDeviance
    dw, dr = cls(ssw, reml=reml), cls(ssr, reml=reml)
    theta = _theta(q, seed=5)
    varpar = np.append(theta, 0.9)
    assert dw(theta) == pytest.approx(dr(theta), rel=1e-10)
    np.testing.assert_allclose(dw.value_and_grad(theta)[1], dr.value_and_grad(theta)[1],
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw.varpar_deviance(varpar), dr.varpar_deviance(varpar),
                               rtol=1e-10)
    np.testing.assert_allclose(varpar_hessian_exact(dw, varpar),
                               varpar_hessian_exact(dr, varpar), rtol=1e-10, atol=1e-9)


def test_reweighted_needs_per_group_statistics():
    y, X, Z, groups, G = _data(1, seed=2)
    with pytest.raises(ValueError, match="per_group"):
        sufficient_statistics(y, X, Z, groups, G).reweighted(np.ones(G))
    stats = sufficient_statistics(y, X, Z, groups, G, per_group=True)
    with pytest.raises(ValueError, match="non-negative"):
        stats.reweighted(np.ones(G - 1))
    with pytest.raises(ValueError, match="per_group"):
        stats.reweighted(np.ones(G)).reweighted(np.ones(G))


@pytest.mark.parametrize("q", [1, 2])
def test_refit_weighted_equals_refit_of_the_resampled_rows(q):
    # the fit_lmm path (polished optimum) on the resampled rows: beta, Sigma_b and sigma^2
    # to 1e-8 (both optima are within about 1e-9 of the exact one)
    from youthtransitions.models.engine import refit, refit_weighted

    y, X, Z, groups, G = _data(q, seed=40 + q, n_groups=80)
    start = refit(y, X, Z, groups, n_groups=G).theta
    stats = sufficient_statistics(y, X, Z, groups, G, per_group=True)
    for seed in range(3):
        w, (yr, Xr, Zr, codes) = _resample(y, X, Z, groups, G, seed=seed)
        want = refit(yr, Xr, Zr, codes, start=start)
        got = refit_weighted(stats, w, start=start)
        assert got.converged and got.vcov is None
        np.testing.assert_allclose(got.beta, want.beta, rtol=0, atol=1e-8)
        np.testing.assert_allclose(got.random_cov, want.random_cov, rtol=0, atol=1e-8)
        assert got.sigma2 == pytest.approx(want.sigma2, abs=1e-8)
        assert got.loglik == pytest.approx(want.loglik, abs=1e-8)


def test_refit_weighted_on_the_boundary_uses_the_general_optimiser():
    # no slope variance in the data: the resample's optimum has a zero diagonal element of
    # Lambda, which Newton from the warm start leaves to the optimiser with the boundary
    # probes; the result is the resampled rows' polished fit (theta to 1e-6: a boundary fit)
    from youthtransitions.models.engine import make_deviance, refit, refit_weighted
    from youthtransitions.models.engine.warm_start import warm_newton

    rng = np.random.default_rng(8)
    G = 60
    groups = np.repeat(np.arange(G), 4)
    Z = np.column_stack([np.ones(groups.size), np.tile([-1.5, -0.5, 0.5, 1.5], G)])
    X = Z.copy()
    y = X @ [1.0, 0.2] + rng.normal(size=G)[groups] + rng.normal(size=groups.size)
    start = refit(y, X, Z, groups, n_groups=G).theta
    stats = sufficient_statistics(y, X, Z, groups, G, per_group=True)
    w, (yr, Xr, Zr, codes) = _resample(y, X, Z, groups, G, seed=4)
    want = refit(yr, Xr, Zr, codes, start=start)
    assert want.singular
    assert warm_newton(make_deviance(stats.reweighted(w), reml=True), start) is None
    got = refit_weighted(stats, w, start=start)
    assert got.singular
    np.testing.assert_allclose(got.theta, want.theta, atol=1e-6)
    np.testing.assert_allclose(got.beta, want.beta, atol=1e-6)
