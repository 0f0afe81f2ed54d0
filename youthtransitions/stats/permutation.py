"""Permutation tests: the draws, the Monte Carlo p-value, and Freedman–Lane refits."""

from __future__ import annotations

import numpy as np

from .._options import check_count
from ..parallel import run_replicates
from .lstsq import ols

__all__ = ["permutation_p", "permutations", "freedman_lane", "mean_difference"]


def permutation_p(observed: float, null: np.ndarray) -> float:
    """Two-sided Monte Carlo permutation p-value, ``(1 + #{|T*| >= |T|}) / (1 + P)``.

    Notes
    -----
    Counting the observed statistic among the permutations keeps the test exact at
    level alpha (Phipson & Smyth 2010). A small tolerance absorbs floating-point ties.
    """
    null = np.asarray(null, dtype=float)
    null = null[~np.isnan(null)]
    if np.isnan(observed) or len(null) == 0:
        return float("nan")
    hits = np.sum(np.abs(null) >= abs(observed) * (1 - 1e-10) - 1e-12)
    return float((1 + hits) / (1 + len(null)))


def _perm(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.permutation(n)


def permutations(n: int, n_perm: int, *, seed: int | np.random.SeedSequence | None,
                 workers: int = 1) -> np.ndarray:
    """``n_perm`` random permutations of ``range(n)`` (rows), one replicate each.

    Replicate ``i`` is drawn by child ``i`` of the seed
    (:func:`youthtransitions.parallel.run_replicates`), so the rows do not depend on
    ``workers``.
    """
    n_perm = check_count("n_perm", n_perm)
    reps = run_replicates(_perm, n_perm, seed=seed, args=(n,), workers=workers,
                          description="permutations")
    return np.asarray(reps, dtype=np.intp).reshape(n_perm, n)


def freedman_lane(y: np.ndarray, X: np.ndarray, j: int, perms: np.ndarray) -> np.ndarray:
    """Null distribution of the t statistic of column ``j`` by Freedman & Lane (1983).

    The residuals of the reduced model (``X`` without column ``j``) are permuted and added
    to its fitted values; the full model is refitted to each permuted outcome.
    """
    reduced = np.delete(X, j, axis=1)
    fit = ols(y, reduced)
    fitted = y - fit["resid"][:, 0]
    ystar = fitted[:, None] + fit["resid"][:, 0][perms.T]
    return ols(ystar, X)["t"][j]


def mean_difference(y: np.ndarray, group: np.ndarray, perms: np.ndarray | None = None):
    """Mean of ``y`` where ``group`` minus where not; with ``perms`` the permuted differences."""
    g = group.astype(bool)
    obs = y[g].mean() - y[~g].mean()
    if perms is None:
        return obs
    gp = g[perms]  # (P, n): the group labels permuted
    n1 = g.sum()
    s1 = (gp * y[None, :]).sum(axis=1)
    return s1 / n1 - (y.sum() - s1) / (len(y) - n1)
