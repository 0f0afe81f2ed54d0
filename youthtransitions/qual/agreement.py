"""Agreement coefficients: Cohen's kappa and Krippendorff's alpha.

Small, vectorised implementations so that bootstrap replicates are cheap. Both are checked
against Krippendorff's published example and R's ``irr`` package
(``tests/reference/irr/``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .._options import check_choice
from ..errors import UsageError

__all__ = ["cohen_kappa", "krippendorff_alpha", "alpha_from_counts", "alpha_batch",
           "kappa_batch", "unit_counts"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["unweighted", "linear", "quadratic"]


def cohen_kappa(rater1, rater2, *, weights: Weights = "unweighted") -> float:
    """Cohen's kappa of two raters on the same units (units missing for either are dropped).

    Parameters
    ----------
    rater1, rater2 : array-like
        Ratings of the same units, numbers or labels; NaN/None is missing.
    weights : {"unweighted", "linear", "quadratic"}
        Disagreement weights for ordered numeric ratings.

    Returns
    -------
    float
        Kappa; NaN when fewer than two units or when expected agreement is 1.

    Notes
    -----
    :math:`\\kappa_w = 1 - \\sum_{ij} w_{ij} p_{ij} / \\sum_{ij} w_{ij} p_{i\\cdot}p_{\\cdot j}`
    with disagreement weights :math:`w_{ij}` = 1 for :math:`i \\neq j` (unweighted),
    :math:`|i-j|/(k-1)` (linear) or its square (quadratic), where :math:`i, j` are ranks among
    the :math:`k` sorted categories present in either rater (Cohen 1960, 1968). ``linear`` and ``quadratic``
    equal R ``irr::kappa2(weight="equal")`` and ``weight="squared"``; checked in
    ``tests/qual/test_agreement.py``.
    """
    check_choice("weights", weights, Weights)
    a = np.asarray(rater1, dtype=object)
    b = np.asarray(rater2, dtype=object)
    if a.shape != b.shape or a.ndim != 1:
        raise UsageError("cohen_kappa needs two one-dimensional ratings of equal length")
    keep = np.array([not _missing(x) and not _missing(y) for x, y in zip(a, b, strict=True)],
                    dtype=bool)
    a, b = a[keep], b[keep]
    if len(a) < 2:
        return float("nan")
    cats = sorted(set(a.tolist()) | set(b.tolist()))
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    table = np.zeros((k, k))
    np.add.at(table, (np.array([index[x] for x in a]), np.array([index[y] for y in b])), 1)
    return _kappa_from_table(table, _kappa_weights(cats, weights))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x))


def _kappa_weights(cats: list, weights: str) -> np.ndarray:
    k = len(cats)
    if weights == "unweighted" or k < 2:
        return 1.0 - np.eye(k)
    i = np.arange(k, dtype=float)
    d = np.abs(i[:, None] - i[None, :]) / (k - 1)
    return d if weights == "linear" else d**2


def _kappa_from_table(table: np.ndarray, w: np.ndarray) -> float:
    n = table.sum()
    if n == 0:
        return float("nan")
    p = table / n
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    de = float((w * expected).sum())
    if de <= 1e-15:
        return float("nan")
    return 1.0 - float((w * p).sum()) / de


def unit_counts(data) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit category counts of a coders × units matrix (NaN missing).

    Returns ``(counts, values)``: ``counts[u, c]`` is how many coders gave unit ``u`` the
    value ``values[c]``.
    """
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise UsageError("reliability data must be a coders × units matrix")
    values = np.unique(x[~np.isnan(x)])
    counts = np.stack([(x == v).sum(axis=0) for v in values], axis=1) if len(values) else \
        np.zeros((x.shape[1], 0))
    return counts.astype(float), values


