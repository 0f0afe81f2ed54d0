"""Small statistics used by the integration tests: Holm, permutation p-values, OLS, SMD."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import UsageError
from ..parallel import run_replicates

__all__ = ["holm", "permutation_p", "permutations", "ols", "freedman_lane",
           "mean_difference", "smd"]


def holm(pvalues) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries are left out and stay NaN.

    Notes
    -----
    With the m defined p-values sorted ascending, :math:`\\tilde p_{(i)} =
    \\max_{j \\le i} \\min(1, (m-j+1)\\,p_{(j)})`. Checked against
    ``statsmodels.stats.multitest.multipletests(method="holm")``.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    q = p[ok]
    m = len(q)
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


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
    """``n_perm`` random permutations of ``range(n)`` (rows), one replicate each."""
    if n_perm < 1:
        raise UsageError(f"n_perm must be at least 1, got {n_perm}")
    reps = run_replicates(_perm, n_perm, seed=seed, args=(n,), workers=workers,
                          description="permutations")
    return np.asarray(reps, dtype=np.intp).reshape(n_perm, n)


def ols(y: np.ndarray, X: np.ndarray) -> dict[str, np.ndarray]:
    """OLS of ``y`` (n,) or (n, k) on ``X`` (n, p): coefficients, standard errors, t, RSS.

    Batched over columns of ``y`` so that permutation refits are one matrix product.
    """
    y2 = y[:, None] if y.ndim == 1 else y
    n, p = X.shape
    if n <= p:
        raise UsageError(f"too few youth ({n}) for a model with {p} terms")
    xtx_inv = np.linalg.pinv(X.T @ X)
    beta = xtx_inv @ X.T @ y2
    resid = y2 - X @ beta
    rss = (resid**2).sum(axis=0)
    sigma2 = rss / (n - p)
    se = np.sqrt(np.outer(np.diag(xtx_inv), sigma2))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = beta / se
    return {"beta": beta, "se": se, "t": t, "rss": rss, "df": n - p, "resid": resid}


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


def welch_ci(y: np.ndarray, group: np.ndarray, level: float) -> tuple[float, float]:
    """Welch confidence interval of a difference in means."""
    a, b = y[group.astype(bool)], y[~group.astype(bool)]
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
    q = stats.t.ppf(0.5 + level / 2, df)
    d = a.mean() - b.mean()
    return float(d - q * se), float(d + q * se)


def smd(x: np.ndarray, group: np.ndarray, level: float = 0.95):
    """Standardised mean difference (pooled-SD Cohen's d) with a normal-theory interval.

    Notes
    -----
    :math:`d = (\\bar x_1 - \\bar x_0)/\\sqrt{(s_1^2 + s_0^2)/2}`, the balance metric of
    Austin (2009); :math:`SE(d) = \\sqrt{(n_1+n_0)/(n_1 n_0) + d^2 / (2(n_1+n_0))}`
    (Hedges & Olkin 1985).
    """
    g = group.astype(bool)
    a, b = x[g], x[~g]
    sd = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    if not sd > 0:
        return float("nan"), float("nan"), float("nan")
    d = (a.mean() - b.mean()) / sd
    n1, n0 = len(a), len(b)
    se = np.sqrt((n1 + n0) / (n1 * n0) + d**2 / (2 * (n1 + n0)))
    z = stats.norm.ppf(0.5 + level / 2)
    return float(d), float(d - z * se), float(d + z * se)
