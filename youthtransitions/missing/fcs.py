"""Fully conditional specification (chained equations) on a numeric matrix.

One chain: Bayesian linear-regression draws per incomplete column, imputed either by
predictive mean matching or by a normal draw, cycling over the columns ``n_iter`` times.
The algorithms are those of R ``mice`` (``mice.impute.pmm`` and ``mice.impute.norm``,
van Buuren 2018, algorithms 3.1 and 3.3); the random numbers come from the generator passed in.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fcs_chain", "draw_regression"]


def draw_regression(rng: np.random.Generator, x: np.ndarray, y: np.ndarray,
                    ridge: float = 1e-5) -> tuple[np.ndarray, np.ndarray, float]:
    """Least-squares fit and one draw from the posterior of (beta, sigma).

    Returns
    -------
    coef, beta_star, sigma_star
        The ridge-stabilised least-squares coefficients, a posterior draw of them, and a draw
        of the residual standard deviation.

    Notes
    -----
    As ``mice:::.norm.draw``: :math:`V = (X^\\top X + \\kappa\\,\\mathrm{diag}(X^\\top X))^{-1}`,
    :math:`\\hat\\beta = V X^\\top y`, :math:`\\sigma_*^2 = \\lVert y - X\\hat\\beta\\rVert^2 /
    g` with :math:`g \\sim \\chi^2_{n-p}`, :math:`\\beta_* = \\hat\\beta + \\sigma_* L z` with
    :math:`LL^\\top = V`, :math:`z \\sim N(0, I)`.
    """
    xtx = x.T @ x
    xtx = xtx + ridge * np.diag(np.diag(xtx))
    v = np.linalg.inv(xtx)
    v = (v + v.T) / 2
    coef = v @ (x.T @ y)
    resid = y - x @ coef
    df = max(x.shape[0] - x.shape[1], 1)
    sigma = np.sqrt(float(resid @ resid) / rng.chisquare(df))
    try:
        chol = np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        w, vec = np.linalg.eigh(v)
        chol = vec * np.sqrt(np.clip(w, 0, None))
    beta = coef + sigma * (chol @ rng.standard_normal(x.shape[1]))
    return coef, beta, sigma


def _pmm(rng, yhat_obs, yhat_mis, y_obs, donors):
    """Type-1 predictive mean matching: a random one of the ``donors`` nearest observed."""
    k = min(donors, yhat_obs.size)
    order = np.argsort(yhat_obs, kind="stable")
    sorted_hat = yhat_obs[order]
    pos = np.searchsorted(sorted_hat, yhat_mis)
    # a window of 2k consecutive donors around the insertion point, shifted inwards at the
    # ends (never clipped: clipping repeats the end donor and makes it the usual pick)
    width = min(2 * k, sorted_hat.size)
    start = np.clip(pos - k, 0, sorted_hat.size - width)
    lo = start[:, None] + np.arange(width)[None, :]
    dist = np.abs(sorted_hat[lo] - yhat_mis[:, None])
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    pick = rng.integers(0, k, size=yhat_mis.size)
    chosen = lo[np.arange(yhat_mis.size), nearest[np.arange(yhat_mis.size), pick]]
    return y_obs[order][chosen]


def fcs_chain(rng: np.random.Generator, data: np.ndarray, *, impute_cols: list[int],
              predictors: dict[int, list[int]], methods: dict[int, str], n_iter: int,
              donors: int = 5, ridge: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Run one chain of chained equations and return the completed matrix and its trace.

    Parameters
    ----------
    rng : numpy.random.Generator
    data : ndarray (n, p)
        Numeric data, ``NaN`` for missing. Predictor columns that are not imputed must be
        complete.
    impute_cols : list of int
        Columns to impute, in visiting order.
    predictors : dict
        Column -> list of predictor columns of its conditional model.
    methods : dict
        Column -> ``"pmm"`` or ``"norm"``.
    n_iter : int
        Number of cycles over ``impute_cols``.

    Returns
    -------
    completed : ndarray (n, p)
    trace : ndarray (n_iter, len(impute_cols), 2)
        Mean and standard deviation of the imputed values after each cycle.
    """
    x = np.array(data, dtype=float, copy=True)
    miss = np.isnan(x)
    for j in impute_cols:  # start: random draws from the observed values (as mice)
        obs = x[~miss[:, j], j]
        x[miss[:, j], j] = rng.choice(obs, size=int(miss[:, j].sum()), replace=True)
    trace = np.full((n_iter, len(impute_cols), 2), np.nan)
    ones = np.ones((x.shape[0], 1))
    for it in range(n_iter):
        for k, j in enumerate(impute_cols):
            mis = miss[:, j]
            if not mis.any():
                continue
            design = np.hstack([ones, x[:, predictors[j]]])
            xo, xm, yo = design[~mis], design[mis], x[~mis, j]
            coef, beta, sigma = draw_regression(rng, xo, yo, ridge)
            if methods[j] == "norm":
                vals = xm @ beta + sigma * rng.standard_normal(int(mis.sum()))
            else:
                vals = _pmm(rng, xo @ coef, xm @ beta, yo, donors)
            x[mis, j] = vals
            trace[it, k] = (vals.mean(), vals.std(ddof=1) if vals.size > 1 else 0.0)
    return x, trace
