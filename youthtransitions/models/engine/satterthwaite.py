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
from .optimize import varpar_hessian

__all__ = ["satterthwaite_df", "varpar_hessian"]

EIG_TOL = 1e-8


def satterthwaite_df(dev: ProfiledDeviance, theta: np.ndarray, sigma: float,
                     vcov: np.ndarray, *, hessian: np.ndarray | None = None
                     ) -> tuple[np.ndarray, dict]:
    """Satterthwaite df of each fixed effect (unit contrasts).

    ``hessian``: the ``varpar`` Hessian when already computed at (practically) this point.

    Returns
    -------
    df : ndarray (p,)
    info : dict
        ``vcov_varpar`` (A), ``n_negative`` and ``n_zero`` Hessian eigenvalues (lmerTest
        warns about either).
    """
    varpar = np.append(np.asarray(theta, float), float(sigma))
    H = varpar_hessian(dev, varpar) if hessian is None else hessian
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
