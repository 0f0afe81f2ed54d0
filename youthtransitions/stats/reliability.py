"""Scale reliability of any item frame: Cronbach's alpha and McDonald's omega total.

:func:`alpha` and :func:`omega` take an ``n x k`` frame of item responses (NaN = missing) and
return results whose ``to_frame()`` is one row; :func:`cronbach_alpha` and
:func:`omega_total` are the same estimators on arrays, returning numbers (the study's
per-wave reliability table calls them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError

__all__ = ["AlphaResult", "OmegaResult", "alpha", "cronbach_alpha", "omega", "omega_loadings",
           "omega_total"]


def cronbach_alpha(values: np.ndarray, *, level: float = 0.95) -> tuple[float, float, float]:
    """Cronbach's alpha of an n × k item matrix (NaN = missing) and its Feldt CI.

    Returns
    -------
    alpha, low, high : float
        NaN when there are fewer than 2 items or rows, or the total variance is not positive.

    Notes
    -----
    ``alpha = k/(k-1) * (1 - tr(C) / sum(C))`` with ``C`` the pairwise-complete item
    covariance matrix (as ``psych::alpha(x, use = "pairwise")``'s ``raw_alpha`` and
    ``pingouin.cronbach_alpha``). The CI is Feldt's (Feldt, Woodruff & Salih 1987):
    ``1 - (1 - alpha) F_{1-p/2}(n-1, (n-1)(k-1))`` and ``1 - (1 - alpha) F_{p/2}(...)``,
    ``n`` the number of rows, as ``psych::alpha.ci``. Checked against psych 2.2.9
    (tests/reference/psych/, tests/reference/psych_omega/) to 1e-9.
    """
    from scipy.special import fdtri  # F quantile; far lighter to import than scipy.stats

    n, k = values.shape
    if k < 2 or n < 2:
        return np.nan, np.nan, np.nan
    cov = pd.DataFrame(values).cov().to_numpy()
    total = cov.sum()
    if not np.isfinite(total) or total <= 0:
        return np.nan, np.nan, np.nan
    estimate = k / (k - 1) * (1 - np.trace(cov) / total)
    p = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - estimate) * fdtri(df1, df2, 1 - p / 2)
    high = 1 - (1 - estimate) * fdtri(df1, df2, p / 2)
    return float(estimate), float(low), float(high)


def _first_factor(corr: np.ndarray, psi: np.ndarray) -> np.ndarray:
    reduced = corr.copy()
    np.fill_diagonal(reduced, 1 - psi)
    vals, vecs = np.linalg.eigh(reduced)
    return vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))


def _one_factor_minres(corr: np.ndarray, *, tol: float = 1e-12, max_iter: int = 2000
                       ) -> np.ndarray:
    """Loadings of a one-factor minres (ULS) solution, signed so that they sum to >= 0.

    As ``psych::fa(fm = "minres")``: the uniquenesses ``psi`` (bounded to [0.005, 1]) minimise
    the squared off-diagonal residuals of ``R - l l'`` (L-BFGS-B with psych's gradient
    ``l^2 + psi - 1``, from ``psi = 1 - SMC``), then principal-axis steps polish the fixed
    point ``psi = 1 - l^2``.
    """
    from scipy.optimize import minimize

    k = corr.shape[0]
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    off = ~np.eye(k, dtype=bool)

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        loadings = _first_factor(corr, psi)
        resid = (corr - np.outer(loadings, loadings))[off]
        return float(resid @ resid), loadings ** 2 + psi - 1

    bounds = [(0.005, 1.0)] * k
    fit = minimize(objective, np.clip(1 - smc, 0.005, 1.0), jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 1000})
    psi = fit.x
    for _ in range(max_iter):
        new = np.clip(1 - _first_factor(corr, psi) ** 2, 0.005, 1.0)
        if np.max(np.abs(new - psi)) < tol:
            psi = new
            break
        psi = new
    loadings = _first_factor(corr, psi)
    return loadings * np.sign(loadings.sum() or 1.0)


def omega_loadings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairwise-complete correlation matrix and its one-factor minres loadings.

    None when there are fewer than 2 items or 3 rows, or a correlation is undefined.
    """
    n, k = values.shape
    if k < 2 or n < 3:
        return None
    corr = pd.DataFrame(values).corr().to_numpy()
    if not np.all(np.isfinite(corr)):
        return None
    return corr, _one_factor_minres(corr)


