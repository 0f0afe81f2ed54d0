"""Fit an LMM with several random terms: optimise theta, then inference as lmerTest.

Notes
-----
Optimisation, as lme4 (derivative-free, diagonal of Lambda >= 0, started at Lambda = I):
scipy's bounded Powell on the profiled deviance of
:class:`~youthtransitions.models.engine.sparse.SparseDeviance`, then up to five Newton steps
on the parameters off the boundary with the finite-difference gradient and Hessian below
(the optimum to about 1e-9 in theta, where lme4's BOBYQA at tight tolerances ends).
Convergence is lme4's ``checkConv`` idea: the Newton step ``|H^{-1} g|`` relative to
``max(|theta|, 1)`` below 1e-3.

Derivatives. The deviance in ``varpar = (theta, sigma)`` (lmerTest's ``devfun_vp``) is
``log|M| + r^2/sigma^2 + n log(2 pi sigma^2)`` (REML: ``+ log|X'V^{-1}X| - p log(2 pi
sigma^2)``): its sigma derivatives are closed forms and its theta derivatives follow from the
central differences of ``log|M|``, ``log|X'V^{-1}X|``, ``r^2`` and ``(X'V^{-1}X)^{-1}`` over
``theta`` (steps ``2e-4 max(|theta_k|, 0.1)``; a diagonal element may be stepped below 0, the
deviance being even in it, as numDeriv does in lmerTest). Satterthwaite's df for fixed effect
``j`` (Kuznetsova, Brockhoff & Christensen 2017, J. Stat. Softw. 82(13), section 3.2):
``2 v^2 / (g' A g)`` with ``v = Var(beta)_jj``, ``g_k = d Var(beta)_jj / d varpar_k`` and
``A = 2 H^+`` (H the varpar Hessian, pseudo-inverse over eigenvalues above 1e-8), as
:mod:`~youthtransitions.models.engine.satterthwaite`.
"""

from __future__ import annotations

import numpy as np

from . import SINGULAR_TOL, EngineFit
from .deviance import theta_to_lambda
from .optimize import newton_candidate
from .satterthwaite import EIG_TOL
from .sparse import SparseDeviance, TermSpec

# a warm refit's last step and its boundary, as the two-level engine's warm refits
from .warm_start import BOUNDARY, FINAL_STEP

__all__ = ["fit_sparse", "refit_sparse", "theta_derivatives"]

STEP = 2e-4
SCALED_GRAD_TOL = 1e-3
BOUND_TOL = 1e-7
#: where a variance held at 0 has negative curvature, Newton restarts it from the best of these
RELEASE_GRID = (0.025, 0.05, 0.1, 0.2, 0.4)


def _pieces(st: dict) -> np.ndarray:
    C = np.linalg.inv(st["XVX"])
    return np.concatenate([[st["ld_L2"], st["ld_RX2"], st["pwrss"]], C.ravel()])


def theta_derivatives(dev: SparseDeviance, theta: np.ndarray) -> dict:
    """Value, gradient and Hessian over ``theta`` of ``(log|M|, log|X'V^{-1}X|, r^2,
    (X'V^{-1}X)^{-1})`` by central differences; also the state at ``theta``."""
    theta = np.asarray(theta, float)
    k = len(theta)
    st = dev.state(theta)
    f0 = _pieces(st)
    h = STEP * np.maximum(np.abs(theta), 0.1)

    def f(d):
        return _pieces(dev.state(theta + d))

    E = np.diag(h)
    plus = [f(E[i]) for i in range(k)]
    minus = [f(-E[i]) for i in range(k)]
    grad = np.array([(plus[i] - minus[i]) / (2 * h[i]) for i in range(k)])
    hess = np.empty((k, k, len(f0)))
    for i in range(k):
        hess[i, i] = (plus[i] - 2 * f0 + minus[i]) / h[i] ** 2
        for j in range(i):
            v = (f(E[i] + E[j]) - f(E[i] - E[j]) - f(E[j] - E[i]) + f(-E[i] - E[j]))
            hess[i, j] = hess[j, i] = v / (4 * h[i] * h[j])
    return dict(state=st, value=f0, grad=grad, hess=hess)


