"""The profiled (RE)ML deviance of a two-level LMM and its analytic gradient.

Notation of Bates, Mächler, Bolker & Walker (2015), *Fitting linear mixed-effects models
using lme4*, J. Stat. Softw. 67(1), section 3: ``b_i = Lambda u_i``, ``u_i ~ N(0, sigma^2 I)``,
``Sigma_b = sigma^2 Lambda Lambda'`` with ``Lambda`` lower triangular, its lower triangle
``theta`` in column-major order (lme4's order). Per group, with ``L_i L_i' = Lambda'Z_i'Z_i
Lambda + I``::

    c_u,i = L_i^{-1} Lambda' Z_i'y          R_ZX,i = L_i^{-1} Lambda' Z_i'X
    R_X'R_X = X'X - sum_i R_ZX,i' R_ZX,i    (= X'V^{-1}X, V = I + Z Lambda Lambda' Z')
    beta = (R_X'R_X)^{-1} (X'y - sum_i R_ZX,i' c_u,i)
    r^2  = y'y - sum_i |c_u,i|^2 - beta'(X'y - sum_i R_ZX,i' c_u,i)   (penalised RSS)
    d_ML(theta)   = log|L|^2 + n (1 + log(2 pi r^2 / n))                        (eq. 34)
    d_REML(theta) = log|L|^2 + log|R_X|^2 + (n-p)(1 + log(2 pi r^2 / (n-p)))    (eq. 41)

Gradient. With ``D_k = dV/dtheta_k`` restricted to a group, ``Z_i (E_k Lambda' + Lambda
E_k') Z_i'`` (``E_k`` the unit matrix at theta_k's position), ``d log|V| = tr(V^{-1}dV)``,
``d r^2 = -e'V^{-1} dV V^{-1} e`` (envelope theorem, beta minimises r^2) and
``d log|X'V^{-1}X| = -tr((X'V^{-1}X)^{-1} X'V^{-1}dV V^{-1}X)``, so::

    d d / d theta_k = 2 (Gm Lambda)[r_k, c_k],
    Gm = sum_i A_i - [REML] sum_i B_i C B_i' - (dof / r^2) sum_i w_i w_i'

with ``A_i = Z_i'V_i^{-1}Z_i``, ``B_i = Z_i'V_i^{-1}X_i``, ``w_i = Z_i'V_i^{-1}(y_i - X_i
beta)``, ``C = (X'V^{-1}X)^{-1}``, ``dof = n - p`` (REML) or ``n`` (ML). By Woodbury, with
``W_i = L_i^{-1} Lambda' Z_i'Z_i``: ``A_i = Z_i'Z_i - W_i'W_i``, ``B_i = Z_i'X_i - W_i'R_ZX,i``,
``w_i = Z_i'e_i - W_i'(c_u,i - R_ZX,i beta)``. The gradient is checked against finite
differences in tests/models/test_engine.py.

Weighted groups (a cluster-bootstrap resample, :meth:`.SuffStats.reweighted`): a group of
multiplicity ``m_i`` adds ``m_i`` times its terms to every sum over groups, ``log|L|^2``
included. ``U_i`` is stored times ``sqrt(m_i)``, so that ``c_u,i``, ``R_ZX,i``, ``B_i`` and
``w_i``, linear in it, carry ``sqrt(m_i)`` and their cross-products ``m_i``; the sums of terms
without ``U_i`` (``log|L_i|^2``, ``A_i``) are weighted explicitly.
"""

from __future__ import annotations

import math

import numpy as np

from .blocks import cholesky_blocks, forward_solve_blocks
from .suffstats import SuffStats

__all__ = ["ProfiledDeviance", "profiled_gradient", "theta_to_lambda", "theta_positions",
           "theta_lower_bounds"]

LOG2PI = math.log(2 * math.pi)


def theta_positions(q: int) -> list[tuple[int, int]]:
    """(row, column) of each theta element: lower triangle, column-major (lme4's order)."""
    return [(r, c) for c in range(q) for r in range(c, q)]


def theta_lower_bounds(q: int) -> np.ndarray:
    """0 for diagonal elements of Lambda, -inf for off-diagonal ones (as lme4)."""
    return np.array([0.0 if r == c else -np.inf for r, c in theta_positions(q)])


