"""Minimise the profiled deviance over theta (diagonal of Lambda >= 0).

A projected Newton method with the analytic Hessian (:mod:`.hessian`), started as lme4
(Lambda = I): each iteration takes the Newton step on the parameters off the boundary
(eigenvalues of the Hessian replaced by their absolute values where it is not positive
definite, so the step always descends; a diagonal element the step would take below zero
moves a quarter of the way to zero instead) and backtracks until the deviance decreases
(Armijo, 1e-4); it stops when the Newton step is below 1e-10 relative to
``max(|theta|, 1)``. Parameters at zero with a positive gradient are held there. If it has
not converged after 50 iterations, L-BFGS-B (scipy) takes over and Newton finishes.

A zero diagonal element of Lambda is a stationary point whatever the data, so the interior is
probed before a boundary fit is accepted, and a fit still on the boundary is run again from
the unit and the moment-based starts (:mod:`.starts`), keeping the lowest deviance (R's
``cake`` data on the raw temperature scale stop at a boundary local optimum from the unit
start).

Convergence is lme4's ``checkConv`` idea: at the end the Hessian of the free parameters is
positive definite and the Newton step ``|H^{-1} g|`` (scaled gradient, relative to
``max(|theta|, 1)``) is below 1e-3. The Hessian in ``(theta, sigma)`` at the optimum is
returned for the Satterthwaite df.
"""

from __future__ import annotations

import numpy as np

from .deviance import ProfiledDeviance, theta_lower_bounds
from .hessian import profiled_hessian, varpar_hessian_at, varpar_hessian_exact
from .starts import moment_start, unit_start

__all__ = ["minimise_deviance", "newton_candidate", "varpar_hessian"]

SCALED_GRAD_TOL = 1e-3  # lme4 checkConv uses 2e-3 on the relative gradient
NEWTON_TOL = 1e-10
MAX_NEWTON_ITER = 50
BOUND_TOL = 1e-6
MAX_HALVINGS = 30
SNAP = 1e-4  # a diagonal element below this that a step takes negative goes to zero
PROBES = (0.01, 0.1, 0.5)


def varpar_hessian(dev: ProfiledDeviance, varpar: np.ndarray) -> np.ndarray:
    """Hessian of the (RE)ML deviance in ``varpar = (theta, sigma)`` (analytic)."""
    return varpar_hessian_exact(dev, varpar)


def newton_candidate(H: np.ndarray, grad: np.ndarray, theta: np.ndarray, free: np.ndarray,
                     lower: np.ndarray) -> tuple[np.ndarray, float]:
    """One plain Newton step on the ``free`` parameters, clipped to ``lower``, and its size
    ``max |step| / max(|theta|, 1)`` (relative to theta's size: at theta ~ 1000 the deviance
    is flat to rounding); ``H`` is the Hessian over the free parameters. Used by the sparse
    engine, whose Hessian comes from finite differences."""
    step = np.linalg.solve(H, grad[free])
    scaled = float(np.max(np.abs(step) / np.maximum(np.abs(theta[free]), 1.0)))
    cand = theta.copy()
    cand[free] -= step
    return np.maximum(cand, lower), scaled


def _towards_boundary(theta: np.ndarray, cand: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """A diagonal element a step would take below zero goes a quarter of the way to zero
    instead, or to zero when already below SNAP: a Newton step from far away must not put
    a variance on the boundary in one jump."""
    out = cand.copy()
    cross = diag & (cand < 0)
    out[cross] = np.where(theta[cross] > SNAP, 0.25 * theta[cross], 0.0)
    return out


def _newton(dev: ProfiledDeviance, theta: np.ndarray, lower: np.ndarray, diag: np.ndarray,
            max_iter: int = MAX_NEWTON_ITER) -> dict:
    """Projected Newton from ``theta``; see the module notes."""
    theta = np.maximum(np.asarray(theta, float), lower)
    st = dev.state(theta, need_grad=True)
    it = 0
    while True:
        value, grad = st["deviance"], dev.grad_from_state(st)
        hv = varpar_hessian_at(dev, theta, st)
        H = profiled_hessian(hv)
        # a zero diagonal element stays there unless the deviance falls inward (a zero
        # gradient there is the stationary point of a zero column, left to the probes)
        free = ~(diag & (theta - lower <= BOUND_TOL) & (grad >= -NEWTON_TOL))
        step = np.zeros_like(theta)
        pd = True
        if free.any():
            w, V = np.linalg.eigh(H[np.ix_(free, free)])
            pd = bool(w.min() > 0)
            wa = np.maximum(np.abs(w), 1e-8 * max(float(np.abs(w).max()), 1.0))
            step[free] = V @ ((V.T @ grad[free]) / wa)
        scaled = float(np.max(np.abs(step) / np.maximum(np.abs(theta), 1.0), initial=0.0))
        out = dict(theta=theta, deviance=value, gradient=grad, varpar_hessian=hv,
                   scaled_gradient=scaled if pd else np.inf, iterations=it)
        if (pd and scaled < NEWTON_TOL) or it == max_iter:
            return dict(out, done=pd and scaled < NEWTON_TOL)
        t = 1.0
        # near the optimum a failing line search is rounding (the deviance is flat to
        # machine precision around a large theta): give up sooner
        for _ in range(MAX_HALVINGS if scaled >= SCALED_GRAD_TOL else 4):
            cand = _towards_boundary(theta, theta - t * step, diag)
            cst = dev.state(cand, need_grad=True)
            if cst["deviance"] <= value + 1e-4 * float(grad @ (cand - theta)):
                break
            t *= 0.5
        else:  # no decrease left at this precision
            return dict(out, done=pd and scaled < SCALED_GRAD_TOL)
        theta, st = cand, cst
        it += 1


def _lbfgsb(dev: ProfiledDeviance, x0: np.ndarray, lower: np.ndarray):
    from scipy import optimize  # the fallback only: most fits never import it

    bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower]
    res = optimize.minimize(dev.value_and_grad, np.asarray(x0, float), jac=True,
                            method="L-BFGS-B", bounds=bounds,
                            options=dict(maxiter=2000, ftol=1e-10, gtol=1e-6, maxcor=20))
    th = np.maximum(res.x, lower)
    return res, th, dev(th)


