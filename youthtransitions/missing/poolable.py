"""What pooling reads of a fit: coefficients, their covariance and the residual df.

:class:`PoolableFit` is the protocol (``params``, ``cov_params``, optionally ``df_resid``);
statsmodels OLS, Logit and GLM results, youthtransitions' ``LMMResult`` and
:class:`FitEstimates` follow it, and statsmodels MixedLM and linearmodels results have one
adapter each. :func:`pool` and :func:`pool_test` read every fit through :func:`fit_estimates`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..errors import UsageError

__all__ = ["FitEstimates", "PoolableFit", "check_df_com", "collect_fits", "default_df_com",
           "extract_estimates", "fit_estimates"]


@runtime_checkable
class PoolableFit(Protocol):
    """What pooling needs of one fitted model.

    ``params`` (a Series of coefficients by term) and ``cov_params`` (their covariance, a
    DataFrame, or a method returning one as in statsmodels). A fit may also have ``df_resid``,
    its complete-data residual degrees of freedom, which :func:`pool` uses as the default
    ``df_com``.
    """

    params: Any
    cov_params: Any


@dataclass(frozen=True)
class FitEstimates:
    """Coefficients, their covariance and the residual df of one fit (a :class:`PoolableFit`).

    Wrap a fit that is not a results object in it, e.g. the package's own least-squares
    ``(params, cov)`` with its ``n - p``: ``FitEstimates(params, cov, df_resid=n - p)``.
    """

    params: pd.Series
    cov_params: pd.DataFrame
    df_resid: float | None = None


def _statsmodels_mixedlm(fit) -> FitEstimates | None:
    """statsmodels MixedLM: the fixed effects only; residual df n - n_params as lme4's."""
    from statsmodels.regression.mixed_linear_model import MixedLMResults

    inner = getattr(fit, "_results", fit)
    if not isinstance(inner, MixedLMResults):
        return None
    fe = fit.fe_params
    n_params = inner.k_fe + inner.k_re2 + inner.k_vc + 1
    return FitEstimates(fe, fit.cov_params().loc[fe.index, fe.index],
                        float(inner.nobs - n_params))


def _linearmodels(fit) -> FitEstimates | None:
    """linearmodels results name the covariance ``cov``."""
    if not type(fit).__module__.startswith("linearmodels."):
        return None
    return FitEstimates(fit.params, fit.cov, getattr(fit, "df_resid", None))


#: fits whose attributes differ from the protocol, each read by its own adapter
_ADAPTERS = (_statsmodels_mixedlm, _linearmodels)


def _as_fit_estimates(result: Any, where: str) -> FitEstimates:
    if isinstance(result, FitEstimates):
        return result
    if isinstance(result, (tuple, list)) and len(result) in (2, 3):
        return FitEstimates(*result)
    for adapter in _ADAPTERS:
        adapted = adapter(result)
        if adapted is not None:
            return adapted
    if isinstance(result, PoolableFit):
        cov = result.cov_params
        return FitEstimates(result.params, cov() if callable(cov) else cov,
                            getattr(result, "df_resid", None))
    raise UsageError(f"cannot pool {type(result).__name__}{where}: it needs params and "
                     "cov_params, or pass (params, cov) pairs")


def fit_estimates(result: Any, *, position: int | None = None) -> FitEstimates:
    """One fit's coefficients, covariance and residual df, checked and aligned by term.

    Parameters
    ----------
    result
        A :class:`PoolableFit` (statsmodels OLS, Logit and GLM results, an ``LMMResult``, a
        :class:`FitEstimates`), a statsmodels ``MixedLM`` (fixed effects only), a linearmodels
        result (``cov``), or a ``(params, cov)`` / ``(params, cov, df_resid)`` tuple.
    position : int, optional
        Index of the fit in its list, for error messages.

    Returns
    -------
    FitEstimates
        ``params`` as a float Series (unnamed arrays get ``x0, x1, ...``), ``cov_params`` a
        DataFrame on the same index and columns, ``df_resid`` a float or None.
    """
    where = "" if position is None else f" (result {position + 1})"
    est = _as_fit_estimates(result, where)
    params, cov = est.params, est.cov_params
    if params is None or cov is None:
        raise UsageError(f"cannot pool {type(result).__name__}{where}: params or cov_params "
                         "is missing")
    if not isinstance(params, pd.Series):
        arr = np.asarray(params, dtype=float).ravel()
        params = pd.Series(arr, index=[f"x{i}" for i in range(arr.size)])
    params = params.astype(float)
    if isinstance(cov, pd.DataFrame):
        missing = [t for t in params.index if t not in cov.index or t not in cov.columns]
        if missing:
            raise UsageError(f"covariance matrix{where} lacks the terms {missing}")
        cov = cov.loc[params.index, params.index].astype(float)
    else:
        arr = np.asarray(cov, dtype=float)
        k = params.size
        if arr.shape != (k, k):
            raise UsageError(f"covariance matrix{where} has shape {arr.shape}, "
                             f"expected ({k}, {k})")
        cov = pd.DataFrame(arr, index=params.index, columns=params.index)
    if not np.all(np.isfinite(params.to_numpy())) or not np.all(np.isfinite(cov.to_numpy())):
        raise UsageError(f"non-finite estimate or covariance{where}; cannot pool")
    df_resid = None if est.df_resid is None else float(est.df_resid)
    return FitEstimates(params, cov, df_resid)


def extract_estimates(result: Any, *, position: int | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Estimates and covariance of one fit, ``(params, cov)`` (see :func:`fit_estimates`)."""
    est = fit_estimates(result, position=position)
    return est.params, est.cov_params


def check_df_com(df_com: Any) -> float | None:
    """``df_com`` as a positive float (``inf`` allowed), or None for the default."""
    if df_com is None:
        return None
    try:
        value = float(df_com)
    except (TypeError, ValueError):
        value = math.nan
    if not value > 0:
        raise UsageError(f"df_com must be a positive number (or inf for the large-sample "
                         f"rule), got {df_com!r}")
    return value


def default_df_com(fits: Sequence[FitEstimates]) -> float:
    """mice's default complete-data df: the first fit's residual df, else infinity.

    Notes
    -----
    ``mice:::get.dfcom`` (mice 3.15) takes ``df.residual`` of the first fit's ``glance``
    (broom: ``n - p`` for ``lm`` and ``glm``; broom.mixed: lme4's ``df.residual``,
    ``n - n_params`` with ``n_params = p + q(q+1)/2 + 1``, for ``lmer``), else
    ``nobs - p``, else infinity ("Infinite sample size assumed"). A fit without
    ``df_resid`` (a bare ``(params, cov)`` pair) therefore gets the large-sample rule.
    """
    df = fits[0].df_resid if fits else None
    return math.inf if df is None or not np.isfinite(df) else max(float(df), 1.0)


def collect_fits(results: Sequence[Any], what: str = "fitted models") -> list[FitEstimates]:
    """:func:`fit_estimates` of every fit, at least two, all with the same terms."""
    results = list(results)
    if len(results) < 2:
        raise UsageError(f"pooling needs at least 2 {what}, got {len(results)}")
    fits = [fit_estimates(r, position=i) for i, r in enumerate(results)]
    terms = list(fits[0].params.index)
    for i, f in enumerate(fits[1:], start=2):
        if list(f.params.index) != terms:
            raise UsageError(f"result {i} has terms {list(f.params.index)}, result 1 has "
                             f"{terms}; fit the same model to every imputed data set")
    return fits
