"""Panel cross-checks of a predictor's effect: fixed effects, random effects, mixed model.

The within (fixed-effects) estimator, the random-effects GLS estimator (linearmodels), the
mixed model's REML estimate (:func:`fit_lmm`) and the Mundlak (correlated random effects)
test of the predictor's person mean, side by side in one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._coef import coef_table
from .._disclosure import (
    DF_BASES,
    Disclosable,
    TableSpec,
    coef_columns,
    df_base_columns,
    disclosable,
    text,
    with_df_bases,
)
from .._disclosure import (
    df as df_kind,
)
from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..stats.distributions import chi2_sf

__all__ = ["PanelComparison", "panel_compare"]


@dataclass(frozen=True, repr=False)
class PanelComparison(TidyResult):
    """Estimates of one predictor's effect by several panel estimators.

    Attributes
    ----------
    table : DataFrame
        ``estimator`` followed by ``COEF_COLUMNS``: the predictor's coefficient under
        ``fixed_effects``, ``random_effects``, ``mixed_model`` and ``mundlak`` (the within
        effect of the correlated random-effects model), and the row ``mundlak_test`` (the
        person-mean coefficient of the Mundlak model, whose Wald test is the Hausman-type test).
    mundlak_chi2, mundlak_p : float
        The Mundlak Wald statistic (chi-square, 1 df) and its p value.
    hausman_chi2, hausman_df, hausman_p : float, int, float
        The classic Hausman (1978) contrast of fixed and random effects over the regressors
        (as ``plm::phtest``).
    n_obs, n_entities : int
    ci_level : float
        Level of the table's intervals; ``to_frame(level)`` recomputes them at another.
    """

    table: pd.DataFrame
    predictor: str
    mundlak_chi2: float
    mundlak_p: float
    hausman_chi2: float
    hausman_df: int
    hausman_p: float
    n_obs: int
    n_entities: int
    ci_level: float = 0.95
    title: str = "Panel cross-check"

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("Predictor", self.predictor), ("Observations", self.n_obs),
                ("Entities", self.n_entities), ("Mundlak chi2 (1 df)", self.mundlak_chi2),
                ("Mundlak p", self.mundlak_p), ("Hausman chi2", self.hausman_chi2),
                ("Hausman df", self.hausman_df), ("Hausman p", self.hausman_p)]

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """``estimator`` and ``COEF_COLUMNS``, intervals at ``level`` (default
        :attr:`ci_level`; t on ``df``, normal where ``df`` is NaN)."""
        if level is None or level == self.ci_level:
            return self.table.copy()
        t = self.table
        frame = coef_table(t["term"], t["estimate"], t["std_error"], t["df"], level=level)
        return pd.concat([t[["estimator"]], frame], axis=1)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: estimates, and ``df`` as the same offset from
        the published counts as from the exact ones (fixed effects: within df, observations
        beyond one per youth; the others: observations)."""
        return TableSpec({"estimator": text(), **coef_columns(df_kind(*DF_BASES)),
                          **df_base_columns()}, totals="none")

    def disclosure(self) -> Disclosable:
        """The comparison with the model sizes and each row's df bases (helper columns)."""
        frame = self.to_frame()
        levels = ["within" if e == "fixed_effects" else "observation"
                  for e in frame["estimator"]]
        helper = with_df_bases(frame, levels, n_obs=self.n_obs, n_groups=self.n_entities)
        return disclosable(helper, self.disclosure_spec, columns=frame.columns)


