"""Analytic intervals for Rights & Sterba shares of a random-intercept model (delta method).

A cluster bootstrap gives every share an interval but costs hundreds of refits; planning a
study needs thousands of analyses, so each share here gets a delta-method standard error from
the model's information matrix and a logit-scale Wald interval, at the cost of one fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._options import check_level
from ..errors import UsageError
from ..stats.distributions import norm_ppf
from .r2 import classify_predictors, measures_from_parts

__all__ = ["share_intervals", "variance_information", "moment_covariance"]


def variance_information(sizes: np.ndarray, tau: float, sigma2: float) -> np.ndarray:
    """Expected (ML) information of ``(tau, sigma2)`` in a random-intercept model.

    Notes
    -----
    For a cluster of size :math:`n_g`, :math:`V_g = \\sigma^2 I + \\tau 11'` has eigenvalue
    :math:`\\lambda_g = \\sigma^2 + n_g\\tau` along :math:`1` and :math:`\\sigma^2` on the
    :math:`n_g - 1` directions orthogonal to it, so the Gaussian information
    :math:`\\tfrac12\\operatorname{tr}(V^{-1}\\dot V_a V^{-1}\\dot V_b)` (Searle, Casella &
    McCulloch 1992, 6.3) is, summed over clusters,
    :math:`I_{\\tau\\tau} = \\tfrac12\\sum n_g^2/\\lambda_g^2`,
    :math:`I_{\\tau\\sigma^2} = \\tfrac12\\sum n_g/\\lambda_g^2`,
    :math:`I_{\\sigma^2\\sigma^2} = \\tfrac12\\sum[(n_g-1)/\\sigma^4 + 1/\\lambda_g^2]`.
    """
    n = np.asarray(sizes, dtype=float)
    lam2 = (sigma2 + n * tau) ** 2
    return 0.5 * np.array([[np.sum(n**2 / lam2), np.sum(n / lam2)],
                           [np.sum(n / lam2), np.sum((n - 1) / sigma2**2 + 1 / lam2)]])


def moment_covariance(X: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cluster-robust covariance of the relative changes of the columns' variances.

    Notes
    -----
    A column's variance over rows :math:`s_j^2 = N^{-1}\\sum_i d_{ij}`, :math:`d_{ij} =
    (x_{ij} - \\bar x_j)^2`, is a mean of row terms; with clusters as the independent units
    its sandwich covariance is :math:`N^{-2}\\sum_g e_{gj} e_{gk}`, :math:`e_{gj} = \\sum_{i
    \\in g}(d_{ij} - s_j^2)`, divided by :math:`s_j^2 s_k^2` for the ratio
    :math:`c_j = s_j^{2\\prime}/s_j^2` the shares are differentiated in.
    """
    d = (X - X.mean(axis=0)) ** 2
    s2 = d.mean(axis=0)
    dev = d - s2
    e = np.zeros((int(groups.max()) + 1, X.shape[1]))
    np.add.at(e, groups, dev)
    return (e.T @ e) / X.shape[0] ** 2 / np.outer(s2, s2)


