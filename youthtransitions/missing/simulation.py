"""Simulation: bias, RMSE and interval coverage of each PMK missing-data method."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._options import check_choice, check_count
from ..errors import UsageError
from ..parallel import DEFAULT_SEED, run_replicates, single_blas_thread
from ..synthetic.evaluate import SimulationResult, summarise_simulation
from .compare import ipw_row, pmk_truth
from .estimate import cc_estimate, mi_estimate
from .frames import PMK_OUTCOME, PMK_PREDICTOR, check_level, youth_wide
from .impute import Method, impute
from .weights import ipw

__all__ = ["SimulationResult", "simulate_pmk"]

#: seeds tried per replicate when the generator rejects a draw (deterministic given the seed)
_MAX_DRAWS = 5

METHODS = ("complete_cases", "multiple_imputation", "ipw", "ipw_trimmed")


def _summary(replicates: pd.DataFrame) -> pd.DataFrame:
    """Per estimand (``slope``, ``r2``) and method: ``truth, mean_estimate, bias, rmse,
    empirical_se, mean_se`` (slope only), ``coverage``, ``coverage_mcse``, ``mean_width``,
    ``reps`` (:func:`~youthtransitions.synthetic.evaluate.summarise_simulation`)."""
    part = replicates[replicates["method"].isin(METHODS)]
    long = []
    for estimand, est, se, lo, hi, truth in (
            ("slope", "estimate", "std_error", "conf_low", "conf_high", "truth_slope"),
            ("r2", "r2", None, "r2_low", "r2_high", "truth_r2")):
        long.append(pd.DataFrame({
            "estimand": estimand, "method": part["method"], "estimate": part[est],
            "std_error": part[se] if se else np.nan, "conf_low": part[lo],
            "conf_high": part[hi], "truth": part[truth]}))
    return summarise_simulation(pd.concat(long, ignore_index=True), by=("estimand", "method"),
                                std_error="std_error")


def _one_replicate(rng: np.random.Generator, m: int, n_iter: int, level: float, method: str,
                   overrides: dict) -> list[dict]:
    with single_blas_thread():
        return _replicate(rng, m, n_iter, level, method, overrides)


def _replicate(rng, m, n_iter, level, method, overrides):
    from ..synthetic import synthesize

    for attempt in range(_MAX_DRAWS):
        seed = int(rng.integers(0, 2**31 - 1))
        try:
            study = synthesize(seed=seed, **overrides)
            break
        except UsageError:  # the generator could not meet its published counts; redraw
            if attempt == _MAX_DRAWS - 1:
                raise
    truth = pmk_truth(study)
    if truth is None:
        raise UsageError("the synthetic study carries no PMK truth")
    wide = youth_wide(study)
    rows = [cc_estimate(wide, outcome=PMK_OUTCOME, predictor=PMK_PREDICTOR, level=level)]
    imp = impute(wide, m=m, n_iter=n_iter, method=method,
                 seed=int(rng.integers(0, 2**31 - 1)))
    rows.append(mi_estimate(imp.datasets, outcome=PMK_OUTCOME, predictor=PMK_PREDICTOR,
                            level=level))
    weighting = ipw(wide, level=level)
    rows.append(ipw_row(weighting, PMK_PREDICTOR, "ipw"))
    rows.append(ipw_row(weighting.retrim((0.01, 0.99)), PMK_PREDICTOR, "ipw_trimmed"))
    keep = ("method", "estimate", "std_error", "conf_low", "conf_high", "r2", "r2_low",
            "r2_high", "n")
    return [{"seed": seed, **{k: float(r[k]) if k != "method" else r[k] for k in keep},
             "truth_slope": truth["slope"], "truth_r2": truth["r2"]} for r in rows]


def simulate_pmk(reps: int, *, seed: int | None = DEFAULT_SEED, m: int = 10, n_iter: int = 5,
                 method: Method = "norm", level: float = 0.95, workers: int = 1,
                 scheduler: Any = None, progress: bool | None = None,
                 **overrides: Any) -> SimulationResult:
    """Draw ``reps`` synthetic studies and estimate the PMK slope by CC, MI and IPW in each.

    Parameters
    ----------
    reps : int
        Number of synthetic studies.
    seed : int, default :data:`youthtransitions.parallel.DEFAULT_SEED`
        Master seed (``None``: fresh entropy); replicate ``i`` draws its study seed and imputation seed from child ``i``
        of ``SeedSequence(seed)``, so results do not depend on ``workers`` or ``scheduler``.
    method : {"norm", "pmm"}
        Imputation model (:func:`~youthtransitions.missing.impute`); normal-regression draws
        by default, as :func:`~youthtransitions.missing.compare_methods` (see its Notes).
    m, n_iter : int
        Imputations and chained-equation cycles per study.
    level : float, default 0.95
    workers, scheduler, progress
        Passed to :func:`youthtransitions.parallel.run_replicates` (Dask when a scheduler is
        given).
    **overrides
        Fields of :class:`~youthtransitions.synthetic.params.SynthParams`.

    Returns
    -------
    SimulationResult
        ``to_frame()``: one row per estimand and method (see Notes); ``replicates``: one row
        per replicate and method, ``rep, seed, method, estimate, std_error, conf_low,
        conf_high, r2, r2_low, r2_high, n, truth_slope, truth_r2``.

    Notes
    -----
    The estimand is the population OLS slope (and R²) of wave-3 PMK functioning on wave-1
    relationship quality had every youth a PMK report (``truth.json``, ``estimands.pmk``).
    Per method: bias :math:`\\bar{\\hat\\theta} - \\theta`, RMSE
    :math:`\\sqrt{\\overline{(\\hat\\theta-\\theta)^2}}`, coverage of the ``level`` interval with
    Monte-Carlo SE :math:`\\sqrt{c(1-c)/R}` (Morris, White & Crowther 2019). When the
    generator rejects a seed (it could not meet the published subsample counts) the
    replicate draws the next seed from its own generator, up to 5 times, so the result stays
    a function of ``seed`` alone.
    """
    reps = check_count("reps", reps)
    level = check_level(level)
    method = check_choice("method", method, Method)
    if overrides.get("n_waves", 3) != 3:
        # the PMK frame (missing.frames) and its estimand are the study's wave 3
        raise UsageError(f"simulate_pmk compares the PMK reports of wave 3 of the study's three "
                         f"waves; n_waves={overrides['n_waves']!r} is for planning a study "
                         "(yt design --waves)")
    out = run_replicates(_one_replicate, reps, seed=seed,
                         args=(m, n_iter, level, method, overrides), workers=workers,
                         scheduler=scheduler, progress=progress, description="PMK simulation")
    rows = [{"rep": i + 1, **r} for i, rep in enumerate(out) for r in rep]
    replicates = pd.DataFrame(rows)
    settings = {"replicates": reps, "seed": seed, "imputations": m, "interval level": level}
    return SimulationResult(_summary(replicates), replicates, settings,
                            title="PMK simulation: bias, RMSE and 95% interval coverage")
