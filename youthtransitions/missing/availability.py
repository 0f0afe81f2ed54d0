"""Who has a PMK report: balance, a model of availability, missingness patterns, sample loss."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import (
    Disclosable,
    TableSpec,
    coef_columns,
    count,
    denominator,
    disclosable,
    estimate,
    mean_indicator,
    model_size,
    share,
    split_rows,
    text,
)
from .._tidy import TidyResult
from ..stats.smd import smd
from .frames import AVAILABLE, availability_inputs, check_level, wide_name, youth_wide
from .logit import covariate_matrix, fit_logit, logit_table

__all__ = ["AvailabilityResult", "availability", "ANALYSES"]

#: analyses whose complete-case sample loss is reported: name -> (outcome, predictor)
ANALYSES: dict[str, tuple[str, str]] = {
    "pmk_functioning_w3 ~ relationship_quality_w1 (PMK outcome)":
        ("pmk_functioning_w3", "relationship_quality_w1"),
    "pmk_relationship_w3 ~ relationship_quality_w1 (PMK relationship)":
        ("pmk_relationship_w3", "relationship_quality_w1"),
    "wellbeing_w3 ~ relationship_quality_w1 (headline R²)":
        ("wellbeing_w3", "relationship_quality_w1"),
}


class AvailabilityResult(TidyResult):
    """PMK availability diagnostics.

    Attributes
    ----------
    model : pandas.DataFrame
        Logistic model of availability: ``COEF_COLUMNS`` plus ``odds_ratio``, ``or_low``,
        ``or_high`` (also :meth:`to_frame`).
    balance : pandas.DataFrame
        ``covariate, n_with, n_without, mean_with, mean_without, smd``.
    patterns : pandas.DataFrame
        ``waves`` (youth interviewed at waves 1-3, e.g. ``"110"``), ``pmk`` (PMK interviewed
        at waves 1-3), ``n``, ``share``. For a wide frame instead of a study, a wave counts
        when its relationship-quality score (PMK: functioning score) is observed.
    sample_loss : pandas.DataFrame
        ``analysis, n_total, n_complete, share_lost`` under complete-case analysis.
    n, n_available, share_available : numbers
    """

    title = "PMK availability"

    def __init__(self, *, model, balance, patterns, sample_loss, n, n_available, indicator,
                 n_model):
        self.model, self.balance, self.patterns = model, balance, patterns
        self.sample_loss = sample_loss
        self.n, self.n_available, self.indicator, self.n_model = n, n_available, indicator, n_model
        self.share_available = n_available / n if n else float("nan")

    def _summary_header(self):
        return [("indicator", self.indicator), ("youth", self.n),
                ("with PMK report", self.n_available),
                ("share with PMK report", self.share_available),
                ("youth in logistic model", self.n_model)]

    def to_frame(self) -> pd.DataFrame:
        return self.model.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: the logistic model (z tests, so ``df`` is
        infinite and tied to no count) with the youth it rests on."""
        return TableSpec({**coef_columns(estimate()), "odds_ratio": estimate(),
                          "or_low": estimate(digits=4), "or_high": estimate(digits=4),
                          "n": model_size("youth")}, totals="none")

    def disclosure(self) -> Disclosable:
        """The logistic model with the youth it was fitted on (a helper column)."""
        frame = self.to_frame()
        return disclosable(frame.assign(n=self.n_model), self.disclosure_spec,
                           columns=frame.columns)

    def disclosure_tables(self) -> dict[str, Disclosable]:
        """Every table of :meth:`tables` ready for the gate.

        Balance means of 0/1 covariates are shares of the youth in each group (recomputed
        from the published counts) and the others estimates; the youth-wave row of the
        sample loss counts observations, the others youth.
        """
        return {"model": self.disclosure(), "balance": _balance_disclosure(self.balance),
                "patterns": disclosable(self.patterns, TableSpec(
                    {"waves": text(), "pmk": text(), "n": count("youth"),
                     "share": share("n", population=self.n, unit="youth")},
                    totals="columns")),
                "sample_loss": _loss_disclosure(self.sample_loss, self.n)}

    def tables(self) -> dict[str, pd.DataFrame]:
        """All four tables by name."""
        return {"model": self.model, "balance": self.balance, "patterns": self.patterns,
                "sample_loss": self.sample_loss}

    def summary(self) -> str:
        parts = [super().summary()]
        for name in ("balance", "patterns", "sample_loss"):
            frame = getattr(self, name)
            parts.append(f"\n{name}\n{'-' * len(name)}\n"
                         + frame.apply(lambda c: c.map(self._format_cell)).to_string(index=False))
        return "\n".join(parts)


