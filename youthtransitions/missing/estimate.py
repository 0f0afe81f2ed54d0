"""The PMK estimand under each method: slope and R² of one youth-level regression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._coef import coef_table
from .._disclosure import TableSpec, coef_columns, df, estimate, model_size, text
from ..stats.fisher import fisher_ci
from ..stats.lstsq import simple_ols
from .frames import check_level
from .pooling import pool
from .r2pool import pool_r2

__all__ = ["cc_estimate", "mi_estimate", "ESTIMATE_COLUMNS", "method_spec"]

#: columns of one method's row in a comparison
ESTIMATE_COLUMNS = ["method", "estimate", "std_error", "df", "p_value", "conf_low",
                    "conf_high", "r2", "r2_low", "r2_high", "n"]


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


def method_spec(columns, *estimates: str, text_columns=()) -> TableSpec:
    """The declaration of a table of one estimate per method or delta (``ESTIMATE_COLUMNS``
    and ``n``); ``estimates`` and ``text_columns`` name its other columns."""
    coef = coef_columns(df("n"))
    cols = {c: coef[c] for c in ("estimate", "std_error", "df", "p_value", "conf_low",
                                 "conf_high")}
    cols.update({"r2": estimate(), "r2_low": estimate(digits=4),
                 "r2_high": estimate(digits=4), "n": model_size("youth"), "fmi": estimate()})
    cols.update({c: estimate() for c in estimates})
    cols.update({c: text() for c in text_columns})
    return TableSpec({c: cols[c] for c in columns}, totals="none")
