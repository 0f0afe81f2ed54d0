"""One replicate of a planned study: draw it, run the headline analyses, test and bound them.

The estimates are those the replication reports (:func:`~youthtransitions.variance_explained`
and the PMK estimate of :mod:`youthtransitions.missing`); the bootstrap intervals are
replaced by analytic ones and each estimand gets the test a power analysis asks about.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ...errors import UsageError
from ...models import fit_lmm, lrt, variance_explained
from ...models.centering import center_within
from ...models.r2_delta import share_intervals
from ...parallel import single_blas_thread
from ...stats.distributions import t_sf
from ...stats.fisher import fisher_ci
from ...study import Study
from ...synthetic.evaluate import flatten_truth
from ...synthetic.params import make_params
from ...synthetic.sample import draw_sample

__all__ = ["PmkMethod", "ESTIMANDS", "WORKER_ESTIMANDS", "REPLICATE_COLUMNS", "analyse",
           "one_replicate"]

#: how missing PMK reports are handled: complete cases (fast) or MI with normal draws
PmkMethod = Literal["complete_cases", "multiple_imputation"]

OUTCOME, PREDICTOR, GROUP, WAVE = "wellbeing", "relationship_quality", "youth_id", "wave"
_W, _B = f"{PREDICTOR}_within", f"{PREDICTOR}_between"
#: estimand -> the test whose rejection rate is its power
ESTIMANDS = {
    "headline_r2": "t test of the wave-1/last-wave correlation (n - 2 df)",
    "multilevel.delta.total.f": "LRT of both relationship-quality terms (2 df, ML fits)",
    "multilevel.delta.within.f1": "LRT of the within-youth term (1 df, ML fits)",
    "multilevel.delta.between.f2": "LRT of the between-youth term (1 df, ML fits)",
    "pmk.slope": "test of the PMK slope (t, or Rubin's rules after MI)",
    "pmk.r2": "test of the PMK slope (t, or Rubin's rules after MI)",
}
#: planned when a workforce lever is given: estimand -> its test (none: no cheap valid one)
WORKER_ESTIMANDS = {
    "worker_rq_share": "none (point estimate: bias and RMSE only)",
}
REPLICATE_COLUMNS = ["estimand", "estimate", "conf_low", "conf_high", "p_value", "truth"]
#: seeds tried per replicate when the generator rejects a draw (deterministic given the seed)
_MAX_DRAWS = 5
_MEASURES = {"multilevel.delta.total.f": "total.f", "multilevel.delta.within.f1": "within.f1",
             "multilevel.delta.between.f2": "between.f2"}


def _draw(rng: np.random.Generator, overrides: dict[str, Any]) -> Study:
    """A synthetic study of the cell (its tables; the codes and truth are not needed)."""
    params = make_params(**overrides)
    for attempt in range(_MAX_DRAWS):
        seed = int(rng.integers(0, 2**31 - 1))
        try:
            t = draw_sample(params, seed).tables
            return Study(youth=t["youth"], waves=t["waves"], scales=t["scales"],
                         pmk=t["pmk"], synthetic=True)
        except UsageError:  # the subsample counts could not be met; the next seed
            if attempt == _MAX_DRAWS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _headline(ve, level: float) -> dict[str, Any]:
    r2, n = ve["headline_r2"], ve.n["headline_r2"]
    lo, hi = fisher_ci(r2, n, level)
    t = np.sqrt(r2 * (n - 2) / max(1 - r2, 1e-300))
    return {"estimand": "headline_r2", "estimate": r2, "conf_low": lo, "conf_high": hi,
            "p_value": float(2 * t_sf(t, n - 2))}


def _multilevel(frame: pd.DataFrame, ve, level: float) -> list[dict[str, Any]]:
    rows = center_within(frame.dropna(subset=[OUTCOME, PREDICTOR]), [PREDICTOR], GROUP)
    fits = {name: fit_lmm(f"{OUTCOME} ~ {rhs}", rows, group=GROUP, method="ml")
            for name, rhs in (("full", f"{_W} + {_B}"), ("null", "1"), ("no_within", _B),
                              ("no_between", _W))}

    def p_value(reduced: str) -> float:
        return float(lrt(fits[reduced], fits["full"]).to_frame()["p_value"].iloc[-1])

    tests = {"total.f": p_value("null"), "within.f1": p_value("no_within"),
             "between.f2": p_value("no_between")}
    reml = {"total.f": ve["multilevel.delta.total.f1"] + ve["multilevel.delta.total.f2"],
            "within.f1": ve["multilevel.delta.within.f1"],
            "between.f2": ve["multilevel.delta.between.f2"]}
    bounds = share_intervals(fits["full"], list(reml), level=level, estimates=reml)
    return [{"estimand": name, "estimate": reml[m], "p_value": tests[m],
             **bounds.set_index("measure").loc[m, ["conf_low", "conf_high"]].to_dict()}
            for name, m in _MEASURES.items()]


def _pmk(study: Study, method: str, level: float, m: int,
         rng: np.random.Generator) -> list[dict[str, Any]]:
    from ...missing.estimate import cc_estimate, mi_estimate
    from ...missing.frames import PMK_PREDICTOR, pmk_outcome, youth_wide
    from ...missing.impute import impute

    wide = youth_wide(study)
    outcome = pmk_outcome(study)
    if method == "complete_cases":
        row = cc_estimate(wide, outcome=outcome, predictor=PMK_PREDICTOR, level=level)
    else:
        imp = impute(wide, m=m, n_iter=5, method="norm", seed=int(rng.integers(0, 2**31 - 1)))
        row = mi_estimate(imp.datasets, outcome=outcome, predictor=PMK_PREDICTOR,
                          level=level)
    return [{"estimand": "pmk.slope", "estimate": row["estimate"],
             "conf_low": row["conf_low"], "conf_high": row["conf_high"],
             "p_value": row["p_value"]},
            {"estimand": "pmk.r2", "estimate": row["r2"], "conf_low": row["r2_low"],
             "conf_high": row["r2_high"], "p_value": row["p_value"]}]


def _workers(study: Study, frame: pd.DataFrame) -> list[dict[str, Any]]:
    from ...models.worker_share import worker_rq_share

    named = frame[[GROUP, WAVE, PREDICTOR]].merge(
        study.waves[[GROUP, WAVE, "worker_id"]], on=[GROUP, WAVE], validate="one_to_one")
    return [{"estimand": "worker_rq_share", "estimate": worker_rq_share(named),
             "conf_low": np.nan, "conf_high": np.nan, "p_value": np.nan}]


def analyse(study: Study, truth: dict[str, float], *, pmk_method: str = "complete_cases",
            level: float = 0.95, m: int = 5, rng: np.random.Generator | None = None,
            workers: bool = False) -> pd.DataFrame:
    """The planned estimands of one study with analytic intervals, tests and their truth.

    Returns one row per :data:`ESTIMANDS` entry (and, with ``workers``, per
    :data:`WORKER_ESTIMANDS` entry), columns :data:`REPLICATE_COLUMNS`.

    Notes
    -----
    * ``headline_r2``: the replication's estimate (the last wave's outcome on the first
      wave's predictor: wave 3 of the study, wave ``n_waves`` of a planned study); Fisher-z
      interval
      (:func:`~youthtransitions.stats.fisher.fisher_ci`), test
      :math:`t = \\sqrt{r^2(n-2)/(1-r^2)}` on n - 2 df, exact for a bivariate normal pair.
    * ``multilevel.delta.*``: the replication's REML shares (``total.f = total.f1 +
      total.f2``); delta-method logit intervals from the ML fit of the full model
      (:func:`~youthtransitions.models.r2_delta.share_intervals`); likelihood-ratio tests
      (:func:`~youthtransitions.lrt`) of ML fits with and without the term(s).
    * ``pmk.*``: the PMK slope and R² (the last wave's PMK functioning on wave-1
      relationship quality) by complete cases (t and Fisher-z intervals) or by
      multiple imputation with normal draws (``m`` imputations, 5 cycles; Rubin's rules),
      tested by the slope's t statistic.
    * ``worker_rq_share`` (with ``workers``): the worker share of relationship-quality
      variance, one crossed REML fit
      (:func:`~youthtransitions.models.worker_share.worker_rq_share`); no interval or test
      (the package's interval is a cluster bootstrap, too slow inside a replicate, and the
      boundary of a variance at 0 makes a Wald interval invalid), so its rows give bias and
      RMSE only.
    """
    frame = study.analysis_frame()
    ve = variance_explained(frame, outcome=OUTCOME, predictor=PREDICTOR, group=GROUP,
                            wave=WAVE, B=0)
    rows = [_headline(ve, level), *_multilevel(frame, ve, level),
            *_pmk(study, pmk_method, level, m, rng or np.random.default_rng(0)),
            *(_workers(study, frame) if workers else [])]
    out = pd.DataFrame(rows)
    out["truth"] = out["estimand"].map(_truth_values(truth, workers))
    return out[REPLICATE_COLUMNS]


def _truth_values(truth: dict[str, Any], workers: bool = False) -> dict[str, float]:
    flat = flatten_truth(truth)
    flat["multilevel.delta.total.f"] = (flat["multilevel.delta.total.f1"]
                                        + flat["multilevel.delta.total.f2"])
    return {k: flat[k] for k in (*ESTIMANDS, *(WORKER_ESTIMANDS if workers else ()))}


def one_replicate(rng: np.random.Generator, overrides: dict[str, Any], truth: dict[str, Any],
                  pmk_method: str, level: float, m: int,
                  workers: bool = False) -> pd.DataFrame:
    """:func:`analyse` of a fresh study of the cell (the replicate function of the grid)."""
    with single_blas_thread():
        study = _draw(rng, overrides)
        return analyse(study, truth, pmk_method=pmk_method, level=level, m=m, rng=rng,
                       workers=workers)