def _omega_from(corr: np.ndarray, loadings: np.ndarray, flip: bool) -> tuple[float, np.ndarray]:
    key = np.where(loadings < 0, -1.0, 1.0) if flip else np.ones(len(loadings))
    flipped = corr * np.outer(key, key)
    return float(1 - np.sum(1 - loadings ** 2) / flipped.sum()), key


def omega_total(values: np.ndarray, *, flip: bool = False) -> float:
    """McDonald's omega total of an n × k item matrix (NaN = missing) from a one-factor model.

    ``flip=False`` (the default here, for items already keyed) uses the items as they are;
    :func:`omega` defaults to psych's ``flip=True``. NaN when fewer than 2 items or 3 rows.

    Notes
    -----
    A one-factor minres (unweighted least squares) model is fitted to the pairwise-complete
    Pearson correlation matrix ``R``, giving loadings ``lambda_j``; with ``D = diag(d)``,
    ``d_j = sign(lambda_j)`` when flipping (psych's ``key``) and 1 otherwise::

        omega_t = 1 - sum_j (1 - lambda_j^2) / sum(D R D)

    the estimator of ``psych::omega(x, nfactors = 1, fm = "minres", flip = ...)``
    (``omega.tot``; McDonald 1999, Revelle & Zinbarg 2009). Checked against psych 2.2.9
    (tests/reference/psych/, tests/reference/psych_omega/) to 1e-6 (psych stops its
    optimiser earlier than the polished fixed point here).
    """
    solved = omega_loadings(values)
    if solved is None:
        return np.nan
    return _omega_from(*solved, flip)[0]


def _items(items: Any, what: str) -> tuple[np.ndarray, list[str]]:
    """An item frame as a float matrix and its item names; UsageError if it is not one."""
    if isinstance(items, pd.DataFrame):
        frame = items
    elif isinstance(items, np.ndarray) and items.ndim == 2:
        frame = pd.DataFrame(items, columns=[f"item{j + 1}" for j in range(items.shape[1])])
    else:
        raise UsageError(f"{what} needs a DataFrame (or 2-D array) of items, one column per "
                         f"item, not {type(items).__name__}")
    for column in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[column])
                and not pd.api.types.is_bool_dtype(frame[column])):
            raise UsageError(f"{what}: item column {column!r} is not numeric "
                             f"({frame[column].dtype}); give item responses as numbers")
    if frame.shape[1] < 2:
        raise UsageError(f"{what} needs at least 2 items, got {frame.shape[1]}")
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    values = values[~np.all(np.isnan(values), axis=1)]
    if len(values) < 3:
        raise UsageError(f"{what} needs at least 3 rows with an answered item, got "
                         f"{len(values)}")
    return values, [str(c) for c in frame.columns]


