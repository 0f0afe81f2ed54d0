"""The analytic Hessian of the (RE)ML deviance in ``varpar = (theta, sigma)``.

Notes
-----
With ``V = I + Z Lambda Lambda' Z'`` (relative), ``D_k = dV/dtheta_k = Z Delta_k Z'``,
``Delta_k = E_k Lambda' + Lambda E_k'``, ``D_kl = Z Delta_kl Z'``, ``Delta_kl = E_k E_l' +
E_l E_k'`` (``E_k`` the unit matrix at theta_k's position), ``C = (X'V^{-1}X)^{-1}``,
``P = V^{-1} - V^{-1} X C X'V^{-1}``, ``e = y - X beta-hat`` and ``r^2 = y'Py``, the deviance
``f = log|V| [+ log|X'V^{-1}X|] + r^2 / sigma^2 + dof log(2 pi sigma^2)`` has::

    f_kl = tr(M D_kl) - tr(M D_k M D_l) + (2 y'P D_k P D_l P y - y'P D_kl P y) / sigma^2
    f_k,sigma = 2 e'V^{-1} D_k V^{-1} e / sigma^3
    f_sigma,sigma = 6 r^2 / sigma^4 - 2 dof / sigma^2

with ``M = P`` for REML and ``V^{-1}`` for ML (McCulloch, Searle & Neuhaus 2008,
*Generalized, Linear, and Mixed Models*, 2nd ed., sections 6.11-6.12; ``dP = -P dV P``).
Per group, with ``A_i = Z_i'V_i^{-1}Z_i``, ``B_i = Z_i'V_i^{-1}X_i``, ``w_i =
Z_i'V_i^{-1}e_i``, ``F_i = B_i C B_i'`` and ``K_k = sum_i B_i' Delta_k B_i``::

    tr(V^{-1} D_k V^{-1} D_l) = sum_i tr(A_i Delta_k A_i Delta_l)
    tr(P D_k P D_l)  = that - 2 sum_i tr(Delta_k A_i Delta_l F_i) + tr(C K_k C K_l)
    tr(M D_kl)       = tr(Delta_kl (sum_i A_i [- sum_i F_i]))
    y'P D_k P D_l P y = sum_i w_i' Delta_k A_i Delta_l w_i - u_k' C u_l,  u_k = sum_i B_i' Delta_k w_i
    e'V^{-1} D V^{-1} e = tr(Delta sum_i w_i w_i')

The sums over groups are the moments of ``hessian_moments`` (one matrix product each). The
Hessian is checked against central differences of the analytic gradient in
tests/models/test_engine.py.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .deviance import ProfiledDeviance, theta_positions

__all__ = ["varpar_hessian_exact", "varpar_hessian_at", "hessian_from_moments",
           "profiled_hessian"]


def _deltas(lam: np.ndarray, positions) -> np.ndarray:
    """``Delta_k = E_k Lambda' + Lambda E_k'`` for every theta_k, shape (..., K, q, q)
    (leading axes of ``lam``, shape (..., q, q), are separate problems)."""
    q = lam.shape[-1]
    out = np.zeros(lam.shape[:-2] + (len(positions), q, q))
    for k, (r, c) in enumerate(positions):
        out[..., k, r, :] += lam[..., :, c]
        out[..., k, :, r] += lam[..., :, c]
    return out


@functools.lru_cache(maxsize=16)
def _delta2(q: int) -> np.ndarray:
    """``Delta_kl = E_k E_l' + E_l E_k'`` flattened to (K*K, q*q) (constant for each q)."""
    positions = theta_positions(q)
    K = len(positions)
    out = np.zeros((K, K, q, q))
    for k, (rk, ck) in enumerate(positions):
        for m, (rl, cl) in enumerate(positions):
            if ck == cl:
                out[k, m, rk, rl] += 1.0
                out[m, k, rk, rl] += 1.0
    return out.reshape(K * K, q * q)


def _t(a: np.ndarray) -> np.ndarray:
    """The transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def _pair(D: np.ndarray, S: np.ndarray, order: str) -> np.ndarray:
    """``sum D_k[.,.] D_l[.,.] S[a,b,c,d]`` over the four indices, as two matrix products.

    ``order`` names the positions of S (a, b, c, d for its four axes) that the two indices
    of ``D_k`` and of ``D_l`` meet: ``"bc,da"`` is ``sum D_k[b,c] D_l[d,a] S[a,b,c,d]``.
    Leading axes of ``D`` (..., K, q, q) and ``S`` (..., q, q, q, q) are separate problems.
    """
    q = D.shape[-1]
    lead = S.ndim - 4
    k_idx, l_idx = order.split(",")
    perm = list(range(lead)) + [lead + "abcd".index(ch) for ch in k_idx + l_idx]
    S2 = S.transpose(perm).reshape(S.shape[:lead] + (q * q, q * q))
    Df = D.reshape(D.shape[:-2] + (q * q,))
    return Df @ S2 @ _t(Df)


