"""Reliability per scale and wave: Cronbach's alpha with Feldt CI and McDonald's omega total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._tidy import TidyResult
from ..errors import UsageError
from .scales import reflected_items, scale_items

if TYPE_CHECKING:
    from .study import Study

__all__ = ["reliability", "cronbach_alpha", "omega_total", "ReliabilityResult",
           "RELIABILITY_COLUMNS"]

RELIABILITY_COLUMNS = ["scale", "table", "wave", "n", "n_items", "alpha", "alpha_low",
                       "alpha_high", "omega"]


def _pairwise(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(values)


def cronbach_alpha(values: np.ndarray, *, level: float = 0.95) -> tuple[float, float, float]:
    """Cronbach's alpha of an n × k item matrix (NaN = missing) and its Feldt CI.

    Returns
    -------
    alpha, low, high : float

    Notes
    -----
    ``alpha = k/(k-1) * (1 - tr(C) / sum(C))`` with ``C`` the pairwise-complete item
    covariance matrix (as ``psych::alpha(x, use = "pairwise")`` and
    ``pingouin.cronbach_alpha``, which computes the same point estimate). The CI is Feldt's
    (Feldt, Woodruff & Salih 1987): ``1 - (1 - alpha) F_{1-p/2}(n-1, (n-1)(k-1))`` and
    ``1 - (1 - alpha) F_{p/2}(...)``, ``n`` the number of rows, as ``psych::alpha.ci``.
    Checked against psych 2.2.9 in ``tests/reference/psych`` to 1e-9.
    """
    from scipy import stats

    n, k = values.shape
    if k < 2 or n < 2:
        return np.nan, np.nan, np.nan
    cov = _pairwise(values).cov().to_numpy()
    total = cov.sum()
    if not np.isfinite(total) or total <= 0:
        return np.nan, np.nan, np.nan
    alpha = k / (k - 1) * (1 - np.trace(cov) / total)
    p = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - p / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(p / 2, df1, df2)
    return float(alpha), float(low), float(high)


def _one_factor_minres(corr: np.ndarray, *, tol: float = 1e-12, max_iter: int = 20000
                       ) -> np.ndarray:
    """Loadings of a one-factor minres (ULS) solution by iterated principal axes."""
    k = corr.shape[0]
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    h2 = np.clip(smc, 0.005, 0.995)
    loadings = np.sqrt(h2)
    for _ in range(max_iter):
        reduced = corr.copy()
        np.fill_diagonal(reduced, h2)
        vals, vecs = np.linalg.eigh(reduced)
        loadings = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        new_h2 = np.clip(loadings ** 2, 0.0, 0.995)
        if np.max(np.abs(new_h2 - h2)) < tol:
            break
        h2 = new_h2
    return loadings * np.sign(loadings.sum() or 1.0)


def omega_total(values: np.ndarray) -> float:
    """McDonald's omega total of an n × k item matrix from a one-factor model.

    Notes
    -----
    A one-factor minres (unweighted least squares) model is fitted to the pairwise-complete
    Pearson correlation matrix ``R`` (iterated principal axes to convergence, the fixed point
    of the minres criterion), and ``omega_t = 1 - sum_j (1 - lambda_j^2) / sum(R)``, the
    estimator of ``psych::omega(x, nfactors = 1, fm = "minres")`` (``omega.tot``; McDonald
    1999, Revelle & Zinbarg 2009). Checked against psych 2.2.9 in ``tests/reference/psych``
    to 1e-5 (psych stops its optimiser earlier than this fixed-point iteration).
    """
    n, k = values.shape
    if k < 2 or n < 3:
        return np.nan
    corr = _pairwise(values).corr().to_numpy()
    if not np.all(np.isfinite(corr)):
        return np.nan
    loadings = _one_factor_minres(corr)
    return float(1 - np.sum(1 - loadings ** 2) / corr.sum())


@dataclass(frozen=True)
class ReliabilityResult(TidyResult):
    """Reliability of every scale per wave; ``to_frame()`` has :data:`RELIABILITY_COLUMNS`."""

    table: pd.DataFrame
    level: float = 0.95
    title: str = "Scale reliability (Cronbach's alpha, McDonald's omega total)"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("CI level", self.level), ("alpha CI", "Feldt"),
                ("omega", "one-factor minres, total")]


def reliability(study: Study, *, level: float = 0.95) -> ReliabilityResult:
    """Cronbach's alpha (with CI) and McDonald's omega per scale and wave.

    Parameters
    ----------
    study : Study
        A loaded study.
    level : float
        Confidence level of the alpha interval.

    Returns
    -------
    ReliabilityResult
        One row per scale (waves table scales first, then pmk) and wave: ``scale, table,
        wave, n, n_items, alpha, alpha_low, alpha_high, omega``. ``n`` counts the rows of that
        wave with at least one item of the scale answered.

    Notes
    -----
    Reverse-keyed items are reflected first. Alpha uses the pairwise-complete covariance
    matrix and Feldt's interval (:func:`cronbach_alpha`); omega total comes from a one-factor
    minres model (:func:`omega_total`). Reference: ``tests/reference/psych/reliability.R``.
    """
    if not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, not {level!r}")
    rows = []
    for table, frame in (("waves", study.waves), ("pmk", study.pmk)):
        if frame is None or len(frame) == 0:
            continue
        for scale, items in scale_items(study, table).items():
            values = reflected_items(frame, items)
            waves = frame["wave"].to_numpy()
            for wave in sorted(pd.unique(waves)):
                sub = values[waves == wave]
                sub = sub[~np.all(np.isnan(sub), axis=1)]
                alpha, low, high = cronbach_alpha(sub, level=level)
                rows.append({"scale": scale, "table": table, "wave": int(wave),
                             "n": int(sub.shape[0]), "n_items": int(sub.shape[1]),
                             "alpha": alpha, "alpha_low": low, "alpha_high": high,
                             "omega": omega_total(sub)})
    return ReliabilityResult(pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), level)