def _delta(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    """Squared differences; ``marginals`` is (B, C) and the result (B, C, C)."""
    c = len(values)
    b = marginals.shape[0]
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(c), (b, c, c))
    if level == "interval":
        return np.broadcast_to((values[:, None] - values[None, :]) ** 2, (b, c, c))
    if level == "ratio":
        s = values[:, None] + values[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.nan_to_num(((values[:, None] - values[None, :]) / s) ** 2)
        return np.broadcast_to(d, (b, c, c))
    cum = np.concatenate([np.zeros((b, 1)), np.cumsum(marginals, axis=1)], axis=1)
    lo = np.minimum.outer(np.arange(c), np.arange(c))
    hi = np.maximum.outer(np.arange(c), np.arange(c))
    between = cum[:, hi + 1] - cum[:, lo]
    return (between - (marginals[:, :, None] + marginals[:, None, :]) / 2.0) ** 2


def alpha_batch(counts: np.ndarray, values: np.ndarray, weights: np.ndarray, *,
                level: Level = "nominal") -> np.ndarray:
    """Krippendorff's alpha for many unit weightings at once.

    ``counts`` is (units, categories); ``weights`` (B, units) says how often each unit
    enters each of B versions of the data (1 for the data as observed, bootstrap counts for
    resamples). Returns B alphas (NaN where undefined).
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    m = counts.sum(axis=1)
    pairable = m >= 2
    if counts.shape[1] == 0 or not pairable.any():
        return np.full(weights.shape[0], np.nan)
    c = counts[pairable]
    scale = 1.0 / (m[pairable] - 1.0)
    k = c.shape[1]
    # per-unit coincidences, flattened: (units, C*C)
    per_unit = (c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(k)[None]) \
        * scale[:, None, None]
    o = (weights[:, pairable] @ per_unit.reshape(len(c), k * k)).reshape(-1, k, k)
    marg = o.sum(axis=2)
    n = marg.sum(axis=1)
    delta = _delta(values, marg, level)
    d_o = (o * delta).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        d_e = (marg[:, :, None] * marg[:, None, :] * delta).sum(axis=(1, 2)) / (n - 1.0)
        alpha = 1.0 - d_o / d_e
    alpha[(n <= 1) | ~(d_e > 1e-12)] = np.nan
    return alpha


def kappa_batch(pairs: np.ndarray, k: int, weights: np.ndarray, *,
                kind: Weights | Literal["agreement"] = "unweighted") -> np.ndarray:
    """Cohen's kappa (or raw agreement) for many unit weightings at once.

    ``pairs`` is (units, 2) of category indices 0..k-1 (-1 where a rater is missing);
    ``weights`` (B, units). Returns B values (NaN where undefined).
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    ok = (pairs >= 0).all(axis=1)
    if k == 0 or not ok.any():
        return np.full(weights.shape[0], np.nan)
    onehot = np.zeros((int(ok.sum()), k * k))
    onehot[np.arange(int(ok.sum())), pairs[ok, 0] * k + pairs[ok, 1]] = 1.0
    tables = (weights[:, ok] @ onehot).reshape(-1, k, k)
    n = tables.sum(axis=(1, 2))
    enough = (weights[:, ok] > 0).sum(axis=1) >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / n[:, None, None]
        if kind == "agreement":
            out = np.trace(p, axis1=1, axis2=2)
        else:
            w = _kappa_weights(list(range(k)), kind)
            expected = p.sum(axis=2)[:, :, None] * p.sum(axis=1)[:, None, :]
            de = (w * expected).sum(axis=(1, 2))
            out = 1.0 - (w * p).sum(axis=(1, 2)) / de
            out[~(de > 1e-12)] = np.nan
    out[~enough] = np.nan
    return out


def alpha_from_counts(counts: np.ndarray, values: np.ndarray, *, level: Level = "nominal",
                      weights: np.ndarray | None = None) -> float:
    """Krippendorff's alpha from per-unit category counts, units optionally weighted."""
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=float)
    return float(alpha_batch(counts, values, w[None, :], level=level)[0])


def krippendorff_alpha(data, *, level: Level = "nominal") -> float:
    """Krippendorff's alpha for a coders × units matrix with missing values.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        Numeric codes (map labels to numbers first); NaN where a coder did not code a unit.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric of the difference function.

    Returns
    -------
    float
        Alpha; NaN when no unit has two or more values or there is no variation.

    Notes
    -----
    Coincidences :math:`o_{ck} = \\sum_u \\sum_{i \\ne j} [v_{iu}=c][v_{ju}=k]/(m_u-1)` over
    units with :math:`m_u \\ge 2` values, marginals :math:`n_c = \\sum_k o_{ck}`, and
    :math:`\\alpha = 1 - (n-1)\\sum_{ck} o_{ck}\\,\\delta^2_{ck} /
    \\sum_{ck} n_c n_k\\,\\delta^2_{ck}`, with the nominal, ordinal
    (:math:`(\\sum_{g=c}^{k} n_g - (n_c+n_k)/2)^2`), interval and ratio metrics of
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability". Checked against that
    paper's 4-coder × 12-unit example (nominal 0.743) and R ``irr::kripp.alpha``.
    """
    check_choice("level", level, Level)
    counts, values = unit_counts(data)
    return alpha_from_counts(counts, values, level=level)
