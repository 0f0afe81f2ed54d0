"""The Laplace (or quadrature) deviance of a GLMM and its joint optimisation in (θ, β).

Notes
-----
For covariance parameters :math:`\\theta` and fixed effects :math:`\\beta`, PIRLS
(:mod:`.pirls`) gives the conditional modes :math:`\\tilde u` and the factor of
:math:`A = \\Lambda'Z'WZ\\Lambda + I`; the Laplace approximation of :math:`-2\\log L` is

.. math::

   d(\\theta, \\beta) = -2\\log p(y\\mid\\tilde u) + \\lVert\\tilde u\\rVert^2 + \\log\\det A

(Bates et al. 2015, eq. 50, with the full conditional log density as lme4's ``aic()``
term). As ``glmer``'s default does, :math:`d` is minimised jointly in :math:`(\\theta,
\\beta)` with the modes re-found for every evaluation; here by L-BFGS-B with central-
difference gradients from the GLM fit and :math:`\\theta = 1`, then Newton steps with the
finite-difference Hessian. That Hessian is lme4's ``deriv12`` (central differences, step
:math:`10^{-4}`, clamped at the bounds), and :math:`\\mathrm{Var}(\\hat\\beta) =
2\\,[H^{-1}]_{\\beta\\beta}`, what ``summary(glmer)`` reports by default in lme4 1.1-31.
"""

from __future__ import annotations

import warnings

import numpy as np

from ...errors import UsageError
from .agq import agq_deviance
from .design import GLMMDesign
from .families import Family
from .pirls import PIRLSResult, make_pls, pirls, theta_layout

__all__ = ["GLMMDeviance", "fd_hessian", "optimize_deviance", "start_values"]

HESSIAN_STEP = 1e-4


class GLMMDeviance:
    r""":math:`d(\theta, \beta)` of one model (Laplace, or ``nagq``-point quadrature).

    Every evaluation runs PIRLS from the same linear predictor ``lp0`` (as ``glmer``'s
    deviance function does), so the deviance is a deterministic function of its arguments.
    """

    def __init__(self, design: GLMMDesign, family: Family, nagq: int = 1):
        self.design, self.family, self.nagq = design, family, nagq
        self.pls = make_pls(design.terms)
        self.lower_theta, self.layout = theta_layout(design.terms)
        self.n_theta = self.lower_theta.size
        d = design
        self.saturated = float(family.saturated_log_density(d.y, d.n).sum())
        self.constant = float(family.log_constant(d.y, d.n).sum())
        self.lp0 = family.linkfun(family.start_mu(d.y, d.n)) - d.offset
        self.last: PIRLSResult | None = None

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[:self.n_theta], x[self.n_theta:]

    def run(self, theta: np.ndarray, beta: np.ndarray | None) -> PIRLSResult:
        """PIRLS at ``theta`` (and fixed ``beta``, or jointly in beta when None)."""
        d = self.design
        self.pls.set_theta(np.asarray(theta, dtype=float))
        res = pirls(self.family, d.y, d.n, d.X, d.offset, self.pls, d.offset + self.lp0,
                    beta=beta, saturated=self.saturated, constant=self.constant)
        self.last = res
        return res

    def laplace(self, res: PIRLSResult) -> float:
        return -2 * res.cond_loglik + float(res.u @ res.u) + res.factor.logdet

    def stage0(self, theta: np.ndarray) -> float:
        r"""The ``nAGQ = 0`` deviance: fixed effects updated inside PIRLS with the modes."""
        return self.laplace(self.run(theta, None))

    def evaluate(self, x: np.ndarray) -> tuple[float, PIRLSResult]:
        """Deviance at ``x = (theta, beta)`` and the PIRLS solution there."""
        theta, beta = self.split(np.asarray(x, dtype=float))
        res = self.run(theta, beta)
        if self.nagq == 1:
            return self.laplace(res), res
        d, term = self.design, self.design.terms[0]
        dev = agq_deviance(self.family, d.y, d.n, res.eta, res.u, self.pls.ZT[:, 0],
                           term.codes, term.n_levels, res.factor, self.nagq)
        return dev, res

    def __call__(self, x: np.ndarray) -> float:
        try:
            return self.evaluate(x)[0]
        except (UsageError, np.linalg.LinAlgError, FloatingPointError):
            return np.inf

    def linear_predictor(self, res: PIRLSResult) -> np.ndarray:
        r""":math:`X\beta + Z\Lambda u` of a PIRLS state (the offset left out)."""
        return self.design.X @ res.beta + self.pls.zlam(res.u)


def _gradient(f, x, lower, h=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        hi = h * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += hi
        xm[i] = max(x[i] - hi, lower[i])
        g[i] = (f(xp) - f(xm)) / (xp[i] - xm[i])
    return g


def fd_hessian(f, x, lower, delta: float = HESSIAN_STEP, fx: float | None = None):
    """Gradient and Hessian by central differences, as lme4's ``deriv12``."""
    k = x.size
    fx = f(x) if fx is None else fx
    H, g = np.empty((k, k)), np.empty(k)

    def shifted(pairs):
        z = x.copy()
        for i, s in pairs:
            z[i] = max(x[i] + s * delta, lower[i])
        return f(z)

    for i in range(k):
        fa, fs = shifted([(i, 1)]), shifted([(i, -1)])
        H[i, i] = (fa - 2 * fx + fs) / delta ** 2
        g[i] = (fa - fs) / (2 * delta)
        for j in range(i):
            H[i, j] = H[j, i] = (shifted([(i, 1), (j, 1)]) - shifted([(i, 1), (j, -1)])
                                 - shifted([(i, -1), (j, 1)]) + shifted([(i, -1), (j, -1)])
                                 ) / (4 * delta ** 2)
    return g, H


def _minimize(f, x0, lower):
    from scipy.optimize import minimize  # imported on first use: not on every start of yt

    bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return minimize(f, x0, jac=lambda x: _gradient(f, x, lower), method="L-BFGS-B",
                        bounds=bounds, options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-8})