#: suffix of the helper columns holding a split table's other kind of rows
_SPLIT = "__other"


def _balance_disclosure(balance: pd.DataFrame) -> Disclosable:
    means = ["mean_with", "mean_without"]
    k = balance[means].to_numpy(float) * balance[["n_with", "n_without"]].to_numpy(float)
    binary = ((balance[means] >= 0) & (balance[means] <= 1)).all(axis=1).to_numpy() \
        & (np.abs(k - np.round(k)) < 1e-6).all(axis=1)
    frame = split_rows(balance, binary, means, _SPLIT)
    spec = TableSpec({"covariate": text(), "n_with": denominator("youth"),
                      "n_without": denominator("youth"), "mean_with": estimate(),
                      "mean_without": estimate(),
                      f"mean_with{_SPLIT}": mean_indicator("n_with"),
                      f"mean_without{_SPLIT}": mean_indicator("n_without"),
                      "smd": estimate(digits=3)}, totals="none")
    return disclosable(frame, spec, merge=[(f"{m}{_SPLIT}", m) for m in means])


def _loss_disclosure(loss: pd.DataFrame, n_youth: int) -> Disclosable:
    cols = ["n_total", "n_complete", "share_lost"]
    frame = split_rows(loss, (loss["n_total"] != n_youth).to_numpy(), cols, _SPLIT)
    spec = TableSpec({"analysis": text(), "n_total": denominator("youth"),
                      "n_complete": count("youth"),
                      "share_lost": mean_indicator("n_total"),
                      f"n_total{_SPLIT}": denominator("observation"),
                      f"n_complete{_SPLIT}": count("observation"),
                      f"share_lost{_SPLIT}": mean_indicator(f"n_total{_SPLIT}")},
                     totals="none")
    return disclosable(frame, spec, merge=[(f"{c}{_SPLIT}", c) for c in cols])


def _pattern(frame: pd.DataFrame, prefix_cols: list[str]) -> pd.Series:
    bits = [frame[c].notna().astype(int).astype(str) if c in frame else
            pd.Series("0", index=frame.index) for c in prefix_cols]
    return pd.Series(["".join(t) for t in zip(*bits, strict=True)], index=frame.index)


def _rows_pattern(table: pd.DataFrame | None, ids: pd.Series) -> pd.Series:
    """``"101"``-style string: which of waves 1-3 have a row in ``table`` for each youth."""
    if table is None or table.empty:
        return pd.Series("000", index=ids.index)
    have = set(zip(table["youth_id"].astype(str), table["wave"].astype(int), strict=True))
    return pd.Series(["".join("1" if (y, t) in have else "0" for t in (1, 2, 3))
                      for y in ids.astype(str)], index=ids.index)


def _patterns(study: Any, wide: pd.DataFrame) -> pd.DataFrame:
    """Wave and PMK-report patterns: from the study's rows, or (for a wide frame) from the
    relationship-quality and PMK-functioning scores."""
    if not isinstance(study, pd.DataFrame) and hasattr(study, "waves"):
        ids = wide["youth_id"]
        return pd.DataFrame({"waves": _rows_pattern(study.waves, ids),
                             "pmk": _rows_pattern(getattr(study, "pmk", None), ids)})
    wave_cols = [wide_name("relationship_quality", t) for t in (1, 2, 3)]
    pmk_cols = [wide_name("pmk_functioning", t) for t in (1, 2, 3)]
    return pd.DataFrame({"waves": _pattern(wide, wave_cols), "pmk": _pattern(wide, pmk_cols)})


