"""Standardised mean differences for comparing a subsample's profile with its population."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["smd_continuous", "smd_binary"]


def smd_continuous(a, b) -> float:
    """Standardised mean difference of two samples of a continuous variable.

    Parameters
    ----------
    a, b : array-like of float
        The two samples (missing values dropped).

    Returns
    -------
    float
        :math:`d = (\\bar a - \\bar b) / \\sqrt{(s_a^2 + s_b^2) / 2}`, NaN when either sample
        has fewer than two values or both variances are zero.

    Notes
    -----
    Austin (2009), *Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples*, Statistics in Medicine 28,
    3083-3107, equation for continuous covariates; sample variances with denominator n - 1.
    Checked against the closed form on hand-made samples in ``tests/report/test_smd.py``.
    """
    a = pd.to_numeric(pd.Series(a), errors="coerce").dropna().to_numpy(float)
    b = pd.to_numeric(pd.Series(b), errors="coerce").dropna().to_numpy(float)
    if len(a) < 2 or len(b) < 2:
        return math.nan
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    if pooled == 0:
        return math.nan
    return float((a.mean() - b.mean()) / pooled)


def smd_binary(p_a: float, p_b: float) -> float:
    """Standardised difference of two proportions.

    Notes
    -----
    :math:`d = (p_a - p_b) / \\sqrt{(p_a(1 - p_a) + p_b(1 - p_b)) / 2}` (Austin 2009, binary
    covariates). NaN when both proportions are 0 or both are 1.
    """
    p_a, p_b = float(p_a), float(p_b)
    if np.isnan(p_a) or np.isnan(p_b):
        return math.nan
    pooled = math.sqrt((p_a * (1 - p_a) + p_b * (1 - p_b)) / 2)
    if pooled == 0:
        return math.nan
    return (p_a - p_b) / pooled