def theta_to_lambda(theta: np.ndarray, q: int) -> np.ndarray:
    """Lower-triangular ``Lambda`` from its column-major lower triangle (last axis of
    ``theta``; leading axes, draws of a bootstrap, give a stack of them)."""
    theta = np.asarray(theta, float)
    positions = theta_positions(q)
    if theta.shape[-1:] != (len(positions),):
        raise ValueError(f"theta must have {len(positions)} elements for q = {q}, "
                         f"got shape {theta.shape}")
    lam = np.zeros(theta.shape[:-1] + (q, q))
    for t, (r, c) in enumerate(positions):
        lam[..., r, c] = theta[..., t]
    return lam


def profiled_gradient(sumA, sumww, sumBCB, pwrss, dof, lam: np.ndarray,
                      reml: bool) -> np.ndarray:
    """``d d / d theta_k = 2 (Gm Lambda)[r_k, c_k]`` from the sums over groups (module notes).

    Leading axes of ``sumA``, ``sumww``, ``sumBCB`` (``(..., q, q)``), ``pwrss`` and ``dof``
    are separate problems (draws of a bootstrap), computed at once.
    """
    Gm = sumA - np.asarray(dof / pwrss)[..., None, None] * sumww
    if reml:
        Gm = Gm - sumBCB
    rows, cols = zip(*theta_positions(lam.shape[-1]), strict=True)
    return 2.0 * (Gm @ lam)[..., list(rows), list(cols)]


