"""Confidence intervals from replicates (percentile) and for a difference in means (Welch)."""

from __future__ import annotations

import warnings

import numpy as np

from .distributions import t_ppf

__all__ = ["percentile_ci", "welch_ci"]


def percentile_ci(reps: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile limits of each column of ``reps`` (NaN rows ignored).

    Notes
    -----
    The ``(1 - level)/2`` and ``(1 + level)/2`` sample quantiles by linear interpolation,
    R's ``quantile(type = 7)`` (Hyndman & Fan 1996); a column without a finite replicate
    gives NaN limits.
    """
    alpha = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (undefined measures)
        lo = np.nanquantile(reps, alpha, axis=0)
        hi = np.nanquantile(reps, 1 - alpha, axis=0)
    return lo, hi


def welch_ci(y: np.ndarray, group: np.ndarray, level: float) -> tuple[float, float]:
    """Welch confidence interval of the mean of ``y`` where ``group`` minus where not.

    Notes
    -----
    :math:`SE = \\sqrt{s_1^2/n_1 + s_0^2/n_0}` with the Welch–Satterthwaite df
    :math:`SE^4 / \\sum_g (s_g^2/n_g)^2/(n_g - 1)` (Welch 1947); NaN limits when a group has
    fewer than two values. Checked against ``scipy.stats.ttest_ind(equal_var=False)``.
    """
    a, b = y[group.astype(bool)], y[~group.astype(bool)]
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
    q = t_ppf(0.5 + level / 2, df)
    d = a.mean() - b.mean()
    return float(d - q * se), float(d + q * se)
