"""Kenward-Roger adjusted covariance of the fixed effects and denominator df, as pbkrtest.

Notes
-----
Kenward & Roger (1997), *Biometrics* 53: 983-997, as pbkrtest 0.5-2's ``vcovAdj`` and
``Lb_ddf`` (Halekoh & Højsgaard 2014, *J. Stat. Softw.* 59(9)). The marginal covariance is
linear in the variance parameters, ``V = sum_r gamma_r G_r``: one ``G_r = Z (E_r) Z'`` per
element of the lower triangle of ``Sigma_b`` (``E_r`` the unit matrix at (a, a), or at (a, b)
and (b, a)) and ``G = I`` for ``sigma^2``; its second derivatives vanish, so the ``R_rs``
terms of Kenward & Roger drop out. With ``Phi = (X'V^{-1}X)^{-1}`` at the REML estimates::

    P_r = -X'V^{-1} G_r V^{-1} X          Q_rs = X'V^{-1} G_r V^{-1} G_s V^{-1} X
    I_rs = tr(V^{-1}G_r V^{-1}G_s) - 2 tr(Phi Q_rs) + tr(Phi P_r Phi P_s)
    W = 2 I^{-1}                          (the asymptotic covariance of gamma-hat)
    U = sum_rs W_rs (Q_rs - P_r Phi P_s)
    Phi_A = Phi + 2 Phi U Phi             (the adjusted covariance, eq. 2 of K&R)

For ``H0: L beta = 0`` with ``q = rank L`` and ``Theta = L'(L Phi L')^{-1} L``::

    A_1 = sum_rs W_rs tr(Theta Phi P_r Phi) tr(Theta Phi P_s Phi)
    A_2 = sum_rs W_rs tr(Theta Phi P_r Phi Theta Phi P_s Phi)
    B = (A_1 + 6 A_2) / (2q),  g = ((q+1) A_1 - (q+4) A_2) / ((q+2) A_2)
    c_1 = g / (3q + 2(1-g)),  c_2 = (q-g) / (3q + 2(1-g)),  c_3 = (q+2-g) / (3q + 2(1-g))
    E* = 1 / (1 - A_2/q),  V* = (2/q) (1 + c_1 B) / ((1 - c_2 B)^2 (1 - c_3 B))
    rho = V* / (2 E*^2),   den_df = 4 + (q + 2) / (q rho - 1)

and ``F = (L beta)'(L Phi_A L')^{-1}(L beta) / q``, not rescaled, as lmerTest reports it. The
sums over observations are sums over groups of dense per-group blocks. Checked against
pbkrtest 0.5-2 / lmerTest 3.1-3 (tests/reference/pbkrtest/, tests/reference/lmertest_anova/):
adjusted standard errors 1e-4, df 1e-3, F 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..._tidy import COEF_COLUMNS
from ...errors import UsageError
from ._groups import group_arrays

__all__ = ["KenwardRoger", "kenward_roger_pieces", "contest_kenward_roger",
           "kenward_roger_table", "kr_ddf", "use_kenward_roger"]


class KenwardRoger:
    """``Phi``, ``Phi_A``, the ``P_r`` and ``W`` of a REML fit."""

    def __init__(self, fit):
        if fit.method != "REML":
            raise UsageError("Kenward-Roger's method needs a REML fit (as pbkrtest); refit "
                             "with method='reml'")
        ga = group_arrays(fit)
        Sigma = fit.random_cov.to_numpy()
        q = Sigma.shape[0]
        Vinv = np.linalg.inv(ga.V(Sigma, fit.residual_variance))
        # G_r blocks: covariance elements in lme4's lower-triangle order, then the residual
        Gs = []
        for c in range(q):
            for r in range(c, q):
                E = np.zeros((q, q))
                E[r, c] = E[c, r] = 1.0
                Gs.append(np.einsum("gia,ab,gjb->gij", ga.Z, E, ga.Z))
        eye = np.zeros_like(Vinv)
        m = eye.shape[1]
        eye[:, np.arange(m), np.arange(m)] = ga.mask
        Gs.append(eye)
        Phi = fit.cov_params.to_numpy()
        SX = Vinv @ ga.X                                   # V^{-1} X   (G, m, p)
        H = [Vinv @ G for G in Gs]                         # V^{-1} G_r (G, m, m)
        HSX = [h @ SX for h in H]                          # V^{-1} G_r V^{-1} X
        k = len(Gs)
        P = [-np.einsum("gip,giq->pq", SX, G @ SX) for G in Gs]
        info = np.empty((k, k))
        Q = {}
        for r in range(k):
            for s in range(r, k):
                Q[r, s] = np.einsum("gip,giq->pq", Gs[r] @ SX, HSX[s])
                trace = float(np.einsum("gij,gji->", H[r], H[s]))
                info[r, s] = info[s, r] = (trace - 2 * np.sum(Phi * Q[r, s])
                                        + np.trace(Phi @ P[r] @ Phi @ P[s]))
        ev = np.linalg.eigvalsh(info)
        W = 2 * (np.linalg.inv(info) if np.min(np.abs(ev)) > 1e-10 else np.linalg.pinv(info))
        U = np.zeros_like(Phi)
        for r in range(k):
            for s in range(r, k):
                term = W[r, s] * (Q[r, s] - P[r] @ Phi @ P[s])
                U += term if r == s else term + term.T
        self.Phi, self.P, self.W = Phi, P, W
        self.PhiA = Phi + 2 * Phi @ U @ Phi


def kenward_roger_pieces(fit) -> KenwardRoger:
    """:class:`KenwardRoger` of a REML fit."""
    return KenwardRoger(fit)


def kr_ddf(kr: KenwardRoger, L: np.ndarray) -> float:
    """Kenward-Roger denominator df of ``L beta = 0`` (pbkrtest's ``Lb_ddf``)."""
    L = np.atleast_2d(L)
    Phi = kr.Phi
    Theta = L.T @ np.linalg.solve(L @ Phi @ L.T, L)
    u = [Theta @ Phi @ P @ Phi for P in kr.P]
    A1 = A2 = 0.0
    k = len(u)
    for r in range(k):
        for s in range(r, k):
            e = 1.0 if r == s else 2.0
            A1 += e * kr.W[r, s] * np.trace(u[r]) * np.trace(u[s])
            A2 += e * kr.W[r, s] * np.sum(u[r] * u[s].T)
    q = np.linalg.matrix_rank(L)
    B = (A1 + 6 * A2) / (2 * q)
    g = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2)
    den = 3 * q + 2 * (1 - g)
    c1, c2, c3 = g / den, (q - g) / den, (q + 2 - g) / den
    e_star = 1 / (1 - A2 / q)
    v_star = (2 / q) * (1 + c1 * B) / ((1 - c2 * B) ** 2 * (1 - c3 * B))
    rho = v_star / (2 * e_star ** 2)
    return float(4 + (q + 2) / (q * rho - 1))


