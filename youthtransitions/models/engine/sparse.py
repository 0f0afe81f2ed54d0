"""Profiled (RE)ML deviance for several grouping factors, crossed or nested, with scipy.

Notation of Bates, Mächler, Bolker & Walker (2015), *Fitting linear mixed-effects models
using lme4*, J. Stat. Softw. 67(1), sections 3.2-3.4: ``b = Lambda u``, ``u ~ N(0, sigma^2
I_Q)``, ``Lambda`` block diagonal (one lower-triangular ``q_k x q_k`` factor per term,
repeated over its levels), ``theta`` the terms' lower triangles, column-major, in lme4's term
order. With ``M = Lambda'Z'Z Lambda + I = L L'`` (eq. 18) and ``r = Lambda'[Z'X, Z'y]``::

    R_ZX'R_ZX = r_X' M^{-1} r_X    R_ZX'c_u = r_X' M^{-1} r_y    |c_u|^2 = r_y' M^{-1} r_y
    X'V^{-1}X = X'X - R_ZX'R_ZX    beta = (X'V^{-1}X)^{-1}(X'y - R_ZX'c_u)
    r^2 = y'y - |c_u|^2 - beta'(X'y - R_ZX'c_u)
    d_ML = log|M| + n (1 + log(2 pi r^2 / n))                                  (eq. 34)
    d_REML = log|M| + log|X'V^{-1}X| + (n-p)(1 + log(2 pi r^2 / (n-p)))         (eq. 41)

All of it needs only ``log|M|`` and solves with ``M``, computed from the cross-products
``Z'Z, Z'X, Z'y`` formed once.

The factor. Terms are in lme4's order (most levels first), so the first term's block of
``M``, ``A = Lambda_1'Z_1'Z_1 Lambda_1 + I``, is block diagonal (each row belongs to one level
of the first factor): it is factored block by block, and the rest of ``M`` enters through
the Schur complement ``S = C - B A^{-1} B'`` (``log|M| = log|A| + log|S|``), whose size is
the number of random effects of the other terms (1,000 for 1,000 workers beside 100,000
youth). ``S`` is factored densely (LAPACK Cholesky) up to :data:`DENSE_MAX`, else by
SuperLU (``scipy.sparse.linalg.splu``, no pivoting, as a Cholesky) after a reverse
Cuthill-McKee ordering of its pattern computed once. Why scipy and not CHOLMOD
(scikit-sparse): scikit-sparse has no wheels on PyPI and needs SuiteSparse's headers
(libsuitesparse-dev) to build, which a pip-only install cannot provide; the Schur form above
leaves a small factor for the study's designs (youth nested in or crossed with a few hundred
workers), where a dense LAPACK Cholesky is as fast as a supernodal one.

Checked against lme4 1.1.31 in tests/models/test_crossed.py (Penicillin, Pastes, InstEval,
sleepstudy, the shipped study).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee
from scipy.sparse.linalg import splu

from .deviance import theta_positions

__all__ = ["DENSE_MAX", "SparseDeviance", "TermSpec"]

LOG2PI = math.log(2 * math.pi)
DENSE_MAX = 2500  # Schur complements up to this size are factored densely


@dataclass(frozen=True)
class TermSpec:
    """One random term's columns: ``Z`` (n x q, the values) and level ``codes`` (n,)."""

    Z: np.ndarray
    codes: np.ndarray
    n_levels: int

    @property
    def q(self) -> int:
        """Columns per level."""
        return self.Z.shape[1]


def _term_matrix(t: TermSpec) -> sp.csc_matrix:
    """The term's n x (levels * q) block of Z: level-major, columns within a level."""
    n, q = t.Z.shape
    rows = np.repeat(np.arange(n), q)
    cols = (t.codes[:, None] * q + np.arange(q)[None, :]).ravel()
    return sp.csc_matrix((t.Z.ravel(), (rows, cols)), shape=(n, t.n_levels * q))