@dataclass(frozen=True)
class AlphaResult(TidyResult):
    """Cronbach's alpha of an item frame with its Feldt interval (:func:`alpha`)."""

    alpha: float
    conf_low: float
    conf_high: float
    n: int
    n_items: int
    level: float = 0.95
    title = "Cronbach's alpha"

    def __float__(self) -> float:
        return float(self.alpha)

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: ``n`` counts respondents, ``n_items`` is a design
        parameter, the rest are estimates."""
        from .._disclosure import TableSpec, count, design, estimate

        return TableSpec({"n": count("respondent"), "n_items": design(), "alpha": estimate(),
                          "conf_low": estimate(), "conf_high": estimate()}, totals="none")

    def to_frame(self) -> pd.DataFrame:
        """One row: ``n, n_items, alpha, conf_low, conf_high``."""
        return pd.DataFrame([{"n": self.n, "n_items": self.n_items, "alpha": self.alpha,
                              "conf_low": self.conf_low, "conf_high": self.conf_high}])

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("CI level", self.level), ("CI", "Feldt")]


@dataclass(frozen=True, eq=False)
class OmegaResult(TidyResult):
    """McDonald's omega total of an item frame (:func:`omega`).

    Attributes
    ----------
    omega_total : float
    loadings : DataFrame
        One row per item: ``item, key`` (-1 reversed by the flip, 1 kept), ``loading`` (on
        the flipped items, as psych's ``schmid$sl``), ``h2`` (``loading^2``), ``u2``
        (``1 - h2``).
    n, n_items : int
    flip : bool
    """

    omega_total: float
    loadings: pd.DataFrame
    n: int
    n_items: int
    flip: bool
    title = "McDonald's omega total"

    def __float__(self) -> float:
        return float(self.omega_total)

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: ``n`` counts respondents, the item counts are design
        parameters, omega an estimate."""
        from .._disclosure import TableSpec, count, design, estimate

        return TableSpec({"n": count("respondent"), "n_items": design(),
                          "n_reversed": design(), "omega_total": estimate()}, totals="none")

    def to_frame(self) -> pd.DataFrame:
        """One row: ``n, n_items, n_reversed, omega_total``."""
        return pd.DataFrame([{"n": self.n, "n_items": self.n_items,
                              "n_reversed": int((self.loadings["key"] < 0).sum()),
                              "omega_total": self.omega_total}])

    def _summary_header(self) -> list[tuple[str, Any]]:
        reversed_items = self.loadings.loc[self.loadings["key"] < 0, "item"].tolist()
        return [("Model", "one factor, minres"), ("Flip", self.flip),
                ("Reversed items", ", ".join(reversed_items) or "none")]


def alpha(items: pd.DataFrame, *, level: float = 0.95) -> AlphaResult:
    """Cronbach's alpha of the items of one scale, with Feldt's interval.

    Parameters
    ----------
    items : DataFrame
        One column per item, one row per respondent; NaN for an unanswered item (rows with
        no item answered are dropped). Reverse-keyed items must be reflected first, as
        ``psych::alpha``'s default ``check.keys = FALSE`` expects.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    AlphaResult
        ``alpha``, ``conf_low``, ``conf_high``, ``n`` (rows used), ``n_items``;
        ``float(result)`` is alpha.

    Raises
    ------
    UsageError
        Not a frame of numeric items, fewer than 2 items or 3 answered rows, a bad level.

    Notes
    -----
    :func:`cronbach_alpha` on the pairwise-complete covariances: ``psych::alpha``'s
    ``raw_alpha``, checked to 1e-9 on the bfi agreeableness items
    (tests/reference/psych_omega/).

    Examples
    --------
    >>> import pandas as pd, youthtransitions as yt
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(yt.alpha(items).alpha, 4)
    0.9538
    """
    level = check_level(level)
    values, _ = _items(items, "alpha")
    estimate, low, high = cronbach_alpha(values, level=level)
    return AlphaResult(estimate, low, high, int(values.shape[0]), int(values.shape[1]), level)


def omega(items: pd.DataFrame, *, flip: bool = True) -> OmegaResult:
    """McDonald's omega total of the items of one scale, from a one-factor model.

    Parameters
    ----------
    items : DataFrame
        One column per item, one row per respondent; NaN for an unanswered item (rows with
        no item answered are dropped).
    flip : bool, default True
        Reverse items that load negatively on the factor before summing, as
        ``psych::omega``'s default; ``flip=False`` takes the items as they are (for items
        already keyed, as the study's reliability table does).

    Returns
    -------
    OmegaResult
        ``omega_total``, ``loadings`` (per item), ``n``, ``n_items``; ``float(result)`` is
        omega total.

    Raises
    ------
    UsageError
        Not a frame of numeric items, fewer than 2 items or 3 answered rows, a correlation
        that cannot be computed (an item without variance), ``flip`` not a bool.

    Notes
    -----
    See :func:`omega_total` for the estimator. Checked against psych 2.2.9's
    ``omega(x, nfactors = 1)`` with ``flip = TRUE`` and ``FALSE`` on the bfi agreeableness
    items, all rows and complete cases (tests/reference/psych_omega/): omega total and the
    loadings to 1e-6.
    """
    if not isinstance(flip, (bool, np.bool_)):
        raise UsageError(f"flip must be True or False, got {flip!r}")
    values, names = _items(items, "omega")
    solved = omega_loadings(values)
    if solved is None:
        raise UsageError("omega: an item correlation is undefined (an item without variance "
                         "or two items never answered together)")
    corr, loadings = solved
    total, key = _omega_from(corr, loadings, bool(flip))
    h2 = loadings ** 2
    table = pd.DataFrame({"item": names, "key": key.astype(int), "loading": loadings * key,
                          "h2": h2, "u2": 1 - h2})
    return OmegaResult(total, table, int(values.shape[0]), int(values.shape[1]), bool(flip))
