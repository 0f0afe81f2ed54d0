"""Multi-parameter tests pooled over imputations: D1, D2 and D3 as ``mitml::testModels``.

:func:`pool_test` compares a full model with a nested null model, both fitted to each of the
m completed data sets. The likelihood-based tests (D2 on log-likelihoods, D3) need the log-
likelihood of each fit, and D3 also its log-likelihood at parameters pooled over imputations;
:mod:`._likelihood` provides both for OLS, logistic/GLM and linear mixed models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._options import check_choice
from .._tidy import TidyResult
from ..errors import UsageError
from ..stats.distributions import chi2_sf, f_sf
from ._likelihood import likelihood, mean_parameters
from .poolable import check_df_com, collect_fits, default_df_com

__all__ = ["PooledTest", "pool_test", "TestMethod", "TestUse"]

TestMethod = Literal["D1", "D2", "D3"]
TestUse = Literal["wald", "likelihood"]

COLUMNS = ["method", "use", "statistic", "df1", "df2", "p_value", "riv"]


@dataclass(frozen=True, eq=False, repr=False)
class PooledTest(TidyResult):
    """A pooled test of a full model against a nested null model.

    Attributes
    ----------
    method : {"D1", "D2", "D3"}
    use : {"wald", "likelihood"}
        What D2 combined (D1 is a Wald test, D3 a likelihood-ratio test).
    statistic : float
        The F statistic (mitml's ``F.value``).
    df1, df2 : float
        Numerator (the number of parameters tested, k) and denominator df (``df1``, ``df2``).
    p_value : float
        ``P(F(df1, df2) > statistic)`` (``P(>F)``).
    riv : float
        Average relative increase in variance due to missingness (``RIV``).
    m : int
        Number of imputations.
    terms : tuple of str
        Coefficients of the full model that the null model lacks.
    df_com : float
        Complete-data df of D1's small-sample df2 (``inf``: none; NaN for D2 and D3).
    df_com_rule : str
        Where ``df_com`` came from.
    """

    method: str
    use: str
    statistic: float
    df1: float
    df2: float
    p_value: float
    riv: float
    m: int
    terms: tuple[str, ...]
    df_com: float = math.nan
    df_com_rule: str = ""
    title = "Pooled model comparison"

    def _summary_header(self) -> list[tuple[str, Any]]:
        rows = [("imputations (m)", self.m), ("terms tested", ", ".join(self.terms) or "-")]
        if self.method == "D1":
            df_com = f"{self.df_com:g} ({self.df_com_rule})"
            rows.append(("complete-data df", df_com))
        return rows

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: a test statistic with its df; ``df1`` is the number of
        parameters tested (a design parameter, no count of people) and ``df2`` a function of
        the between-imputation variance, published to three significant digits like the
        statistic and p-value beside it (a complete-data residual df inside it stays hidden)."""
        from .._disclosure import TableSpec, design, estimate, text

        return TableSpec({"method": text(), "use": text(), "statistic": estimate(digits=3),
                          "df1": design(), "df2": estimate(digits=3),
                          "p_value": estimate(digits=3), "riv": estimate(digits=3)},
                         totals="none")

    def to_frame(self) -> pd.DataFrame:
        """One row: ``method, use, statistic, df1, df2, p_value, riv``."""
        return pd.DataFrame([{c: getattr(self, c) for c in COLUMNS}], columns=COLUMNS)


def _d1(qhat: np.ndarray, uhat: np.ndarray, df_com: float) -> tuple[float, float, float]:
    """D1 (Wald): statistic, df2 and RIV of k x m estimates ``qhat``, m x k x k ``uhat``."""
    k, m = qhat.shape
    qbar = qhat.mean(axis=1)
    ubar = uhat.mean(axis=0)
    b = np.atleast_2d(np.cov(qhat))
    r = (1 + 1 / m) * np.trace(b @ np.linalg.inv(ubar)) / k
    stat = float(qbar @ np.linalg.solve((1 + r) * ubar, qbar)) / k
    t = k * (m - 1)
    if math.isinf(df_com):
        return stat, _li_df(t, k, r), r
    a = r * t / (t - 2)
    vstar = (df_com + 1) / (df_com + 3) * df_com
    c0 = 1 / (t - 4)
    c1 = vstar - 2 * (1 + a)
    c2 = vstar - 4 * (1 + a)
    z = (1 / c2 + c0 * (a**2 * c1 / ((1 + a) ** 2 * c2))
         + c0 * (8 * a**2 * c1 / ((1 + a) * c2**2) + 4 * a**2 / ((1 + a) * c2))
         + c0 * (4 * a**2 / (c2 * c1) + 16 * a**2 * c1 / c2**3) + c0 * (8 * a**2 / c2**2))
    return stat, 4 + 1 / z, r


def _li_df(t: float, k: float, r: float) -> float:
    """Denominator df of Li, Raghunathan & Rubin (1991), shared by D1 and D3."""
    inv_r = math.inf if r == 0 else 1 / r
    if t > 4:
        return 4 + (t - 4) * (1 + (1 - 2 / t) * inv_r) ** 2
    return t * (1 + 1 / k) * (1 + inv_r) ** 2 / 2


def _d2(d: np.ndarray, k: float) -> tuple[float, float, float]:
    """D2: statistic, df2 and RIV of the m per-imputation chi-square statistics ``d``."""
    m = d.size
    r = (1 + 1 / m) * float(np.var(np.sqrt(d), ddof=1))
    stat = (d.mean() / k - (m + 1) / (m - 1) * r) / (1 + r)
    df2 = math.inf if r == 0 else k ** (-3 / m) * (m - 1) * (1 + 1 / r) ** 2
    return float(stat), df2, r


def _tested(full, null) -> tuple[list[str], np.ndarray]:
    names = list(full[0].params.index)
    null_names = list(null[0].params.index)
    extra = [t for t in null_names if t not in names]
    tested = [t for t in names if t not in null_names]
    if extra or not tested:
        why = (f"the null model has terms the full model lacks ({extra})" if extra else
               "the full model has no terms beyond the null model's")
        raise UsageError(f"the models are not nested: {why}; give the larger model first")
    return tested, np.array([names.index(t) for t in tested])


def _check_rows(lik_full, lik_null) -> None:
    for j, (a, b) in enumerate(zip(lik_full, lik_null, strict=True), start=1):
        if a.n_obs != b.n_obs:
            raise UsageError(f"imputation {j}: the full model was fitted to {a.n_obs} rows and "
                             f"the null model to {b.n_obs}; fit both to the same rows")


def _likelihood_df(lik_full, lik_null) -> int:
    k = lik_full[0].n_params - lik_null[0].n_params
    if k < 1:
        raise UsageError(f"the full model has {lik_full[0].n_params} parameters and the null "
                         f"model {lik_null[0].n_params}; give the larger model first")
    return k


def pool_test(fits: Sequence[Any], null_fits: Sequence[Any], *, method: TestMethod = "D1",
              use: TestUse | None = None, df_com: float | None = None) -> PooledTest:
    """Test a full model against a nested null model over m imputations, as mitml.

    Parameters
    ----------
    fits, null_fits : sequence
        The full and the null model fitted to each of the same m >= 2 completed data sets,
        in the same order. D1 and D2 on Wald statistics take any fit :func:`pool` takes;
        D2 on log-likelihoods takes statsmodels OLS, Logit and GLM results and ``LMMResult``;
        D3 takes statsmodels OLS results and ``LMMResult`` (as mitml: not GLM).
    method : {"D1", "D2", "D3"}, default "D1"
        D1: pooled Wald test (Li, Raghunathan & Rubin 1991). D2: combined chi-square
        statistics (Li, Meng, Raghunathan & Rubin 1991). D3: pooled likelihood ratio (Meng &
        Rubin 1992).
    use : {"wald", "likelihood"}, optional
        For D2, which chi-square statistics are combined (default ``"wald"``); D1 is always
        ``"wald"`` and D3 ``"likelihood"``.
    df_com : float, optional
        D1 only: the complete-data df of Reiter's (2007) small-sample ``df2``. ``None``
        (default) is the full model's residual df, as ``mice::D1`` (see
        :func:`~youthtransitions.missing.pooling.default_df_com`); ``float("inf")`` the
        large-sample df of Li et al. (1991), ``mitml::testModels`` without ``df.com``.

    Returns
    -------
    PooledTest
        ``to_frame()`` has one row with ``method, use, statistic, df1, df2, p_value, riv``:
        mitml's ``F.value, df1, df2, P(>F), RIV``.

    Notes
    -----
    With the k tested coefficients :math:`\\hat Q_j`, covariance :math:`U_j`, :math:`\\bar Q`,
    :math:`\\bar U`, :math:`B` as in :func:`pool`, and :math:`t = k(m-1)`:

    - D1: :math:`r = (1+1/m)\\,\\mathrm{tr}(B\\bar U^{-1})/k`,
      :math:`D_1 = \\bar Q^\\top \\bar U^{-1}\\bar Q/(k(1+r))`; ``df2`` is
      :math:`4 + (t-4)(1 + (1-2/t)/r)^2` for :math:`t > 4`, else
      :math:`t(1+1/k)(1+1/r)^2/2`; with ``df_com`` Reiter's (2007) ``df2`` (mitml's
      ``.D1``), which needs :math:`t > 4` — with the default ``df_com`` and
      :math:`t \\le 4` the large-sample ``df2`` is used (``df_com_rule`` says so).
    - D2: per imputation :math:`d_j` (the Wald statistic :math:`\\hat Q_j^\\top U_j^{-1}
      \\hat Q_j`, or the likelihood ratio :math:`-2(\\ell_{0j} - \\ell_{1j})` with k the
      difference in parameters), :math:`r = (1+1/m)\\,\\mathrm{var}(\\sqrt{d_j})`,
      :math:`D_2 = (\\bar d/k - (m+1)r/(m-1))/(1+r)`, ``df2`` :math:`k^{-3/m}(m-1)(1+1/r)^2`.
    - D3: :math:`\\bar d` the mean likelihood ratio at each fit's own estimates and
      :math:`\\tilde d` at the parameters averaged over imputations (coefficients, residual
      variance and, for mixed models, the random-effects covariance, each averaged as
      mitml does), :math:`r = (m+1)(\\bar d - \\tilde d)/(k(m-1))`,
      :math:`D_3 = \\tilde d/(k(1+r))`, ``df2`` as D1's large-sample df. The log-likelihood
      at given parameters is the closed form for OLS and the marginal normal likelihood for
      an LMM (mitml evaluates lme4's ``devfun2`` with the fixed part as an offset; the same
      number). REML mixed models are refitted by ML for D2 on likelihoods and D3, as mitml
      does.

    Checked against ``mitml::testModels`` 0.4-4 (``tests/reference/mitml_testmodels/``,
    ``tests/reference/pool_families/``): statistic and p value to 1e-6 relative, df to 1e-4.
    """
    check_choice("method", method, TestMethod)
    if use is not None:
        check_choice("use", use, TestUse)
    fixed_use = {"D1": "wald", "D3": "likelihood"}.get(method)
    if fixed_use is not None and use not in (None, fixed_use):
        raise UsageError(f"use={use!r} does not apply to {method}, which is a "
                         f"{'Wald' if method == 'D1' else 'likelihood-ratio'} test; "
                         "use selects D2's statistics")
    use = fixed_use or use or "wald"
    given = check_df_com(df_com)
    if given is not None and method != "D1":
        raise UsageError(f"df_com enters D1 only; {method} has no complete-data df")
    fits, null_fits = list(fits), list(null_fits)
    if len(fits) != len(null_fits):
        raise UsageError(f"{len(fits)} full and {len(null_fits)} null fits; give one of each "
                         "per imputation")
    full = collect_fits(fits, "full-model fits")
    null = collect_fits(null_fits, "null-model fits")
    m = len(full)
    tested, idx = _tested(full, null)
    qhat = np.column_stack([f.params.to_numpy()[idx] for f in full])
    uhat = np.stack([f.cov_params.to_numpy()[np.ix_(idx, idx)] for f in full])
    k = float(len(tested))
    extra: dict[str, Any] = {}
    if method == "D1":
        rule = "given"
        if given is None:
            given = default_df_com(full)
            rule = "residual df" if math.isfinite(given) else "no residual df"
        t = k * (m - 1)
        if not math.isinf(given) and t <= 4:
            if rule == "given":
                raise UsageError(f"Reiter's small-sample df needs k(m-1) > 4, here k = {k:g} "
                                 f"and m = {m}: use more imputations or df_com=inf")
            given, rule = math.inf, "large-sample: k(m-1) <= 4"
        stat, df2, r = _d1(qhat, uhat, given)
        extra = {"df_com": given, "df_com_rule": rule}
    elif use == "wald":
        d = np.array([float(q @ np.linalg.solve(u, q))
                      for q, u in zip(qhat.T, uhat, strict=True)])
        stat, df2, r = _d2(d, k)
    else:
        lik_full = [likelihood(f, d3=method == "D3", position=i)
                    for i, f in enumerate(fits)]
        lik_null = [likelihood(f, d3=method == "D3", position=i)
                    for i, f in enumerate(null_fits)]
        _check_rows(lik_full, lik_null)
        k = float(_likelihood_df(lik_full, lik_null))
        d = np.array([_lr(a.loglik, b.loglik, j) for j, (a, b)
                      in enumerate(zip(lik_full, lik_null, strict=True), start=1)])
        if method == "D2":
            stat, df2, r = _d2(d, k)
        else:
            psi_full, psi_null = mean_parameters(lik_full), mean_parameters(lik_null)
            d_tilde = float(np.mean([-2 * (b.at(psi_null) - a.at(psi_full))
                                     for a, b in zip(lik_full, lik_null, strict=True)]))
            r = (m + 1) / (k * (m - 1)) * (d.mean() - d_tilde)
            stat = d_tilde / (k * (1 + r))
            df2 = _li_df(k * (m - 1), k, r)
    p = float(f_sf(stat, k, df2)) if math.isfinite(df2) else float(
        chi2_sf(stat * k, k))
    return PooledTest(method=method, use=use, statistic=float(stat), df1=k, df2=float(df2),
                      p_value=p, riv=float(r), m=m, terms=tuple(tested), **extra)


def _lr(ll_full: float, ll_null: float, j: int) -> float:
    """``-2 (ll_null - ll_full)``; 0 when the two agree to 1.5e-8 (R's ``all.equal``)."""
    if math.isclose(ll_full, ll_null, rel_tol=1.5e-8, abs_tol=0.0):
        return 0.0
    d = -2.0 * (ll_null - ll_full)
    if d < 0:
        raise UsageError(f"imputation {j}: the null model's log-likelihood ({ll_null:.6g}) "
                         f"exceeds the full model's ({ll_full:.6g}); the models are not "
                         "nested")
    return d