class SparseDeviance:
    """The profiled (RE)ML deviance of an LMM with several random terms, as a function of
    ``theta``.

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
    terms : list of TermSpec
        In lme4's order (most levels first).
    reml : bool
    dense_max : int, default :data:`DENSE_MAX`
        Largest Schur complement factored densely.
    """

    def __init__(self, y, X, terms: list[TermSpec], *, reml: bool,
                 dense_max: int = DENSE_MAX):
        y, X = np.asarray(y, float), np.asarray(X, float)
        self.n, self.p = X.shape
        # Work with the least-squares residual: beta shifts by beta0 and nothing else changes,
        # but r^2 = y'y - ... no longer cancels the mean (y ~ 60 with sd ~ 1 lost 4 digits,
        # which the second differences of Satterthwaite's Hessian amplify).
        self.beta0 = np.linalg.lstsq(X, y, rcond=None)[0]
        y = y - X @ self.beta0
        self.reml = reml
        self.dof = self.n - self.p if reml else self.n
        self.terms = terms
        self.positions = [theta_positions(t.q) for t in terms]
        self.n_theta = sum(len(pos) for pos in self.positions)
        self.diagonal = np.array([r == c for pos in self.positions for r, c in pos])
        Z = sp.hstack([_term_matrix(t) for t in terms], format="csc")
        t1 = terms[0]
        self.q1, self.G1 = t1.q, t1.n_levels
        Q1 = self.q1 * self.G1
        self.Q, self.Q1, self.Q2 = Z.shape[1], Q1, Z.shape[1] - Q1
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        self.ZtR = np.column_stack([(Z.T @ X), Z.T @ y])          # (Q, p + 1)
        q1 = self.q1
        self.ZtZ11 = np.empty((self.G1, q1, q1))                  # first term: level blocks
        for j in range(q1):
            for k in range(q1):
                self.ZtZ11[:, j, k] = np.bincount(t1.codes, t1.Z[:, j] * t1.Z[:, k],
                                                  minlength=self.G1)
        Z1, Z2 = Z[:, :Q1], Z[:, Q1:]
        self.ZtZ21 = (Z2.T @ Z1).tocsr()
        self.ZtZ12 = self.ZtZ21.T.tocsr()
        self.ZtZ22 = (Z2.T @ Z2).tocsr()
        # block-diagonal pattern of the first term's G1 blocks (rows g*q1 + i, cols g*q1 + j)
        rows = np.repeat(np.arange(Q1), q1)
        cols = (np.arange(Q1)[:, None] // q1 * q1 + np.arange(q1)[None, :]).ravel()
        self._bd_pattern = (rows, cols)
        self._lam2_pattern = self._lambda_pattern(terms[1:])
        self.dense = self.Q2 <= dense_max
        self._perm: np.ndarray | None = None
        # scalar terms factored sparse: S's pattern and layout formed once (scalar_schur)
        self._scalar = None
        if not self.dense and self.Q2 and all(t.q == 1 for t in terms):
            from .scalar_schur import ScalarSchur

            self._scalar = ScalarSchur(self.ZtZ21, self.ZtZ22)
            self._perm = self._scalar.perm
        self.n_evals = 0

    # -- Lambda --------------------------------------------------------------------------
    def _lambda_pattern(self, terms):
        """Rows, columns and theta index of each nonzero of Lambda for ``terms``."""
        rows, cols, idx = [], [], []
        off, toff = 0, len(self.positions[0])
        for t, pos in zip(terms, self.positions[1:], strict=True):
            lev = np.arange(t.n_levels) * t.q + off
            for i, (r, c) in enumerate(pos):
                rows.append(lev + r)
                cols.append(lev + c)
                idx.append(np.full(t.n_levels, toff + i))
            off += t.n_levels * t.q
            toff += len(pos)
        if not rows:
            return None
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(idx)

    def split_theta(self, theta: np.ndarray) -> list[np.ndarray]:
        """``theta`` cut into each term's part."""
        out, off = [], 0
        for pos in self.positions:
            out.append(np.asarray(theta[off:off + len(pos)], float))
            off += len(pos)
        return out

    def lambda1(self, theta) -> np.ndarray:
        """The first term's ``q1 x q1`` factor."""
        lam = np.zeros((self.q1, self.q1))
        for t, (r, c) in zip(theta[:len(self.positions[0])], self.positions[0], strict=True):
            lam[r, c] = t
        return lam

    def lambda2(self, theta) -> sp.csr_matrix:
        """Lambda of the other terms (Q2 x Q2, sparse)."""
        if self._lam2_pattern is None:
            return sp.csr_matrix((0, 0))
        r, c, i = self._lam2_pattern
        return sp.csr_matrix((np.asarray(theta, float)[i], (r, c)), shape=(self.Q2, self.Q2))

    # -- the factor and the solves -------------------------------------------------------
    def _schur(self, K: np.ndarray, lam2: sp.csr_matrix, theta: np.ndarray):
        """``S = Lambda_2'(Z_2'Z_2 - Z_2'Z_1 Lambda_1 A^{-1} Lambda_1' Z_1'Z_2) Lambda_2 + I``."""
        if self._scalar is not None:  # Lambda_2's diagonal, level by level, is theta[i]
            lam = np.asarray(theta, float)[self._lam2_pattern[2]]
            return self._scalar.matrix(K[:, 0, 0], lam)
        Kbd = sp.csr_matrix((K.ravel(), self._bd_pattern), shape=(self.Q1, self.Q1))
        T = self.ZtZ22 - self.ZtZ21 @ (Kbd @ self.ZtZ12)
        if self.dense:
            Md = T.toarray()
            S = lam2.T @ (lam2.T @ Md).T
            S[np.diag_indices_from(S)] += 1.0
            return S
        S = (lam2.T @ T @ lam2 + sp.identity(self.Q2)).tocsc()
        if self._perm is None:  # fill-reducing (bandwidth) order, computed once
            self._perm = reverse_cuthill_mckee(S.tocsr(), symmetric_mode=True)
        return S[self._perm][:, self._perm].tocsc()

    def factor(self, theta: np.ndarray) -> dict:
        """``log|M|`` and a solver for ``M`` at ``theta``."""
        lam1 = self.lambda1(theta)
        if self.q1 == 1:  # scalar blocks (a random intercept): no batched LAPACK calls
            a = lam1[0, 0] ** 2 * self.ZtZ11[:, 0, 0] + 1.0
            logdet = float(np.log(a).sum())
            Ainv = (1.0 / a)[:, None, None]
        else:
            A = np.einsum("ji,gjk,kl->gil", lam1, self.ZtZ11, lam1)
            A[:, np.arange(self.q1), np.arange(self.q1)] += 1.0
            LA = np.linalg.cholesky(A)
            logdet = 2.0 * float(np.log(np.diagonal(LA, axis1=1, axis2=2)).sum())
            Ainv = np.linalg.inv(A)
        lam2 = self.lambda2(theta)
        out = dict(lam1=lam1, lam2=lam2, Ainv=Ainv)
        if self.Q2:
            K = (lam1[0, 0] ** 2 * Ainv if self.q1 == 1 else
                 np.einsum("ij,gjk,lk->gil", lam1, Ainv, lam1))
            S = self._schur(K, lam2, theta)
            if self.dense:
                cf = sla.cho_factor(S, lower=True, check_finite=False)
                logdet += 2.0 * float(np.log(np.diag(cf[0])).sum())
                out["solve_S"] = lambda b: sla.cho_solve(cf, b, check_finite=False)
            else:
                lu = splu(S, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                          options=dict(SymmetricMode=True))
                logdet += float(np.log(np.abs(lu.U.diagonal())).sum())
                perm = self._perm
                inv = np.argsort(perm)

                def solve_S(b, lu=lu, perm=perm, inv=inv):
                    return lu.solve(np.asarray(b[perm], float))[inv]

                out["solve_S"] = solve_S
        out["logdet"] = logdet
        return out

    def _blocks(self, lam: np.ndarray, x: np.ndarray, transpose: bool) -> np.ndarray:
        """Apply the first term's ``Lambda_1`` (or its transpose) to ``x`` (Q1 x m)."""
        if self.q1 == 1:
            return lam[0, 0] * x
        m = x.shape[1]
        xb = x.reshape(self.G1, self.q1, m)
        op = "ji,gjm->gim" if transpose else "ij,gjm->gim"
        return np.einsum(op, lam, xb).reshape(self.Q1, m)

    def solve(self, fac: dict, R: np.ndarray) -> np.ndarray:
        """``M^{-1} R`` for ``R`` (Q x m) by block elimination with the Schur complement."""
        lam1, Ainv, m = fac["lam1"], fac["Ainv"], R.shape[1]
        R1 = R[:self.Q1]

        def ainv(x):
            if self.q1 == 1:
                return Ainv[:, 0, :] * x
            return np.einsum("gij,gjm->gim", Ainv,
                             x.reshape(self.G1, self.q1, m)).reshape(self.Q1, m)

        if not self.Q2:
            return ainv(R1)
        lam2 = fac["lam2"]
        R2 = R[self.Q1:]
        t1 = ainv(R1)
        Bt1 = lam2.T @ (self.ZtZ21 @ self._blocks(lam1, t1, False))
        x2 = fac["solve_S"](R2 - Bt1)
        Btx2 = self._blocks(lam1, self.ZtZ12 @ (lam2 @ x2), True)
        x1 = ainv(R1 - Btx2)
        return np.vstack([x1, x2])

    def lambda_t(self, fac: dict, R: np.ndarray) -> np.ndarray:
        """``Lambda' R`` for ``R`` (Q x m)."""
        top = self._blocks(fac["lam1"], R[:self.Q1], True)
        if not self.Q2:
            return top
        return np.vstack([top, fac["lam2"].T @ R[self.Q1:]])

    def lambda_(self, fac: dict, R: np.ndarray) -> np.ndarray:
        """``Lambda R`` for ``R`` (Q x m)."""
        top = self._blocks(fac["lam1"], R[:self.Q1], False)
        if not self.Q2:
            return top
        return np.vstack([top, fac["lam2"] @ R[self.Q1:]])

    # -- the deviance --------------------------------------------------------------------
    def state(self, theta: np.ndarray) -> dict:
        """Deviance and its pieces at ``theta``."""
        self.n_evals += 1
        theta = np.asarray(theta, float)
        fac = self.factor(theta)
        r = self.lambda_t(fac, self.ZtR)
        x = self.solve(fac, r)
        P = r.T @ x
        p = self.p
        XVX = self.XtX - P[:p, :p]
        XVX = (XVX + XVX.T) / 2
        rhs = self.Xty - P[:p, p]
        cX = sla.cho_factor(XVX, lower=True, check_finite=False)
        beta_t = sla.cho_solve(cX, rhs, check_finite=False)
        ld_RX2 = 2.0 * float(np.log(np.diag(cX[0])).sum())
        pwrss = self.yty - float(P[p, p]) - float(beta_t @ rhs)
        pwrss = max(pwrss, 1e-300 * max(self.yty, 1.0))
        dev = fac["logdet"] + self.dof * (1.0 + LOG2PI + math.log(pwrss / self.dof))
        if self.reml:
            dev += ld_RX2
        return dict(theta=theta, fac=fac, x=x, beta=beta_t + self.beta0, beta_t=beta_t, XVX=XVX, pwrss=pwrss,
                    ld_L2=fac["logdet"], ld_RX2=ld_RX2, deviance=dev)

    def __call__(self, theta: np.ndarray) -> float:
        return self.state(theta)["deviance"]

    def varpar_deviance(self, varpar: np.ndarray) -> float:
        """Deviance in ``(theta, sigma)``, profiled over beta only (lmerTest's devfun_vp)."""
        st = self.state(varpar[:-1])
        return self.varpar_from_state(st, float(varpar[-1]))

    def varpar_from_state(self, st: dict, sigma: float) -> float:
        """``log|M| + r^2/sigma^2 + n log(2 pi sigma^2)`` (REML: ``+ log|X'V^{-1}X| -
        p log(2 pi sigma^2)``) from a :meth:`state`."""
        s2 = sigma * sigma
        dev = st["ld_L2"] + st["pwrss"] / s2 + self.n * (LOG2PI + math.log(s2))
        if self.reml:
            dev += st["ld_RX2"] - self.p * (LOG2PI + math.log(s2))
        return dev

    def conditional_modes(self, st: dict) -> np.ndarray:
        """``b = Lambda u``, ``u = M^{-1} Lambda'Z'(y - X beta)`` (lme4's ``ranef``), length Q."""
        x = st["x"]
        u = x[:, self.p] - x[:, :self.p] @ st["beta_t"]
        return self.lambda_(st["fac"], u[:, None])[:, 0]
