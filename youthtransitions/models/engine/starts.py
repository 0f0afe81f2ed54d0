"""Starting values of theta: lme4's unit start and a moment-based one.

A fit that ends with a diagonal element of Lambda at zero may be a boundary local optimum
(a zero column of Lambda is a stationary point whatever the data). The optimiser then
restarts from here and keeps the lower deviance.
"""

from __future__ import annotations

import numpy as np

from .deviance import theta_positions
from .suffstats import SuffStats

__all__ = ["unit_start", "moment_start"]


def unit_start(q: int) -> np.ndarray:
    """``Lambda = I`` (lme4's default start)."""
    return np.array([1.0 if r == c else 0.0 for r, c in theta_positions(q)])


def moment_start(ss: SuffStats) -> np.ndarray | None:
    """theta of ``Sigma_b / sigma^2`` from per-group least squares (None when undefined).

    Notes
    -----
    With ``beta`` from ordinary least squares, each group with a regular ``Z_i'Z_i`` gives
    ``b_i = (Z_i'Z_i)^{-1} Z_i'(y_i - X_i beta)``; the moment estimate is
    ``S = cov(b_i) - sigma^2 mean((Z_i'Z_i)^{-1})`` with ``sigma^2`` the residual variance
    left by the per-group fits, ``(RSS_OLS - sum_i r_i'b_i) / (n - p - q G)`` with
    ``r_i = Z_i'(y_i - X_i beta)`` (Swamy's random-coefficient estimator, Swamy 1970,
    *Econometrica* 38),
    each variance at least a tenth of its sampling part ``sigma^2 mean((Z_i'Z_i)^{-1})_jj``
    and the eigenvalues of its correlation matrix at least 0.05 (so that the start is
    interior whatever the units), divided by ``sigma^2`` and factored (Cholesky).
    """
    q = ss.q
    try:
        beta = np.linalg.solve(ss.XtX, ss.Xty)
    except np.linalg.LinAlgError:
        return None
    sigma2 = (ss.yty - beta @ ss.Xty) / max(ss.n - ss.p, 1)
    res = ss.Zty - np.einsum("ajg,j->ag", ss.ZtX, beta)                  # (q, G)
    ztz = ss.ZtZ.transpose(2, 0, 1)                                      # (G, q, q)
    det = np.linalg.det(ztz)
    scale = np.prod(np.diagonal(ztz, axis1=1, axis2=2), axis=1)
    ok = det > 1e-8 * np.maximum(scale, 1e-300)
    if ok.sum() <= q or not sigma2 > 0:
        return None
    inv = np.linalg.inv(ztz[ok])
    b = np.einsum("gab,bg->ga", inv, res[:, ok])
    # within-group residual variance: what the per-group fits leave
    within = ss.n - ss.p - q * int(ok.sum())
    if within > 0:
        sigma2 = max(sigma2 * (ss.n - ss.p) - float((b * res[:, ok].T).sum()), 0.0) / within
    if not sigma2 > 0:
        return None
    noise = sigma2 * inv.mean(axis=0)
    S = np.cov(b, rowvar=False).reshape(q, q) - noise
    sd = np.sqrt(np.maximum(np.diag(S), 0.1 * np.diag(noise)))
    w, v = np.linalg.eigh((S + S.T) / 2 / np.outer(sd, sd))
    if not (np.isfinite(w).all() and np.isfinite(sd).all() and sd.min() > 0):
        return None
    corr = (v * np.maximum(w, 0.05)) @ v.T
    corr = corr / np.sqrt(np.outer(np.diag(corr), np.diag(corr)))
    lam = np.linalg.cholesky(corr * np.outer(sd, sd) / sigma2)
    return np.array([lam[r, c] for r, c in theta_positions(q)])
