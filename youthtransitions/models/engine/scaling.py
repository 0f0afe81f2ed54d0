"""Internal centring and scaling of the columns of X and Z, undone exactly.

The estimates a user sees do not depend on the units of a predictor, but the optimiser does:
the relative covariance factor of a slope on temperature in degrees (mean 200, sd 17) or on
time in seconds (sd ~ 2e5) lives on a scale far from the unit start, and a nearly collinear
intercept and slope make the deviance a narrow valley with a boundary local optimum beside
it (R's ``cake`` data). The engine therefore fits ``X_s = X A`` and ``Z_s = Z T`` with::

    column j of M_s = (m_j - c_j 1) / s_j          (M = X or Z; 1 the intercept column)

``c_j`` the column mean when Z has an intercept column and ``|mean| > 2 sd`` (else 0; X is
never centred, see :func:`fit_scalings`), ``s_j`` the power of two nearest the column's sd
(centred) or root mean square, used only when it is at least 2^4 from 1 (else 1). A and T are upper triangular (the intercept row
carries the centring). Columns already near unit scale are left untouched, so such models
are fitted with exactly the arithmetic they always were; powers of two scale without
rounding. The fitted model is the same one: ``beta = A beta_s``, ``b = T b_s``,
``Sigma_b = T Sigma_b,s T'``, and ``Lambda`` is the lower-triangular factor of ``T Lambda_s``
(``T Lambda_s = Lambda Q`` with Q orthogonal, an LQ decomposition), so ``Lambda Lambda' =
T Lambda_s Lambda_s' T'``. The deviance in ``theta`` is unchanged by Z's transform and
changes by the constant ``2 log|det A|`` (REML) under X's, so the optimum is the same point.

The transformed sufficient statistics are ``T' Z_i'Z_i T``, ``T' Z_i'X_i A``, ``T' Z_i'y_i``,
``A' X'X A`` and ``A' X'y`` (centring after accumulation loses about ``log10((mean/sd)^2)``
digits: two for ``cake``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .deviance import theta_positions, theta_to_lambda
from .suffstats import SuffStats

__all__ = ["ColumnScaling", "column_scaling", "scale_suffstats", "theta_back", "fit_scalings"]

SCALE_EXPONENT = 4  # rescale a column whose sd (or rms) is 2^4 or more from 1
CENTRE_RATIO = 2.0  # centre a column whose |mean| exceeds 2 sd (given an intercept)


@dataclass(frozen=True)
class ColumnScaling:
    """``M_s = M @ T``; ``scale`` holds the ``s_j`` (1 where a column is not rescaled)."""

    T: np.ndarray
    scale: np.ndarray

    @property
    def identity(self) -> bool:
        return bool(np.array_equal(self.T, np.eye(len(self.T))))


def column_scaling(sums: np.ndarray, sumsq: np.ndarray, n: int,
                   intercept: int | None) -> ColumnScaling:
    """The transform of one design from its column sums and sums of squares.

    Parameters
    ----------
    sums, sumsq : ndarray (k,)
        ``sum_r m_rj`` and ``sum_r m_rj^2``.
    n : int
        Rows.
    intercept : int or None
        Index of the all-ones column, if any (centring needs it).
    """
    k = len(sums)
    mean = sums / n
    rms = np.sqrt(sumsq / n)
    var = np.maximum(sumsq / n - mean**2, 0.0)
    T = np.eye(k)
    scale = np.ones(k)
    for j in range(k):
        if j == intercept:
            continue
        sd = math.sqrt(var[j])
        centre = intercept is not None and sd > 0 and abs(mean[j]) > CENTRE_RATIO * sd
        spread = sd if centre else rms[j]
        if spread > 0:
            e = round(math.log2(spread))
            if abs(e) >= SCALE_EXPONENT:
                scale[j] = 2.0**e
        T[j, j] = 1.0 / scale[j]
        if centre:
            T[intercept, j] = -mean[j] / scale[j]
    return ColumnScaling(T=T, scale=scale)


def _intercept(M: np.ndarray) -> int | None:
    for j in range(M.shape[1]):
        if np.all(M[:, j] == 1.0):
            return j
    return None


def fit_scalings(ss: SuffStats, X: np.ndarray, Z: np.ndarray
                 ) -> tuple[ColumnScaling, ColumnScaling]:
    """The transforms of X and Z (column moments read off the sufficient statistics)."""
    iz = _intercept(Z)
    # X is scaled, not centred: the profiled deviance depends on X only through its column
    # space (up to REML's constant), so centring X would change rounding, not the optimum
    xs = column_scaling(np.zeros(ss.p), np.diag(ss.XtX), ss.n, None)
    ztz = ss.ZtZ.sum(axis=2)
    zs = column_scaling(ztz[iz] if iz is not None else Z.sum(axis=0), np.diag(ztz), ss.n, iz)
    return xs, zs


def scale_suffstats(ss: SuffStats, A: np.ndarray, T: np.ndarray) -> SuffStats:
    """Sufficient statistics of ``(y, X A, Z T)`` from those of ``(y, X, Z)``."""
    q, p, G = ss.q, ss.p, ss.n_groups

    def left(M, k):  # T' M over the leading axis of a (q, k, G) stack
        return (T.T @ M.reshape(q, k * G)).reshape(q, k, G)

    ZtZ = left(left(ss.ZtZ, q).transpose(1, 0, 2), q).transpose(1, 0, 2)
    ZtX = left(ss.ZtX, p)
    if not np.array_equal(A, np.diag(np.diag(A))):
        ZtX = np.einsum("ajg,jb->abg", ZtX, A)
    else:
        ZtX = ZtX * np.diag(A)[None, :, None]
    Zty = T.T @ ss.Zty
    return replace(ss, ZtZ=ZtZ, ZtX=ZtX, Zty=Zty, XtX=A.T @ ss.XtX @ A, Xty=A.T @ ss.Xty)


def theta_back(theta_s: np.ndarray, T: np.ndarray) -> np.ndarray:
    """``theta`` of the original Z from ``theta_s`` of ``Z T`` (LQ of ``T Lambda_s``)."""
    q = len(T)
    M = T @ theta_to_lambda(theta_s, q)
    lam = np.linalg.qr(M.T, mode="r").T  # M = lam Q'
    lam = lam * np.where(np.diag(lam) < 0, -1.0, 1.0)  # flip columns: diagonal >= 0
    return np.array([lam[r, c] for r, c in theta_positions(q)])
