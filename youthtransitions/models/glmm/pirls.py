"""Penalised iteratively reweighted least squares: the conditional modes of the random effects.

For fixed covariance parameters :math:`\\theta` and fixed effects :math:`\\beta` the
spherical random effects :math:`u` (:math:`b = \\Lambda_\\theta u`) are found by minimising
the penalised deviance :math:`-2\\log p(y\\mid u) + \\lVert u\\rVert^2` with
:math:`\\eta = o + X\\beta + Z\\Lambda_\\theta u`, by Fisher scoring with step halving: each step
solves :math:`(\\Lambda'Z'WZ\\Lambda + I)\\,\\delta = \\Lambda'Z'W r - u`, :math:`r = (y-\\mu)/
\\mu'(\\eta)` (Bates, Mächler, Bolker & Walker 2015, *J. Stat. Softw.* 67(1), sec. 5; lme4's
``pwrssUpdate`` with ``uOnly``).

Two solvers of the penalised system share one interface:

* :class:`BlockPLS`, one grouping factor: :math:`\\Lambda'Z'WZ\\Lambda + I` is block diagonal
  with one :math:`p\\times p` block per group, so every block is formed from row sums
  (``np.bincount``) and factored in one vectorised step. No sparse matrix is built; this is the
  common panel case and the fast one (a random intercept needs no factorisation at all).
* :class:`SparsePLS`, several grouping factors (crossed or nested): the system is a
  ``scipy.sparse`` matrix factored by SuperLU in symmetric mode with a minimum-degree
  ordering of :math:`A + A'`; :math:`\\log\\det` is the sum of the logs of ``U``'s diagonal
  (``L`` has a unit diagonal; the matrix is positive definite). scipy is a dependency already,
  whereas CHOLMOD (scikit-sparse) would add a compiled one; at the sizes of this study SuperLU
  costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ...errors import UsageError
from .design import ReTerm
from .families import Family

__all__ = ["TOL_PWRSS", "BlockPLS", "PIRLSResult", "SparsePLS", "make_pls", "pirls",
           "theta_layout"]

#: lme4's ``glmerControl(tolPwrss)`` default.
TOL_PWRSS = 1e-7


def theta_layout(terms: list[ReTerm]) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Lower bounds of :math:`\\theta` and, per term, ``(start, p, n_levels)``.

    :math:`\\theta` holds each term's lower-triangular factor :math:`T_k` column by column
    (lme4's order), diagonal elements bounded below by 0.
    """
    lower, layout, start = [], [], 0
    for t in terms:
        p = t.p
        for j in range(p):
            for i in range(j, p):
                lower.append(0.0 if i == j else -np.inf)
        layout.append((start, p, t.n_levels))
        start += p * (p + 1) // 2
    return np.array(lower), layout


