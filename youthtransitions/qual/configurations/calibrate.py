"""Calibration of raw values into set membership scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError

__all__ = ["calibrate"]


def _finite(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"calibrate: {name} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise UsageError(f"calibrate: {name} must be finite, got {value!r}")
    return v


def calibrate(x, *, exclusion: float | None = None, crossover: float | None = None,
              inclusion: float | None = None, threshold: float | None = None,
              log_odds: float = 3.0):
    """Calibrate raw values into fuzzy (three anchors) or crisp (one threshold) membership.

    Parameters
    ----------
    x : array-like or Series
        Raw values; missing values stay missing.
    exclusion, crossover, inclusion : float
        Anchors of the direct method: full non-membership, the point of maximum ambiguity
        (0.5) and full membership. ``exclusion > crossover > inclusion`` calibrates a set
        whose membership falls as ``x`` rises.
    threshold : float
        Crisp calibration instead: membership 1 where ``x >= threshold``, else 0.
    log_odds : float, default 3.0
        Log odds of membership at the full anchors (Ragin 2008: 3, membership 0.953;
        QCA::calibrate's default ``idm = 0.95`` is ``log(0.95/0.05) = 2.944``).

    Returns
    -------
    ndarray or Series
        Membership in [0, 1]; a Series (same index and name) when ``x`` is a Series.

    Notes
    -----
    Direct method (Ragin 2008, ch. 5): the deviation from the crossover is scaled into log
    odds, ``L = log_odds * (x - c) / (i - c)`` on the inclusion side of the crossover and
    ``L = log_odds * (x - c) / (c - e)`` on the exclusion side, and membership is the logistic
    ``1 / (1 + exp(-L))``. Checked against the closed form and QCA::calibrate(type = "fuzzy",
    idm = plogis(log_odds)) on the raw Lipset data (tests/reference/qca); unlike QCA, scores
    below 1e-4 or above 0.9999 are not truncated to 0 or 1.
    """
    index = name = None
    if isinstance(x, pd.Series):
        index, name = x.index, x.name
    try:
        values = np.asarray(pd.to_numeric(pd.Series(np.asarray(x).ravel()), errors="raise"),
                            dtype=float)
    except (TypeError, ValueError):
        raise UsageError("calibrate: x must hold numbers") from None
    fuzzy = (exclusion, crossover, inclusion)
    if threshold is not None:
        if any(a is not None for a in fuzzy):
            raise UsageError("calibrate: give either threshold (crisp) or the three anchors "
                             "exclusion, crossover, inclusion (fuzzy), not both")
        t = _finite("threshold", threshold)
        out = np.where(np.isnan(values), np.nan, (values >= t).astype(float))
    else:
        if any(a is None for a in fuzzy):
            raise UsageError("calibrate: the direct method needs exclusion, crossover and "
                             "inclusion (or give threshold for crisp sets)")
        e = _finite("exclusion", exclusion)
        c = _finite("crossover", crossover)
        i = _finite("inclusion", inclusion)
        if not (e < c < i or e > c > i):
            raise UsageError(f"calibrate: the crossover must lie strictly between exclusion "
                             f"and inclusion; got exclusion={e}, crossover={c}, inclusion={i}")
        lo = _finite("log_odds", log_odds)
        if lo <= 0:
            raise UsageError(f"calibrate: log_odds must be positive, got {log_odds}")
        dev = values - c
        inclusion_side = np.sign(dev) == np.sign(i - c)
        scaled = np.where(inclusion_side, dev / (i - c), dev / (c - e))
        out = 1.0 / (1.0 + np.exp(-lo * scaled))
    if index is not None:
        return pd.Series(out, index=index, name=name)
    return out