class ProfiledDeviance:
    """Profiled (RE)ML deviance of a two-level model as a function of ``theta``.

    Parameters
    ----------
    ss : SuffStats
    reml : bool
    """

    def __init__(self, ss: SuffStats, reml: bool):
        self.ss, self.reml = ss, reml
        self.q, self.p, self.n = ss.q, ss.p, ss.n
        self.positions = theta_positions(ss.q)
        self.dof = ss.n - ss.p if reml else ss.n
        self.n_evals = 0
        self.last_state: dict = {}
        self._cached: tuple | None = None
        # U_i = [Z_i'X_i | Z_i'y_i] and [X y]'[X y]: the deviance needs them side by side
        self.U = np.concatenate([ss.ZtX, ss.Zty[:, None, :]], axis=1)     # (q, p+1, G)
        p = ss.p  # filled in place: np.block costs more than a small refit's deviance
        self.UtU = np.empty((p + 1, p + 1))
        self.UtU[:p, :p], self.UtU[:p, p], self.UtU[p, :p] = ss.XtX, ss.Xty, ss.Xty
        self.UtU[p, p] = ss.yty
        self.wt = ss.weights
        if self.wt is None:
            self.sumZtZ = ss.ZtZ.sum(axis=2)
        else:  # the module notes: U_i times sqrt(m_i), group sums without U_i weighted
            self.U *= np.sqrt(self.wt)
            self.sumZtZ = ss.ZtZ @ self.wt
            self._wt_tiled = np.tile(self.wt, ss.q)

    # -- the core: everything at one theta ----------------------------------------------
    def state(self, theta: np.ndarray, *, need_grad: bool = False) -> dict:
        """Deviance pieces at ``theta``; with ``need_grad`` also the gradient ingredients.

        The last state is kept: the optimiser's final point is evaluated again by the
        inference (vcov, log-likelihood, Satterthwaite), which then costs nothing.
        """
        theta = np.asarray(theta, float)
        key = theta.tobytes()
        cached = self._cached
        if cached is not None and cached[0] == key:
            st = cached[2]
            if need_grad and not cached[1]:
                st.update(self._grad_parts(st))
                self._cached = (key, True, st)
            return st
        self.n_evals += 1
        st = self._compute_state(theta)
        if need_grad:
            st.update(self._grad_parts(st))
        self._cached = (key, need_grad, st)
        return st

    def _compute_state(self, theta: np.ndarray) -> dict:
        ss, q, p = self.ss, self.q, self.p
        m = p + 1
        lam = theta_to_lambda(np.asarray(theta, float), q)
        G = ss.n_groups
        # S_i = Lambda' ZtZ_i Lambda + I as one (q^2 x q^2) @ (q^2 x G) product
        lt = lam.T
        K = (lt[:, None, :, None] * lt[None, :, None, :]).reshape(q * q, q * q)  # kron
        S = (K @ ss.ZtZ.reshape(q * q, G)).reshape(q, q, G)
        for j in range(q):
            S[j, j] += 1.0
        L = cholesky_blocks(S)
        if self.wt is None:
            ld_L2 = 2.0 * sum(float(np.log(L[j][j]).sum()) for j in range(q))
        else:
            ld_L2 = 2.0 * sum(float(np.log(L[j][j]) @ self.wt) for j in range(q))
        # [c_u | R_ZX] in one solve, and their cross-products in one (m x m) matrix
        RU = forward_solve_blocks(L, (lt @ self.U.reshape(q, m * G)).reshape(q, m, G))
        Mm = self.UtU.copy()
        for k in range(q):
            Mm -= RU[k] @ RU[k].T
        XVX = (Mm[:p, :p] + Mm[:p, :p].T) / 2
        rhs = Mm[:p, p]
        RX = np.linalg.cholesky(XVX)                                       # R_X' (lower)
        beta = np.linalg.solve(XVX, rhs)
        ld_RX2 = 2.0 * float(np.log(np.diag(RX)).sum())
        pwrss = float(Mm[p, p]) - float(beta @ rhs)
        pwrss = max(pwrss, 1e-300 * max(ss.yty, 1.0))
        dof = self.dof
        dev = ld_L2 + dof * (1.0 + LOG2PI + math.log(pwrss / dof))
        if self.reml:
            dev += ld_RX2
        return dict(theta=theta, lam=lam, L=L, RU=RU, XVX=XVX, beta=beta, pwrss=pwrss,
                    ld_L2=ld_L2, ld_RX2=ld_RX2, deviance=dev)

    def _grad_parts(self, st: dict) -> dict:
        ss, q, p = self.ss, self.q, self.p
        lam, L, RU, beta = st["lam"], st["L"], st["RU"], st["beta"]
        G = ss.n_groups
        W = forward_solve_blocks(L, (lam.T @ ss.ZtZ.reshape(q, q * G)).reshape(q, q, G))
        # Z_i'V_i^{-1}[X_i | y_i] = U_i - W_i' [R_ZX,i | c_u,i]: B_i and, times (-beta, 1), w_i
        PU = self.U.copy()
        for a in range(q):
            for k in range(q):
                PU[a] -= W[k, a] * RU[k]
        w = np.append(-beta, 1.0) @ PU                                     # (q, G)
        Bt = PU[:, :p]
        Wf = W.transpose(1, 0, 2).reshape(q, q * G)
        if self.wt is None:
            sumA = self.sumZtZ - Wf @ Wf.T
        else:
            sumA = self.sumZtZ - (Wf * self._wt_tiled) @ Wf.T
        sumww = w @ w.T
        C = np.linalg.inv(st["XVX"])
        Rc = np.linalg.cholesky((C + C.T) / 2)                            # C = Rc Rc'
        F = Rc.T @ Bt                                                      # (q, p, G)
        Ff = F.reshape(q, p * G)
        sumBCB = Ff @ Ff.T
        return dict(sumA=sumA, sumww=sumww, sumBCB=sumBCB, C=C, Bt=Bt, W=W, w=w, F=F)

    def hessian_moments(self, st: dict) -> dict:
        """Sums over groups the analytic Hessian needs (:mod:`.hessian`), from
        ``state(theta, need_grad=True)``.

        Per group ``A_i = Z_i'V_i^{-1}Z_i``, ``F_i = B_i C B_i'``, ``w_i``; returned are
        ``S_AA[a,b,c,d] = sum_i A_i[a,b] A_i[c,d]``, ``S_AF = sum_i A_i[a,b] F_i[c,d]``,
        ``S_Aww = sum_i A_i[a,b] w_i[c] w_i[d]``, ``Kb[a,b] = sum_i b_ia b_ib'`` (p x p,
        ``b_ia`` row a of ``B_i``) and ``BW[a,:,b] = sum_i b_ia w_i[b]``.
        """
        q, p, G = self.q, self.p, self.ss.n_groups
        W, w, Bt, F = st["W"], st["w"], st["Bt"], st["F"]
        A = self.ss.ZtZ - np.einsum("kag,kbg->abg", W, W)
        Fi = np.einsum("ajg,bjg->abg", F, F)
        A2 = A.reshape(q * q, G)
        ww = (w[:, None, :] * w[None, :, :]).reshape(q * q, G)
        B2 = Bt.reshape(q * p, G)
        A2w = A2 if self.wt is None else A2 * self.wt
        return dict(S_AA=(A2w @ A2.T).reshape(q, q, q, q),
                    S_AF=(A2 @ Fi.reshape(q * q, G).T).reshape(q, q, q, q),
                    S_Aww=(A2 @ ww.T).reshape(q, q, q, q),
                    Kb=(B2 @ B2.T).reshape(q, p, q, p).transpose(0, 2, 1, 3),
                    BW=(B2 @ w.T).reshape(q, p, q))

    def _kb(self, st: dict) -> list[list[np.ndarray]]:
        """``Kb[r][s] = sum_i b_ir b_is'`` (p x p), ``b_ir`` column r of ``X_i'V_i^{-1}Z_i``."""
        Bt = st["Bt"]
        return [[Bt[r] @ Bt[s].T for s in range(self.q)] for r in range(self.q)]

    def _theta_grad(self, st: dict, Gm: np.ndarray) -> np.ndarray:
        GL = Gm @ st["lam"]
        return np.array([2.0 * GL[r, c] for r, c in self.positions])

    # -- public evaluations ------------------------------------------------------------
    def __call__(self, theta: np.ndarray) -> float:
        return self.state(theta)["deviance"]

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Profiled deviance and its analytic gradient in ``theta``."""
        st = self.state(theta, need_grad=True)
        self.last_state = st
        return st["deviance"], self.grad_from_state(st)

    def grad_from_state(self, st: dict) -> np.ndarray:
        """The profiled gradient from ``state(theta, need_grad=True)``."""
        return profiled_gradient(st["sumA"], st["sumww"], st["sumBCB"], st["pwrss"],
                                 self.dof, st["lam"], self.reml)

    def varpar_deviance(self, varpar: np.ndarray) -> float:
        """Deviance in ``(theta, sigma)``, profiled over beta only (lmerTest's devfun_vp).

        ``log|L|^2 + r^2/sigma^2 + n log(2 pi sigma^2)`` and, for REML, ``+ log|R_X|^2 -
        p log(2 pi sigma^2)``.
        """
        st = self.state(varpar[:-1])
        s2 = varpar[-1] ** 2
        dev = st["ld_L2"] + st["pwrss"] / s2 + self.n * (LOG2PI + math.log(s2))
        if self.reml:
            dev += st["ld_RX2"] - self.p * (LOG2PI + math.log(s2))
        return dev

    def varpar_grad(self, varpar: np.ndarray) -> np.ndarray:
        """Analytic gradient of :meth:`varpar_deviance`."""
        st = self.state(varpar[:-1], need_grad=True)
        sigma = varpar[-1]
        Gm = st["sumA"] - st["sumww"] / sigma**2
        if self.reml:
            Gm = Gm - st["sumBCB"]
        g_theta = self._theta_grad(st, Gm)
        g_sigma = -2.0 * st["pwrss"] / sigma**3 + 2.0 * self.dof / sigma
        return np.append(g_theta, g_sigma)

    def covbeta_jacobian(self, varpar: np.ndarray) -> list[np.ndarray]:
        """d Var(beta) / d varpar, ``Var(beta) = sigma^2 (X'V^{-1}X)^{-1}``.

        ``dC/dtheta_k = C (sum_i B_i' D_k B_i) C`` with ``B_i`` as in the module notes and
        ``sum_i B_i'(E Lambda' + Lambda E')B_i = M + M'``, ``M = sum_s Lambda[s, c]
        sum_i b_ir b_is'``; ``d/dsigma = 2 sigma C``.
        """
        st = self.state(varpar[:-1], need_grad=True)
        sigma, C, lam = varpar[-1], st["C"], st["lam"]
        q = self.q
        Kb = self._kb(st)
        jac = []
        for r, c in self.positions:
            M = sum(lam[s, c] * Kb[r][s] for s in range(q))
            jac.append(sigma**2 * C @ (M + M.T) @ C)
        jac.append(2.0 * sigma * C)
        return jac
