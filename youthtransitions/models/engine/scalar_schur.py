"""The sparse Schur complement of scalar random terms, as a linear function of one vector.

When every random term is a scalar (a random intercept, or one slope), ``Lambda_2`` is
diagonal and the first term's block ``A`` of ``M`` is diagonal, with ``K = lambda_1^2 A^{-1}``
(one value per level of the first factor). The Schur complement of
:class:`~youthtransitions.models.engine.sparse.SparseDeviance` is then

    S = diag(l) (Z_2'Z_2 - Z_2'Z_1 diag(K) Z_1'Z_2) diag(l) + I,

whose pattern does not depend on theta and whose values on it are ``l_r l_c (c - P K) +
[r = c]``: ``c`` holds ``Z_2'Z_2`` on the pattern and ``P`` (nonzeros x levels) the products
``(Z_2'Z_1)_{r g} (Z_2'Z_1)_{c g}`` of each pair of other-term columns sharing a level ``g``.
Both, the reverse Cuthill-McKee order and the permuted compressed-column layout are formed
once, so an evaluation is one sparse product with ``K`` and the factorisation. On a
bootstrap draw of the shipped study (720 worker levels) forming ``S`` takes 0.04 ms CPU,
against 1.3 ms by sparse products, and a deviance evaluation 1.5 ms against 3.1 ms.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

__all__ = ["ScalarSchur"]


class ScalarSchur:
    """``S`` of scalar terms from ``K`` and the diagonal ``l`` of ``Lambda_2``.

    Parameters
    ----------
    ZtZ21 : sparse (Q2 x G1)
        ``Z_2'Z_1``.
    ZtZ22 : sparse (Q2 x Q2)
        ``Z_2'Z_2``.

    Attributes
    ----------
    perm : ndarray
        The reverse Cuthill-McKee order of ``S``'s rows and columns (``S[perm][:, perm]``).
    """

    def __init__(self, ZtZ21, ZtZ22):
        A = sp.csc_matrix(ZtZ21)
        A.sort_indices()
        Q2, G1 = A.shape
        m = np.diff(A.indptr)
        level = np.repeat(np.arange(G1), m)
        # every ordered pair of entries of one column (level) of Z_2'Z_1
        first = np.repeat(np.arange(A.nnz), m[level])
        start = np.repeat(A.indptr[level], m[level])
        offsets = np.repeat(np.cumsum(m[level]) - m[level], m[level])
        second = start + np.arange(first.size) - offsets
        rows, cols = A.indices[first], A.indices[second]
        B = sp.coo_matrix(ZtZ22)
        keys = np.concatenate([rows * Q2 + cols, B.row * Q2 + B.col,
                               np.arange(Q2) * (Q2 + 1)])
        pattern = np.unique(keys)
        pr, pc = pattern // Q2, pattern % Q2
        self.P = sp.csr_matrix((A.data[first] * A.data[second],
                                (np.searchsorted(pattern, rows * Q2 + cols), level[first])),
                               shape=(pattern.size, G1))
        self.c = np.zeros(pattern.size)
        np.add.at(self.c, np.searchsorted(pattern, B.row * Q2 + B.col), B.data)
        self.eye = (pr == pc).astype(float)
        self.rows, self.cols = pr, pc
        self.perm = reverse_cuthill_mckee(
            sp.csr_matrix((np.ones(pattern.size), (pr, pc)), shape=(Q2, Q2)),
            symmetric_mode=True)
        inv = np.argsort(self.perm)
        r, c = inv[pr], inv[pc]
        self.order = np.lexsort((r, c))
        self.indices = r[self.order].astype(np.int32)
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=Q2))]
                                     ).astype(np.int32)
        self.shape = (Q2, Q2)

    def matrix(self, K: np.ndarray, lam: np.ndarray) -> sp.csc_matrix:
        """``S[perm][:, perm]`` (compressed columns) at ``K`` (G1,) and ``l`` (Q2,)."""
        values = lam[self.rows] * lam[self.cols] * (self.c - self.P @ K) + self.eye
        return sp.csc_matrix((values[self.order], self.indices, self.indptr),
                             shape=self.shape)