def contest_kenward_roger(kr: KenwardRoger, beta: np.ndarray, L: np.ndarray
                          ) -> tuple[int, float, float]:
    """``(num_df, den_df, F)`` of ``L beta = 0``."""
    L = np.atleast_2d(L)
    Lb = L @ beta
    q = int(np.linalg.matrix_rank(L))
    F = float(Lb @ np.linalg.solve(L @ kr.PhiA @ L.T, Lb)) / q
    return q, kr_ddf(kr, L), F


def kenward_roger_table(fit, level: float | None = None) -> pd.DataFrame:
    """Coefficient table (``COEF_COLUMNS``) with Kenward-Roger standard errors and df, as
    ``summary(m, ddf = "Kenward-Roger")`` of lmerTest."""
    level = fit.ci_level if level is None else level
    if not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, got {level!r}")
    kr = KenwardRoger(fit)
    beta = fit.params.to_numpy()
    p = len(beta)
    se = np.sqrt(np.diag(kr.PhiA))
    df = np.array([kr_ddf(kr, np.eye(p)[j]) for j in range(p)])
    t = beta / se
    half = special.stdtrit(df, 0.5 + level / 2) * se
    frame = pd.DataFrame({"term": list(fit.fixed_names), "estimate": beta, "std_error": se,
                          "df": df, "statistic": t,
                          "p_value": 2 * special.stdtr(df, -np.abs(t)),
                          "conf_low": beta - half, "conf_high": beta + half})
    return frame[COEF_COLUMNS]


def use_kenward_roger(fit):
    """``fit`` with Kenward-Roger standard errors, df, t statistics and p values.

    Returns a new result (results are immutable) equal to ``fit_lmm(..., ddf="kenward-roger")``:
    ``cov_params`` stays the unadjusted ``Phi`` (as lme4's ``vcov``), which the Kenward-Roger
    and Satterthwaite computations start from; ``std_errors`` and ``df`` (and so the
    coefficient table and Wald intervals) become those of :func:`kenward_roger_table`.
    """
    import dataclasses

    return dataclasses.replace(fit, ddf="kenward-roger")
