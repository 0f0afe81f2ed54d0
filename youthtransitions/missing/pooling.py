"""Rubin's rules: pool estimates fitted to each of m imputed data sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._coef import coef_table
from .._disclosure import TableSpec, coef_columns, estimate
from .._options import check_choice, check_level
from .._tidy import TidyResult
from ..errors import UsageError

__all__ = ["PooledResult", "pool", "extract_estimates"]

Convention = Literal["mitml", "mice"]


def extract_estimates(result: Any, *, position: int | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Fixed-effect estimates and their covariance matrix from one fitted model.

    Accepts a ``(params, cov)`` pair, a youthtransitions ``LMMResult``, a statsmodels results
    object (``params`` and ``cov_params()``; for ``MixedLM`` only the fixed effects,
    ``fe_params``), or a linearmodels results object (``params`` and ``cov``).

    Returns
    -------
    (pandas.Series, pandas.DataFrame)
        Estimates indexed by term, and their covariance with the same index and columns.
    """
    where = "" if position is None else f" (result {position + 1})"
    if isinstance(result, (tuple, list)) and len(result) == 2:
        params, cov = result
    else:
        params = getattr(result, "fe_params", None)
        if params is None:
            params = getattr(result, "params", None)
        if hasattr(result, "cov_params"):
            cov = result.cov_params
            cov = cov() if callable(cov) else cov
        elif hasattr(result, "cov"):
            cov = result.cov
        else:
            cov = None
        if params is None or cov is None:
            raise UsageError(f"cannot pool {type(result).__name__}{where}: it needs params and "
                             "cov_params (or cov), or pass (params, cov) pairs")
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
            if arr.ndim == 2 and arr.shape[0] >= k and arr.shape[1] >= k:
                arr = arr[:k, :k]  # e.g. statsmodels MixedLM without names: fixed effects first
            else:
                raise UsageError(f"covariance matrix{where} has shape {arr.shape}, "
                                 f"expected ({k}, {k})")
        cov = pd.DataFrame(arr, index=params.index, columns=params.index)
    if not np.all(np.isfinite(params.to_numpy())) or not np.all(np.isfinite(cov.to_numpy())):
        raise UsageError(f"non-finite estimate or covariance{where}; cannot pool")
    return params, cov


