"""Fisher-z intervals of a squared (multiple) correlation."""

from __future__ import annotations

import numpy as np

from .distributions import norm_ppf

__all__ = ["fisher_z_limits", "fisher_ci"]


def fisher_z_limits(z: float, se: float, level: float) -> tuple[float, float]:
    """R² limits from an interval on Fisher's z scale.

    Notes
    -----
    ``tanh(z ± q·se)²`` with ``q`` the normal ``(1 + level)/2`` quantile; the lower limit is
    0 when ``z - q·se <= 0`` (the correlation's interval then covers 0, and R² cannot be
    negative).
    """
    half = norm_ppf(0.5 + level / 2) * se
    lo, hi = z - half, z + half
    return (0.0 if lo <= 0 else float(np.tanh(lo) ** 2)), float(np.tanh(hi) ** 2)


def fisher_ci(r2: float, n: float, level: float) -> tuple[float, float]:
    """Fisher-z interval of a squared correlation from ``n`` observations.

    Notes
    -----
    :math:`z = \\operatorname{atanh}\\sqrt{R^2}`, :math:`SE = 1/\\sqrt{n-3}` (Fisher 1921),
    limits by :func:`fisher_z_limits`; ``n - 3`` is floored at 1.
    """
    return fisher_z_limits(np.arctanh(np.sqrt(max(r2, 0.0))), 1 / np.sqrt(max(n - 3, 1.0)),
                           level)
