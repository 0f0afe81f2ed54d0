"""Newton's method for a block of cluster-bootstrap refits, every draw at once.

A cluster-bootstrap draw is a vector ``w`` of group multiplicities, and its refit is Newton's
method from the full-sample optimum (:func:`.warm_start.warm_newton`). Refitted one at a
time, a draw's iteration is some hundred small array operations over the groups, and on a
few hundred groups each costs more in call overhead than in arithmetic. Here the iterations
of K draws run in lockstep: a per-group quantity at each draw's theta is one array over
(draws x groups), and each sum over groups of a term quadratic in ``U_i = Z_i'[X_i y_i]``
(q x (p+1)) is one matrix product of (draw, group) coefficients with a table of the groups'
cross-products, built once::

    Tab_i[ab] = U_i[a,:]'U_i[b,:] + U_i[b,:]'U_i[a,:]  (a < b),   U_i[a,:]'U_i[a,:]  (a = b)

With ``T = Lambda'Z_i'Z_i Lambda + I``, ``Q = Lambda T^{-1} Lambda'``, ``N = I - Z_i'Z_i Q``
(so that ``Z_i'V_i^{-1}[X_i y_i] = N U_i``) and ``A = N Z_i'Z_i`` per draw and group, the
pieces of :mod:`.deviance` and :mod:`.hessian` are, for a draw with multiplicities ``w_i``::

    [X y]'V^{-1}[X y] = sum_i w_i ([X_i y_i]'[X_i y_i] - sum_{a<=b} Q[a,b] Tab_i[ab])
    log|L|^2          = sum_i w_i log|T|
    w_i               = N U_i v,   v = (-beta, 1)
    B_i C B_i'        = N c N',    c[a,b] = U_i[a,:p] C U_i[b,:p]'  (from Tab_i[ab][:p,:p])
    K_l               = sum_{c<=d} E_l[c,d] sum_i Tab_i[cd][:p,:p],   E_l = w_i N'Delta_l N
    u_l               = sum_c e_l[c] U_i[c,:p],                       e_l = w_i N'Delta_l w_i

(the symmetric m x m and p x p tables stored as their upper triangles). The iteration is
:func:`.warm_start.warm_newton`'s, draw by draw (the same Newton steps, step rule, stopping
rule and reasons to give up), started from every draw's first Newton step, which is computed
for the whole block in one product at the full-sample optimum
(:class:`.first_step.FirstStep`). The optimum reached is warm_newton's, to about 1e-10
relative. The estimates there are taken from the last point evaluated, moved by the last
step to first order (``d beta/d theta_l = -C u_l`` and ``d r^2/d theta_l = -tr(Delta_l
sum_i w_i w_i')``, beta minimising r^2): the last step is below 1e-5 relative, so what is
left out is of the order of 1e-10, and no evaluation at the optimum itself is needed. A draw given up on (a resample whose fixed effects are not identified, an optimum
that may be on the boundary, a Hessian that is not positive definite, a step that does not
lower the deviance) is marked, for the caller to refit alone with the general optimiser
(:func:`~youthtransitions.models.engine.refit_weighted`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...parallel import heap_is_steady
from .blocks import cholesky_blocks, forward_solve_blocks
from .deviance import (
    LOG2PI,
    profiled_gradient,
    theta_lower_bounds,
    theta_positions,
    theta_to_lambda,
)
from .first_step import MAX_TABLE, FirstStep
from .hessian import _deltas, hessian_from_moments, profiled_hessian
from .suffstats import SuffStats
from .warm_start import BOUNDARY, FINAL_STEP, MAX_ITER, NEAR

__all__ = ["BlockNewton", "BlockFit", "MAX_TABLE"]

#: draws x groups of one pass, a block of more draws being computed in passes of this size;
#: larger passes are cheaper per draw once glibc keeps temporaries on the heap
#: (:func:`youthtransitions.parallel.steady_heap`, which ``yt`` sets), smaller ones avoid
#: its page faults otherwise (docs/performance.md)
MAX_CELLS = 16_000
MAX_CELLS_UNSTEADY = 4_000
#: halvings of a step that raises the deviance before the draw is given up (as warm_newton)
MAX_HALVINGS = 30


@dataclass(frozen=True)
class BlockFit:
    """Refits of K draws: row ``k`` is draw ``k``'s estimates where ``ok[k]``, NaN elsewhere.

    ``beta`` (K, p), ``sigma2`` (K,), ``random_cov`` (K, q, q) ``= sigma^2 Lambda Lambda'``,
    ``theta`` (K, len(theta)); ``ok`` False for the draws left to the general optimiser.
    """

    beta: np.ndarray
    sigma2: np.ndarray
    random_cov: np.ndarray
    theta: np.ndarray
    ok: np.ndarray


class BlockNewton:
    """Newton refits of many cluster resamples of one two-level model (module notes).

    Parameters
    ----------
    ss : SuffStats
        ``sufficient_statistics(..., per_group=True)`` of the full sample.
    theta : ndarray
        The full-sample optimum, where every refit starts; every diagonal element of Lambda
        at least ``BOUNDARY`` (1e-4).
    reml : bool

    Raises
    ------
    ValueError
        For statistics that are not per group, or a theta on (or near) the boundary.
    numpy.linalg.LinAlgError
        When the full sample's Hessian at ``theta`` is not positive definite.
    """

    def __init__(self, ss: SuffStats, theta: np.ndarray, reml: bool):
        ss.require_per_group("BlockNewton")
        q, p, G = ss.q, ss.p, ss.n_groups
        m = p + 1
        self.q, self.p, self.G, self.reml = q, p, G, reml
        self.theta = np.asarray(theta, float)
        self.positions = theta_positions(q)
        self.diag = np.isfinite(theta_lower_bounds(q))
        if self.theta.shape != self.diag.shape or not np.isfinite(self.theta).all() \
                or (self.theta[self.diag] < BOUNDARY).any():
            raise ValueError("BlockNewton starts from an interior theta (every diagonal "
                             f"element of Lambda at least {BOUNDARY})")
        self.first = FirstStep(ss, self.theta, reml)
        self.sizes = np.asarray(ss.sizes, float)
        self.yty_scale = max(float(ss.yty), 1.0)
        self.pairs = [(a, b) for a in range(q) for b in range(a, q)]
        self._ia = np.array([a for a, _ in self.pairs])
        self._ib = np.array([b for _, b in self.pairs])
        self._half = np.where(self._ia != self._ib, 0.5, 1.0)
        self._up_m = np.triu_indices(m)
        self._up_p = np.triu_indices(p)
        # <C, S> for symmetric C and S from the upper triangles: off-diagonal terms twice
        self._twice_p = np.where(self._up_p[0] == self._up_p[1], 1.0, 2.0)
        self.ZtZ = ss.ZtZ                                                   # (q, q, G)
        U = np.concatenate([ss.ZtX, ss.Zty[:, None, :]], axis=1)           # (q, m, G)
        outer = np.einsum("ajg,blg->abgjl", U, U)
        tab = outer[self._ia, self._ib]                                     # (pairs, G, m, m)
        off = self._ia != self._ib
        tab[off] += outer[self._ib[off], self._ia[off]]
        n_pairs = len(self.pairs)
        self.tab = tab[:, :, self._up_m[0], self._up_m[1]].reshape(n_pairs * G, -1)
        self.tab_x = tab[:, :, self._up_p[0], self._up_p[1]].reshape(n_pairs * G, -1)
        self.uu = ss.UU[self._up_m[0], self._up_m[1]].T.copy()             # (G, m(m+1)/2)
        self.u_rows = U.transpose(1, 0, 2).reshape(m, q * G)               # v'U_i, all i
        self.u_x = U[:, :p, :].transpose(0, 2, 1).reshape(q * G, p)        # U_i[c,:p], all i

    @staticmethod
    def table_size(ss: SuffStats) -> int:
        """How many numbers the tables of ``ss`` hold (the first step's included)."""
        n_pairs, m = ss.q * (ss.q + 1) // 2, ss.p + 1
        return ss.n_groups * (n_pairs * (m * (m + 1) + ss.p * (ss.p + 1)) // 2
                              + m * (m + 1) // 2 + 2 * ss.q * m) + FirstStep.table_size(ss)

    # -- one evaluation for many draws -------------------------------------------------
    @staticmethod
    def _symmetric(upper: np.ndarray, index: tuple, size: int) -> np.ndarray:
        out = np.empty(upper.shape[:-1] + (size, size))
        out[..., index[0], index[1]] = upper
        out[..., index[1], index[0]] = upper
        return out

    def evaluate(self, theta: np.ndarray, W: np.ndarray, *, parts: str = "deviance") -> dict:
        """Each draw's deviance at its theta (rows of ``theta`` and ``W``).

        ``parts``: ``"deviance"`` (with beta and the penalised RSS) or ``"hessian"`` (also
        the profiled gradient and Hessian in theta).
        ``valid`` is False for a draw whose fixed effects are not identified at its theta
        (``X'V^{-1}X`` not positive definite, or no degrees of freedom left).
        """
        q, p, G = self.q, self.p, self.G
        m = p + 1
        K = len(theta)
        lam = theta_to_lambda(theta, q)
        kron = np.einsum("kar,kbs->krsab", lam, lam).reshape(K, q * q, q * q)
        T = (kron @ self.ZtZ.reshape(q * q, G)).reshape(K, q, q, G).transpose(1, 2, 0, 3)
        T = T + np.eye(q)[:, :, None, None]
        L = cholesky_blocks(T)
        logdet = 2.0 * sum(np.log(L[j][j]) for j in range(q))               # (K, G)
        lam_t = np.broadcast_to(lam.transpose(2, 1, 0)[:, :, :, None], (q, q, K, G))
        R = forward_solve_blocks(L, lam_t)                                  # L^{-1} Lambda'
        Q = np.einsum("jakg,jbkg->abkg", R, R)
        coef = (Q[self._ia, self._ib] * W).transpose(1, 0, 2).reshape(K, -1)
        M = self._symmetric(W @ self.uu - coef @ self.tab, self._up_m, m)
        n = W @ self.sizes
        dof = n - p if self.reml else n
        XVX = M[:, :p, :p].copy()
        rhs = M[:, :p, p]
        valid = dof > 0
        chol = _cholesky_where(XVX, valid)
        valid &= chol["ok"]
        out: dict = {"valid": valid, "dof": dof}
        XVX[~valid] = np.eye(p)  # placeholders, so that the algebra below runs for every draw
        beta = np.linalg.solve(XVX, rhs[..., None])[..., 0]
        pwrss = M[:, p, p] - np.einsum("ki,ki->k", beta, rhs)
        valid &= np.isfinite(pwrss)
        pwrss = np.maximum(np.where(valid, pwrss, 1.0), 1e-300 * self.yty_scale)
        dof_safe = np.where(valid, dof, 1.0)
        ld_L2 = np.einsum("kg,kg->k", W, logdet)
        dev = ld_L2 + dof_safe * (1.0 + LOG2PI + np.log(pwrss / dof_safe))
        if self.reml:
            dev = dev + 2.0 * np.log(np.diagonal(chol["L"], axis1=1, axis2=2)).sum(axis=1)
        out.update(deviance=np.where(valid, dev, np.nan), beta=beta, pwrss=pwrss, lam=lam)
        if parts != "deviance":
            out.update(self._derivatives(lam, W, Q, beta, XVX, pwrss, dof_safe))
        return out

    def _derivatives(self, lam, W, Q, beta, XVX, pwrss, dof) -> dict:
        q, p, G = self.q, self.p, self.G
        K = len(W)
        ia, ib = self._ia, self._ib
        Zg = self.ZtZ
        N = np.eye(q)[:, :, None, None] - np.einsum("acg,cbkg->abkg", Zg, Q)
        A = np.einsum("ackg,cbg->abkg", N, Zg)
        v = np.concatenate([-beta, np.ones((K, 1))], axis=1)
        uv = (v @ self.u_rows).reshape(K, q, G).transpose(1, 0, 2)          # U_i v
        wv = np.einsum("ackg,ckg->akg", N, uv)                              # w_i
        C = np.linalg.inv(XVX)
        C = (C + C.transpose(0, 2, 1)) / 2
        cu = C[:, self._up_p[0], self._up_p[1]] * self._twice_p
        cp = (self.tab_x @ cu.T).reshape(len(self.pairs), G, K)
        cp = cp.transpose(0, 2, 1) * self._half[:, None, None]
        c = np.empty((q, q, K, G))
        c[ia, ib] = cp
        c[ib, ia] = cp
        F = np.einsum("rbkg,sbkg->rskg", np.einsum("rakg,abkg->rbkg", N, c), N)  # B_i C B_i'
        sumA = np.einsum("abkg,kg->kab", A, W)
        sumww = np.einsum("akg,bkg,kg->kab", wv, wv, W)
        sumBCB = np.einsum("rskg,kg->krs", F, W)

        def by_draw(x):  # (q, q, K, G) -> (K, q*q, G)
            return x.reshape(q * q, K, G).transpose(1, 0, 2)

        AW = by_draw(A * W)
        ww = by_draw(wv[:, None] * wv[None, :])
        mom = {name: (AW @ by_draw(x).transpose(0, 2, 1)).reshape(K, q, q, q, q)
               for name, x in (("S_AA", A), ("S_AF", F))}
        mom["S_Aww"] = (AW @ ww.transpose(0, 2, 1)).reshape(K, q, q, q, q)
        # Delta_l = E_l Lambda' + Lambda E_l' for theta_l at (r, c): with Y = Lambda'N and
        # s = Lambda'w_i, N'Delta_l N = N[r]'Y[c] + Y[c]'N[r], N'Delta_l w_i = N[r] s[c] +
        # Y[c] w_i[r]
        Y = np.einsum("kac,ajkg->cjkg", lam, N)
        sv = np.einsum("kac,akg->ckg", lam, wv)
        nt = len(self.positions)
        E = np.empty((nt, len(self.pairs), K, G))
        e = np.empty((nt, q, K, G))
        for t, (r, col) in enumerate(self.positions):
            E[t] = N[r, ia] * Y[col, ib] + Y[col, ia] * N[r, ib]
            e[t] = N[r] * sv[col] + Y[col] * wv[r]
        E *= W
        e *= W
        Kk = self._symmetric(E.transpose(2, 0, 1, 3).reshape(K * nt, -1) @ self.tab_x,
                             self._up_p, p).reshape(K, nt, p, p)
        u = (e.transpose(2, 0, 1, 3).reshape(K * nt, q * G) @ self.u_x).reshape(K, nt, p)
        D = _deltas(lam, self.positions)                                    # (K, nt, q, q)
        sigma = np.sqrt(pwrss / dof)
        hv = hessian_from_moments(D, C, sumA, sumBCB, sumww, mom, Kk, u, pwrss, sigma, dof,
                                  self.reml)
        # first derivatives of beta and of the penalised RSS in theta (beta minimises r^2):
        # d beta / d theta_l = -C u_l, d r^2 / d theta_l = -tr(Delta_l sum_i w_i w_i')
        return {"grad": profiled_gradient(sumA, sumww, sumBCB, pwrss, dof, lam, self.reml),
                "hessian": profiled_hessian(hv),
                "dbeta": -np.einsum("kij,klj->kli", C, u),
                "dpwrss": -np.einsum("klab,kab->kl", D, sumww)}

    # -- the iteration ---------------------------------------------------------------
    def fit(self, weights: np.ndarray) -> BlockFit:
        """Refit every draw (rows of ``weights``: draws x groups of multiplicities)."""
        W = np.asarray(weights, float)
        if W.ndim != 2 or W.shape[1] != self.G or (W < 0).any():
            raise ValueError(f"weights must be draws x {self.G} non-negative counts")
        cells = MAX_CELLS if heap_is_steady() else MAX_CELLS_UNSTEADY
        step = max(1, cells // max(self.G, 1))
        starts = self.first.steps(W)  # one product for the whole block
        parts = [self._fit_pass(W[i:i + step], starts[i:i + step])
                 for i in range(0, len(W), step)]
        return BlockFit(*(np.concatenate([getattr(f, name) for f in parts])
                          for name in ("beta", "sigma2", "random_cov", "theta", "ok")))

    def _fit_pass(self, W: np.ndarray, theta: np.ndarray) -> BlockFit:
        K, nt = len(W), self.theta.size
        theta = theta.copy()
        theta[~np.isfinite(theta).all(axis=1)] = self.theta
        found = np.full((K, nt), np.nan)
        # per draw: the last evaluation (deviance, gradient, Hessian, validity)
        p = self.p
        store = {"deviance": np.full(K, np.nan), "grad": np.full((K, nt), np.nan),
                 "hessian": np.full((K, nt, nt), np.nan), "valid": np.zeros(K, bool),
                 "beta": np.full((K, p), np.nan), "pwrss": np.full(K, np.nan),
                 "dof": np.full(K, np.nan), "dbeta": np.full((K, nt, p), np.nan),
                 "dpwrss": np.full((K, nt), np.nan)}
        last = np.full((K, nt), np.nan)  # each draw's last step, taken from ``store``'s point
        active = np.arange(K)
        self._evaluate_into(store, theta, W, active)
        for _ in range(MAX_ITER):
            if active.size == 0:
                break
            th = theta[active]
            good = store["valid"][active].copy()
            step = np.zeros_like(th)
            idx = np.flatnonzero(good)
            if idx.size:
                H = store["hessian"][active[idx]]
                pd = _positive_definite(H)
                step[idx[pd]] = np.linalg.solve(
                    H[pd], store["grad"][active[idx[pd]]][..., None])[..., 0]
                good[idx[~pd]] = False
            scaled = np.max(np.abs(step) / np.maximum(np.abs(th), 1.0), axis=1)
            cand = th - step
            final = good & (scaled < FINAL_STEP)
            fin = final & ~(cand[:, self.diag] < BOUNDARY).any(axis=1)
            found[active[fin]] = cand[fin]
            last[active[fin]] = step[fin]
            moving = np.flatnonzero(good & ~final)
            rows = active[moving]
            accepted = self._line_search(store, theta, W, rows, step[moving], scaled[moving])
            active = rows[accepted]
        return self._estimates(found, last, store)

    def _evaluate_into(self, store: dict, theta: np.ndarray, W: np.ndarray,
                       rows: np.ndarray) -> None:
        """Evaluate the draws ``rows`` at their theta, Hessian included, into ``store``."""
        if rows.size:
            ev = self.evaluate(theta[rows], W[rows], parts="hessian")
            for name in store:
                store[name][rows] = ev[name]

    def _estimates(self, found: np.ndarray, step: np.ndarray, store: dict) -> BlockFit:
        """beta, sigma^2 and Sigma_b at each draw's optimum ``found``, to first order from the
        last point evaluated (``store``), one last step ``step`` away.

        The last step is below 1e-5 relative, so what the first order leaves out is of the
        order of its square (1e-10), as Newton's error after it.
        """
        ok = np.isfinite(found).all(axis=1)
        delta = np.where(ok[:, None], -step, 0.0)
        beta = store["beta"] + np.einsum("kli,kl->ki", store["dbeta"], delta)
        pwrss = store["pwrss"] + np.einsum("kl,kl->k", store["dpwrss"], delta)
        ok &= pwrss > 0
        sigma2 = np.where(ok, pwrss / np.where(ok, store["dof"], 1.0), np.nan)
        lam = theta_to_lambda(np.where(ok[:, None], found, 0.0), self.q)
        cov = sigma2[:, None, None] * (lam @ lam.transpose(0, 2, 1))
        beta[~ok] = np.nan
        found = found.copy()
        found[~ok] = np.nan
        return BlockFit(beta=beta, sigma2=sigma2, random_cov=cov, theta=found, ok=ok)

    def _line_search(self, store: dict, theta: np.ndarray, W: np.ndarray, rows: np.ndarray,
                     step: np.ndarray, scaled: np.ndarray) -> np.ndarray:
        """warm_newton's step rule for the draws ``rows`` still moving: the full step where
        it is small (relative size at most ``NEAR``) or does not raise the deviance, else
        halved until it does not; a draw is given up when a step reaches the boundary.

        Moves ``theta`` of the draws accepted, evaluates them there into ``store`` (the
        evaluation at the full step is also the next iteration's), and returns which of
        ``rows`` were accepted.
        """
        dev0 = store["deviance"][rows].copy()
        base = theta[rows].copy()
        cand = base - step
        inside = ~(cand[:, self.diag] <= 0).any(axis=1)
        theta[rows[inside]] = cand[inside]
        self._evaluate_into(store, theta, W, rows[inside])
        accepted = inside & ((scaled <= NEAR) | (store["deviance"][rows] <= dev0))
        retry = np.flatnonzero(inside & ~accepted)
        if retry.size:  # rare: halve the step until the deviance does not rise
            t = np.full(retry.size, 0.5)
            pending = np.arange(retry.size)
            for _ in range(MAX_HALVINGS - 1):
                if pending.size == 0:
                    break
                trial = base[retry[pending]] - t[pending, None] * step[retry[pending]]
                inside = ~(trial[:, self.diag] <= 0).any(axis=1)
                pending, trial = pending[inside], trial[inside]
                near = t[pending] * scaled[retry[pending]] <= NEAR
                dev = np.full(pending.size, np.inf)
                if (~near).any():
                    dev[~near] = self.evaluate(trial[~near],
                                               W[rows[retry[pending[~near]]]])["deviance"]
                lower = near | (dev <= dev0[retry[pending]])
                done = retry[pending[lower]]
                theta[rows[done]] = trial[lower]
                accepted[done] = True
                pending = pending[~lower]
                t[pending] *= 0.5
            self._evaluate_into(store, theta, W, rows[retry[accepted[retry]]])
        return accepted


def _cholesky_where(M: np.ndarray, mask: np.ndarray) -> dict:
    """Lower Cholesky factors of the stacked ``M[k]`` where ``mask``; ``ok`` False where
    not positive definite (or not asked)."""
    K, p = M.shape[0], M.shape[-1]
    L = np.tile(np.eye(p), (K, 1, 1))
    ok = mask.copy()
    idx = np.flatnonzero(mask)
    try:
        L[idx] = np.linalg.cholesky(M[idx])
    except np.linalg.LinAlgError:  # one at a time, to find the ones that fail
        for k in idx:
            try:
                L[k] = np.linalg.cholesky(M[k])
            except np.linalg.LinAlgError:
                ok[k] = False
    return {"L": L, "ok": ok}


def _positive_definite(H: np.ndarray) -> np.ndarray:
    return _cholesky_where(H, np.isfinite(H).all(axis=(1, 2)))["ok"]
