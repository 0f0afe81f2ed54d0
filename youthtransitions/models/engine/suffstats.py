"""Per-group sufficient statistics of a two-level linear mixed model.

Everything the profiled deviance needs is a function of the per-group cross-products
``Z_i'Z_i`` (q x q), ``Z_i'X_i`` (q x p), ``Z_i'y_i`` (q) and the global ``X'X``, ``X'y``,
``y'y``. They are built once, each entry with one ``np.bincount`` over the rows (linear in n),
and stored entry-major, shape ``(q, q, G)`` etc., so that every later operation is a
vectorised array operation over all groups at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SuffStats", "sufficient_statistics"]


@dataclass(frozen=True)
class SuffStats:
    """Sufficient statistics; ``G`` groups, ``q`` random and ``p`` fixed columns."""

    ZtZ: np.ndarray  # (q, q, G)
    ZtX: np.ndarray  # (q, p, G)
    Zty: np.ndarray  # (q, G)
    XtX: np.ndarray  # (p, p)
    Xty: np.ndarray  # (p,)
    yty: float
    n: int
    p: int
    q: int
    n_groups: int


def sufficient_statistics(y: np.ndarray, X: np.ndarray, Z: np.ndarray, groups: np.ndarray,
                          n_groups: int) -> SuffStats:
    """Build the cross-products with one ``bincount`` per entry (no ``np.add.at``).

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
    Z : ndarray (n, q)
    groups : ndarray (n,) of int
        Codes ``0 .. n_groups-1``.
    n_groups : int
    """
    y = np.ascontiguousarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    Z = np.asarray(Z, dtype=float)
    n, p = X.shape
    q = Z.shape[1]
    g = np.asarray(groups, dtype=np.intp)
    Zc = [np.ascontiguousarray(Z[:, j]) for j in range(q)]
    Xc = [np.ascontiguousarray(X[:, j]) for j in range(p)]
    ZtZ = np.empty((q, q, n_groups))
    for a in range(q):
        for b in range(a, q):
            ZtZ[a, b] = np.bincount(g, weights=Zc[a] * Zc[b], minlength=n_groups)
            ZtZ[b, a] = ZtZ[a, b]
    ZtX = np.empty((q, p, n_groups))
    for a in range(q):
        for j in range(p):
            ZtX[a, j] = np.bincount(g, weights=Zc[a] * Xc[j], minlength=n_groups)
    Zty = np.empty((q, n_groups))
    for a in range(q):
        Zty[a] = np.bincount(g, weights=Zc[a] * y, minlength=n_groups)
    return SuffStats(ZtZ=ZtZ, ZtX=ZtX, Zty=Zty, XtX=X.T @ X, Xty=X.T @ y, yty=float(y @ y),
                     n=n, p=p, q=q, n_groups=n_groups)
