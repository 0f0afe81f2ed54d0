"""Inverse probability of PMK availability weighting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from .._coef import coef_table
from .._disclosure import Disclosable, TableSpec, coef_columns, disclosable, model_size
from .._disclosure import df as df_kind
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import single_blas_thread
from ..stats.fisher import fisher_ci
from ..stats.smd import smd
from .frames import (
    AVAILABLE,
    PMK_OUTCOME,
    PMK_PREDICTOR,
    availability_inputs,
    check_level,
    youth_wide,
)
from .logit import covariate_matrix, fit_logit, logit_table

__all__ = ["IPWResult", "ipw", "availability_weights", "check_trim"]


def check_trim(trim: Any) -> tuple[float, float]:
    """``trim`` as ``(low, high)`` percentiles with 0 <= low < high <= 1, else UsageError."""
    message = f"trim must be two percentiles (low, high) with 0 <= low < high <= 1, got {trim!r}"
    try:
        lo, hi = (float(v) for v in trim)
    except (TypeError, ValueError) as exc:  # not iterable, wrong length, not numbers
        raise UsageError(message) from exc
    if not 0 <= lo < hi <= 1:
        raise UsageError(message)
    return lo, hi


def availability_weights(p: np.ndarray, available: np.ndarray, *, stabilize: bool = True,
                         trim: tuple[float, float] | None = (0.01, 0.99)) -> np.ndarray:
    """Inverse probability weights for the available units (0 for the others).

    Notes
    -----
    :math:`w_i = A_i / \\hat p_i`, stabilised :math:`w_i = A_i \\bar A / \\hat p_i` with
    :math:`\\bar A` the share available (Robins, Hernán & Brumback 2000); trimmed by clipping
    the available units' weights at the ``trim`` percentiles (Lee, Lessler & Stuart 2011).
    """
    p = np.asarray(p, dtype=float)
    a = np.asarray(available).astype(bool)
    if np.any((p <= 0) | (p > 1))[()]:
        raise UsageError("availability probabilities must lie in (0, 1]")
    w = np.where(a, 1.0 / p, 0.0)
    if stabilize:
        w = w * a.mean()
    if trim is not None:
        lo, hi = check_trim(trim)
        qlo, qhi = np.quantile(w[a], [lo, hi])
        w = np.where(a, np.clip(w, qlo, qhi), 0.0)
    return w


class IPWResult(TidyResult):
    """Weighted outcome model with robust (HC1) standard errors, and the weights behind it.

    Attributes
    ----------
    fit : statsmodels RegressionResults
        The WLS fit on the available youth.
    weights : pandas.Series
        Weight of every youth (0 when not available).
    probability : pandas.Series
        Fitted availability probability of every youth.
    balance : pandas.DataFrame
        ``covariate, mean_all, mean_available, mean_weighted, smd_unweighted, smd_weighted``:
        the available youth against the whole sample before and after weighting.
    model : pandas.DataFrame
        The availability model, one logistic model per stage (log-odds, odds ratios,
        ``stage`` and ``n``).
    r2, r2_low, r2_high : float
        Weighted R² of the outcome model and a Fisher-z interval on the Kish effective n.
    n, n_effective : number of youth in the outcome model, Kish effective sample size.
    """

    title = "Inverse probability of availability weighting"

    def __init__(self, *, fit, weights, probability, balance, model, formula, level,
                 stabilize, trim):
        self.fit, self.weights, self.probability = fit, weights, probability
        self.balance, self.model, self.formula, self.level = balance, model, formula, level
        self.stabilize, self.trim = stabilize, trim
        self._inputs = None  # (wide, available, covariate matrix, covariates) for retrim
        w = fit.model.weights
        self.n = int(fit.nobs)
        self.n_effective = float(w.sum() ** 2 / (w**2).sum())
        self.r2 = float(fit.rsquared)
        self.r2_low, self.r2_high = fisher_ci(self.r2, self.n_effective, level)

    def retrim(self, trim: tuple[float, float] | None) -> IPWResult:
        """The same weighting with the weights trimmed at other percentiles.

        Reuses the fitted availability probabilities and model (only the weights, balance
        and outcome model are recomputed), so ``ipw(data, ...).retrim(trim)`` equals
        ``ipw(data, ..., trim=trim)`` without refitting the availability model.
        """
        if trim is not None:
            check_trim(trim)
        if self._inputs is None:
            raise UsageError("retrim needs a result of ipw()")
        wide, a, x, covariates = self._inputs
        return _weighted_fit(wide, a, x, covariates, self.probability.to_numpy(), self.model,
                             formula=self.formula, level=self.level,
                             stabilize=self.stabilize, trim=trim)

    def _summary_header(self):
        w = self.weights[self.weights > 0]
        return [("formula", self.formula), ("youth in model", self.n),
                ("effective n (Kish)", self.n_effective), ("weights min", w.min()),
                ("weights max", w.max()), ("weighted R²", self.r2)]

    @property
    def ci_level(self) -> float:
        """The confidence level of the intervals (``level``)."""
        return self.level

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """The weighted outcome model: ``COEF_COLUMNS`` with HC1 standard errors, t tests and
        t intervals on ``df`` = n - k residual degrees of freedom, at ``level`` (default
        :attr:`ci_level`)."""
        return coef_table(self.fit.params.index, self.fit.params.to_numpy(),
                          self.fit.bse.to_numpy(), float(self.fit.df_resid),
                          level=self.level if level is None else level)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: the weighted model, its residual ``df``
        (``n - k``) an offset from the youth it was fitted on."""
        return TableSpec({**coef_columns(df_kind("n")), "n": model_size("youth")},
                         totals="none")

    def disclosure(self) -> Disclosable:
        """The weighted model with the youth it was fitted on (a helper column)."""
        frame = self.to_frame()
        return disclosable(frame.assign(n=self.n), self.disclosure_spec, columns=frame.columns)


