"""Delta-adjustment sensitivity analysis for PMK reports missing not at random."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._disclosure import TableSpec
from .._tidy import TidyResult
from ..errors import UsageError
from .estimate import method_spec, mi_estimate
from .frames import PMK_OUTCOME, PMK_PREDICTOR
from .impute import ImputationResult

__all__ = ["SensitivityResult", "delta_sensitivity"]


class SensitivityResult(TidyResult):
    """Pooled estimate at each delta, and where the conclusion tips.

    Attributes
    ----------
    table : pandas.DataFrame
        ``delta, estimate, std_error, df, p_value, conf_low, conf_high, r2, r2_low, r2_high,
        n, significant`` (also :meth:`to_frame`).
    tipping_significance : float or None
        Delta nearest 0 at which the 95% interval of the slope reaches 0 (significance at
        ``alpha`` changes), linearly interpolated between grid points; ``None`` inside the grid
        never.
    tipping_sign : float or None
        Delta nearest 0 at which the pooled slope changes sign.
    """

    title = "Delta-adjustment sensitivity (PMK not missing at random)"

    def __init__(self, *, table, outcome, predictor, alpha, tipping_significance,
                 tipping_sign):
        self.table, self.outcome, self.predictor, self.alpha = table, outcome, predictor, alpha
        self.tipping_significance = tipping_significance
        self.tipping_sign = tipping_sign

    def _summary_header(self):
        return [("shifted variable", self.outcome), ("slope of", self.predictor),
                ("tipping point (significance)",
                 "none in grid" if self.tipping_significance is None
                 else self.tipping_significance),
                ("tipping point (sign)",
                 "none in grid" if self.tipping_sign is None else self.tipping_sign)]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: pooled estimates on ``n`` youth at each delta."""
        return method_spec(self.table.columns, "delta", text_columns=("significant",))

    def plot(self):
        """Pooled slope and its interval against delta, with the tipping point marked."""
        import matplotlib.pyplot as plt

        t = self.table
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        ax.fill_between(t["delta"], t["conf_low"], t["conf_high"], alpha=0.25,
                        color="tab:blue", label=f"{100 * (1 - self.alpha):.0f}% CI")
        ax.plot(t["delta"], t["estimate"], color="tab:blue", marker="o", ms=3,
                label="pooled slope")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        if self.tipping_significance is not None:
            ax.axvline(self.tipping_significance, color="tab:red", ls="--",
                       label=f"tipping point δ = {self.tipping_significance:.3g}")
        ax.set_xlabel(f"δ added to imputed {self.outcome}")
        ax.set_ylabel(f"slope on {self.predictor}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


def _crossing(deltas: np.ndarray, values: np.ndarray) -> float | None:
    """Delta nearest 0 where ``values`` changes sign relative to its value at delta 0."""
    i0 = int(np.argmin(np.abs(deltas)))
    ref = np.sign(values[i0])
    best = None
    for step in (1, -1):
        i = i0
        while 0 <= i + step < deltas.size:
            j = i + step
            if np.sign(values[j]) != ref:
                d0, d1, v0, v1 = deltas[i], deltas[j], values[i], values[j]
                cross = d0 + (0 - v0) * (d1 - d0) / (v1 - v0) if v1 != v0 else d1
                if best is None or abs(cross) < abs(best):
                    best = float(cross)
                break
            i = j
    return best


def delta_sensitivity(imputation: ImputationResult, *, deltas: Sequence[float] | None = None,
                      outcome: str = PMK_OUTCOME, predictor: str = PMK_PREDICTOR,
                      alpha: float = 0.05) -> SensitivityResult:
    """Shift the imputed values of ``outcome`` by each delta and re-estimate.

    Parameters
    ----------
    imputation : ImputationResult
        Result of :func:`~youthtransitions.missing.impute` (values imputed under MAR).
    deltas : sequence of float, optional
        Shifts added to every imputed (originally missing) value of ``outcome``. Default: 31
        points from -3 to +3 observed standard deviations of ``outcome`` (steps of 0.2 SD).
    outcome, predictor : str
        The youth-level regression ``outcome ~ predictor``; default the PMK analysis,
        wave-3 PMK functioning on wave-1 relationship quality.
    alpha : float, default 0.05
        Significance level of the conclusion whose tipping point is reported.

    Returns
    -------
    SensitivityResult

    Notes
    -----
    Delta adjustment (NARMI; Rubin 1987 §6.2; van Buuren 2018 §3.9.1; Leacy et al. 2017):
    under missing not at random, youth without a PMK report would be rated
    :math:`\\delta` higher (or lower) than a MAR imputation predicts. Each completed data set
    gets :math:`y_i + \\delta` for the imputed :math:`y_i`; the slope is pooled by Rubin's
    rules (Barnard-Rubin df) and R² by Fisher z, as in
    :func:`~youthtransitions.missing.estimate.mi_estimate`. The shift is applied after
    imputation rather than inside the chains, which is exact for a variable that is an
    outcome only (PMK functioning predicts no other imputed variable in this analysis). The
    tipping point is the delta nearest 0 where the interval bound nearest 0 crosses 0
    (linear interpolation between grid points; Liublinska & Rubin 2014).
    """
    if not isinstance(imputation, ImputationResult):
        raise UsageError("delta_sensitivity needs the result of impute()")
    for col in (outcome, predictor):
        if col not in imputation.data:
            raise UsageError(f"column {col!r} is not in the imputed data")
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must lie in (0, 1), got {alpha!r}")
    missing = imputation.data[outcome].isna().to_numpy()
    if not missing.any():
        raise UsageError(f"{outcome!r} has no missing values; nothing to shift")
    if deltas is None:
        sd = float(imputation.data[outcome].std())
        deltas = np.round(np.linspace(-3, 3, 31) * sd, 10)
    deltas = np.sort(np.asarray(list(deltas), dtype=float))
    if deltas.size < 2 or not np.all(np.isfinite(deltas)):
        raise UsageError("deltas must be at least two finite numbers")
    # only the two analysed columns are shifted and re-fitted, not whole completed frames
    pairs = [(d[predictor].to_numpy(float), d[outcome].to_numpy(float))
             for d in imputation.datasets]
    rows = []
    for delta in deltas:
        shifted = []
        for x, y in pairs:
            y = y.copy()
            y[missing] += delta
            shifted.append(pd.DataFrame({predictor: x, outcome: y}))
        row = mi_estimate(shifted, outcome=outcome, predictor=predictor, level=1 - alpha)
        row.pop("method")
        rows.append({"delta": float(delta), **row})
    table = pd.DataFrame(rows)
    table["significant"] = table["p_value"] < alpha
    i0 = int(np.argmin(np.abs(deltas)))
    est0 = table["estimate"].iloc[i0]
    bound = table["conf_low"] if est0 > 0 else table["conf_high"]
    return SensitivityResult(table=table, outcome=outcome, predictor=predictor, alpha=alpha,
                             tipping_significance=_crossing(deltas, bound.to_numpy()),
                             tipping_sign=_crossing(deltas, table["estimate"].to_numpy()))
