"""Shared pieces: a design matrix with missing covariates handled, and logistic fits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .._tidy import COEF_COLUMNS
from ..errors import UsageError

__all__ = ["covariate_matrix", "fit_logit", "logit_table"]


def covariate_matrix(data: pd.DataFrame, covariates: Sequence[str], *,
                     missing: str = "indicator") -> pd.DataFrame:
    """Numeric covariates; a covariate with missing values is mean-filled and gets a
    ``<name>_missing`` indicator (``missing="indicator"``), or rows are kept as NaN
    (``missing="keep"``)."""
    bad = [c for c in covariates if c not in data.columns]
    if bad:
        raise UsageError(f"covariates not in the data: {bad}")
    out = {}
    for c in covariates:
        col = pd.to_numeric(pd.Series(data[c]).astype("Float64"), errors="coerce")
        col = col.astype(float)
        if missing == "indicator" and col.isna().any():
            out[f"{c}_missing"] = col.isna().astype(float).to_numpy()
            col = col.fillna(col.mean())
        out[c] = col.to_numpy()
    frame = pd.DataFrame(out, index=data.index)
    order = [c for c in covariates] + [c for c in frame.columns if c not in covariates]
    return frame[order]


def fit_logit(y: pd.Series, x: pd.DataFrame):
    """Logistic regression of a 0/1 indicator (statsmodels ``Logit``, Newton, intercept added).

    Rows with a missing covariate are dropped. Raises :class:`UsageError` when the indicator
    does not vary or the fit separates the classes.
    """
    frame = pd.concat([y.rename("__y__"), x], axis=1).dropna()
    if frame["__y__"].nunique() < 2:
        raise UsageError(f"{y.name or 'the indicator'} does not vary; nothing to model")
    design = sm.add_constant(frame.drop(columns="__y__"), has_constant="add")
    try:
        fit = sm.Logit(frame["__y__"].astype(float), design).fit(disp=0, maxiter=100)
    except (np.linalg.LinAlgError, sm.tools.sm_exceptions.PerfectSeparationError) as exc:
        raise UsageError(f"the availability model cannot be fitted: {exc}") from exc
    return fit


def logit_table(fit, level: float = 0.95) -> pd.DataFrame:
    """``COEF_COLUMNS`` (log-odds, Wald z, df = inf) plus ``odds_ratio``, ``or_low``,
    ``or_high`` (``exp`` of the estimate and of the Wald limits)."""
    ci = fit.conf_int(alpha=1 - level)
    frame = pd.DataFrame({
        "term": [str(t) for t in fit.params.index], "estimate": fit.params.to_numpy(),
        "std_error": fit.bse.to_numpy(), "df": np.inf, "statistic": fit.tvalues.to_numpy(),
        "p_value": fit.pvalues.to_numpy(), "conf_low": ci.iloc[:, 0].to_numpy(),
        "conf_high": ci.iloc[:, 1].to_numpy()})
    frame = frame[COEF_COLUMNS]
    frame["odds_ratio"] = np.exp(frame["estimate"])
    frame["or_low"] = np.exp(frame["conf_low"])
    frame["or_high"] = np.exp(frame["conf_high"])
    return frame
