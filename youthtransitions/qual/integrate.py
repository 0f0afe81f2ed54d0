"""Statistical integration: do the survey data bear out the qualitative mechanism findings?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, estimate, model_size, text
from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import run_replicates
from ..stats import (
    freedman_lane,
    holm,
    mean_difference,
    ols,
    percentile_ci,
    permutation_p,
    permutations,
    smd_ci,
    welch_ci,
)
from ..stats.distributions import t_ppf
from ..study.contract import MECHANISMS
from ..study.study import youth_msu
from .quantitize import CodeJoin, join_codes, quantitize

__all__ = ["integrate", "IntegrationResult", "INTEGRATION_COLUMNS", "FAMILIES",
           "youth_outcomes"]

INTEGRATION_COLUMNS = ["family", "hypothesis", "measure", "n", "estimate", "conf_low",
                       "conf_high", "statistic", "p_perm", "p_holm", "reading"]
#: families of tests, named as the synthetic truth names the effects (truth.json qual)
FAMILIES = ("convergence", "mechanism_change", "dose_response", "synergy", "power_trap",
            "codes_beyond_scale", "subsample_difference")
_BALANCE = ["age_w1", "female", "maori", "svc_welfare", "svc_justice", "svc_mental_health",
            "svc_alt_education", "pmk_nominated", "relationship_quality_w1", "wellbeing_w1"]


def youth_outcomes(study: Any) -> pd.DataFrame:
    """Youth-level survey scores: rq and wellbeing at waves 1 and 3 and rq's mean over waves."""
    scores = study.wave_scores()
    for col in ("relationship_quality", "wellbeing"):
        if col not in scores.columns:
            raise UsageError(f"the study has no {col} scale; integrate() needs it")
    out = pd.DataFrame(index=pd.Index(study.youth["youth_id"].astype(str), name="youth_id"))
    scores = scores.assign(youth_id=scores["youth_id"].astype(str))
    for col in ("relationship_quality", "wellbeing"):
        wide = scores.pivot_table(index="youth_id", columns="wave", values=col, aggfunc="first")
        for w in (1, 3):
            out[f"{col}_w{w}"] = wide[w].reindex(out.index) if w in wide.columns else np.nan
    out["relationship_quality_mean"] = scores.groupby("youth_id")["relationship_quality"] \
        .mean().reindex(out.index)
    out["wellbeing_change"] = out["wellbeing_w3"] - out["wellbeing_w1"]
    return out.reset_index()