def _run(dev: ProfiledDeviance, x0: np.ndarray, lower: np.ndarray, diag: np.ndarray) -> dict:
    """Newton from ``x0``; L-BFGS-B then Newton again when Newton alone does not converge."""
    res = _newton(dev, x0, lower, diag)
    if not res["done"]:
        _, th, _ = _lbfgsb(dev, res["theta"], lower)
        again = _newton(dev, th, lower, diag)
        again["iterations"] += res["iterations"]
        if again["deviance"] <= res["deviance"]:
            res = again
    return res


def _lbfgsb_only(dev: ProfiledDeviance, start: np.ndarray, lower: np.ndarray,
                 diag: np.ndarray) -> dict:
    """L-BFGS-B with the boundary probes, no Hessian (``polish=False``)."""
    res, theta, value = _lbfgsb(dev, start, lower)
    nit = int(res.nit)
    for _ in range(3):
        trials = _probe(dev, theta, lower, diag, value)
        if not trials:
            break
        res, theta, value = _lbfgsb(dev, min(trials, key=lambda tr: tr[0])[1], lower)
        nit += int(res.nit)
    return dict(theta=theta, deviance=value, gradient=res.jac, converged=bool(res.success),
                message=str(res.message), n_evaluations=dev.n_evals, iterations=nit,
                newton_steps=0, restarts=0, scaled_gradient=np.nan, varpar_hessian=None)


def _probe(dev, theta, lower, diag, value) -> list:
    """Interior points along each zero diagonal element with a lower deviance."""
    trials = []
    for j in np.flatnonzero(diag & (theta - lower <= BOUND_TOL)):
        for t in PROBES:
            cand = theta.copy()
            cand[j] = t
            trials.append((dev(cand), cand))
    return [tr for tr in trials if tr[0] < value - 1e-9 * max(abs(value), 1.0)]


def minimise_deviance(dev: ProfiledDeviance, *, start: np.ndarray | None = None,
                      max_newton: int = 3, polish: bool = True) -> dict:
    """Return theta, deviance, converged, message and counts.

    ``polish=False`` stops after L-BFGS-B (and the boundary probes): no Hessian, no Newton
    steps, ``converged`` is L-BFGS-B's own verdict. For warm-started refits (bootstrap)
    where only the estimates are wanted; ``fit_lmm`` always polishes.
    """
    q = dev.q
    lower = theta_lower_bounds(q)
    if start is None:
        start = unit_start(q)
    diag = np.array([r == c for r, c in dev.positions])
    if not polish:
        return _lbfgsb_only(dev, start, lower, diag)
    best = _run(dev, start, lower, diag)
    # A zero diagonal element of Lambda is a stationary point (the deviance depends on it
    # through Lambda Lambda' only), so a zero gradient there does not make it a minimum.
    # Probe the interior along each such element and restart from the best lower point.
    for _ in range(3):
        trials = _probe(dev, best["theta"], lower, diag, best["deviance"])
        if not trials:
            break
        best = _run(dev, min(trials, key=lambda tr: tr[0])[1], lower, diag)
    restarts = 0
    if np.any(diag & (best["theta"] - lower <= BOUND_TOL)):
        # still on the boundary: fit again from the unit and the moment-based starts
        for x0 in (unit_start(q), moment_start(dev.ss)):
            if x0 is None or np.array_equal(x0, start):
                continue
            try:
                cand = _run(dev, x0, lower, diag)
            except np.linalg.LinAlgError:  # a start where X'V^{-1}X is numerically singular
                continue
            restarts += 1
            if cand["deviance"] < best["deviance"] - 1e-9 * max(abs(best["deviance"]), 1.0):
                best = cand
    scaled = best["scaled_gradient"]
    converged = bool(np.isfinite(best["deviance"]) and scaled < SCALED_GRAD_TOL)
    message = "Newton: converged" if converged else (
        f"Newton: scaled gradient {scaled:.3g} above {SCALED_GRAD_TOL}" if np.isfinite(scaled)
        else "Newton: Hessian not positive definite")
    return dict(theta=best["theta"], deviance=best["deviance"], gradient=best["gradient"],
                converged=converged, message=message, n_evaluations=dev.n_evals,
                iterations=best["iterations"], newton_steps=best["iterations"],
                restarts=restarts, scaled_gradient=scaled,
                varpar_hessian=best["varpar_hessian"])