def panel_compare(data: pd.DataFrame, *, outcome: str, predictor: str, entity: str, time: str,
                  covariates: Sequence[str] = (), level: float = 0.95) -> PanelComparison:
    """Compare the predictor's effect under fixed-effects, random-effects and mixed models.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per entity and time.
    outcome, predictor : str
        Numeric columns.
    entity, time : str
        Panel identifiers (youth and wave).
    covariates : sequence of str, keyword-only
        Further numeric regressors (time-varying ones are identified by the within estimator).
    level : float, default 0.95
        Confidence level, between 0 and 1.

    Raises
    ------
    UsageError
        Unknown or non-numeric column, a column in two roles, repeated (entity, time) pairs,
        fewer than 2 entities, a regressor constant within every entity, a bad ``level``, a
        column named ``<predictor>_mean`` or ``_const`` (used internally).

    Returns
    -------
    PanelComparison

    Notes
    -----
    * Non-numeric (e.g. string) time labels are replaced by their sorted codes 0, 1, ...
    * Fixed effects: ``linearmodels.PanelOLS(entity_effects=True)``, i.e. OLS of
      :math:`y_{it}-\\bar y_i` on :math:`x_{it}-\\bar x_i` with df ``n - N - k``.
    * Random effects: ``linearmodels.RandomEffects`` (quasi-demeaned GLS, variance components
      as linearmodels estimates them).
    * Mixed model: ``fit_lmm(outcome ~ predictor + covariates, group=entity)`` by REML, the
      coefficient with Satterthwaite df.
    * Mundlak (1978): random effects with the entity mean :math:`\\bar x_i` added; its
      coefficient estimates :math:`\\beta_B - \\beta_W`, and its Wald test
      :math:`\\chi^2_1 = (\\hat\\gamma/\\mathrm{se})^2` is the regression-based Hausman test
      (Wooldridge 2010, sec. 10.7.3). The predictor's coefficient in this model equals the
      within estimate in balanced panels when every time-varying regressor's mean is added;
      only the predictor's mean is added here.
    * Hausman (1978): :math:`H = (b_{FE}-b_{RE})'(V_{FE}-V_{RE})^{-1}(b_{FE}-b_{RE})`,
      :math:`\\chi^2` with as many df as regressors (``plm::phtest``).

    Checked against the closed-form within estimator and R's plm 2.6 (``model="within"``,
    ``"random"``) in ``tests/models/test_panel.py``.
    """
    from linearmodels.panel import PanelOLS, RandomEffects

    from .lmm import fit_lmm

    covariates = list(covariates)
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"panel_compare needs a DataFrame, got {type(data).__name__}")
    level = check_level(level)
    cols = [outcome, predictor, *covariates]
    names = [*cols, entity, time]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise UsageError(f"panel_compare: column(s) {repeated} used in more than one role "
                         "(outcome, predictor, covariates, entity, time must all differ)")
    reserved = [c for c in (f"{predictor}_mean", "_const") if c in names]
    if reserved:
        raise UsageError(f"panel_compare: column name(s) {reserved} are used internally "
                         "(the person mean and the constant); rename them")
    missing = [c for c in [*cols, entity, time] if c not in data.columns]
    if missing:
        raise UsageError(f"panel_compare: column(s) {missing} not in the data")
    for c in cols:
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise UsageError(f"panel_compare: column {c!r} must be numeric, "
                             f"it has dtype {data[c].dtype}")
    frame = data[[entity, time, *cols]].dropna()
    if frame.duplicated([entity, time]).any():
        raise UsageError(f"panel_compare: ({entity}, {time}) pairs are not unique")
    n_entities = int(frame[entity].nunique())
    if n_entities < 2:
        raise UsageError(f"panel_compare: {n_entities} entity ({entity!r}) with complete rows; "
                         "the panel estimators need at least 2")
    regs = [predictor, *covariates]
    varies = frame.groupby(entity)[regs].nunique().max() > 1
    if not varies.all():
        raise UsageError(f"panel_compare: {list(varies.index[~varies])} constant within every "
                         f"{entity!r}; the fixed-effects (within) estimator cannot identify "
                         "its effect")
    if not (pd.api.types.is_numeric_dtype(frame[time])
            or pd.api.types.is_datetime64_any_dtype(frame[time])):
        # linearmodels needs a numeric or date time index: use the sorted labels' codes
        frame = frame.assign(**{time: pd.factorize(frame[time], sort=True)[0]})
    mean_col = f"{predictor}_mean"
    frame = frame.assign(**{mean_col: frame.groupby(entity)[predictor].transform("mean")})
    frame = frame.assign(**{"_const": 1.0})
    panel = frame.set_index([entity, time])
    fe = PanelOLS(panel[outcome], panel[regs], entity_effects=True).fit()
    re = RandomEffects(panel[outcome], panel[["_const", *regs]]).fit()
    mu = RandomEffects(panel[outcome], panel[["_const", *regs, mean_col]]).fit()
    rhs = " + ".join(regs)
    mm = fit_lmm(f"{outcome} ~ {rhs}", frame, group=entity, method="reml")
    rows = [("fixed_effects", predictor, fe.params[predictor], fe.std_errors[predictor],
             fe.df_resid),
            ("random_effects", predictor, re.params[predictor], re.std_errors[predictor],
             re.df_resid),
            ("mixed_model", predictor, mm.params[predictor], mm.std_errors[predictor],
             mm.df[predictor]),
            ("mundlak", predictor, mu.params[predictor], mu.std_errors[predictor],
             mu.df_resid),
            ("mundlak_test", mean_col, mu.params[mean_col], mu.std_errors[mean_col],
             mu.df_resid)]
    estimator, term, est, se, df = zip(*rows, strict=True)
    table = pd.concat([pd.DataFrame({"estimator": list(estimator)}),
                       coef_table(term, est, se, df, level=level)], axis=1)
    chi2 = float((mu.params[mean_col] / mu.std_errors[mean_col]) ** 2)
    diff = (fe.params[regs] - re.params[regs]).to_numpy()
    vdiff = (fe.cov.loc[regs, regs] - re.cov.loc[regs, regs]).to_numpy()
    h = float(diff @ np.linalg.solve(vdiff, diff))
    return PanelComparison(table=table, predictor=predictor, mundlak_chi2=chi2,
                           mundlak_p=float(chi2_sf(chi2, 1)), hausman_chi2=h,
                           hausman_df=len(regs), hausman_p=float(chi2_sf(h, len(regs))),
                           n_obs=int(len(frame)), n_entities=n_entities, ci_level=level)