@dataclass
class IntegrationResult(TidyResult):
    """One row per statistical test of a qualitative claim (see :func:`integrate`).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`INTEGRATION_COLUMNS` and the key ``mechanism``: the mechanism a row
        tests, missing for rows about several or none (count, synergy, power trap, R²,
        subsample). :meth:`row` looks rows up by it; :meth:`to_frame` leaves it out.
    data : pandas.DataFrame
        The youth-level analysis frame.
    join : CodeJoin
        How the codes joined the youth table.
    settings : dict
        The options of the run.
    """

    table: pd.DataFrame
    data: pd.DataFrame
    join: CodeJoin | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    title = "Integration of the qualitative mechanisms with the survey"

    def to_frame(self) -> pd.DataFrame:
        return self.table[INTEGRATION_COLUMNS].copy()

    def _summary_header(self) -> list[tuple[str, Any]]:
        s = self.settings
        return [("youth with codes", int(len(self.data))), ("codes source", s.get("source")),
                ("permutations", s.get("n_perm")), ("bootstrap replicates", s.get("B")),
                ("alpha (Holm, per family)", s.get("alpha"))]

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: each test rests on ``n`` youth (withheld below the
        gate's threshold); estimates, statistics and p-values."""
        return TableSpec({"family": text(), "hypothesis": text(), "measure": text(),
                          "n": model_size("youth"), "estimate": estimate(),
                          "conf_low": estimate(), "conf_high": estimate(),
                          "statistic": estimate(), "p_perm": estimate(),
                          "p_holm": estimate(), "reading": text()}, totals="none")

    def family(self, name: str) -> pd.DataFrame:
        """Rows of one family of tests (columns :data:`INTEGRATION_COLUMNS`)."""
        return self.to_frame()[self.table["family"] == name].reset_index(drop=True)

    def row(self, family: str, mechanism: str | None = None) -> pd.Series | None:
        """The first row of ``family`` testing ``mechanism`` (``None``: the family's row that
        tests no single mechanism); ``None`` when there is none."""
        key = self.table["mechanism"]
        match = key.isna() if mechanism is None else key.eq(mechanism)
        sel = self.table[(self.table["family"] == family) & match.to_numpy(dtype=bool)]
        return sel[INTEGRATION_COLUMNS].iloc[0] if len(sel) else None


def _reading(family: str, estimate: float, p_holm: float, alpha: float) -> str:
    if np.isnan(estimate) or np.isnan(p_holm):
        return "not estimable"
    if family == "subsample_difference":
        return "discords" if p_holm < alpha else "confirms"
    claim = -1 if family == "power_trap" else 1
    if p_holm < alpha and np.sign(estimate) == claim:
        return "expands" if family == "codes_beyond_scale" else "confirms"
    return "discords"


def _row(family, hypothesis, measure, n, est, lo, hi, stat, p) -> dict[str, Any]:
    return {"family": family, "hypothesis": hypothesis, "measure": measure, "n": int(n),
            "estimate": float(est), "conf_low": float(lo), "conf_high": float(hi),
            "statistic": float(stat), "p_perm": float(p)}


class _Tests:
    """Runs the tests; one permutation set per sample size (shared across tests)."""

    def __init__(self, n_perm: int, seed: int | None, B: int, level: float, workers: int):
        self.n_perm, self.B, self.level, self.workers = n_perm, B, level, workers
        self.seed = seed
        self._perms: dict[int, np.ndarray] = {}

    def perms(self, n: int) -> np.ndarray:
        if n not in self._perms:
            child = None if self.seed is None else int(
                np.random.SeedSequence([self.seed, n]).generate_state(1)[0])
            self._perms[n] = permutations(n, self.n_perm, seed=child, workers=self.workers)
        return self._perms[n]

    def group_difference(self, family, hypothesis, y, g) -> dict[str, Any]:
        ok = ~np.isnan(y)
        y, g = y[ok], g[ok].astype(bool)
        if g.all() or not g.any() or len(y) < 4:
            return _row(family, hypothesis, "mean difference", len(y), *[np.nan] * 5)
        obs = mean_difference(y, g)
        null = mean_difference(y, g, self.perms(len(y)))
        lo, hi = welch_ci(y, g, self.level)
        return _row(family, hypothesis, "mean difference", len(y), obs, lo, hi, obs,
                    permutation_p(obs, null))

    def coefficient(self, family, hypothesis, y, X, j, measure) -> dict[str, Any]:
        ok = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
        y, X = y[ok], X[ok]
        if len(y) <= X.shape[1] + 1 or np.linalg.matrix_rank(X) < X.shape[1]:
            return _row(family, hypothesis, measure, len(y), *[np.nan] * 5)
        fit = ols(y, X)
        b, se, t = fit["beta"][j, 0], fit["se"][j, 0], fit["t"][j, 0]
        q = t_ppf(0.5 + self.level / 2, fit["df"])
        null = freedman_lane(y, X, j, self.perms(len(y)))
        return _row(family, hypothesis, measure, len(y), b, b - q * se, b + q * se, t,
                    permutation_p(t, null))

    def r2_gain(self, family, hypothesis, y, X, k) -> dict[str, Any]:
        """R² gained by the last columns of X beyond its first ``k``."""
        ok = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
        y, X = y[ok], X[ok]
        if len(y) <= X.shape[1] + 1 or np.linalg.matrix_rank(X) < X.shape[1]:
            return _row(family, hypothesis, "R2 difference", len(y), *[np.nan] * 5)
        obs = _r2_gain(y, X, k)
        red = ols(y, X[:, :k])
        fitted = y - red["resid"][:, 0]
        ystar = fitted[:, None] + red["resid"][:, 0][self.perms(len(y)).T]
        tss = ((ystar - ystar.mean(axis=0)) ** 2).sum(axis=0)
        null = (ols(ystar, X[:, :k])["rss"] - ols(ystar, X)["rss"]) / tss
        boot = run_replicates(_boot_r2_gain, self.B, seed=self.seed, args=(y, X, k),
                              workers=self.workers, description="R2 bootstrap") if self.B else []
        boot = np.asarray(boot, dtype=float)
        boot = boot[~np.isnan(boot)]
        lo, hi = (float(v) for v in percentile_ci(boot, self.level)) if len(boot) else \
            (np.nan, np.nan)
        return _row(family, hypothesis, "R2 difference", len(y), obs, lo, hi, obs,
                    permutation_p(obs, null))

    def balance(self, family, hypothesis, x, g) -> dict[str, Any]:
        ok = ~np.isnan(x)
        x, g = x[ok], g[ok].astype(bool)
        d, lo, hi = smd_ci(x[g], x[~g], self.level)
        if np.isnan(d):
            return _row(family, hypothesis, "SMD", len(x), *[np.nan] * 5)
        obs = mean_difference(x, g)
        null = mean_difference(x, g, self.perms(len(x)))
        return _row(family, hypothesis, "SMD", len(x), d, lo, hi, obs,
                    permutation_p(obs, null))


def _r2_gain(y: np.ndarray, X: np.ndarray, k: int) -> float:
    tss = ((y - y.mean()) ** 2).sum()
    if tss <= 0:
        return float("nan")
    return float((ols(y, X[:, :k])["rss"][0] - ols(y, X)["rss"][0]) / tss)


def _boot_r2_gain(rng: np.random.Generator, y: np.ndarray, X: np.ndarray, k: int) -> float:
    idx = rng.integers(0, len(y), len(y))
    return _r2_gain(y[idx], X[idx], k)


def _design(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    parts = [np.ones(len(frame))] + [frame[c].astype(float).to_numpy() for c in cols]
    return np.column_stack(parts)


def _msu_frame(study: Any, outcomes: pd.DataFrame) -> pd.DataFrame:
    """MSU youth with their outcomes; female/maori stay missing where gender/ethnicity are."""
    youth = study.youth.assign(youth_id=study.youth["youth_id"].astype(str))
    msu = youth_msu(youth)
    if msu is None:
        raise UsageError("the youth table has neither the four service columns nor msu; "
                         "integrate() compares the subsample with the other MSU youth")
    msu = msu.astype("boolean").fillna(False).astype(bool)  # unknown MSU status: left out
    frame = youth[msu.to_numpy()].merge(outcomes, on="youth_id", how="left")
    for col, column, value in (("female", "gender", "female"), ("maori", "ethnicity", "maori")):
        known = frame[column].notna()
        frame[col] = (frame[column].astype(str) == value).astype(float).where(known)
    return frame


def integrate(study: Any, *, n_perm: int = 5000, seed: int | None = None, B: int = 1000,
              source: Literal["combined", "youth_interview", "pmk_interview",
                              "case_summary"] = "combined",
              activation: Literal["any", "majority"] = "any", alpha: float = 0.05,
              level: float = 0.95, workers: int = 1) -> IntegrationResult:
    """Test the qualitative mechanism findings against the survey data.

    Parameters
    ----------
    study : Study
        A study with codes (``study.codes``), youth and waves tables.
    n_perm : int, default 5000
        Permutations per test.
    seed : int, optional
        Seed of the permutations and the bootstrap.
    B : int, default 1000
        Bootstrap replicates of the R² difference interval.
    source : {"combined", "youth_interview", "pmk_interview", "case_summary"}
        Which codes to quantitize (:func:`quantitize`).
    activation : {"any", "majority"}, default "any"
        Rule for a mechanism being active (:func:`quantitize`); ``"majority"`` is the
        sensitivity analysis for youth with many segments, where one confirmatory segment is
        nearly always found.
    alpha : float, default 0.05
        Level of the Holm-adjusted tests used for the readings.
    level : float, default 0.95
        Confidence level of the intervals.
    workers : int, default 1
        Worker processes for permutations and bootstrap.

    Returns
    -------
    IntegrationResult
        ``to_frame()`` columns :data:`INTEGRATION_COLUMNS`, one row per test; ``.data`` the
        youth-level analysis frame; ``.join`` the join report.

    Notes
    -----
    Youth-level analysis of the qualitative subsample (features from :func:`quantitize`).
    Outcome change is wave-3 wellbeing adjusting for wave-1 wellbeing (ANCOVA).

    * ``convergence``: mean youth relationship_quality (over waves) where each mechanism is
      active minus where not (Welch interval; permutation of the activation), and its OLS
      slope on the number active.
    * ``mechanism_change``: coefficient of each mechanism's activation in
      ``wellbeing_w3 ~ wellbeing_w1 + active``.
    * ``dose_response``: coefficient of the number active in
      ``wellbeing_w3 ~ wellbeing_w1 + n_active``.
    * ``synergy``: coefficient of all four active in ``wellbeing_w3 ~ wellbeing_w1 + the four
      activations + all_active`` (the interaction beyond the additive parts).
    * ``power_trap``: coefficient of the power trap in ``wellbeing_w3 ~ wellbeing_w1 + trap``.
    * ``codes_beyond_scale``: R² gained by ``n_active, all_active, power_trap`` over
      ``wellbeing_w3 ~ wellbeing_w1 + relationship_quality_mean``; percentile bootstrap
      interval (youth resampled).
    * ``subsample_difference``: SMD of the subsample against the other MSU youth on
      demographics, services, PMK nomination and wave-1 rq and wellbeing (normal-theory
      interval); permutation of subsample membership among MSU youth.

    Coefficient p-values are Freedman & Lane (1983) permutation tests of the t statistic
    (residuals of the model without the term permuted; exact under exchangeability for the
    simple models, asymptotically for the adjusted ones, Anderson & Robinson 2001); group
    differences permute the group labels. p = (1 + #{|T*| >= |T|})/(1 + n_perm), two-sided.
    Holm (1979) adjusts within each family. Reading: ``confirms`` when the Holm p is below
    alpha in the direction the qualitative analysis claims (negative for the power trap; for
    the subsample, when no difference is significant), ``expands`` when the codes explain
    variance beyond the scale (they add what the survey does not measure), ``discords``
    otherwise (no support, or a significant effect against the claim).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> study = yt.load_study(yt.SHIPPED_STUDY)
    >>> result = integrate(study, seed=1, n_perm=500, B=100)
    >>> result.family("power_trap")["reading"].item()
    'confirms'
    """
    if n_perm < 1 or B < 0:
        raise UsageError("n_perm must be at least 1 and B non-negative")
    alpha, level = check_level(alpha, "alpha"), check_level(level)
    features = quantitize(study, source=source, activation=activation)
    join = join_codes(study, features)
    outcomes = youth_outcomes(study)
    data = join.data.merge(outcomes, on="youth_id", how="left")
    if len(data) < 8:
        raise UsageError(f"only {len(data)} youth have codes and survey data; need at least 8")
    t = _Tests(n_perm, seed, B, level, workers)
    rows: list[dict[str, Any]] = []
    rq = data["relationship_quality_mean"].to_numpy(float)
    y3 = data["wellbeing_w3"].to_numpy(float)
    for m in MECHANISMS:
        rows.append(dict(t.group_difference("convergence", "relationship quality higher where "
                                            f"{m} is active", rq,
                                            data[f"{m}_active"].to_numpy()), mechanism=m))
    rows.append(t.coefficient("convergence", "relationship quality rises with the number of "
                              "active mechanisms", rq, _design(data, ["n_active"]), 1, "slope"))
    for m in MECHANISMS:
        rows.append(dict(t.coefficient("mechanism_change", f"{m} active predicts positive "
                                       "change in wellbeing", y3,
                                       _design(data, ["wellbeing_w1", f"{m}_active"]), 2,
                                       "coefficient"), mechanism=m))
    rows.append(t.coefficient("dose_response", "each further active mechanism adds positive "
                              "change", y3, _design(data, ["wellbeing_w1", "n_active"]), 2,
                              "slope"))
    acts = [f"{m}_active" for m in MECHANISMS]
    rows.append(t.coefficient("synergy", "all four mechanisms together add change beyond their "
                              "sum", y3, _design(data, ["wellbeing_w1"] + acts + ["all_active"]),
                              6, "coefficient"))
    rows.append(t.coefficient("power_trap", "a power trap (low care, high control) goes with "
                              "worse change", y3, _design(data, ["wellbeing_w1", "power_trap"]),
                              2, "coefficient"))
    rows.append(t.r2_gain("codes_beyond_scale", "the codes explain change beyond the "
                          "relationship-quality scale", y3,
                          _design(data, ["wellbeing_w1", "relationship_quality_mean", "n_active",
                                         "all_active", "power_trap"]), 3))
    msu = _msu_frame(study, outcomes)
    in_sub = msu["qual_subsample"].astype(bool).to_numpy()
    for col in _BALANCE:
        rows.append(t.balance("subsample_difference", f"subsample reflects the MSU youth on "
                              f"{col}", msu[col].astype(float).to_numpy(), in_sub))
    table = pd.DataFrame(rows)
    table["p_holm"] = np.nan
    for fam in FAMILIES:
        sel = table["family"] == fam
        table.loc[sel, "p_holm"] = holm(table.loc[sel, "p_perm"].to_numpy())
    table["reading"] = [_reading(f, e, p, alpha) for f, e, p in
                        zip(table["family"], table["estimate"], table["p_holm"], strict=True)]
    return IntegrationResult(table=table[[*INTEGRATION_COLUMNS, "mechanism"]], data=data,
                             join=join,
                             settings={"n_perm": n_perm, "B": B, "seed": seed, "source": source,
                                       "activation": activation,
                                       "alpha": alpha, "level": level})
