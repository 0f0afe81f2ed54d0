"""Quantiles and tail areas of the normal, t, chi-squared and F distributions.

The functions ``scipy.stats`` evaluates for ``norm.ppf``, ``t.ppf``, ``t.sf``, ``chi2.sf``
and ``f.sf`` (its ``_ppf``/``_sf`` methods call exactly these ``scipy.special`` routines),
called directly: the same numbers to the last bit (tests/stats/test_distributions.py), without
importing ``scipy.stats``, which costs about half a second at every start of a command that
only needs a p-value.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["norm_ppf", "t_ppf", "t_sf", "chi2_sf", "f_sf"]


def norm_ppf(q):
    """Standard normal quantile (``scipy.stats.norm.ppf``): ``scipy.special.ndtri``."""
    return special.ndtri(q)


def t_ppf(q, df):
    """Student t quantile (``scipy.stats.t.ppf``): ``scipy.special.stdtrit(df, q)``."""
    return special.stdtrit(df, q)


def t_sf(x, df):
    """Student t upper tail ``P(T > x)`` (``scipy.stats.t.sf``): ``stdtr(df, -x)``."""
    return special.stdtr(df, np.negative(x))


def chi2_sf(x, df):
    """Chi-squared upper tail (``scipy.stats.chi2.sf``): ``scipy.special.chdtrc(df, x)``."""
    return special.chdtrc(df, x)


def f_sf(x, dfn, dfd):
    """F upper tail (``scipy.stats.f.sf``): ``scipy.special.fdtrc(dfn, dfd, x)``."""
    return special.fdtrc(dfn, dfd, x)
