"""The profiled deviance when many groups share one random-effects design.

In a panel with a few waves, ``Z_i'Z_i`` takes few distinct values: for a random intercept it
is the group size, for an intercept and wave slope the set of waves observed. Groups with the
same ``Z_i'Z_i = Z_P`` share ``L_i``, ``Q_P = Lambda (Lambda'Z_P Lambda + I)^{-1} Lambda'`` and
``P_P = I - Z_P Q_P``. Every sum over groups in :mod:`.deviance` is then a contraction of
these q x q matrices with the pattern's second moments of ``U_i = [Z_i'X_i | Z_i'y]``
(q x (p+1))::

    T_P[a, j, b, l] = sum_{i in P} U_i[a, j] U_i[b, l]

    sum_i U_i' Q U_i          = sum_P sum_ab Q_P[a, b] T_P[a, :, b, :]
                                (gives R_ZX'R_ZX, R_ZX'c_u and c_u'c_u)
    sum_i w_i w_i'            = sum_P P_P (sum_jl g_j g_l T_P[:, j, :, l]) P_P',  g = (-beta, 1)
    sum_i B_i' C B_i          = sum_P P_P (sum_jl C_jl T_P[:, j, :, l]) P_P'
    sum_i A_i                 = sum_P n_P P_P Z_P

so an evaluation costs O(number of patterns), not O(number of groups), and is exact: the
same numbers as the per-group computation (checked to 1e-10 in tests/models/test_engine.py).
Weighted groups (a cluster-bootstrap resample) enter ``T_P`` and ``n_P`` with their
multiplicities.
"""

from __future__ import annotations

import math

import numpy as np

from .deviance import LOG2PI, ProfiledDeviance, theta_to_lambda
from .suffstats import SuffStats

__all__ = ["PatternDeviance", "design_patterns"]


