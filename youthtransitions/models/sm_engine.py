"""``engine="statsmodels"``: statsmodels MixedLM wrapped into the fast engine's result.

statsmodels estimates beta, Sigma_b and sigma^2 and their standard errors. So that the two
engines report the same quantities, the log-likelihood is the (RE)ML deviance of this
package's engine evaluated at statsmodels' estimates, the fixed-effect covariance is
``sigma^2 (X'V^{-1}X)^{-1}`` at those estimates (as lme4; statsmodels' own ``cov_params``
inverts the joint information of beta and the covariance parameters and differs by up to
~0.4% in unbalanced data), and the denominator df are the Satterthwaite df (lmerTest's
definition) at statsmodels' estimates.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import UsageError
from .engine import (
    SINGULAR_TOL,
    EngineFit,
    ProfiledDeviance,
    inference,
    inference_without_df,
    sufficient_statistics,
)
from .engine.deviance import theta_positions
from .formula import Design

__all__ = ["fit_statsmodels", "lambda_from_cov", "boundary_singular"]

BOUNDARY_DEVIANCE_TOL = 1e-4  # deviance units (twice the log-likelihood)


def boundary_singular(dev: ProfiledDeviance, theta: np.ndarray) -> bool:
    """lme4's singularity rule for estimates that stop short of the boundary.

    lme4 calls a fit singular when a diagonal element of Lambda is below 1e-4 (isSingular);
    its optimiser lands on the boundary, statsmodels' stops near it (diagonal elements of
    1e-4 to 1e-3 where lme4 has 0). So a diagonal element also counts as zero when setting
    it to zero raises the (RE)ML deviance by less than 1e-4: the boundary fits as well.
    """
    theta = np.asarray(theta, float)
    base = dev(theta)
    for j, (r, c) in enumerate(dev.positions):
        if r != c:
            continue
        if theta[j] < SINGULAR_TOL:
            return True
        on_bound = theta.copy()
        on_bound[j] = 0.0
        try:
            if dev(on_bound) <= base + BOUNDARY_DEVIANCE_TOL:
                return True
        except np.linalg.LinAlgError:
            continue
    return False


def lambda_from_cov(rel_cov: np.ndarray) -> np.ndarray:
    """Lower-triangular ``Lambda`` with ``Lambda Lambda' = rel_cov`` and diagonal >= 0.

    Uses the Cholesky factor when ``rel_cov`` is positive definite, else the transposed R of
    a QR decomposition of ``(U S^{1/2})'`` from its eigendecomposition (any PSD matrix).
    """
    rel_cov = (rel_cov + rel_cov.T) / 2
    try:
        return np.linalg.cholesky(rel_cov)
    except np.linalg.LinAlgError:
        s, u = np.linalg.eigh(rel_cov)
        a = u * np.sqrt(np.clip(s, 0, None))
        r = np.linalg.qr(a.T, mode="r")
        lam = r.T
        return lam * np.where(np.diag(lam) < 0, -1.0, 1.0)


def fit_statsmodels(design: Design, *, reml: bool) -> EngineFit:
    """Fit with ``statsmodels.regression.mixed_linear_model.MixedLM``."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    model = MixedLM(design.y, design.X, groups=design.groups, exog_re=design.Z)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(reml=reml)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise UsageError(f"statsmodels MixedLM failed on this model ({exc}); "
                             "use engine='fast'") from None
    messages = [str(w.message) for w in caught
                if "converge" in str(w.message).lower() or "boundary" in str(w.message).lower()]
    p, q = design.X.shape[1], design.Z.shape[1]
    sigma2 = float(res.scale)
    cov_re = np.asarray(res.cov_re, float).reshape(q, q)
    lam = lambda_from_cov(cov_re / sigma2)
    theta = np.array([lam[r, c] for r, c in theta_positions(q)])
    beta = np.asarray(res.fe_params, float)
    ss = sufficient_statistics(design.y, design.X, design.Z, design.groups,
                               len(design.group_labels))
    dev = ProfiledDeviance(ss, reml=reml)
    # vcov, loglik and the singular flag as the fast engine computes them (engine.inference)
    try:
        inf = inference(dev, theta, sigma2)
        df = inf["df"]
        df_method = "Satterthwaite (at statsmodels' estimates)"
    except (np.linalg.LinAlgError, ValueError):
        inf = inference_without_df(dev, theta, sigma2)
        df = np.full(p, float(design.X.shape[0] - p))
        df_method = "residual (n - p): Satterthwaite failed at statsmodels' estimates"
    converged = bool(res.converged) and not any("converge" in m.lower() for m in messages)
    return EngineFit(beta=beta, vcov=inf["vcov"], df=df, sigma2=sigma2, random_cov=cov_re,
                     theta=theta, loglik=inf["loglik"], converged=converged,
                     singular=boundary_singular(dev, theta),
                     message="; ".join(messages) or "statsmodels reported no convergence",
                     df_method=df_method, optimizer=dict(statsmodels_warnings=messages))