def start_values(dev: GLMMDeviance, theta0: np.ndarray | None = None) -> np.ndarray:
    r"""glmer's two-stage start: the ``nAGQ = 0`` fit, which also sets ``lp0``.

    From the family's starting means and :math:`\theta = 1` one joint PIRLS run gives the
    first ``lp0``; :math:`\theta` is then optimised (from ``theta0`` when given) on the
    ``nAGQ = 0`` deviance (fixed effects estimated inside PIRLS), and ``lp0`` becomes the
    linear predictor there.
    """
    default = np.where(dev.lower_theta == 0, 1.0, 0.0)
    theta0 = default if theta0 is None else theta0
    # the stage's deviance starts every PIRLS run from this lp0, so it is always computed at
    # lme4's start (theta = 1): a warm start then changes where Newton starts, not the result
    res = dev.run(default, None)
    dev.lp0 = dev.linear_predictor(res)
    lower = dev.lower_theta
    theta, f0, _, _, ok = _newton(dev.stage0, theta0, dev.stage0(theta0), lower, 20)
    if not ok:
        opt = _minimize(dev.stage0, theta0, lower)
        theta = opt.x if opt.fun <= f0 else theta
    res = dev.run(theta, None)
    dev.lp0 = dev.linear_predictor(res)
    return np.concatenate([theta, res.beta])


def _newton(f, x, fx, lower, max_iter, tol=1e-7, final_hessian=True):
    """Quasi-Newton steps on ``f`` from the finite-difference Hessian at the start.

    The finite-difference Hessian (:func:`fd_hessian`) is computed at the start and then
    updated by BFGS from central-difference gradients (superlinear convergence for a tenth
    of the evaluations of a new Hessian per step); a step that does not descend makes it
    recomputed. The Hessian returned is recomputed at the final point (with
    ``final_hessian``; otherwise ``g`` and ``H`` are the last ones used). Returns
    ``(x, fx, g, H, ok)``; ``ok`` is False when the Hessian is not positive definite on the
    free parameters or no step descends.
    """
    g, H = fd_hessian(f, x, lower, fx=fx)
    fresh, ok = True, False
    for _ in range(max_iter):
        free = ~((x <= lower + 1e-10) & (g > 0))
        Hf = H[np.ix_(free, free)]
        try:
            np.linalg.cholesky(Hf)
            step = np.zeros_like(x)
            step[free] = -np.linalg.solve(Hf, g[free])
        except np.linalg.LinAlgError:
            if fresh:
                break
            g, H, fresh = (*fd_hessian(f, x, lower, fx=fx), True)
            continue
        t = 1.0
        for _ in range(12):
            trial = np.maximum(x + t * step, lower)
            ft = f(trial)
            if ft <= fx:
                break
            t /= 2
        else:
            if np.max(np.abs(step)) < tol * 10:
                ok = True
                break
            if fresh:
                break
            g, H, fresh = (*fd_hessian(f, x, lower, fx=fx), True)
            continue
        moved = float(np.max(np.abs(trial - x)))
        sx = trial - x
        x, fx = trial, ft
        if moved < tol:
            ok = True
            break
        g_new = _gradient(f, x, lower, h=1e-5)
        yg = g_new - g
        Hs = H @ sx
        if yg @ sx > 1e-12 * np.linalg.norm(yg) * np.linalg.norm(sx):  # BFGS update
            H = H - np.outer(Hs, Hs) / (sx @ Hs) + np.outer(yg, yg) / (yg @ sx)
        g, fresh = g_new, False
    if final_hessian:
        g, H = fd_hessian(f, x, lower, fx=fx)
    return x, fx, g, H, ok


def optimize_deviance(dev: GLMMDeviance, x0: np.ndarray, *, max_newton: int = 12,
                      final_hessian: bool = True):
    """Minimise ``dev`` from ``x0``; returns ``(x, value, converged, hessian)``.

    Newton steps with the finite-difference Hessian from ``x0`` (the ``nAGQ = 0`` solution is
    close to the optimum, so a few steps suffice); when that fails (a Hessian that is not
    positive definite far from the optimum), L-BFGS-B first, then Newton again. Without
    ``final_hessian`` (a bootstrap draw, which needs the optimum only) the Hessian is not
    recomputed at the optimum and None is returned in its place; ``converged`` is then the
    steps' convergence alone.
    """
    lower = np.concatenate([dev.lower_theta, np.full(x0.size - dev.n_theta, -np.inf)])
    x, fx = np.maximum(np.asarray(x0, dtype=float), lower), dev(x0)
    x, fx, g, H, ok = _newton(dev, x, fx, lower, max_newton, final_hessian=final_hessian)
    if not ok:
        opt = _minimize(dev, x, lower)
        if opt.fun <= fx:
            x, fx = opt.x.copy(), float(opt.fun)
        x, fx, g, H, ok = _newton(dev, x, fx, lower, max_newton,
                                  final_hessian=final_hessian)
    dev.evaluate(x)
    if not final_hessian:
        return x, fx, ok, None
    free = ~((x <= lower + 1e-10) & (g > 0))
    scaled = np.abs(g[free]) / (1 + np.abs(fx))
    return x, fx, bool(ok and np.all(scaled < 1e-4)), H
