"""Newton's method from a nearby start, for refits of slightly changed data (bootstrap draws).

A cluster-bootstrap draw's optimum lies close to the full sample's, where the profiled
deviance is locally quadratic. Started there, plain Newton steps on the exact Hessian
(:mod:`.hessian`) converge quadratically: three or four evaluations reach theta to about
1e-10 relative. Near the optimum the steps are accepted on the gradient, not on the
deviance's decrease (the deviance is flat to rounding there, which stops a line search on
its values early, at a relative step of about 1e-8).

The method gives up (returns None, and the caller runs the general optimiser,
:func:`.optimize.minimise_deviance`) when a step would reach the boundary or the optimum is
near it (a diagonal element of Lambda below 1e-4, where the boundary probes and restarts
are needed), when the Hessian is not positive definite, or when a step far from the optimum
does not lower the deviance.
"""

from __future__ import annotations

import numpy as np

from .deviance import ProfiledDeviance, theta_lower_bounds
from .hessian import profiled_hessian, varpar_hessian_at

__all__ = ["warm_newton"]

#: a relative Newton step below this is the last one: the error after it is about its square
FINAL_STEP = 1e-5
#: beyond this relative step the deviance must not increase (a line search by halving)
NEAR = 1e-4
MAX_ITER = 25
#: an optimum with a diagonal element of Lambda below this (lme4's singularity tolerance) may
#: be on the boundary: left to the general optimiser
BOUNDARY = 1e-4


def warm_newton(dev: ProfiledDeviance, start: np.ndarray) -> np.ndarray | None:
    """Minimise ``dev`` over theta by Newton's method from ``start``; None if it cannot.

    Returns the optimum theta (every diagonal element of Lambda at least 1e-4), or None when
    the optimum may be on the boundary or the method does not apply (module notes).

    Notes
    -----
    Step ``s = H^{-1} g`` (profiled Hessian ``H`` and gradient ``g`` of the deviance in
    theta), relative size ``max |s| / max(|theta|, 1)``. A step above ``NEAR`` (1e-4) is
    halved until the deviance does not increase; a step below ``FINAL_STEP`` (1e-5) is the
    last (Newton's error after a step is of the order of its square: about 1e-10 here).
    """
    lower = theta_lower_bounds(dev.q)
    diag = np.isfinite(lower)
    theta = np.asarray(start, dtype=float)
    if theta.shape != lower.shape or not np.isfinite(theta).all() \
            or (theta[diag] <= 0).any():
        return None
    st = dev.state(theta, need_grad=True)
    for _ in range(MAX_ITER):
        grad = dev.grad_from_state(st)
        hv = varpar_hessian_at(dev, theta, st)
        H = profiled_hessian(hv)
        try:
            step = np.linalg.solve(H, grad)
            np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            return None
        scaled = float(np.max(np.abs(step) / np.maximum(np.abs(theta), 1.0)))
        if scaled < FINAL_STEP:
            cand = theta - step
            return None if (cand[diag] < BOUNDARY).any() else cand
        t = 1.0
        for _ in range(30):
            cand = theta - t * step
            if (cand[diag] <= 0).any():
                return None
            cst = dev.state(cand, need_grad=True)
            if t * scaled <= NEAR or cst["deviance"] <= st["deviance"]:
                break
            t *= 0.5
        else:
            return None
        theta, st = cand, cst
    return None
