"""Multiplicity adjustment of p-values."""

from __future__ import annotations

import numpy as np

__all__ = ["holm"]


def holm(pvalues) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries are left out and stay NaN.

    Notes
    -----
    With the m defined p-values sorted ascending, :math:`\\tilde p_{(i)} =
    \\max_{j \\le i} \\min(1, (m-j+1)\\,p_{(j)})`. Checked against
    ``statsmodels.stats.multitest.multipletests(method="holm")``.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    q = p[ok]
    m = len(q)
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out
