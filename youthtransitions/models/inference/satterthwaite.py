"""Satterthwaite denominator df of a multi-row contrast, as lmerTest's ``contestMD``.

Notes
-----
Kuznetsova, Brockhoff & Christensen (2017), *J. Stat. Softw.* 82(13), section 3.3. With
``C = Var(beta)``, ``J_k = dC / d varpar_k`` and ``A`` the asymptotic covariance of
``varpar = (theta, sigma)`` (twice the inverse Hessian of the deviance; both from the
engine's :func:`~youthtransitions.models.engine.satterthwaite_df`), a hypothesis ``L beta =
0`` with ``L C L' = P D P'`` (eigenvalues ``d_m`` above ``sqrt(eps) d_1``) is tested by::

    F = (1/q) sum_m (P_m'L beta)^2 / d_m
    nu_m = 2 d_m^2 / (g_m' A g_m),   g_m,k = (P_m'L) J_k (P_m'L)'
    den_df = 2E / (E - q),  E = sum_m nu_m / (nu_m - 2)   (2 if any nu_m <= 2)

(``nu_1`` when ``q = 1``; their mean when all are equal to 1e-8).
"""

from __future__ import annotations

import numpy as np

__all__ = ["VarparPieces", "varpar_pieces", "contest_satterthwaite", "combine_df"]

EPS = np.sqrt(np.finfo(float).eps)


class VarparPieces:
    """``C = Var(beta)``, the Jacobians ``J_k`` and ``A`` at a fit's estimates."""

    def __init__(self, fit):
        from ..engine import ProfiledDeviance, sufficient_statistics
        from ..engine.satterthwaite import satterthwaite_df

        ss = sufficient_statistics(fit.y, fit.X, fit.Z, fit.groups, int(fit.n_groups))
        dev = ProfiledDeviance(ss, reml=fit.method == "REML")
        sigma = float(np.sqrt(fit.residual_variance))
        self.vcov = fit.cov_params.to_numpy()
        _, info = satterthwaite_df(dev, fit.theta, sigma, self.vcov)
        self.A = info["vcov_varpar"]
        self.jac = dev.covbeta_jacobian(np.append(fit.theta, sigma))


def varpar_pieces(fit) -> VarparPieces:
    """:class:`VarparPieces` of ``fit``."""
    return VarparPieces(fit)


def combine_df(nu: np.ndarray, tol: float = 1e-8) -> float:
    """lmerTest's ``get_Fstat_ddf``: one df from the df of ``q`` independent t statistics."""
    nu = np.asarray(nu, float)
    if len(nu) == 1:
        return float(nu[0])
    if np.all(np.abs(np.diff(nu)) < tol):
        return float(nu.mean())
    if np.any(nu <= 2):
        return 2.0
    E = float(np.sum(nu / (nu - 2)))
    return 2 * E / (E - len(nu))


def contest_satterthwaite(pieces: VarparPieces, beta: np.ndarray, L: np.ndarray
                          ) -> tuple[int, float, float]:
    """``(num_df, den_df, F)`` of ``L beta = 0``."""
    L = np.atleast_2d(L)
    d, P = np.linalg.eigh(L @ pieces.vcov @ L.T)
    d, P = d[::-1], P[:, ::-1]
    pos = d > max(EPS * d[0], 0)
    q = int(pos.sum())
    PtL = (P.T @ L)[:q]
    F = float(np.sum((PtL @ beta) ** 2 / d[:q]) / q)
    nu = np.empty(q)
    for m in range(q):
        g = np.array([PtL[m] @ J @ PtL[m] for J in pieces.jac])
        nu[m] = 2 * d[m] ** 2 / (g @ pieces.A @ g)
    return q, combine_df(nu), F