def _parameters(fit: Any, X: np.ndarray, varying: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``theta = (beta, tau, sigma2, c)`` of the fit (``c = 1``: each varying column's
    variance at its sample value) and its asymptotic covariance."""
    beta = np.asarray(fit.params, dtype=float)
    tau = float(np.asarray(fit.random_cov)[0, 0])
    sigma2 = float(fit.residual_variance)
    groups = np.asarray(fit.groups)
    sizes = np.bincount(groups)
    p, k = beta.size, int(varying.sum())
    cov = np.zeros((p + 2 + k, p + 2 + k))
    cov[:p, :p] = np.asarray(fit.cov_params, dtype=float)
    cov[p:p + 2, p:p + 2] = np.linalg.inv(variance_information(sizes[sizes > 0], tau, sigma2))
    cov[p + 2:, p + 2:] = moment_covariance(X[:, varying], groups)
    return np.r_[beta, tau, sigma2, np.ones(k)], cov


def share_intervals(fit: Any, measures: Sequence[str], *, level: float = 0.95,
                    estimates: dict[str, float] | None = None) -> pd.DataFrame:
    """Delta-method standard errors and logit-scale intervals of Rights & Sterba shares.

    Parameters
    ----------
    fit : LMMResult
        A random-intercept model (``random="1"``), ideally fitted by ML.
    measures : sequence of str
        r2mlm names (``"within.f1"``, ``"between.f2"``, ``"total.f"``, ...).
    level : float, default 0.95
    estimates : dict, optional
        Point estimates to centre the intervals on (e.g. the REML shares the analysis
        reports); by default the shares of ``fit`` itself.

    Returns
    -------
    DataFrame
        ``measure, estimate, std_error, conf_low, conf_high``.

    Notes
    -----
    With :math:`\\theta = (\\beta, \\tau, \\sigma^2)` and a share :math:`g(\\theta)`
    (:func:`~youthtransitions.models.r2.measures_from_parts`) that also depends on each
    predictor's variance (through :math:`c_j`, the ratio of a column's variance to its sample
    value, since the population shares weigh the slopes by the population variances),
    :math:`SE(\\hat g)^2 = \\nabla g' \\hat\\Sigma \\nabla g` with the gradient by central
    differences and :math:`\\hat\\Sigma` block diagonal: the fit's fixed-effect covariance,
    the inverse of :func:`variance_information` (the ML information of :math:`\\beta` and of
    the variance parameters is block diagonal; Searle et al. 1992) and
    :func:`moment_covariance` (the predictors' moments taken as independent of the
    conditional model's parameters). The interval
    is Wald on the logit scale, :math:`\\operatorname{logit}\\hat g \\pm z\\,SE/(\\hat g(1 -
    \\hat g))` mapped back, so it stays inside (0, 1); it is not valid for a share at the
    boundary (0 or 1). Its standard error is checked against the spread of estimates over
    simulated studies in ``tests/models/test_r2_delta.py``, its coverage by ``yt design``.
    """
    level = check_level(level)
    if getattr(fit, "random", "1") != "1" or np.asarray(fit.Z).shape[1] != 1:
        raise UsageError("share_intervals needs a random-intercept model (random='1'), got "
                         f"random={getattr(fit, 'random', None)!r}")
    X, Z = np.asarray(fit.X, dtype=float), np.asarray(fit.Z, dtype=float)
    names = list(fit.fixed_names)
    kinds = classify_predictors(X, np.asarray(fit.groups), names)
    kinds = [kinds[k] for k in names]
    p = X.shape[1]
    varying = np.asarray([k != "intercept" for k in kinds])
    center = X.mean(axis=0)

    def values(theta: np.ndarray) -> np.ndarray:
        Xc = X.copy()
        Xc[:, varying] = center[varying] + (X[:, varying] - center[varying]) * np.sqrt(
            theta[p + 2:])
        got = measures_from_parts(X=Xc, Z=Z, beta=theta[:p], tau=np.array([[theta[p]]]),
                                  sigma2=float(theta[p + 1]), kinds=kinds)
        missing = [m for m in measures if got.get(m) is None]
        if missing:
            raise UsageError(f"share_intervals: unknown measure(s) {missing}; known: "
                             f"{sorted(k for k, v in got.items() if v is not None)}")
        return np.array([got[m] for m in measures], dtype=float)

    theta, cov = _parameters(fit, X, varying)
    grad = np.empty((len(measures), theta.size))
    for j in range(theta.size):
        h = 1e-6 * max(abs(theta[j]), 1e-3)
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        grad[:, j] = (values(up) - values(down)) / (2 * h)
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    if estimates is not None:
        absent = [m for m in measures if m not in estimates]
        if absent:
            raise UsageError(f"share_intervals: estimates has no value for {absent}; it "
                             f"has {sorted(estimates)}")
    est = values(theta) if estimates is None else np.array([estimates[m] for m in measures],
                                                           dtype=float)
    z = norm_ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (est > 0) & (est < 1)
        logit = np.log(est / (1 - est))
        half = z * se / (est * (1 - est))
        lo = np.where(inside, special.expit(logit - half), np.nan)
        hi = np.where(inside, special.expit(logit + half), np.nan)
    return pd.DataFrame({"measure": list(measures), "estimate": est, "std_error": se,
                         "conf_low": lo, "conf_high": hi})
