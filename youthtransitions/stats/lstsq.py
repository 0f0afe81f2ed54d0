"""Ordinary least squares with classical standard errors."""

from __future__ import annotations

import numpy as np

from ..errors import UsageError

__all__ = ["ols", "simple_ols"]


def ols(y: np.ndarray, X: np.ndarray) -> dict[str, np.ndarray]:
    """OLS of ``y`` (n,) or (n, k) on ``X`` (n, p): coefficients, standard errors, t, RSS.

    Returns
    -------
    dict
        ``beta`` (p, k), ``se`` (p, k), ``t`` (p, k), ``rss`` (k,), ``df`` (n - p) and
        ``resid`` (n, k); one column per column of ``y``.

    Notes
    -----
    :math:`\\hat\\beta = (X^\\top X)^{+} X^\\top y` (Moore–Penrose inverse, so a
    rank-deficient design still returns the minimum-norm solution),
    :math:`\\widehat{\\mathrm{Var}}(\\hat\\beta) = \\hat\\sigma^2 (X^\\top X)^{+}` with
    :math:`\\hat\\sigma^2 = RSS/(n-p)`. Batched over columns of ``y`` so that permutation
    refits are one matrix product. Checked against statsmodels ``OLS`` in
    ``tests/stats/test_lstsq.py``.
    """
    y2 = y[:, None] if y.ndim == 1 else y
    n, p = X.shape
    if n <= p:
        raise UsageError(f"too few rows ({n}) for a model with {p} terms")
    xtx_inv = np.linalg.pinv(X.T @ X)
    beta = xtx_inv @ X.T @ y2
    resid = y2 - X @ beta
    rss = (resid**2).sum(axis=0)
    sigma2 = rss / (n - p)
    se = np.sqrt(np.outer(np.diag(xtx_inv), sigma2))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = beta / se
    return {"beta": beta, "se": se, "t": t, "rss": rss, "df": n - p, "resid": resid}


def simple_ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    """OLS of ``y`` on an intercept and one predictor ``x`` (rows with either missing dropped).

    Returns
    -------
    params, cov, r2, n
        ``[intercept, slope]``, their classical covariance, the R² and the rows used.

    Notes
    -----
    The closed form on centred data (no matrix inverse, so it is cheap inside imputation
    and simulation loops): :math:`b = S_{xy}/S_{xx}`, :math:`a = \\bar y - b\\bar x`,
    :math:`\\hat\\sigma^2 = RSS/(n-2)`, :math:`\\mathrm{Var}(b) = \\hat\\sigma^2/S_{xx}`,
    :math:`\\mathrm{Var}(a) = \\hat\\sigma^2(1/n + \\bar x^2/S_{xx})`,
    :math:`\\mathrm{Cov}(a, b) = -\\bar x\\,\\mathrm{Var}(b)`; equal to :func:`ols` on
    ``[1, x]`` (checked against statsmodels in ``tests/stats/test_lstsq.py``).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(x.size)
    if n < 4:
        raise UsageError(f"only {n} complete rows; the regression needs at least 4")
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if sxx == 0:
        raise UsageError("the predictor does not vary")
    slope = float(xc @ (y - y.mean())) / sxx
    intercept = y.mean() - slope * x.mean()
    resid = y - intercept - slope * x
    s2 = float(resid @ resid) / (n - 2)
    var_slope = s2 / sxx
    var_int = s2 * (1 / n + x.mean() ** 2 / sxx)
    cov_is = -x.mean() * var_slope
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float(resid @ resid) / tss if tss > 0 else 0.0
    return (np.array([intercept, slope]), np.array([[var_int, cov_is], [cov_is, var_slope]]),
            r2, n)
