"""Pooling R² (share of variance explained) over imputations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, design, estimate, text
from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..stats import fisher_z_limits, percentile_ci

__all__ = ["PooledR2", "pool_r2", "fisher_z_limits"]


class PooledR2(TidyResult):
    """A pooled R² with its confidence interval.

    Attributes
    ----------
    estimate, conf_low, conf_high : float
    method : str
        ``"fisher_z"`` or ``"bootstrap"``.
    m : int
        Number of imputations.
    per_imputation : numpy.ndarray
        The R² of each imputation.
    """

    title = "Pooled R²"

    def __init__(self, *, estimate, conf_low, conf_high, method, per_imputation, level, name):
        self.estimate = float(estimate)
        self.conf_low = float(conf_low)
        self.conf_high = float(conf_high)
        self.method = method
        self.per_imputation = np.asarray(per_imputation, dtype=float)
        self.m = int(self.per_imputation.size)
        self.level = level
        self.name = name

    @property
    def ci_level(self) -> float:
        """The confidence level of the interval (``level``)."""
        return self.level

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """``measure, estimate, conf_low, conf_high, level, method, m``; the interval is the
        one pooled at :attr:`ci_level` (pool again with ``pool_r2(level=...)`` for another)."""
        if level is not None and level != self.level:
            raise UsageError(f"this R² was pooled at level {self.level}; call pool_r2 with "
                             f"level={level!r} for another interval")
        return pd.DataFrame([{"measure": self.name, "estimate": self.estimate,
                              "conf_low": self.conf_low, "conf_high": self.conf_high,
                              "level": self.level, "method": self.method, "m": self.m}])

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: estimates, and the level and imputations as design."""
        return TableSpec({"measure": text(), "estimate": estimate(), "conf_low": estimate(),
                          "conf_high": estimate(), "level": design(), "method": text(),
                          "m": design()}, totals="none")


def pool_r2(values: Sequence[float], *, n: int | None = None,
            boot: Sequence[Sequence[float]] | None = None, level: float = 0.95,
            method: Literal["fisher_z", "bootstrap"] | None = None,
            name: str = "R2") -> PooledR2:
    """Pool an R² measure over m imputations, with a confidence interval.

    Parameters
    ----------
    values : sequence of float
        The R² of each imputed data set (0 <= R² < 1).
    n : int, optional
        Sample size of each analysis; needed by ``method="fisher_z"``.
    boot : sequence of sequences, optional
        Bootstrap replicates of R² within each imputation; needed by ``method="bootstrap"``.
    level : float, default 0.95
    method : {"fisher_z", "bootstrap"}, optional
        Default: ``"bootstrap"`` when ``boot`` is given, else ``"fisher_z"``.
    name : str
        Label of the measure in the tidy table.

    Notes
    -----
    ``fisher_z`` (Harel 2009), for a single-predictor or multiple-correlation R²: with
    :math:`z_j = \\operatorname{atanh}\\sqrt{R^2_j}` and within-variance :math:`1/(n-3)`,
    :math:`\\bar z` and its total variance :math:`T = 1/(n-3) + (1+1/m)B_z` follow Rubin's
    rules; the estimate is :math:`\\tanh(\\bar z)^2` and the interval
    :math:`\\tanh(\\bar z \\pm z_{(1+level)/2}\\sqrt{T})^2` (lower limit floored at 0).

    ``bootstrap`` (Schomaker & Heumann 2018, "MI Boot pooled sample"): the estimate is the mean
    of the per-imputation R², the interval the percentiles of all bootstrap replicates of all
    imputations stacked together. Use it for multilevel R² measures (Rights & Sterba 2019),
    whose sampling distribution has no Fisher-z form.
    """
    vals = np.asarray(values, dtype=float)
    if vals.ndim != 1 or vals.size < 2:
        raise UsageError("pool_r2 needs the R² of at least 2 imputations")
    if np.any(~np.isfinite(vals)) or np.any(vals < 0) or np.any(vals >= 1):
        raise UsageError(f"R² values must lie in [0, 1), got {vals.tolist()}")
    level = check_level(level)
    if method is None:
        method = "bootstrap" if boot is not None else "fisher_z"
    m = vals.size
    if method == "fisher_z":
        if n is None or n <= 3:
            raise UsageError("method='fisher_z' needs the sample size n (> 3)")
        z = np.arctanh(np.sqrt(vals))
        zbar = z.mean()
        total = 1.0 / (n - 3) + (1.0 + 1.0 / m) * z.var(ddof=1)
        lo, hi = fisher_z_limits(zbar, np.sqrt(total), level)
        return PooledR2(estimate=np.tanh(zbar) ** 2, conf_low=lo, conf_high=hi,
                        method=method, per_imputation=vals, level=level, name=name)
    if method == "bootstrap":
        if boot is None or len(boot) != m:
            raise UsageError("method='bootstrap' needs one array of bootstrap R² per imputation")
        stacked = np.concatenate([np.asarray(b, dtype=float).ravel() for b in boot])
        stacked = stacked[np.isfinite(stacked)]
        if stacked.size < 20:
            raise UsageError("too few finite bootstrap replicates to form an interval")
        lo, hi = percentile_ci(stacked, level)
        return PooledR2(estimate=vals.mean(), conf_low=lo, conf_high=hi, method=method,
                        per_imputation=vals, level=level, name=name)
    raise UsageError(f"method must be 'fisher_z' or 'bootstrap', got {method!r}")
