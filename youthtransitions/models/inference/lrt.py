"""Likelihood-ratio comparison of nested mixed models, as lme4's ``anova(m0, m1)``.

Notes
-----
For models ordered by their number of parameters ``k`` (an LMM's fixed effects,
variance-covariance parameters and residual variance; a GLMM's fixed effects and
variance-covariance parameters), row ``j`` compares model ``j`` with model ``j - 1``::

    chisq_j = 2 max(0, l_j - l_{j-1}),   df_j = k_j - k_{j-1},   p_j = P(chi2_{df_j} > chisq_j)
    AIC = -2 l + 2 k,   BIC = -2 l + k log n

with ``l`` the maximised log-likelihood. Linear mixed models fitted by REML are first refitted
by ML (``refit=True``, lme4's default), since REML criteria of models with different fixed
effects are not comparable; ``refit=False`` compares the REML criteria as they are (only
meaningful for models with the same fixed effects). GLMMs are ML fits and are compared as
they are; with adaptive quadrature (``nagq > 1``) lme4's log-likelihood is relative to the
saturated model, which cancels in ``chisq``. An LMM and a GLMM, GLMMs of different families or
links, or fits with different ``nagq`` are refused: their likelihoods are not nested. Checked
against lme4 1.1-31 (tests/reference/lme4_lrt/, tests/reference/glmer_lrt/):
log-likelihoods, AIC and BIC 1e-6, chi-square 1e-4, p values 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError
from ...stats.distributions import chi2_sf
from .tables import LRTTable

__all__ = ["lrt", "n_parameters", "refit_ml"]

#: what lrt needs of a fitted model
REQUIRED = ("loglik", "n_params", "n_obs", "formula", "data")


def n_parameters(fit) -> int:
    """The model's number of parameters (its ``n_params``)."""
    return int(fit.n_params)


def refit_ml(fit):
    """The fit itself when fitted by ML, else the same model refitted by ML."""
    if getattr(fit, "method", "ML") == "ML":
        return fit
    from ..lmm import fit_lmm

    return fit_lmm(fit.formula, fit.data, group=fit.group, random=fit.random, method="ml")


def _kind(fit) -> tuple:
    """What must agree between compared models: the family, link and quadrature."""
    family = getattr(fit, "family", None)
    if family is None:
        return ("linear mixed model",)
    return ("GLMM", family, getattr(fit, "link", None), getattr(fit, "nagq", 1))


def _describe(kind: tuple) -> str:
    if kind[0] != "GLMM":
        return "a linear mixed model"
    return f"a {kind[1]} ({kind[2]}) GLMM with nagq = {kind[3]}"


def _outcome(fit) -> np.ndarray:
    """The outcome values the likelihood is of (a GLMM's binomial trials included)."""
    if hasattr(fit, "y"):
        return np.asarray(fit.y, float)
    design = fit.design
    return np.concatenate([np.asarray(design.y, float), np.asarray(design.n, float)])


def _spec(fit) -> str:
    """The model as written: a two-level LMM's random part is not in its formula."""
    if hasattr(fit, "group") and hasattr(fit, "random"):
        return f"{fit.formula} + ({fit.random} | {fit.group})"
    return fit.formula


def _check_comparable(fits) -> None:
    first = fits[0]
    kind = _kind(first)
    response = first.formula.split("~", 1)[0].strip()
    for j, fit in enumerate(fits[1:], start=1):
        if _kind(fit) != kind:
            raise UsageError(f"lrt: model m{j} is {_describe(_kind(fit))}, model m0 "
                             f"{_describe(kind)}; likelihoods of different model families "
                             "(or quadratures) are not nested and cannot be compared")
        other = fit.formula.split("~", 1)[0].strip()
        if other != response:
            raise UsageError(f"lrt: model m{j} has the outcome {other!r}, model m0 "
                             f"{response!r}; likelihoods of different outcomes cannot be "
                             "compared")
        if fit.n_obs != first.n_obs or not np.array_equal(_outcome(fit), _outcome(first)):
            raise UsageError(
                f"lrt: model m{j} was fitted on different data from model m0 ({fit.n_obs} "
                f"against {first.n_obs} observations, or other values of {response!r}); "
                "fit every model on the same rows (drop rows with a missing value in any "
                "model's variables first)")


def lrt(*fits, refit: bool = True) -> LRTTable:
    """Likelihood-ratio tests of nested mixed models.

    Parameters
    ----------
    *fits : LMMResult or GLMMResult
        Two or more models of the same outcome on the same rows, all linear mixed models or
        all GLMMs of one family and link; any fitted model with ``loglik``, ``n_params``,
        ``n_obs``, ``formula`` and ``data``.
    refit : bool, default True
        Refit REML fits by ML first (lme4's ``refit = TRUE``).

    Returns
    -------
    LRTTable
        Its ``to_frame()`` is indexed by model (``m0``, ``m1``, ... in the order given), rows
        ordered by number of parameters (as lme4), columns ``n_params, loglik, aic, bic,
        chisq, df, p_value``; ``chisq``, ``df`` and ``p_value`` compare each row with the row
        before (NaN in the first).

    Raises
    ------
    UsageError
        Fewer than two models, an argument that is not a fitted model, a linear mixed model
        beside a GLMM, different outcomes or different data.
    """
    if len(fits) < 2:
        raise UsageError(f"lrt needs at least two fitted models, got {len(fits)}")
    for j, fit in enumerate(fits):
        missing = [a for a in REQUIRED if not hasattr(fit, a)]
        if missing:
            raise UsageError(f"lrt: argument {j + 1} is not a fitted mixed model "
                             f"({type(fit).__name__} has no {', '.join(missing)})")
    if not isinstance(refit, bool):
        raise UsageError(f"refit must be True or False, got {refit!r}")
    _check_comparable(fits)
    used = [refit_ml(f) for f in fits] if refit else list(fits)
    k = np.array([n_parameters(f) for f in used])
    ll = np.array([f.loglik for f in used])
    n = used[0].n_obs
    order = np.argsort(k, kind="stable")
    k, ll = k[order], ll[order]
    chisq = np.r_[np.nan, 2 * np.maximum(0.0, np.diff(ll))]
    df = np.r_[np.nan, np.diff(k)].astype(float)
    with np.errstate(invalid="ignore"):
        p = chi2_sf(chisq, df)
    p[0] = np.nan
    frame = pd.DataFrame({"n_params": k, "loglik": ll, "aic": -2 * ll + 2 * k,
                          "bic": -2 * ll + np.log(n) * k, "chisq": chisq, "df": df,
                          "p_value": p},
                         index=pd.Index([f"m{i}" for i in order], name="model"))
    header = [(f"m{i}", _spec(f)) for i, f in enumerate(fits)]
    header.append(("Observations", n))
    header.append(("Likelihood", "ML (REML fits refitted)" if refit
                   else "as fitted (REML criteria compared as they are)"))
    return LRTTable(frame, header)
