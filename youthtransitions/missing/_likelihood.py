"""Log-likelihoods of fitted models for the likelihood-based pooled tests (D2, D3).

:func:`likelihood` reads one fit into a :class:`Likelihood`: its maximum-likelihood
log-likelihood, its number of parameters (R's ``attr(logLik(fit), "df")``), and for D3 the
parameters mitml averages over imputations with the log-likelihood at any such parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UsageError

__all__ = ["Likelihood", "likelihood", "mean_parameters", "ols_loglik", "lmm_loglik"]

Parameters = dict[str, np.ndarray]


@dataclass(frozen=True)
class Likelihood:
    """One fit's log-likelihood and, for D3, how to evaluate it elsewhere.

    ``loglik`` is the ML log-likelihood at the fit's estimates, ``n_params`` the number of
    estimated parameters, ``n_obs`` the rows used, ``parameters`` the estimates D3 averages
    and ``at(parameters)`` the log-likelihood at given parameters (None when not needed).
    """

    loglik: float
    n_params: int
    n_obs: int
    parameters: Parameters
    at: Callable[[Parameters], float] | None = None


def ols_loglik(y: np.ndarray, X: np.ndarray, beta: np.ndarray, sigma2: float) -> float:
    """Normal linear-model log-likelihood ``-(n/2) log(2 pi sigma2) - RSS(beta)/(2 sigma2)``."""
    resid = y - X @ beta
    return float(-0.5 * y.size * math.log(2 * math.pi * sigma2) - resid @ resid / (2 * sigma2))


def _lower_factor(a: np.ndarray) -> np.ndarray:
    """Lower-triangular ``L`` with ``L L' = a`` for a positive semi-definite ``a`` (a zero
    pivot gives a zero column, where ``numpy.linalg.cholesky`` would fail)."""
    q = a.shape[0]
    low = np.zeros_like(a, dtype=float)
    for j in range(q):
        low[j, j] = math.sqrt(max(a[j, j] - low[j, :j] @ low[j, :j], 0.0))
        for i in range(j + 1, q):
            if low[j, j] > 0:
                low[i, j] = (a[i, j] - low[i, :j] @ low[j, :j]) / low[j, j]
    return low


def lmm_loglik(fit, beta: np.ndarray, tau: np.ndarray, sigma2: float) -> float:
    """Marginal log-likelihood of a two-level LMM's data at ``(beta, Sigma_b, sigma^2)``.

    ``y_i ~ N(X_i beta, sigma^2 I + Z_i Sigma_b Z_i')`` summed over groups; evaluated as the
    engine's ML deviance in ``(theta, sigma)`` of ``y - X beta`` with no fixed effects, which
    is what mitml computes with lme4's ``devfun2`` and the fixed part as an offset.
    """
    from ..models.engine import ProfiledDeviance, sufficient_statistics
    from ..models.engine.deviance import theta_positions

    resid = fit.y - fit.X @ np.asarray(beta, float)
    ss = sufficient_statistics(resid, np.empty((resid.size, 0)), fit.Z, fit.groups,
                               fit.n_groups)
    lam = _lower_factor(np.asarray(tau, float) / sigma2)
    theta = [lam[r, c] for r, c in theta_positions(lam.shape[0])]
    dev = ProfiledDeviance(ss, reml=False)
    return -dev.varpar_deviance(np.append(theta, math.sqrt(sigma2))) / 2


def _ols(fit) -> Likelihood | None:
    from statsmodels.regression.linear_model import OLS, RegressionResults

    inner = getattr(fit, "_results", fit)
    if not isinstance(inner, RegressionResults) or type(inner.model) is not OLS:
        return None
    y, X = np.asarray(inner.model.endog, float), np.asarray(inner.model.exog, float)
    psi = {"beta": np.asarray(inner.params, float), "sigma2": np.asarray(inner.ssr / y.size)}
    return Likelihood(loglik=ols_loglik(y, X, psi["beta"], float(psi["sigma2"])),
                      n_params=int(inner.model.rank) + 1, n_obs=int(y.size), parameters=psi,
                      at=lambda p: ols_loglik(y, X, p["beta"], float(p["sigma2"])))


def _glm(fit) -> Likelihood | None:
    from statsmodels.discrete.discrete_model import DiscreteResults
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLMResults

    inner = getattr(fit, "_results", fit)
    if isinstance(inner, GLMResults):
        fixed_scale = (families.Binomial, families.Poisson, families.NegativeBinomial)
        extra = 0 if isinstance(inner.model.family, fixed_scale) else 1   # R's logLik.glm
    elif isinstance(inner, DiscreteResults):
        extra = 0
    else:
        return None
    return Likelihood(loglik=float(inner.llf), n_params=len(inner.params) + extra,
                      n_obs=int(inner.nobs), parameters={})


def _lmm(fit) -> Likelihood | None:
    from ..models import LMMResult, fit_lmm

    if not isinstance(fit, LMMResult):
        return None
    if fit.method == "REML":   # likelihood ratios of REML fits are not comparable: refit
        fit = fit_lmm(fit.formula, fit.data, group=fit.group, random=fit.random,
                      method="ml", engine=fit.engine)
    psi = {"beta": fit.params.to_numpy(), "tau": fit.random_cov.to_numpy(),
           "sigma2": np.asarray(fit.residual_variance)}
    return Likelihood(loglik=fit.loglik, n_params=fit.n_params, n_obs=fit.n_obs,
                      parameters=psi,
                      at=lambda p: lmm_loglik(fit, p["beta"], p["tau"], float(p["sigma2"])))


def likelihood(fit: Any, *, d3: bool = False, position: int | None = None) -> Likelihood:
    """The :class:`Likelihood` of one fit (statsmodels OLS, Logit/GLM results, LMMResult).

    Raises
    ------
    UsageError
        For a fit whose log-likelihood is not known here, and with ``d3`` for a fit whose
        log-likelihood at pooled parameters is not (GLM and logit, as in mitml).
    """
    where = "" if position is None else f" (result {position + 1})"
    for adapter in (_lmm, _ols, _glm):
        lik = adapter(fit)
        if lik is None:
            continue
        if d3 and lik.at is None:
            raise UsageError(
                f"D3 needs the log-likelihood at parameters pooled over imputations, which is "
                f"available for OLS and linear mixed models (as in mitml), not for "
                f"{type(fit).__name__}{where}; use method='D1' or 'D2'")
        return lik
    raise UsageError(
        f"a likelihood-based test needs each fit's log-likelihood: pass statsmodels OLS, "
        f"Logit or GLM results or youthtransitions LMMResults, not {type(fit).__name__}"
        f"{where}; or use method='D1' or D2 with use='wald'")


def mean_parameters(liks: Sequence[Likelihood]) -> Parameters:
    """Each parameter (vector or matrix) averaged over imputations, as mitml's D3."""
    return {key: np.mean([lik.parameters[key] for lik in liks], axis=0)
            for key in liks[0].parameters}
