"""Adaptive Gauss–Hermite quadrature of the marginal likelihood, one scalar random effect.

Notes
-----
With one scalar random effect per group the marginal likelihood factorises over groups,
:math:`L_i = \\int p(y_i\\mid u)\\,\\phi(u)\\,du`. Centring the rule at the conditional mode
:math:`\\hat u_i` with scale :math:`\\sigma_i = (1 + \\theta^2\\sum_{j\\in i} w_j z_j^2)^{-1/2}`
(both from PIRLS) and writing :math:`g_i(u) = -2\\log p(y_i\\mid u) + u^2`,

.. math::

   -2\\log L_i \\approx g_i(\\hat u_i) - 2\\log\\sigma_i
   - 2\\log\\sum_k w_k \\exp\\{-\\tfrac12[g_i(\\hat u_i + \\sigma_i z_k) - g_i(\\hat u_i)]
   + \\tfrac12 z_k^2\\}

with :math:`(z_k, w_k)` the Gauss–Hermite rule for the standard normal density (weights
summing to 1; R's ``lme4::GHrule``). One node (:math:`z = 0`, :math:`w = 1`) gives the
Laplace approximation. Pinheiro & Bates (1995), *J. Comput. Graph. Stat.* 4(1); lme4's
``glmerAGQ``. The deviance here keeps the normalising constants of :math:`p(y\\mid u)`; lme4
reports the same quantity less the saturated log-likelihood (its deviance residuals).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from .families import Family

__all__ = ["MAX_NAGQ", "agq_deviance", "gh_rule"]

MAX_NAGQ = 25


@cache
def gh_rule(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the ``k``-point Gauss–Hermite rule for :math:`N(0, 1)`."""
    z, w = hermegauss(k)
    return z, w / np.sqrt(2 * np.pi)


def agq_deviance(family: Family, y, n, eta, u, theta_z, codes, G, factor, k) -> float:
    """:math:`-2\\log L` by ``k``-point adaptive quadrature at the PIRLS solution.

    ``eta`` is the linear predictor at the modes ``u``, ``theta_z`` the column of
    :math:`Z\\Lambda` (:math:`\\theta z_j`), ``factor.d`` the per-group :math:`\\sigma_i^{-2}`.
    """
    z, w = gh_rule(k)
    sd = 1 / np.sqrt(factor.d)
    const = np.bincount(codes, family.log_constant(y, n), minlength=G)
    base = np.bincount(codes, family.log_kernel(y, family.linkinv(eta), n), minlength=G) + const
    g0 = -2 * base + u ** 2
    total = np.zeros(G)
    for zk, wk in zip(z, w, strict=True):
        uk = u + zk * sd
        ll = np.bincount(codes, family.log_kernel(y, family.linkinv(
            eta + theta_z * (zk * sd)[codes]), n), minlength=G) + const
        gk = -2 * ll + uk ** 2
        total += wk * np.exp(-0.5 * (gk - g0) + 0.5 * zk ** 2)
    return float(np.sum(g0 - 2 * np.log(sd) - 2 * np.log(total)))