def _default_stages(wide: pd.DataFrame, a: pd.Series, indicator: str) -> list[str]:
    if indicator == "pmk_nominated" or "pmk_nominated" not in wide:
        return []
    nom = pd.to_numeric(wide["pmk_nominated"], errors="coerce")
    if nom.isna().any() or (a[nom != 1] == 1).any() or nom.nunique() < 2:
        return []
    return ["pmk_nominated"]


def _estimable(col: pd.Series, y: pd.Series, min_count: int = 10) -> bool:
    """A covariate can enter a stage's model: it varies, and a 0/1 covariate has at least
    ``min_count`` youth at its rarer value and both outcomes among them (otherwise,
    typically for a missing-value indicator, it separates the classes and the fit
    diverges)."""
    vals = col.dropna()
    if vals.nunique() < 2:
        return False
    if set(vals.unique()) <= {0.0, 1.0}:
        rare = 0.0 if (vals == 0).sum() < (vals == 1).sum() else 1.0
        in_rare = y[vals.index][vals == rare]
        return int((vals == rare).sum()) >= min_count and in_rare.nunique() > 1
    return True


def _check_stage(name: str, y: pd.Series, a: pd.Series) -> None:
    """A stage is a 0/1 column that every available youth (still at risk) passed."""
    if not y.isin([0, 1]).all():
        raise UsageError(f"stage column {name!r} must be 0/1")
    failed = int(((a == 1) & (y != 1)).sum())
    if failed:
        raise UsageError(f"stage column {name!r}: {failed} available youth did not pass this "
                         f"stage; a stage must be required for availability (every available "
                         f"youth has 1)")
    if y.nunique() < 2:
        raise UsageError(f"stage column {name!r} does not vary among the youth who reach it")


def _staged_probability(wide, a, indicator, stages, x, level):
    """Product of per-stage logistic probabilities and the stacked model tables."""
    import statsmodels.api as sm

    at_risk = pd.Series(True, index=wide.index)
    p = np.ones(len(wide))
    tables = []
    if len(set(stages)) != len(stages) or indicator in stages:
        raise UsageError(f"stages must be distinct columns other than the indicator "
                         f"{indicator!r}, got {list(stages)}")
    for name in [*stages, indicator]:
        if name not in wide:
            raise UsageError(f"stage column {name!r} is not in the data")
        y = a if name == indicator else pd.to_numeric(wide[name], errors="coerce")
        if (y[at_risk].isna()).any():
            raise UsageError(f"stage column {name!r} has missing values")
        if name != indicator:
            _check_stage(name, y[at_risk], a[at_risk])
        cols = [c for c in x.columns if _estimable(x.loc[at_risk, c], y[at_risk])]
        fit = fit_logit(y[at_risk].rename(name), x.loc[at_risk, cols])
        design = sm.add_constant(x[cols], has_constant="add")
        p = p * np.asarray(fit.predict(design), dtype=float)
        tables.append(logit_table(fit, level).assign(stage=name, n=int(fit.nobs)))
        at_risk = at_risk & (y == 1)
    return p, pd.concat(tables, ignore_index=True)


