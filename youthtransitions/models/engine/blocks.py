"""Closed-form algebra on many small blocks at once.

A stack of ``G`` small ``q x q`` matrices is held entry-major, as an array of shape
``(q, q, G)``; each entry is a length-``G`` vector. Cholesky factorisation and triangular
solves are written as the textbook recurrences over the (few) entries, each step one
vectorised operation over all groups. For the small ``q`` of longitudinal models (1-3) this
is a handful of array operations, far faster than batched ``numpy.linalg``, whose per-matrix
call overhead dominates on millions of tiny matrices, and it works unchanged for any ``q``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cholesky_blocks", "forward_solve_blocks"]


def cholesky_blocks(S: np.ndarray) -> list[list[np.ndarray | None]]:
    """Lower Cholesky factors of a stack of symmetric positive-definite blocks.

    Parameters
    ----------
    S : ndarray (q, q, G)

    Returns
    -------
    list of lists
        ``L[i][j]`` (length-G arrays) for ``j <= i``; ``None`` above the diagonal.

    Notes
    -----
    ``L_jj = sqrt(S_jj - sum_{k<j} L_jk^2)``, ``L_ij = (S_ij - sum_{k<j} L_ik L_jk) / L_jj``
    (Golub & Van Loan 2013, alg. 4.2.1). Callers pass ``S = Lambda'Z'Z Lambda + I``, whose
    eigenvalues are >= 1, so the square roots are of numbers >= 1.
    """
    q = S.shape[0]
    L: list[list[np.ndarray | None]] = [[None] * q for _ in range(q)]
    for j in range(q):
        d = S[j, j].copy()
        for k in range(j):
            d -= L[j][k] * L[j][k]
        L[j][j] = np.sqrt(d)
        for i in range(j + 1, q):
            v = S[i, j].copy()
            for k in range(j):
                v -= L[i][k] * L[j][k]
            L[i][j] = v / L[j][j]
    return L


def forward_solve_blocks(L: list[list[np.ndarray | None]], B: np.ndarray) -> np.ndarray:
    """Solve ``L_g x_g = b_g`` for every group.

    Parameters
    ----------
    L : factors from :func:`cholesky_blocks`
    B : ndarray (q, G) or (q, m, G)
        Right-hand sides, entry-major; trailing axis is the group.

    Returns
    -------
    ndarray of the shape of ``B``
        ``x_i = (b_i - sum_{k<i} L_ik x_k) / L_ii``.
    """
    q = B.shape[0]
    out = np.empty_like(B)
    for i in range(q):
        v = B[i].copy()
        for k in range(i):
            v -= L[i][k] * out[k]
        out[i] = v / L[i][i]
    return out
