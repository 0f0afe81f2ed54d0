"""Likelihood-ratio comparison of nested linear mixed models, as lme4's ``anova(m0, m1)``.

Notes
-----
For models ordered by their number of parameters ``k`` (fixed effects, variance-covariance
parameters and the residual variance), row ``j`` compares model ``j`` with model ``j - 1``::

    chisq_j = 2 max(0, l_j - l_{j-1}),   df_j = k_j - k_{j-1},   p_j = P(chi2_{df_j} > chisq_j)
    AIC = -2 l + 2 k,   BIC = -2 l + k log n

with ``l`` the maximised log-likelihood. Models fitted by REML are first refitted by ML
(``refit=True``, lme4's default), since REML criteria of models with different fixed effects
are not comparable; ``refit=False`` compares the REML criteria as they are (only meaningful
for models with the same fixed effects). Checked against lme4 1.1-31
(tests/reference/lme4_lrt/): log-likelihoods 1e-6, chi-square 1e-4, p values 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import UsageError
from .tables import LRTTable

__all__ = ["lrt", "n_parameters", "refit_ml"]


def n_parameters(fit) -> int:
    """Fixed effects + variance-covariance parameters + the residual variance."""
    return len(fit.fixed_names) + len(fit.theta) + 1


def refit_ml(fit):
    """The fit itself when fitted by ML, else the same model refitted by ML."""
    if fit.method == "ML":
        return fit
    from ..lmm import fit_lmm

    return fit_lmm(fit.formula, fit.data, group=fit.group, random=fit.random, method="ml")


def _check_same_data(fits) -> None:
    first = fits[0]
    response = first.formula.split("~", 1)[0].strip()
    for j, fit in enumerate(fits[1:], start=1):
        other = fit.formula.split("~", 1)[0].strip()
        if other != response:
            raise UsageError(f"lrt: model m{j} has the outcome {other!r}, model m0 "
                             f"{response!r}; likelihoods of different outcomes cannot be "
                             "compared")
        if fit.n_obs != first.n_obs or not np.array_equal(fit.y, first.y):
            raise UsageError(
                f"lrt: model m{j} was fitted on different data from model m0 ({fit.n_obs} "
                f"against {first.n_obs} observations, or other values of {response!r}); "
                "fit every model on the same rows (drop rows with a missing value in any "
                "model's variables first)")


def lrt(*fits, refit: bool = True) -> LRTTable:
    """Likelihood-ratio tests of nested mixed models.

    Parameters
    ----------
    *fits : LMMResult
        Two or more models of the same outcome on the same rows.
    refit : bool, default True
        Refit REML fits by ML first (lme4's ``refit = TRUE``).

    Returns
    -------
    LRTTable
        Its ``to_frame()`` is indexed by model (``m0``, ``m1``, ... in the order given), rows ordered by number of
        parameters (as lme4), columns ``n_params, loglik, aic, bic, chisq, df, p_value``;
        ``chisq``, ``df`` and ``p_value`` compare each row with the row before (NaN in the
        first).

    Raises
    ------
    UsageError
        Fewer than two models, different outcomes or different data.
    """
    if len(fits) < 2:
        raise UsageError(f"lrt needs at least two fitted models, got {len(fits)}")
    for j, fit in enumerate(fits):
        if not all(hasattr(fit, a) for a in ("loglik", "theta", "formula", "y")):
            raise UsageError(f"lrt: argument {j + 1} is not a fitted mixed model "
                             f"({type(fit).__name__})")
    if not isinstance(refit, bool):
        raise UsageError(f"refit must be True or False, got {refit!r}")
    _check_same_data(fits)
    used = [refit_ml(f) for f in fits] if refit else list(fits)
    k = np.array([n_parameters(f) for f in used])
    ll = np.array([f.loglik for f in used])
    n = used[0].n_obs
    order = np.argsort(k, kind="stable")
    k, ll = k[order], ll[order]
    chisq = np.r_[np.nan, 2 * np.maximum(0.0, np.diff(ll))]
    df = np.r_[np.nan, np.diff(k)].astype(float)
    with np.errstate(invalid="ignore"):
        p = stats.chi2.sf(chisq, df)
    p[0] = np.nan
    frame = pd.DataFrame({"n_params": k, "loglik": ll, "aic": -2 * ll + 2 * k,
                          "bic": -2 * ll + np.log(n) * k, "chisq": chisq, "df": df,
                          "p_value": p},
                         index=pd.Index([f"m{i}" for i in order], name="model"))
    header = [(f"m{i}", f"{f.formula} + ({f.random} | {f.group})") for i, f in enumerate(fits)]
    header.append(("Observations", n))
    header.append(("Likelihood", "ML (REML fits refitted)" if refit
                   else "as fitted (REML criteria compared as they are)"))
    return LRTTable(frame, header)