def availability(study: Any, *, indicator: str = AVAILABLE,
                 covariates: Sequence[str] | None = None, level: float = 0.95
                 ) -> AvailabilityResult:
    """Diagnose PMK availability: who has a report, why, and what complete cases lose.

    Parameters
    ----------
    study : Study or pandas.DataFrame
        A study, or the wide youth frame of :func:`~youthtransitions.missing.frames.youth_wide`.
    indicator : str, default "pmk_available"
        0/1 column: ``pmk_available`` (the wave-3 PMK functioning report exists) or
        ``pmk_nominated``.
    covariates : sequence of str, optional
        Predictors of availability; default: services, gender, ethnicity, age, subsample and
        the wave-1 scale scores (:func:`~youthtransitions.missing.frames.availability_covariates`).
    level : float
        Confidence level of the odds-ratio intervals.

    Returns
    -------
    AvailabilityResult

    Notes
    -----
    Balance: standardised mean difference :math:`(\\bar x_1-\\bar x_0)/\\sqrt{(s^2_1+s^2_0)/2}`
    (Austin 2009); |SMD| > 0.1 is the usual sign of imbalance. The logistic model
    :math:`\\operatorname{logit} P(A=1) = \\alpha + x^\\top\\beta` is fitted by maximum
    likelihood (statsmodels ``Logit``) on youth with every covariate observed; odds ratios are
    :math:`e^{\\beta}` with Wald limits :math:`e^{\\beta \\pm z\\,se}` (checked against R ``glm``
    in ``tests/reference/mitml_availability/make.R``). Sample loss of an analysis is the share
    of youth lacking its outcome or its predictor.
    """
    level = check_level(level)
    wide = study if isinstance(study, pd.DataFrame) else youth_wide(study)
    a, covariates = availability_inputs(wide, indicator, covariates)
    x = covariate_matrix(wide, covariates, missing="keep")
    fit = fit_logit(a, x)
    model = logit_table(fit, level)
    rows = []
    for c in covariates:
        v = x[c].to_numpy(float)
        ok = np.isfinite(v)
        rows.append({"covariate": c, "n_with": int((ok & (a == 1)).sum()),
                     "n_without": int((ok & (a == 0)).sum()),
                     "mean_with": float(np.nanmean(v[a.to_numpy() == 1])),
                     "mean_without": float(np.nanmean(v[a.to_numpy() == 0])),
                     "smd": smd(v[a.to_numpy() == 1], v[a.to_numpy() == 0])})
    balance = pd.DataFrame(rows)
    pat = _patterns(study, wide)
    patterns = (pat.value_counts().rename("n").reset_index()
                .sort_values(["n", "waves", "pmk"], ascending=[False, False, False],
                             kind="stable").reset_index(drop=True))
    patterns["share"] = patterns["n"] / len(wide)
    loss = []
    for name, cols in ANALYSES.items():
        if all(c in wide for c in cols):
            n_complete = int(wide[list(cols)].notna().all(axis=1).sum())
            loss.append({"analysis": name, "n_total": len(wide), "n_complete": n_complete,
                         "share_lost": 1 - n_complete / len(wide)})
    scores = [s for s in ("wellbeing", "relationship_quality")
              if all(wide_name(s, t) in wide for t in (1, 2, 3))]
    if len(scores) == 2:
        both = sum(int(wide[[wide_name(s, t) for s in scores]].notna().all(axis=1).sum())
                   for t in (1, 2, 3))
        loss.append({"analysis": "wellbeing ~ relationship_quality, waves 1-3 (multilevel, "
                                 "youth-waves)", "n_total": 3 * len(wide), "n_complete": both,
                     "share_lost": 1 - both / (3 * len(wide))})
    return AvailabilityResult(model=model, balance=balance, patterns=patterns,
                              sample_loss=pd.DataFrame(loss), n=len(wide),
                              n_available=int(a.sum()), indicator=indicator,
                              n_model=int(fit.nobs))