@dataclass(frozen=True, eq=False, repr=False)
class PooledResult(TidyResult):
    """Estimates pooled over imputations by Rubin's rules.

    Attributes
    ----------
    params : pandas.Series
        Pooled estimate ``Qbar`` per term.
    ubar_cov, b_cov, total_cov : pandas.DataFrame
        Within-imputation, between-imputation and total ``Ubar + (1 + 1/m) B`` covariance.
    m : int
        Number of imputations; ``df_com`` the complete-data df used (``None``: Rubin 1987 df).
    convention : {"mitml", "mice"}
    ci_level : float
        Level of the intervals when none is given (also ``level``).

    Derived (read-only): ``std_errors`` (``sqrt(T)``), ``df``, ``tvalues`` (``Qbar/se``),
    ``pvalues`` (two-sided, t on ``df``); ``ubar``, ``b``, ``total`` (the variances per
    term); ``riv``, ``lambda_``, ``fmi`` (relative increase in variance, proportion of
    variance due to missingness, fraction of missing information).
    """

    params: pd.Series
    ubar_cov: pd.DataFrame
    b_cov: pd.DataFrame
    m: int
    df_com: float | None
    convention: str
    ci_level: float = 0.95
    title = "Pooled estimates (Rubin's rules)"

    @property
    def level(self) -> float:
        """The confidence level of the intervals (:attr:`ci_level`)."""
        return self.ci_level

    def _diag(self, cov: pd.DataFrame) -> pd.Series:
        return pd.Series(np.diag(cov.to_numpy()), index=self.params.index)

    @cached_property
    def total_cov(self) -> pd.DataFrame:
        return self.ubar_cov + (1.0 + 1.0 / self.m) * self.b_cov

    @cached_property
    def ubar(self) -> pd.Series:
        return self._diag(self.ubar_cov)

    @cached_property
    def b(self) -> pd.Series:
        return self._diag(self.b_cov)

    @cached_property
    def total(self) -> pd.Series:
        return self._diag(self.total_cov)

    @cached_property
    def std_errors(self) -> pd.Series:
        return np.sqrt(self.total)

    @cached_property
    def riv(self) -> pd.Series:
        return (1.0 + 1.0 / self.m) * self.b / self.ubar

    @cached_property
    def lambda_(self) -> pd.Series:
        return (1.0 + 1.0 / self.m) * self.b / self.total

    @cached_property
    def df(self) -> pd.Series:
        return pd.Series(_pooled_df(self.lambda_.to_numpy(), self.m, self.df_com,
                                    self.convention), index=self.params.index)

    @cached_property
    def fmi(self) -> pd.Series:
        return (self.riv + 2.0 / (self.df + 3.0)) / (self.riv + 1.0)

    @cached_property
    def tvalues(self) -> pd.Series:
        return pd.Series(self.to_frame()["statistic"].to_numpy(), index=self.params.index)

    @cached_property
    def pvalues(self) -> pd.Series:
        return pd.Series(self.to_frame()["p_value"].to_numpy(), index=self.params.index)

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Confidence limits ``Qbar ± t_{df, (1+level)/2} sqrt(T)`` at ``level`` (default
        :attr:`ci_level`)."""
        frame = self.to_frame(level)
        return pd.DataFrame({"conf_low": frame["conf_low"].to_numpy(),
                             "conf_high": frame["conf_high"].to_numpy()},
                            index=self.params.index)

    def _summary_header(self):
        df_com = "none (Rubin 1987 df)" if self.df_com is None else self.df_com
        return [("imputations (m)", self.m), ("complete-data df", df_com),
                ("convention", self.convention)]

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """``COEF_COLUMNS`` plus ``riv``, ``lambda``, ``fmi``, ``ubar``, ``b``; intervals at
        ``level`` (default :attr:`ci_level`)."""
        frame = coef_table(list(self.params.index), self.params.to_numpy(),
                           self.std_errors.to_numpy(), self.df.to_numpy(),
                           level=self.ci_level if level is None else level)
        return frame.assign(riv=self.riv.to_numpy(), **{"lambda": self.lambda_.to_numpy()},
                            fmi=self.fmi.to_numpy(), ubar=self.ubar.to_numpy(),
                            b=self.b.to_numpy())

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: pooled estimates; Rubin's (or Barnard-Rubin) ``df`` is
        a function of the between-imputation variance, tied to no count, published to three
        significant digits like the statistics beside it."""
        return TableSpec({**coef_columns(estimate(digits=3)), "riv": estimate(),
                          "lambda": estimate(), "fmi": estimate(), "ubar": estimate(),
                          "b": estimate()}, totals="none")


def _pooled_df(lam: np.ndarray, m: int, df_com: float | None, convention: str) -> np.ndarray:
    lam = np.asarray(lam, dtype=float)
    if convention == "mice":
        lam = np.maximum(lam, 1e-4)
    with np.errstate(divide="ignore"):
        df_old = np.where(lam > 0, (m - 1) / lam**2, np.inf)
    if df_com is None or np.isinf(df_com):
        return df_old
    df_obs = (df_com + 1.0) / (df_com + 3.0) * df_com * (1.0 - lam)
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 / df_old + 1.0 / df_obs)


