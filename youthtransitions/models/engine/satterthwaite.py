"""Satterthwaite denominator degrees of freedom for fixed effects, as lmerTest.

Notes
-----
Kuznetsova, Brockhoff & Christensen (2017), *lmerTest package: tests in linear mixed effects
models*, J. Stat. Softw. 82(13), section 3.2, and lmerTest 3.1's ``as_lmerModLT`` /
``contest1D``. With ``varpar = (theta, sigma)``:

- ``H`` is the Hessian of the (RE)ML deviance in ``varpar`` (profiled over beta only) at the
  optimum; here a central difference of the analytic gradient (lmerTest: numDeriv's
  Richardson extrapolation of the deviance). ``A = 2 H^+`` with ``H^+`` the Moore-Penrose
  inverse over eigenvalues above 1e-8 (lmerTest's ``tol``).
- ``J_k = d Var(beta) / d varpar_k`` (analytic, see ``ProfiledDeviance.covbeta_jacobian``).
- For a contrast ``l``: ``v = l' Var(beta) l``, ``g_k = l' J_k l``, ``df = 2 v^2 / (g' A g)``.

Checked against lmerTest 3.1.3 to 1e-3 relative (tests/reference/lme4/).
"""

from __future__ import annotations

import numpy as np

from .deviance import ProfiledDeviance

__all__ = ["satterthwaite_df", "varpar_hessian"]

EIG_TOL = 1e-8


def varpar_hessian(dev: ProfiledDeviance, varpar: np.ndarray) -> np.ndarray:
    """Symmetrised central-difference Hessian of the analytic ``varpar`` gradient."""
    k = len(varpar)
    H = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * max(abs(varpar[j]), 0.1)
        up, dn = varpar.copy(), varpar.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (dev.varpar_grad(up) - dev.varpar_grad(dn)) / (2 * h)
    return (H + H.T) / 2


def satterthwaite_df(dev: ProfiledDeviance, theta: np.ndarray, sigma: float,
                     vcov: np.ndarray) -> tuple[np.ndarray, dict]:
    """Satterthwaite df of each fixed effect (unit contrasts).

    Returns
    -------
    df : ndarray (p,)
    info : dict
        ``vcov_varpar`` (A), ``n_negative`` and ``n_zero`` Hessian eigenvalues (lmerTest
        warns about either).
    """
    varpar = np.append(np.asarray(theta, float), float(sigma))
    H = varpar_hessian(dev, varpar)
    evals, evecs = np.linalg.eigh(H)
    pos = evals > EIG_TOL
    A = 2.0 * (evecs[:, pos] / evals[pos]) @ evecs[:, pos].T
    jac = dev.covbeta_jacobian(varpar)
    p = vcov.shape[0]
    df = np.empty(p)
    for j in range(p):
        v = vcov[j, j]
        g = np.array([J[j, j] for J in jac])
        denom = g @ A @ g
        df[j] = 2.0 * v * v / denom if denom > 0 else np.inf
    info = dict(vcov_varpar=A, n_negative=int((evals < -EIG_TOL).sum()),
                n_zero=int((np.abs(evals) <= EIG_TOL).sum()))
    return df, info
