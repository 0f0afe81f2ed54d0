"""Per-group sufficient statistics of a two-level linear mixed model.

Everything the profiled deviance needs is a function of the per-group cross-products
``Z_i'Z_i`` (q x q), ``Z_i'X_i`` (q x p), ``Z_i'y_i`` (q) and the global ``X'X``, ``X'y``,
``y'y``. They are built once, each entry with one ``np.bincount`` over the rows (linear in n),
and stored entry-major, shape ``(q, q, G)`` etc., so that every later operation is a
vectorised array operation over all groups at once.

A cluster-bootstrap draw resamples whole groups: a group drawn ``w_i`` times is ``w_i``
groups of the resample, each with group ``i``'s cross-products. With the per-group global
parts kept as well (``per_group=True``: ``X_i'X_i``, ``X_i'y_i``, ``y_i'y_i`` and the group
size), :meth:`SuffStats.reweighted` gives the resample's statistics from the multiplicities
alone: the per-group arrays of the groups drawn, each carrying its multiplicity as a weight,
and the global sums ``sum_i w_i X_i'X_i`` etc. No row of the data is touched per draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["SuffStats", "sufficient_statistics"]


@dataclass(frozen=True)
class SuffStats:
    """Sufficient statistics; ``G`` groups, ``q`` random and ``p`` fixed columns.

    ``weights`` (G,), when set, is the multiplicity of each group column: column ``i``
    stands for ``weights[i]`` identical groups (a cluster-bootstrap resample), and every sum
    over groups weights column ``i`` by it; ``n_groups`` is then the number of columns and
    :attr:`group_count` the resample's number of groups. ``UU`` (p+1, p+1, G) and ``sizes``
    (G,), when set, are each group's ``[X_i y_i]'[X_i y_i]`` and row count, which
    :meth:`reweighted` needs; ``patterns`` caches :func:`~.patterns.design_patterns`.
    """

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
    weights: np.ndarray | None = None
    UU: np.ndarray | None = field(default=None, repr=False)
    sizes: np.ndarray | None = field(default=None, repr=False)
    patterns: tuple | None = field(default=None, repr=False)

    @property
    def group_count(self) -> float:
        """Number of groups: ``n_groups``, or the sum of the weights of a reweighted set."""
        return self.n_groups if self.weights is None else float(self.weights.sum())

    def require_per_group(self, who: str) -> None:
        """ValueError unless these are the per-group statistics of an unweighted sample,
        which a cluster-bootstrap refit (``who``) starts from."""
        if self.UU is None or self.sizes is None or self.weights is not None:
            raise ValueError(f"{who} needs the per-group statistics of an unweighted "
                             "sample (sufficient_statistics(..., per_group=True))")

    def reweighted(self, multiplicities: np.ndarray) -> SuffStats:
        """The statistics of the resample that takes group ``i`` ``multiplicities[i]`` times.

        Parameters
        ----------
        multiplicities : ndarray (G,) of int
            How often each group is drawn (``np.bincount`` of a cluster draw).

        Returns
        -------
        SuffStats
            Columns of the groups drawn that have rows, ``weights`` their multiplicities,
            ``XtX = sum_i w_i X_i'X_i`` (and ``X'y``, ``y'y``, ``n = sum_i w_i n_i``), so the
            deviance is that of the resample whose copies of a group are separate groups
            (lme4 on the resampled rows with fresh group codes). Needs ``per_group=True``
            statistics of an unweighted sample.

        Notes
        -----
        Exact: every per-group term of the profiled deviance (:mod:`.deviance`) depends on
        the group's own cross-products only, and the global terms are the sums above.
        Checked against fits of the resampled rows in tests/models/test_engine.py.
        """
        self.require_per_group("reweighted()")
        w = np.asarray(multiplicities, dtype=float)
        if w.shape != (self.n_groups,) or (w < 0).any():
            raise ValueError(f"multiplicities must be {self.n_groups} non-negative counts")
        keep = np.flatnonzero((w > 0) & (self.sizes > 0))
        wk = w[keep]
        m = self.p + 1
        UU = (self.UU.reshape(m * m, self.n_groups) @ w).reshape(m, m)
        patterns = None
        if self.patterns is not None:
            Zp, inverse, _ = self.patterns
            inv = inverse[keep]
            patterns = (Zp, inv, np.bincount(inv, weights=wk, minlength=len(Zp)))
        return SuffStats(ZtZ=self.ZtZ[:, :, keep], ZtX=self.ZtX[:, :, keep],
                         Zty=self.Zty[:, keep], XtX=UU[:-1, :-1], Xty=UU[:-1, -1].copy(),
                         yty=float(UU[-1, -1]), n=int(round(float(w @ self.sizes))),
                         p=self.p, q=self.q, n_groups=int(keep.size), weights=wk,
                         patterns=patterns)


def sufficient_statistics(y: np.ndarray, X: np.ndarray, Z: np.ndarray, groups: np.ndarray,
                          n_groups: int, *, per_group: bool = False) -> SuffStats:
    """Build the cross-products with one ``bincount`` per entry (no ``np.add.at``).

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
    Z : ndarray (n, q)
    groups : ndarray (n,) of int
        Codes ``0 .. n_groups-1``.
    n_groups : int
    per_group : bool, default False
        Also keep each group's ``[X_i y_i]'[X_i y_i]``, row count and ``Z_i'Z_i`` patterns,
        for :meth:`SuffStats.reweighted` (a cluster bootstrap).
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
    ss = SuffStats(ZtZ=ZtZ, ZtX=ZtX, Zty=Zty, XtX=X.T @ X, Xty=X.T @ y, yty=float(y @ y),
                   n=n, p=p, q=q, n_groups=n_groups)
    if not per_group:
        return ss
    from .patterns import design_patterns

    cols = Xc + [y]
    UU = np.empty((p + 1, p + 1, n_groups))
    for a in range(p + 1):
        for b in range(a, p + 1):
            UU[a, b] = np.bincount(g, weights=cols[a] * cols[b], minlength=n_groups)
            UU[b, a] = UU[a, b]
    return replace(ss, UU=UU, sizes=np.bincount(g, minlength=n_groups),
                   patterns=design_patterns(ss))
