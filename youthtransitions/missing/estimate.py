"""The PMK estimand under each method: slope and R² of one youth-level regression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._coef import coef_table
from ..errors import UsageError
from .frames import check_level
from .pooling import pool
from .r2pool import fisher_z_limits, pool_r2

__all__ = ["simple_ols", "cc_estimate", "mi_estimate", "fisher_ci", "ESTIMATE_COLUMNS"]

#: columns of one method's row in a comparison
ESTIMATE_COLUMNS = ["method", "estimate", "std_error", "df", "p_value", "conf_low",
                    "conf_high", "r2", "r2_low", "r2_high", "n"]


def simple_ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    """OLS of ``y`` on an intercept and ``x`` (rows with either missing dropped).

    Returns
    -------
    params, cov, r2, n
        ``[intercept, slope]``, their classical covariance
        :math:`\\hat\\sigma^2 (X^\\top X)^{-1}` with :math:`\\hat\\sigma^2 = RSS/(n-2)`, the R²
        and the number of rows used.
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


def fisher_ci(r2: float, n: float, level: float) -> tuple[float, float]:
    """Fisher-z interval of a squared correlation: ``tanh(atanh(sqrt(R²)) ± z/sqrt(n-3))²``
    (lower limit floored at 0)."""
    return fisher_z_limits(np.arctanh(np.sqrt(max(r2, 0.0))), 1 / np.sqrt(max(n - 3, 1.0)),
                           level)


def cc_estimate(data: pd.DataFrame, *, outcome: str, predictor: str,
                level: float = 0.95) -> dict:
    """Complete-case slope (t interval on n - 2 df) and R² (Fisher-z interval)."""
    level = check_level(level)
    params, cov, r2, n = simple_ols(data[predictor].to_numpy(float),
                                    data[outcome].to_numpy(float))
    row = coef_table(["slope"], params[1:], np.sqrt(cov[1:, 1]), n - 2, level=level).iloc[0]
    lo, hi = fisher_ci(r2, n, level)
    return {"method": "complete_cases",
            **{k: float(row[k]) for k in ESTIMATE_COLUMNS[1:7]},
            "r2": r2, "r2_low": lo, "r2_high": hi, "n": n}


def mi_estimate(datasets: list[pd.DataFrame], *, outcome: str, predictor: str,
                level: float = 0.95, method: str = "multiple_imputation") -> dict:
    """Slope pooled by Rubin's rules (Barnard-Rubin df, df_com = n - 2) and R² pooled by
    Fisher z (Harel 2009) over completed data sets."""
    fits, r2s, ns = [], [], []
    for d in datasets:
        params, cov, r2, n = simple_ols(d[predictor].to_numpy(float),
                                        d[outcome].to_numpy(float))
        fits.append((pd.Series(params, index=["intercept", "slope"]), cov))
        r2s.append(r2)
        ns.append(n)
    n = min(ns)
    pooled = pool(fits, df_com=n - 2, level=level)
    ci = pooled.conf_int()
    r2 = pool_r2(r2s, n=n, level=level)
    return {"method": method, "estimate": float(pooled.params["slope"]),
            "std_error": float(pooled.std_errors["slope"]), "df": float(pooled.df["slope"]),
            "p_value": float(pooled.pvalues["slope"]),
            "conf_low": float(ci.loc["slope", "conf_low"]),
            "conf_high": float(ci.loc["slope", "conf_high"]),
            "r2": r2.estimate, "r2_low": r2.conf_low, "r2_high": r2.conf_high, "n": n,
            "fmi": float(pooled.fmi["slope"])}
