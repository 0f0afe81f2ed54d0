"""Minimise the profiled deviance over theta (diagonal of Lambda >= 0).

L-BFGS-B (scipy) with the analytic gradient, started as lme4 (Lambda = I). A zero diagonal
element of Lambda is a stationary point whatever the data, so the interior is probed before a
boundary fit is accepted, and a fit still on the boundary is run again from the unit and the
moment-based starts (:mod:`.starts`), keeping the lowest deviance (R's ``cake`` data on the
raw temperature scale stop at a boundary local optimum from the unit start). Then the Hessian of the deviance in ``(theta, sigma)`` is taken by
central differences of its analytic gradient; its Schur complement on sigma is the Hessian
of the profiled deviance, used for up to three Newton steps on the parameters off the
boundary and for the convergence check, which is lme4's ``checkConv`` idea: the Newton step
``|H^{-1} g|`` (scaled gradient, relative to ``max(|theta|, 1)``) must be below 1e-3. The same Hessian is passed on to the
Satterthwaite df when theta moved less than 1e-6 since.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .deviance import ProfiledDeviance, theta_lower_bounds
from .starts import moment_start, unit_start

__all__ = ["fd_hessian", "minimise_deviance", "varpar_hessian"]

SCALED_GRAD_TOL = 1e-3  # lme4 checkConv uses 2e-3 on the relative gradient
BOUND_TOL = 1e-6
PROBES = (0.01, 0.1, 0.5)
REUSE_TOL = 1e-6  # reuse the (theta, sigma) Hessian for Satterthwaite if theta moved less


def varpar_floor(k: int, theta_floor: float | np.ndarray = 0.1) -> np.ndarray:
    """Step floors for (theta..., sigma): ``theta_floor`` (0.1, or 0.1 over the scale of
    theta's row of Lambda when Z's columns are far from unit scale), relative for sigma."""
    return np.append(np.broadcast_to(np.asarray(theta_floor, float), (k - 1,)), 0.0)


def fd_hessian(grad, x: np.ndarray, floor: float | np.ndarray = 0.1) -> np.ndarray:
    """Symmetrised central-difference Hessian of an analytic gradient ``grad(x)``.

    Step ``1e-4 max(|x_j|, floor_j)``: truncation error ~1e-8 relative, and rounding in the
    gradient (a sum of large terms when theta is large) stays small beside it (1e-5 was
    visibly noisy at theta ~ 900). theta is scale-free (floor 0.1 lets a boundary value 0 be
    stepped over); sigma carries the data's scale (floor 0: a relative step).
    """
    x = np.asarray(x, float)
    floor = np.broadcast_to(np.asarray(floor, float), (len(x),))
    H = np.empty((len(x), len(x)))
    for j in range(len(x)):
        h = 1e-4 * max(abs(x[j]), floor[j])
        up, dn = x.copy(), x.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (grad(up) - grad(dn)) / (2 * h)
    return (H + H.T) / 2


def varpar_hessian(dev: ProfiledDeviance, varpar: np.ndarray) -> np.ndarray:
    """Hessian of the (RE)ML deviance in ``varpar = (theta, sigma)``: central differences of
    its analytic gradient (:func:`fd_hessian` with :func:`varpar_floor` steps)."""
    varpar = np.asarray(varpar, float)
    return fd_hessian(dev.varpar_grad, varpar,
                      floor=varpar_floor(len(varpar), dev.theta_floor))


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
    bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower]
    diag = np.array([r == c for r, c in dev.positions])

    def run(x0):
        res = optimize.minimize(dev.value_and_grad, np.asarray(x0, float), jac=True,
                                method="L-BFGS-B", bounds=bounds,
                                options=dict(maxiter=2000, ftol=1e-10, gtol=1e-6, maxcor=20))
        th = np.maximum(res.x, lower)
        return res, th, dev(th)

    res, theta, value = run(start)
    nit = int(res.nit)
    # A zero diagonal element of Lambda is a stationary point (the deviance depends on it
    # through Lambda Lambda' only), so a zero gradient there does not make it a minimum.
    # Probe the interior along each such element and restart from the best lower point.
    for _ in range(3):
        trials = []
        for j in np.flatnonzero(diag & (theta - lower <= BOUND_TOL)):
            for t in PROBES:
                cand = theta.copy()
                cand[j] = t
                trials.append((dev(cand), cand))
        better = [tr for tr in trials if tr[0] < value - 1e-9 * max(abs(value), 1.0)]
        if not better:
            break
        res, theta, value = run(min(better, key=lambda tr: tr[0])[1])
        nit += int(res.nit)
    restarts = 0
    if polish and np.any(diag & (theta - lower <= BOUND_TOL)):
        # still on the boundary: fit again from the unit and the moment-based starts
        for x0 in (unit_start(q), moment_start(dev.ss)):
            if x0 is None or np.array_equal(x0, start):
                continue
            try:
                cand = run(x0)
            except np.linalg.LinAlgError:  # a start where X'V^{-1}X is numerically singular
                continue
            restarts += 1
            nit += int(cand[0].nit)
            if cand[2] < value - 1e-9 * max(abs(value), 1.0):
                res, theta, value = cand
    if not polish:
        return dict(theta=theta, deviance=value, gradient=res.jac, converged=bool(res.success),
                    message=str(res.message), n_evaluations=dev.n_evals, iterations=nit,
                    newton_steps=0, restarts=0, scaled_gradient=np.nan,
                    varpar_hessian=None)
    value, grad = dev.value_and_grad(theta)
    message = str(res.message)
    scaled = np.inf
    newton = 0
    at_bound = (theta - lower <= BOUND_TOL) & (grad >= 0)
    free = ~at_bound
    # Hessian of the deviance in (theta, sigma) at sigma-hat(theta): Satterthwaite needs it,
    # and its Schur complement on sigma is the Hessian of the profiled deviance:
    # d''(theta) = f_tt - f_ts f_st / f_ss (as f_s = 0 at sigma-hat).
    varpar = np.append(theta, np.sqrt(dev.last_state["pwrss"] / dev.dof))
    hv = varpar_hessian(dev, varpar)
    theta_at_h = theta.copy()
    if not free.any():
        scaled = 0.0
    else:
        prof = hv[:-1, :-1] - np.outer(hv[:-1, -1], hv[-1, :-1]) / hv[-1, -1]
        H = prof[np.ix_(free, free)]
        ok = bool(np.all(np.linalg.eigvalsh(H) > 0))
        while ok:
            step = np.linalg.solve(H, grad[free])
            # relative to theta's size: at theta ~ 1000 the deviance is flat to rounding
            scaled = float(np.max(np.abs(step) / np.maximum(np.abs(theta[free]), 1.0)))
            if scaled < 1e-10 or newton == max_newton:
                break
            cand = theta.copy()
            cand[free] -= step
            cand = np.maximum(cand, lower)
            cv, cg = dev.value_and_grad(cand)
            if not cv <= value:
                break
            theta, value, grad = cand, cv, cg
            newton += 1
    converged = bool(np.isfinite(value) and scaled < SCALED_GRAD_TOL)
    if not converged:
        message = (f"{message}; scaled gradient {scaled:.3g} above {SCALED_GRAD_TOL}"
                   if np.isfinite(scaled) else f"{message}; Hessian not positive definite")
    moved = float(np.max(np.abs(theta - theta_at_h), initial=0.0))
    return dict(theta=theta, deviance=value, gradient=grad, converged=converged,
                message=message, n_evaluations=dev.n_evals, iterations=nit,
                newton_steps=newton, restarts=restarts, scaled_gradient=scaled,
                varpar_hessian=hv if moved < REUSE_TOL else None)