def design_patterns(ss: SuffStats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``Z_i'Z_i``: (patterns (P, q, q), inverse (G,), counts (P,)).

    Hash-based (pandas.factorize on each upper-triangle entry, codes combined), linear in G.
    """
    import pandas as pd

    q, G = ss.q, ss.n_groups
    code = np.zeros(G, dtype=np.int64)
    for a in range(q):
        for b in range(a, q):
            c, uniq = pd.factorize(ss.ZtZ[a, b])
            if len(uniq) == G:  # every group its own pattern: codes 0..G-1 in order
                return (ss.ZtZ.transpose(2, 0, 1).copy(), np.arange(G, dtype=np.int64),
                        np.ones(G, dtype=np.int64))
            code = code * len(uniq) + c
            code, _ = pd.factorize(code)  # re-densify: codes stay below G
            code = code.astype(np.int64)
    inverse = code
    counts = np.bincount(inverse)
    first = np.full(len(counts), G, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(G))
    Zp = ss.ZtZ[:, :, first].transpose(2, 0, 1).copy()
    return Zp, inverse, counts


class PatternDeviance(ProfiledDeviance):
    """:class:`ProfiledDeviance` computed over distinct ``Z_i'Z_i`` patterns.

    Parameters
    ----------
    ss : SuffStats
    reml : bool
    patterns : tuple, optional
        Output of :func:`design_patterns` (computed when not given).
    """

    def __init__(self, ss: SuffStats, reml: bool, patterns=None):
        super().__init__(ss, reml)
        Zp, inverse, counts = patterns if patterns is not None else design_patterns(ss)
        q, p = ss.q, ss.p
        m = p + 1
        n_pat = len(counts)
        if ss.weights is not None:  # a pattern counts its groups' multiplicities
            counts = np.bincount(inverse, weights=ss.weights, minlength=n_pat)
        # U_i = [Z_i'X_i | Z_i'y_i], times sqrt(m_i) for weighted groups (ProfiledDeviance)
        U = self.U.reshape(q * m, ss.n_groups)                             # (q*m, G)
        T = np.empty((n_pat, q * m, q * m))
        for a in range(q * m):
            for b in range(a, q * m):
                T[:, a, b] = np.bincount(inverse, weights=U[a] * U[b], minlength=n_pat)
                T[:, b, a] = T[:, a, b]
        self.T = T.reshape(n_pat, q, m, q, m)
        self.Zp, self.counts = Zp, counts.astype(float)
        self.n_patterns = len(counts)

    def _compute_state(self, theta: np.ndarray) -> dict:
        ss, q, p = self.ss, self.q, self.p
        lam = theta_to_lambda(np.asarray(theta, float), q)
        M = np.einsum("ra,Prc,cb->Pab", lam, self.Zp, lam) + np.eye(q)
        Lp = np.linalg.cholesky(M)
        ld_L2 = 2.0 * float(self.counts @ np.log(np.diagonal(Lp, axis1=1, axis2=2)).sum(1))
        Minv = np.linalg.inv(M)
        Q = np.einsum("ra,Pab,cb->Prc", lam, Minv, lam)                     # Lambda M^-1 Lambda'
        Ssum = np.einsum("Pab,Pajbl->jl", Q, self.T)                       # (p+1, p+1)
        XVX = ss.XtX - Ssum[:p, :p]
        XVX = (XVX + XVX.T) / 2
        rhs = ss.Xty - Ssum[:p, p]
        RX = np.linalg.cholesky(XVX)
        beta = np.linalg.solve(XVX, rhs)
        ld_RX2 = 2.0 * float(np.log(np.diag(RX)).sum())
        pwrss = ss.yty - float(Ssum[p, p]) - float(beta @ rhs)
        pwrss = max(pwrss, 1e-300 * max(ss.yty, 1.0))
        dev = ld_L2 + self.dof * (1.0 + LOG2PI + math.log(pwrss / self.dof))
        if self.reml:
            dev += ld_RX2
        return dict(theta=theta, lam=lam, XVX=XVX, beta=beta, pwrss=pwrss, ld_L2=ld_L2,
                    ld_RX2=ld_RX2, deviance=dev, Q=Q)

    def _grad_parts(self, st: dict) -> dict:
        q, p = self.q, self.p
        Pm = np.eye(q) - self.Zp @ st["Q"]                                  # (P, q, q)
        sumA = np.einsum("P,Pab,Pbc->ac", self.counts, Pm, self.Zp)
        g = np.append(-st["beta"], 1.0)
        Tw = np.einsum("Pajbl,j,l->Pab", self.T, g, g)
        sumww = np.einsum("Pra,Pab,Psb->rs", Pm, Tw, Pm)
        C = np.linalg.inv(st["XVX"])
        C = (C + C.T) / 2
        Tc = np.einsum("Pajbl,jl->Pab", self.T[:, :, :p, :, :p], C)
        sumBCB = np.einsum("Pra,Pab,Psb->rs", Pm, Tc, Pm)
        return dict(sumA=sumA, sumww=sumww, sumBCB=sumBCB, C=C, Pm=Pm, Tw=Tw, Tc=Tc, g=g)

    def hessian_moments(self, st: dict) -> dict:
        """:meth:`ProfiledDeviance.hessian_moments` over patterns: ``A_P = P_P Z_P`` is
        shared by the pattern's groups, whose ``F_i`` and ``w_i w_i'`` sum to
        ``P_P Tc_P P_P'`` and ``P_P Tw_P P_P'``."""
        p = self.p
        Pm, g = st["Pm"], st["g"]
        A = Pm @ self.Zp                                                    # (P, q, q)
        Fs = np.einsum("Pra,Pab,Psb->Prs", Pm, st["Tc"], Pm)
        Ws = np.einsum("Pra,Pab,Psb->Prs", Pm, st["Tw"], Pm)
        Tg = np.einsum("Pajbl,l->Pajb", self.T[:, :, :p, :, :], g)           # (P, q, p, q)
        BW = np.einsum("Pra,Pajb,Psb->rjs", Pm, Tg, Pm)
        Kb = np.einsum("Pra,Psb,Pajbl->rsjl", Pm, Pm, self.T[:, :, :p, :, :p])
        return dict(S_AA=np.einsum("P,Pab,Pcd->abcd", self.counts, A, A),
                    S_AF=np.einsum("Pab,Pcd->abcd", A, Fs),
                    S_Aww=np.einsum("Pab,Pcd->abcd", A, Ws), Kb=Kb, BW=BW)

    def _kb(self, st: dict) -> list[list[np.ndarray]]:
        p = self.p
        K = np.einsum("Pra,Psb,Pajbl->rsjl", st["Pm"], st["Pm"], self.T[:, :, :p, :, :p])
        return [[K[r, s] for s in range(self.q)] for r in range(self.q)]
