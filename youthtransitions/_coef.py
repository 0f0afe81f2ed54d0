"""The one coefficient table: estimates and standard errors to Wald tests and intervals.

Every model result's :meth:`to_frame` builds its ``COEF_COLUMNS`` table here, so a t test, a
normal (z) test and their confidence intervals are computed by one rule everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from ._options import check_level
from .errors import UsageError

__all__ = ["COEF_COLUMNS", "coef_table"]

#: Column order of a coefficient table.
COEF_COLUMNS = ["term", "estimate", "std_error", "df", "statistic", "p_value",
                "conf_low", "conf_high"]


def coef_table(terms: Sequence[str], estimate, std_error, df=None, *,
               level: float = 0.95) -> pd.DataFrame:
    """A coefficient table (:data:`COEF_COLUMNS`) from estimates, standard errors and df.

    Parameters
    ----------
    terms : sequence of str
        Term names, one per estimate.
    estimate, std_error : array-like
        Estimates and their standard errors.
    df : None, float or array-like, optional
        Degrees of freedom of each term's t reference distribution (a scalar applies to
        every term). ``None`` or NaN: the standard normal (the ``df`` column is then NaN).
        ``inf`` is the t distribution's limit (scipy's ``stdtr``), equal to the normal up to
        rounding.
    level : float, default 0.95
        Confidence level of ``conf_low``/``conf_high``.

    Returns
    -------
    DataFrame
        ``term, estimate, std_error, df, statistic, p_value, conf_low, conf_high``.

    Notes
    -----
    Wald statistic :math:`t = \\hat\\beta / \\mathrm{se}` (NaN where se is not positive),
    two-sided :math:`p = 2 F(-|t|)` and limits :math:`\\hat\\beta \\mp q\\,\\mathrm{se}` with
    :math:`q = F^{-1}(1/2 + \\mathrm{level}/2)`, :math:`F` the t distribution on ``df``
    (``scipy.special.stdtr``/``stdtrit``, what ``scipy.stats.t`` evaluates) or the standard
    normal (``ndtr``/``ndtri``). Checked against hand computations in ``tests/test_coef.py``.
    """
    level = check_level(level)
    est = np.asarray(estimate, dtype=float).ravel()
    se = np.asarray(std_error, dtype=float).ravel()
    if df is None:
        df = np.nan
    dfs = np.broadcast_to(np.asarray(df, dtype=float), est.shape).copy()
    if se.shape != est.shape or len(terms) != est.size:
        raise UsageError(f"{len(terms)} terms, {est.size} estimates and {se.size} standard "
                         "errors: one of each per term")
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(se > 0, est / se, np.nan)
    normal = np.isnan(dfs)
    q = 0.5 + level / 2
    with np.errstate(invalid="ignore"):
        p_t = 2 * special.stdtr(np.where(normal, 1.0, dfs), -np.abs(stat))
        crit_t = special.stdtrit(np.where(normal, 1.0, dfs), q)
    p = np.where(normal, 2 * special.ndtr(-np.abs(stat)), p_t)
    crit = np.where(normal, special.ndtri(q), crit_t)
    half = crit * se
    return pd.DataFrame({"term": [str(t) for t in terms], "estimate": est, "std_error": se,
                         "df": dfs, "statistic": stat, "p_value": p,
                         "conf_low": est - half, "conf_high": est + half})
