"""Intraclass correlation of a linear mixed model, as ``performance::icc``.

Notes
-----
Nakagawa, Johnson & Schielzeth (2017, *J. R. Soc. Interface* 14: 20170213) with the
random-slope variance of Johnson (2014, *Methods Ecol. Evol.* 5: 944-946), as insight 0.19's
``get_variance``::

    var_random   = (1/n) sum_j z_j' Sigma_b z_j        (sigma_0^2 for a random intercept)
    var_fixed    = Var(X beta)                          (sample variance, n - 1)
    var_residual = sigma^2
    adjusted     = var_random / (var_random + var_residual)
    unadjusted   = var_random / (var_fixed + var_random + var_residual)

Checked against performance 0.10.2 (tests/reference/performance_icc/) to 1e-4 relative.
"""

from __future__ import annotations

import numpy as np

__all__ = ["icc", "variance_components"]


def variance_components(fit) -> dict[str, float]:
    """``var_fixed``, ``var_random`` and ``var_residual`` as insight's ``get_variance``."""
    Zs = np.asarray(fit.Z, float)
    Sigma = fit.random_cov.to_numpy()
    var_random = float(np.einsum("ja,ab,jb->", Zs, Sigma, Zs) / len(Zs))
    var_fixed = float(np.var(fit.X @ fit.params.to_numpy(), ddof=1))
    return dict(var_fixed=var_fixed, var_random=var_random,
                var_residual=float(fit.residual_variance))


def icc(fit) -> dict[str, float]:
    """Adjusted and unadjusted ICC: ``{"adjusted": ..., "unadjusted": ...}``."""
    v = variance_components(fit)
    total = v["var_random"] + v["var_residual"]
    return {"adjusted": v["var_random"] / total,
            "unadjusted": v["var_random"] / (total + v["var_fixed"])}