def ipw(study: Any, *, formula: str | None = None, indicator: str = AVAILABLE,
        covariates: Sequence[str] | None = None, stabilize: bool = True,
        trim: tuple[float, float] | None = None, level: float = 0.95,
        stages: Sequence[str] | None = None) -> IPWResult:
    """Weight youth with a PMK report by their inverse probability of having one.

    Parameters
    ----------
    study : Study or pandas.DataFrame
        A study or its wide youth frame (:func:`~youthtransitions.missing.frames.youth_wide`).
    formula : str, optional
        Youth-level outcome model; default
        ``"pmk_functioning_w3 ~ relationship_quality_w1"``.
    indicator : str, default "pmk_available"
        0/1 column marking youth whose PMK outcome is observed.
    covariates : sequence of str, optional
        Predictors of availability (default: services, gender, ethnicity, age, subsample and
        wave-1 scale scores). A covariate with missing values is mean-filled and gets a
        missing-value indicator.
    stabilize : bool, default True
        Multiply the weights by the share available.
    trim : (float, float) or None, default None
        Percentiles of the available youth's weights at which to clip them, for example
        ``(0.01, 0.99)``. Trimming trades bias for variance: in the PMK simulation
        (docs/missing-data.md) 1%/99% trimming kept most of the complete-case bias, so the
        default is not to trim.
    level : float, default 0.95
    stages : sequence of str, optional
        0/1 columns of earlier stages that availability requires. Default:
        ``["pmk_nominated"]`` when that column exists and every available youth was
        nominated (a PMK report needs a nomination, then an interview); ``[]`` otherwise.

    Returns
    -------
    IPWResult

    Notes
    -----
    :math:`\\hat p_i = \\prod_k \\operatorname{expit}(\\hat\\alpha_k + x_i^\\top\\hat\\beta_k)`,
    one logistic model per stage fitted on the youth who passed the previous stages
    (sequential, monotone-missingness weighting; Robins, Rotnitzky & Zhao 1995): with the
    default stages :math:`P(\\text{nominated} \\mid x)\\,P(\\text{report} \\mid
    \\text{nominated}, x)`. A single logistic model cannot fit such a product (its
    probability is capped by the interview rate), and leaves covariates imbalanced. Weights
    as :func:`availability_weights`. The outcome model is weighted
    least squares on the available youth with heteroskedasticity-robust HC1 standard errors
    (statsmodels ``WLS(..., cov_type="HC1", use_t=True)``; these ignore the estimation of the
    weights, so they are slightly conservative, Lunceford & Davidian 2004); p-values and
    intervals use the t distribution on the residual df :math:`n - k` reported in ``df``.
    Balance: weighted SMD of each covariate between the available youth and the whole sample
    (target of the weighting), with the pooled unweighted SD as yardstick. Weighted R² is
    :math:`1 - \\sum w e^2 / \\sum w (y - \\bar y_w)^2`; its interval is Fisher-z on the Kish
    effective sample size :math:`(\\sum w)^2/\\sum w^2`. Checked against closed forms in
    ``tests/missing/test_weights.py``.
    """
    level = check_level(level)
    if trim is not None:
        check_trim(trim)
    wide = study if isinstance(study, pd.DataFrame) else youth_wide(study)
    formula = formula or f"{PMK_OUTCOME} ~ {PMK_PREDICTOR}"
    a, covariates = availability_inputs(wide, indicator, covariates)
    x = covariate_matrix(wide, covariates, missing="indicator")
    stages = _default_stages(wide, a, indicator) if stages is None else list(stages)
    with single_blas_thread():
        p, model = _staged_probability(wide, a, indicator, stages, x, level)
    return _weighted_fit(wide, a, x, covariates, p, model, formula=formula, level=level,
                         stabilize=stabilize, trim=trim)


def _weighted_fit(wide, a, x, covariates, p, model, *, formula, level, stabilize, trim):
    """Weights from the availability probabilities ``p``, balance and the weighted model."""
    w = availability_weights(p, a.to_numpy(), stabilize=stabilize, trim=trim)
    weights = pd.Series(w, index=wide.index, name="weight")
    rows = []
    avail = a.to_numpy() == 1
    for c in covariates:
        v = x[c].to_numpy(float)
        rows.append({"covariate": c, "mean_all": float(v.mean()),
                     "mean_available": float(v[avail].mean()),
                     "mean_weighted": float(np.average(v[avail], weights=w[avail])),
                     "smd_unweighted": smd(v[avail], v),
                     "smd_weighted": smd(v[avail], v, weights_a=w[avail])})
    balance = pd.DataFrame(rows)
    data = wide.assign(__w__=w)
    data = data[avail]
    try:
        with single_blas_thread():
            model_wls = smf.wls(formula, data=data, weights=data["__w__"])
            fit = model_wls.fit(cov_type="HC1", use_t=True)
    except Exception as exc:  # formula errors come from formulaic/patsy with varied types
        raise UsageError(f"cannot fit the outcome model {formula!r}: {exc}") from exc
    result = IPWResult(fit=fit, weights=weights, probability=pd.Series(p, index=wide.index),
                       balance=balance, model=model, formula=formula,
                       level=level, stabilize=stabilize, trim=trim)
    result._inputs = (wide, a, x, covariates)
    return result
