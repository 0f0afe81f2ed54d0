"""The first Newton step of a block of cluster-bootstrap refits, all at once.

A draw's refit starts at the full-sample optimum ``theta_hat`` (:mod:`.warm_start`). There
every per-group piece of the profiled deviance (:mod:`.deviance`) is the same in every draw:
the draws differ only in the multiplicities ``m_ki`` of the groups, and the sums over groups
that the gradient needs are linear in them. One matrix product of the (draws x groups)
multiplicities with a (groups x pieces) table gives every draw's sums, and each draw's
gradient at ``theta_hat`` follows from them exactly. The step divides it by the full
sample's Hessian, which a resample's differs from by its sampling error only (a few per
cent): the step's error is then of the order of the square of its size, as a Newton
step's. The refit continues from there with Newton's method on the draw's own deviance,
so the optimum it reaches does not depend on this step.
"""

from __future__ import annotations

import numpy as np

from .deviance import ProfiledDeviance, profiled_gradient, theta_lower_bounds, theta_to_lambda
from .hessian import profiled_hessian, varpar_hessian_at
from .suffstats import SuffStats
from .warm_start import BOUNDARY

__all__ = ["FirstStep", "MAX_TABLE", "BOUNDARY"]

#: the tables of a block's refits (this one and :mod:`.block_newton`'s) are built only while
#: they hold at most this many numbers (160 MB)
MAX_TABLE = 20_000_000


class FirstStep:
    """The per-group pieces of a two-level model's gradient at the full-sample optimum.

    Parameters
    ----------
    ss : SuffStats
        ``sufficient_statistics(..., per_group=True)`` of the full sample.
    theta : ndarray
        The full-sample optimum.
    reml : bool

    Notes
    -----
    With ``R_i = [R_ZX,i | c_u,i]``, ``P_i = U_i - W_i'R_i = Z_i'V_i^{-1}[X_i y_i]``
    (q x (p+1)) and ``A_i = Z_i'Z_i - W_i'W_i`` (notation of :mod:`.deviance`), the table
    holds per group ``A_i``, ``[X_i y_i]'[X_i y_i] - R_i'R_i`` and ``P_ia P_ib'`` (``P_ia``
    row ``a`` of ``P_i``). For a draw with sums ``S_A``, ``M`` and ``S_ab`` of them,
    ``beta = M[:p,:p]^{-1} M[:p,p]``, ``r^2 = M[p,p] - beta'M[:p,p]``, ``C = M[:p,:p]^{-1}``
    and, with ``v = (-beta, 1)``, ``sum w_i w_i'[a,b] = v'S_ab v`` and ``sum B_i C
    B_i'[a,b] = tr(C S_ab[:p,:p])``: the gradient of :func:`.deviance.profiled_gradient`.
    The step is ``theta_hat - H^{-1} g`` with ``H`` the full sample's profiled Hessian
    (:mod:`.hessian`).
    """

    def __init__(self, ss: SuffStats, theta: np.ndarray, reml: bool):
        ss.require_per_group("FirstStep")
        q, p, G = ss.q, ss.p, ss.n_groups
        m = p + 1
        self.q, self.p, self.reml = q, p, reml
        self.theta = np.asarray(theta, float)
        self.lam = theta_to_lambda(self.theta, q)
        self.sizes = np.asarray(ss.sizes, float)
        dev = ProfiledDeviance(ss, reml=reml)
        st = dev.state(self.theta, need_grad=True)
        RU, W = st["RU"], st["W"]
        P = dev.U.copy()                                                    # (q, m, G)
        for a in range(q):
            for k in range(q):
                P[a] -= W[k, a] * RU[k]
        A = ss.ZtZ - np.einsum("kag,kbg->abg", W, W)
        M = ss.UU - np.einsum("kag,kbg->abg", RU, RU)
        PP = P[:, None, :, None, :] * P[None, :, None, :, :]               # (q,q,m,m,G)
        self.table = np.concatenate([A.reshape(-1, G), M.reshape(-1, G),
                                     PP.reshape(-1, G)]).T.copy()
        self._cuts = (q * q, q * q + m * m)
        hv = varpar_hessian_at(dev, self.theta, st)
        self.hessian = profiled_hessian(hv)
        np.linalg.cholesky(self.hessian)  # LinAlgError: no step from a saddle

    @staticmethod
    def table_size(ss: SuffStats) -> int:
        """How many numbers the table of ``ss`` holds (groups x pieces)."""
        q, m = ss.q, ss.p + 1
        return ss.n_groups * (q * q + m * m + q * q * m * m)

    def steps(self, weights: np.ndarray) -> np.ndarray:
        """The first step's theta for each row of ``weights`` (draws x groups of counts).

        Rows are NaN where no step is taken (a degenerate resample, or a step onto the
        boundary): those refits start from ``theta`` itself.
        """
        q, p, reml = self.q, self.p, self.reml
        m = p + 1
        w = np.asarray(weights, float)
        S = w @ self.table
        K = len(w)
        sumA = S[:, :self._cuts[0]].reshape(K, q, q)
        Mm = S[:, self._cuts[0]:self._cuts[1]].reshape(K, m, m)
        PP = S[:, self._cuts[1]:].reshape(K, q, q, m, m)
        n = w @ self.sizes
        dof = n - p if reml else n
        XVX = (Mm[:, :p, :p] + Mm[:, :p, :p].transpose(0, 2, 1)) / 2
        rhs = Mm[:, :p, p]
        out = np.full((K, self.theta.size), np.nan)
        ok = dof > 0
        try:
            C = np.linalg.inv(XVX[ok])
        except np.linalg.LinAlgError:  # a resample whose fixed effects are not identified
            return out
        beta = np.einsum("kij,kj->ki", C, rhs[ok])
        pwrss = Mm[ok, p, p] - np.einsum("ki,ki->k", beta, rhs[ok])
        v = np.concatenate([-beta, np.ones((len(beta), 1))], axis=1)
        P2 = PP[ok]
        sumww = np.einsum("kabij,ki,kj->kab", P2, v, v)
        sumBCB = np.einsum("kabjl,kjl->kab", P2[..., :p, :p], (C + C.transpose(0, 2, 1)) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = profiled_gradient(sumA[ok], sumww, sumBCB, pwrss, dof[ok], self.lam, reml)
        cand = self.theta - np.linalg.solve(self.hessian, grad.T).T
        diag = np.isfinite(theta_lower_bounds(q))
        bad = ~np.isfinite(cand).all(axis=1) | (cand[:, diag] < BOUNDARY).any(axis=1) \
            | ~(pwrss > 0)
        cand[bad] = np.nan
        out[ok] = cand
        return out