def pool(results: Sequence[Any], *, df_com: float | None = None, level: float = 0.95,
         convention: Convention = "mitml") -> PooledResult:
    """Pool fitted models (one per imputed data set) by Rubin's rules.

    Parameters
    ----------
    results : sequence
        At least two fitted models, each a youthtransitions ``LMMResult``, a statsmodels or
        linearmodels results object, or a ``(params, cov)`` pair. All must have the same terms.
    df_com : float, optional
        Complete-data degrees of freedom. Given: the Barnard & Rubin (1999) small-sample df.
        ``None``: the Rubin (1987) large-sample df.
    level : float, default 0.95
        Confidence level of ``conf_low``/``conf_high``.
    convention : {"mitml", "mice"}
        ``"mitml"`` computes the df exactly as ``mitml::testEstimates``; ``"mice"`` as
        ``mice::pool`` (which floors lambda at 1e-4 before computing the df, so a term with no
        between-imputation variance gets a large finite df rather than infinity).

    Returns
    -------
    PooledResult

    Notes
    -----
    With estimates :math:`\\hat Q_j` and covariance :math:`U_j` from imputation
    :math:`j = 1..m` (Rubin 1987; Barnard & Rubin 1999; van Buuren 2018, ch. 2.3):

    .. math::
        \\bar Q = \\frac1m\\sum_j \\hat Q_j,\\quad \\bar U = \\frac1m\\sum_j U_j,\\quad
        B = \\frac{1}{m-1}\\sum_j(\\hat Q_j-\\bar Q)(\\hat Q_j-\\bar Q)^\\top,\\quad
        T = \\bar U + (1 + 1/m) B

    per term :math:`r = (1+1/m)B/\\bar U` (RIV), :math:`\\lambda = (1+1/m)B/T = r/(1+r)`,
    :math:`\\nu_{old} = (m-1)/\\lambda^2`, and with complete-data df :math:`\\nu_{com}`,
    :math:`\\nu_{obs} = \\frac{\\nu_{com}+1}{\\nu_{com}+3}\\nu_{com}(1-\\lambda)`,
    :math:`\\nu = (1/\\nu_{old} + 1/\\nu_{obs})^{-1}`. FMI
    :math:`\\gamma = (r + 2/(\\nu+3))/(r+1)` (the same formula in mice 3.15 and mitml 0.4).
    When :math:`B = 0`: :math:`r = \\lambda = 0`, :math:`\\nu_{old} = \\infty`, so
    :math:`\\nu = \\nu_{obs}` with ``df_com`` and infinite without (as mitml); no division by
    zero. Checked against ``mice::pool`` and ``mitml::testEstimates``
    (``tests/reference/mitml/pool.R``): estimates and SEs to 1e-6, df and FMI to 1e-4.
    """
    check_choice("convention", convention, Convention)
    level = check_level(level)
    if df_com is not None:
        df_com = float(df_com)
        if not df_com > 0:
            raise UsageError(f"df_com must be positive, got {df_com!r}")
    results = list(results)
    if len(results) < 2:
        raise UsageError(f"pooling needs at least 2 fitted models, got {len(results)}")
    pairs = [extract_estimates(r, position=i) for i, r in enumerate(results)]
    terms = list(pairs[0][0].index)
    for i, (p, _) in enumerate(pairs[1:], start=2):
        if list(p.index) != terms:
            raise UsageError(f"result {i} has terms {list(p.index)}, result 1 has {terms}; "
                             "fit the same model to every imputed data set")
    m = len(pairs)
    q = np.column_stack([p.to_numpy() for p, _ in pairs])          # k x m
    u = np.stack([c.to_numpy() for _, c in pairs])                   # m x k x k
    qbar = q.mean(axis=1)
    dev = q - qbar[:, None]
    b = dev @ dev.T / (m - 1)
    idx = pd.Index(terms)
    return PooledResult(params=pd.Series(qbar, index=idx),
                        ubar_cov=pd.DataFrame(u.mean(axis=0), index=idx, columns=idx),
                        b_cov=pd.DataFrame(b, index=idx, columns=idx),
                        m=m, df_com=df_com, convention=convention, ci_level=level)