def varpar_hessian_exact(dev: ProfiledDeviance, varpar: np.ndarray, st: dict | None = None
                         ) -> np.ndarray:
    """Hessian of :meth:`ProfiledDeviance.varpar_deviance` at ``varpar``.

    ``st``: ``dev.state(theta, need_grad=True)`` when already computed at this theta.
    """
    varpar = np.asarray(varpar, float)
    theta, sigma = varpar[:-1], float(varpar[-1])
    if st is None:
        st = dev.state(theta, need_grad=True)
    mom = dev.hessian_moments(st)
    q, K = dev.q, len(theta)
    D = _deltas(st["lam"], dev.positions)                                   # (K, q, q)
    p = st["C"].shape[0]
    Df = D.reshape(K, q * q)
    Kk = (Df @ mom["Kb"].reshape(q * q, p * p)).reshape(K, p, p)
    BW = mom["BW"]                                                          # (q, p, q)
    u = Df @ BW.transpose(0, 2, 1).reshape(q * q, BW.shape[1])              # (K, p)
    return hessian_from_moments(D, st["C"], st["sumA"], st["sumBCB"], st["sumww"],
                                mom, Kk, u, st["pwrss"], sigma, dev.dof, dev.reml)


def varpar_hessian_at(dev: ProfiledDeviance, theta: np.ndarray, st: dict) -> np.ndarray:
    """:func:`varpar_hessian_exact` at ``theta`` and sigma at its profiled value
    ``sqrt(r^2 / dof)``, from ``st = dev.state(theta, need_grad=True)``."""
    return varpar_hessian_exact(dev, np.append(theta, math.sqrt(st["pwrss"] / dev.dof)), st)


def hessian_from_moments(D, C, sumA, sumBCB, sumww, mom: dict, Kk, u, pwrss, sigma, dof,
                         reml: bool) -> np.ndarray:
    """The Hessian in ``(theta, sigma)`` from the sums over groups (module notes).

    ``D``: the ``Delta_k`` (..., K, q, q); ``mom``: ``S_AA``, ``S_AF`` and ``S_Aww`` of
    :meth:`ProfiledDeviance.hessian_moments`; ``Kk`` (..., K, p, p) the ``K_k = sum_i
    B_i' Delta_k B_i`` and ``u`` (..., K, p). Leading axes (draws of a bootstrap) are
    separate problems, computed at once.
    """
    K, q = D.shape[-3], D.shape[-1]
    lead = np.shape(pwrss)
    G1 = sumA - sumBCB if reml else sumA
    trPP = _pair(D, mom["S_AA"], "bc,da")
    if reml:
        trAF = _pair(D, mom["S_AF"], "da,bc")  # sum D_k[a,b] D_l[c,d] A[b,c] F[d,a]
        CK = C[..., None, :, :] @ Kk
        trCKCK = np.einsum("...kij,...lji->...kl", CK, CK)
        trPP = trPP - (trAF + _t(trAF)) + trCKCK
    quad = _pair(D, mom["S_Aww"], "ca,bd")  # sum D_k[a,b] D_l[c,d] A[b,c] w[a] w[d]
    quad = quad - u @ C @ _t(u)
    D2 = _delta2(q)                                                         # (K*K, q*q)
    trD2G = (_t(G1).reshape(lead + (q * q,)) @ D2.T).reshape(lead + (K, K))
    ww = _t(sumww).reshape(lead + (q * q,))
    trD2w = (ww @ D2.T).reshape(lead + (K, K))
    s2 = np.asarray(sigma * sigma)
    H = np.empty(lead + (K + 1, K + 1))
    H[..., :K, :K] = trD2G - trPP + (2.0 * quad - trD2w) / s2[..., None, None]
    cross = 2.0 * (D.reshape(lead + (K, q * q)) @ ww[..., None])[..., 0] \
        / (s2 * sigma)[..., None]
    H[..., :K, K] = cross
    H[..., K, :K] = cross
    H[..., K, K] = 6.0 * pwrss / (s2 * s2) - 2.0 * dof / s2
    return (H + _t(H)) / 2


def profiled_hessian(hv: np.ndarray) -> np.ndarray:
    """Hessian of the profiled deviance from that in ``(theta, sigma)`` at sigma-hat(theta):
    the Schur complement ``f_tt - f_ts f_st / f_ss`` (``f_s = 0`` there); leading axes are
    separate problems."""
    return hv[..., :-1, :-1] - hv[..., :-1, -1, None] * hv[..., None, -1, :-1] \
        / hv[..., -1, -1, None, None]