def tri(theta: np.ndarray, start: int, p: int) -> np.ndarray:
    """The lower-triangular :math:`T_k` of one term from its slice of :math:`\\theta`."""
    T = np.zeros((p, p))
    rows, cols = np.tril_indices(p)
    order = np.lexsort((rows, cols))  # column by column
    T[rows[order], cols[order]] = theta[start:start + p * (p + 1) // 2]
    return T


class BlockPLS:
    """Penalised system of one grouping factor, one :math:`p\\times p` block per group."""

    def __init__(self, term: ReTerm):
        self.Zt = term.Z
        self.g = term.codes
        self.G = term.n_levels
        self.p = term.p
        self.q = self.G * self.p
        self.scalar_ones = self.p == 1 and bool(np.all(term.Z == 1.0))

    def set_theta(self, theta: np.ndarray) -> None:
        self.T = tri(theta, 0, self.p)
        self.ZT = self.Zt @ self.T  # rows of Z Lambda, per observation

    def zlam(self, u: np.ndarray) -> np.ndarray:
        """:math:`Z\\Lambda u` (u ordered level by level, a level's p entries together)."""
        U = u.reshape(self.G, self.p)
        return np.einsum("ij,ij->i", self.ZT, U[self.g]) if self.p > 1 else self.ZT[:, 0] * U[
            self.g, 0]

    def zlam_t(self, v: np.ndarray) -> np.ndarray:
        """:math:`\\Lambda'Z'v` for one vector or the columns of a matrix."""
        v2 = v[:, None] if v.ndim == 1 else v
        out = np.empty((self.G, self.p, v2.shape[1]))
        for a in range(self.p):
            za = self.ZT[:, a]
            for c in range(v2.shape[1]):
                out[:, a, c] = np.bincount(self.g, za * v2[:, c], minlength=self.G)
        out = out.reshape(self.q, v2.shape[1])
        return out[:, 0] if v.ndim == 1 else out

    def factor(self, w: np.ndarray) -> _BlockFactor:
        """Factor :math:`\\Lambda'Z'WZ\\Lambda + I` at weights ``w``."""
        p = self.p
        A = np.empty((self.G, p, p))
        for a in range(p):
            for b in range(a + 1):
                s = np.bincount(self.g, w * self.ZT[:, a] * self.ZT[:, b], minlength=self.G)
                A[:, a, b] = A[:, b, a] = s
        A += np.eye(p)
        return _BlockFactor(A)


class _BlockFactor:
    def __init__(self, A: np.ndarray):
        self.G, self.p = A.shape[0], A.shape[1]
        if self.p == 1:
            self.d = A[:, 0, 0]
            self.logdet = float(np.log(self.d).sum())
        else:
            self.L = np.linalg.cholesky(A)
            self.logdet = float(2 * np.log(np.diagonal(self.L, axis1=1, axis2=2)).sum())
            self.Ainv = np.linalg.inv(A)

    def solve(self, b: np.ndarray) -> np.ndarray:
        if self.p == 1:
            return b / (self.d if b.ndim == 1 else self.d[:, None])
        B = b.reshape(self.G, self.p, -1)
        X = self.Ainv @ B
        return X.reshape(b.shape)

    def inverse_diag_blocks(self, layout=None) -> list[np.ndarray]:
        """The diagonal blocks of :math:`A^{-1}`, shape ``(G, p, p)``, in a one-item list."""
        return [(1 / self.d)[:, None, None] if self.p == 1 else self.Ainv]


class SparsePLS:
    """Penalised system of several grouping factors as a sparse matrix."""

    def __init__(self, terms: list[ReTerm]):
        _, self.layout = theta_layout(terms)
        n = terms[0].Z.shape[0]
        blocks, offset = [], 0
        for t in terms:
            rows = np.repeat(np.arange(n), t.p)
            cols = offset + (t.codes[:, None] * t.p + np.arange(t.p)).ravel()
            blocks.append((rows, cols, t.Z.ravel()))
            offset += t.n_levels * t.p
        self.q = offset
        rows, cols, vals = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
        self.Z = sp.csr_matrix((vals, (rows, cols)), shape=(n, self.q))
        self.n = n

    def set_theta(self, theta: np.ndarray) -> None:
        parts = [sp.kron(sp.identity(G, format="csr"), sp.csr_matrix(tri(theta, s, p)))
                 for s, p, G in self.layout]
        self.Lam = sp.block_diag(parts, format="csr")
        self.ZL = (self.Z @ self.Lam).tocsr()
        self.ZLt = self.ZL.T.tocsr()

    def zlam(self, u: np.ndarray) -> np.ndarray:
        return self.ZL @ u

    def zlam_t(self, v: np.ndarray) -> np.ndarray:
        return self.ZLt @ v

    def factor(self, w: np.ndarray) -> _SparseFactor:
        A = (self.ZLt @ sp.diags(w) @ self.ZL + sp.identity(self.q)).tocsc()
        return _SparseFactor(A)


class _SparseFactor:
    def __init__(self, A: sp.csc_matrix):
        self.lu = splu(A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
        self.logdet = float(np.log(np.abs(self.lu.U.diagonal())).sum())
        self.q = A.shape[0]

    def solve(self, b: np.ndarray) -> np.ndarray:
        return self.lu.solve(np.asarray(b, dtype=float))

    def inverse_diag_blocks(self, layout) -> list[np.ndarray]:
        """Per term, the diagonal ``p x p`` blocks of :math:`A^{-1}`, shape ``(G, p, p)``.

        Solved against the identity's columns a few hundred levels at a time, so memory stays
        bounded for many levels.
        """
        out, offset = [], 0
        for _, p, G in layout:
            blocks = np.empty((G, p, p))
            step = max(1, 512 // p)
            for l0 in range(0, G, step):
                l1 = min(G, l0 + step)
                cols = offset + np.arange(l0 * p, l1 * p)
                E = np.zeros((self.q, cols.size))
                E[cols, np.arange(cols.size)] = 1.0
                S = self.lu.solve(E)[cols]  # (k p, k p), the wanted blocks on its diagonal
                k = l1 - l0
                S = S.reshape(k, p, k, p)
                blocks[l0:l1] = S[np.arange(k), :, np.arange(k), :]
            out.append(blocks)
            offset += G * p
        return out


def make_pls(terms: list[ReTerm]):
    """:class:`BlockPLS` for one grouping factor, else :class:`SparsePLS`."""
    return BlockPLS(terms[0]) if len(terms) == 1 else SparsePLS(terms)


@dataclass
class PIRLSResult:
    """The state PIRLS stops in: modes, linear predictor, means and the last factor."""

    u: np.ndarray
    beta: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    factor: object
    cond_loglik: float
    iterations: int
    w: np.ndarray


def _weights(family: Family, eta, mu, n):
    mue = family.mu_eta(eta)
    return mue, n * mue ** 2 / family.variance(mu)


def pirls(family: Family, y: np.ndarray, n: np.ndarray, X: np.ndarray, offset: np.ndarray,
          pls, eta_start: np.ndarray, *, beta: np.ndarray | None = None,
          saturated: float = 0.0, constant: float | None = None, tol: float = TOL_PWRSS,
          max_iter: int = 100) -> PIRLSResult:
    r"""Penalised IRLS from the linear predictor ``eta_start``, as lme4's ``pwrssUpdate``.

    With ``beta`` given, the fixed part :math:`o + X\beta` is held and only ``u`` is updated
    (``glmer``'s Laplace and quadrature stages); with ``beta=None`` the fixed effects are
    updated jointly with ``u`` (its ``nAGQ = 0`` stage). ``pls.set_theta`` must have been
    called. ``saturated`` is the saturated log-likelihood and ``constant`` the sum of the
    log density's normalising part (computed when not given).

    Notes
    -----
    Each iteration factors :math:`A = \Lambda'Z'WZ\Lambda + I` at the weights of the current
    means, solves for the new modes from the working response
    :math:`z = \eta - o + (y - \mu)/\mu'(\eta)` (:math:`u = A^{-1}\Lambda'Z'W(z - X\beta)`),
    and stops when the penalised deviance (deviance residuals plus :math:`\lVert u\rVert^2`)
    changes by less than ``tol`` relative, halving a step that increases it. As in lme4, the
    factor returned is the one of the last iteration, i.e. at the weights before its step;
    the Laplace deviance uses it, which is what makes these numbers lme4's (the difference
    from the fully converged modes is of the order of the tolerance's square root).
    """
    eta = np.asarray(eta_start, dtype=float).copy()
    mu = family.linkinv(eta)
    old = np.inf
    u_old = np.zeros(pls.q)
    b_old = None if beta is None else beta
    p = X.shape[1]
    u = u_old
    b = np.zeros(p) if beta is None else beta
    if constant is None:
        constant = float(family.log_constant(y, n).sum())

    def evaluate(u, b):
        eta = offset + X @ b + pls.zlam(u)
        mu = family.linkinv(eta)
        ll = float(family.log_kernel(y, mu, n).sum()) + constant
        return eta, mu, ll, 2 * (saturated - ll) + float(u @ u)

    it = 0
    while it < max_iter:
        it += 1
        mue, w = _weights(family, eta, mu, n)
        fac = pls.factor(w)
        z = eta - offset + (y - mu) / mue
        rhs_u = pls.zlam_t(w * z)
        if beta is None:
            C = fac.solve(pls.zlam_t(w[:, None] * X))
            Xw = X * w[:, None]
            RXtRX = X.T @ Xw - pls.zlam_t(Xw).T @ C
            cu = fac.solve(rhs_u)
            b_new = np.linalg.solve(RXtRX, Xw.T @ z - pls.zlam_t(Xw).T @ cu)
            u_new = cu - C @ b_new
        else:
            b_new = beta
            u_new = fac.solve(rhs_u - pls.zlam_t(w * (X @ beta)))
        eta_n, mu_n, ll_n, pdev = evaluate(u_new, b_new)
        if abs(old - pdev) / pdev < tol:
            u, b, eta, mu, ll = u_new, b_new, eta_n, mu_n, ll_n
            break
        if not np.isfinite(pdev) or pdev > old:
            for _ in range(20):
                u_new = (u_old + u_new) / 2
                b_new = b_new if beta is not None else (b_old + b_new) / 2
                eta_n, mu_n, ll_n, pdev = evaluate(u_new, b_new)
                if np.isfinite(pdev) and pdev <= old:
                    break
            if not np.isfinite(pdev) or pdev - old > tol:
                raise UsageError("penalised iteratively reweighted least squares failed to "
                                 "reduce the deviance: the model may be too complex for "
                                 "the data")
        u_old, b_old = u_new, b_new
        u, b, eta, mu, ll, old = u_new, b_new, eta_n, mu_n, ll_n, pdev
    else:  # the while loop ran out without a break
        raise UsageError(f"penalised iteratively reweighted least squares did not converge "
                         f"in {max_iter} iterations")
    return PIRLSResult(u=u, beta=b, eta=eta, mu=mu, factor=fac, cond_loglik=ll,
                       iterations=it, w=w)
