"""Per-group dense arrays of a fitted two-level model, padded to the largest group.

Every quantity this subpackage needs is a sum over groups of small products of ``X_i``,
``Z_i``, ``y_i`` and ``V_i = Z_i Sigma_b Z_i' + sigma^2 I``. Groups are stacked in arrays of
shape ``(G, m, .)`` with ``m`` the largest group size; padded rows have ``X = Z = y = 0`` and
a unit diagonal in ``V``, so they decouple from the real rows and add nothing to any sum. One
batched operation then serves all groups (the study's groups have at most a few waves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GroupArrays", "group_arrays", "lambda_of"]


@dataclass(frozen=True)
class GroupArrays:
    """Stacked per-group design; ``G`` groups, at most ``m`` rows each."""

    X: np.ndarray      # (G, m, p)
    Z: np.ndarray      # (G, m, q)
    y: np.ndarray      # (G, m)
    mask: np.ndarray   # (G, m) bool, True for real rows
    rows: np.ndarray   # (G, m) int, row of the model frame (-1 for padding)

    def V(self, random_cov: np.ndarray, sigma2: float) -> np.ndarray:
        """Marginal covariance blocks ``Z_i Sigma_b Z_i' + sigma^2 I`` (G, m, m)."""
        V = np.einsum("gia,ab,gjb->gij", self.Z, random_cov, self.Z)
        m = self.mask.shape[1]
        V[:, np.arange(m), np.arange(m)] += np.where(self.mask, sigma2, 1.0)
        return V

    def unstack(self, values: np.ndarray, n: int) -> np.ndarray:
        """Per-row values (G, m) back in model-frame order (n,)."""
        out = np.empty(n)
        out[self.rows[self.mask]] = values[self.mask]
        return out


def group_arrays(fit) -> GroupArrays:
    """Stack ``fit.X``, ``fit.Z``, ``fit.y`` by ``fit.groups``."""
    groups = np.asarray(fit.groups, dtype=np.intp)
    n_groups = int(fit.n_groups)
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(groups)) - np.repeat(starts, counts)
    m = int(counts.max())
    g_sorted = groups[order]
    X = np.zeros((n_groups, m, fit.X.shape[1]))
    Z = np.zeros((n_groups, m, fit.Z.shape[1]))
    y = np.zeros((n_groups, m))
    mask = np.zeros((n_groups, m), dtype=bool)
    rows = np.full((n_groups, m), -1, dtype=np.intp)
    X[g_sorted, pos] = fit.X[order]
    Z[g_sorted, pos] = fit.Z[order]
    y[g_sorted, pos] = fit.y[order]
    mask[g_sorted, pos] = True
    rows[g_sorted, pos] = order
    return GroupArrays(X=X, Z=Z, y=y, mask=mask, rows=rows)


def lambda_of(fit) -> np.ndarray:
    """The relative covariance factor ``Lambda`` (lower triangular, ``Sigma_b = sigma^2
    Lambda Lambda'``) of a fit, from its ``theta`` (lme4's column-major lower triangle)."""
    from ..engine.deviance import theta_to_lambda

    return theta_to_lambda(np.asarray(fit.theta, float), len(fit.random_names))
