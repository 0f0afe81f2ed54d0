"""Bootstrap resampling expressed as weights on the units."""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_counts"]


def bootstrap_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """How often each of ``n`` units is drawn in one bootstrap resample of size ``n``.

    Notes
    -----
    ``n`` draws with replacement (``rng.integers(0, n, n)``) counted per unit, a
    Multinomial(n; 1/n, ..., 1/n) vector (Efron & Tibshirani 1993, sec. 6.2); a statistic
    that accepts unit weights evaluates the resample without copying rows. ``n = 0`` gives
    an empty vector and draws nothing.
    """
    if not n:
        return np.zeros(0, dtype=int)
    return np.bincount(rng.integers(0, n, n), minlength=n)