def _profiled_derivatives(dev: SparseDeviance, d: dict) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian of the profiled deviance ``log|M| [+ log|X'V^{-1}X|] + dof
    log r^2 + const``."""
    g, H, pw = d["grad"], d["hess"], d["value"][2]
    w = np.array([1.0, 1.0 if dev.reml else 0.0])
    grad = g[:, :2] @ w + dev.dof * g[:, 2] / pw
    hess = (H[:, :, :2] @ w + dev.dof * (H[:, :, 2] / pw - np.outer(g[:, 2], g[:, 2]) / pw**2))
    return grad, hess


def varpar_hessian(dev: SparseDeviance, d: dict, sigma: float) -> np.ndarray:
    """Hessian of the varpar deviance from :func:`theta_derivatives` at ``sigma``."""
    g, H, pw = d["grad"], d["hess"], d["value"][2]
    k = g.shape[0]
    out = np.empty((k + 1, k + 1))
    w = np.array([1.0, 1.0 if dev.reml else 0.0])
    out[:k, :k] = H[:, :, :2] @ w + H[:, :, 2] / sigma**2
    out[:k, k] = out[k, :k] = -2.0 * g[:, 2] / sigma**3
    out[k, k] = 6.0 * pw / sigma**4 - 2.0 * dev.dof / sigma**2
    return out


def satterthwaite(dev: SparseDeviance, d: dict, sigma: float) -> tuple[np.ndarray, dict]:
    """Satterthwaite df of each fixed effect from :func:`theta_derivatives` at the optimum."""
    p = dev.p
    H = varpar_hessian(dev, d, sigma)
    evals, evecs = np.linalg.eigh(H)
    pos = evals > EIG_TOL
    A = 2.0 * (evecs[:, pos] / evals[pos]) @ evecs[:, pos].T
    C = d["value"][3:].reshape(p, p)
    dC = d["grad"][:, 3:].reshape(-1, p, p)
    vcov = sigma**2 * C
    df = np.empty(p)
    for j in range(p):
        gvec = np.append(sigma**2 * dC[:, j, j], 2.0 * sigma * C[j, j])
        denom = gvec @ A @ gvec
        df[j] = 2.0 * vcov[j, j] ** 2 / denom if denom > 0 else np.inf
    return df, dict(vcov_varpar=A, varpar_hessian=H, n_negative=int((evals < -EIG_TOL).sum()))


def _optimise(dev: SparseDeviance, max_newton: int = 5,
              start: np.ndarray | None = None) -> tuple[np.ndarray, dict, dict]:
    lower = np.where(dev.diagonal, 0.0, -np.inf)
    start = dev.diagonal.astype(float) if start is None else np.maximum(start, lower)
    from scipy import optimize

    bounds = optimize.Bounds(lower, np.full(len(start), np.inf))
    res = optimize.minimize(dev, start, method="Powell", bounds=bounds,
                            options=dict(xtol=1e-4, ftol=1e-9, maxfev=20000))
    theta = np.maximum(res.x, lower)
    value = dev(theta)
    message, newton, scaled = str(res.message), 0, np.inf
    while True:
        d = theta_derivatives(dev, theta)
        grad, hess = _profiled_derivatives(dev, d)
        free = ~((theta - lower <= BOUND_TOL) & dev.diagonal)
        if not free.any():
            scaled = 0.0
            break
        Hf = hess[np.ix_(free, free)]
        if not np.all(np.linalg.eigvalsh(Hf) > 0):
            scaled = np.inf
            break
        cand, scaled = newton_candidate(Hf, grad, theta, free, lower)
        if scaled < 1e-10 or newton == max_newton:
            break
        cv = dev(cand)
        if not cv <= value + 1e-12 * abs(value):
            break
        theta, value = cand, cv
        newton += 1
    converged = bool(np.isfinite(value) and scaled < SCALED_GRAD_TOL)
    if not converged:
        message += (f"; scaled gradient {scaled:.3g} above {SCALED_GRAD_TOL}"
                    if np.isfinite(scaled) else "; Hessian not positive definite")
    info = dict(deviance=value, converged=converged, message=message, newton_steps=newton,
                scaled_gradient=scaled, n_evaluations=dev.n_evals, iterations=int(res.nit))
    return theta, d, info


def fit_sparse(y, X, terms: list[TermSpec], *, reml: bool = True,
               dense_max: int | None = None) -> tuple[EngineFit, SparseDeviance, dict]:
    """Fit an LMM with random ``terms`` (lme4's order) by minimising the profiled (RE)ML
    deviance.

    Returns
    -------
    fit : EngineFit
        ``random_cov`` is the block-diagonal ``sigma^2 Lambda_k Lambda_k'`` of each term
        (sum of q_k), ``theta`` lme4's ``getME(m, "theta")``.
    dev : SparseDeviance
    state : dict
        The deviance's state at the optimum (``beta``, ``x``, ...).
    """
    kw = {} if dense_max is None else dict(dense_max=dense_max)
    dev = SparseDeviance(y, X, terms, reml=reml, **kw)
    theta, d, info = _optimise(dev)
    st = d["state"]
    sigma2 = st["pwrss"] / dev.dof
    sigma = float(np.sqrt(sigma2))
    C = np.linalg.inv(st["XVX"])
    vcov = sigma2 * (C + C.T) / 2
    df, sat = satterthwaite(dev, d, sigma)
    blocks = []
    for lam_t, t in zip(dev.split_theta(theta), terms, strict=True):
        lam = theta_to_lambda(lam_t, t.q)
        blocks.append(sigma2 * lam @ lam.T)
    from scipy.linalg import block_diag

    singular = bool((theta[dev.diagonal] < SINGULAR_TOL).any())
    loglik = -dev.varpar_from_state(st, sigma) / 2
    info.update(n_negative_eigen=sat["n_negative"], dense_schur=dev.dense)
    fit = EngineFit(beta=np.asarray(st["beta"], float), sigma2=float(sigma2),
                    random_cov=block_diag(*blocks), theta=theta, loglik=float(loglik),
                    converged=info["converged"], singular=singular, message=info["message"],
                    vcov=vcov, df=df, optimizer=info)
    return fit, dev, st


def _released(dev: SparseDeviance, theta: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``theta`` with the held elements ``index`` moved off 0 to the best of
    :data:`RELEASE_GRID` (one at a time, the deviance's lowest value)."""
    theta = theta.copy()
    for i in np.flatnonzero(index):
        trials = [np.where(np.arange(theta.size) == i, g, theta) for g in RELEASE_GRID]
        theta = min(trials, key=dev)
    return theta


def _warm_newton(dev: SparseDeviance, start: np.ndarray, max_iter: int = 12):
    """Newton's method from ``start`` on the finite-difference derivatives; None if it
    cannot (a Hessian not positive definite, a free variance stepping towards the boundary,
    no convergence).

    A diagonal element of Lambda that starts below :data:`BOUNDARY` is held at 0: the
    deviance is even in it, so 0 is a stationary point, and a minimum while the deviance's
    curvature in it is positive. Where the curvature is negative the minimum is inside:
    the element starts again from the best of :data:`RELEASE_GRID` (on the convex side of
    an even profile's inflection for optima between about 0.02 and 0.5) and is free.
    """
    theta = np.asarray(start, float).copy()
    held = dev.diagonal & (theta < BOUNDARY)
    theta[held] = 0.0
    for _ in range(max_iter):
        grad, hess = _profiled_derivatives(dev, theta_derivatives(dev, theta))
        leave = held & (np.diag(hess) <= 0)
        if leave.any():
            theta, held = _released(dev, theta, leave), held & ~leave
            continue
        free = ~held
        if not free.any():
            return theta
        H = hess[np.ix_(free, free)]
        if not np.all(np.linalg.eigvalsh(H) > 0):
            return None
        step = np.linalg.solve(H, grad[free])
        theta[free] -= step
        if (theta[dev.diagonal & free] < BOUNDARY).any():
            return None
        if float(np.max(np.abs(step) / np.maximum(np.abs(theta[free]), 1.0))) < FINAL_STEP:
            return theta
    return None


def refit_sparse(y, X, terms: list[TermSpec], start: np.ndarray, *,
                 reml: bool = True) -> tuple[np.ndarray, dict]:
    """The optimum of a model near a known one (a bootstrap draw), warm-started at ``start``.

    Returns ``theta`` and the deviance's state there (``beta``, ``pwrss``; ``sigma^2 =
    pwrss / dof``); no standard errors or df. The Schur complement is always factored
    sparse (a draw's design is a sample of youth and copies of their workers: the
    complement is nearly diagonal, and its sparse factor costs a tenth of the dense one).

    Notes
    -----
    Plain Newton steps from ``start`` on the profiled deviance with the central-difference
    gradient and Hessian of :func:`theta_derivatives` (the same derivatives that end
    :func:`fit_sparse`'s optimisation, so both stop at the same point to about 1e-10 in
    theta), until a relative step is below :data:`FINAL_STEP`. When Newton cannot (see
    :func:`_warm_newton`), the general optimiser of :func:`fit_sparse` runs from ``start``.
    """
    dev = SparseDeviance(y, X, terms, reml=reml, dense_max=0)
    theta = _warm_newton(dev, start)
    if theta is None:
        theta, d, _ = _optimise(dev, start=start)
        return theta, d["state"]
    return theta, dev.state(theta)
