"""``design``: power and precision of the headline estimands over a grid of study designs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..._options import check_choice, check_count, check_level
from ...errors import UsageError
from ...parallel import DEFAULT_SEED, check_seed
from ...synthetic.evaluate import summarise_design
from ...synthetic.params import GENERATOR
from .analysis import PmkMethod, one_replicate
from .cells import CellStore, run_cells
from .levers import (
    WORKER_LEVERS,
    cell_label,
    cell_overrides,
    cell_truth,
    check_overrides,
    grid_cells,
)
from .result import DESIGN_TABLE_COLUMNS, DesignResult

__all__ = ["design", "QUICK_N", "QUICK_SHARE", "QUICK_REPS"]

#: the quick look: a coarse grid that runs in under a minute on 2 cores
QUICK_N = (300, 600, 1366)
QUICK_SHARE = (0.07, 0.14)
QUICK_REPS = 25


def design(n: Any = QUICK_N, share: Any = QUICK_SHARE, *, msu_share: Any = None,
           attrition: Any = None, pmk_nomination: Any = None, pmk_response: Any = None,
           waves: Any = None, caseload: Any = None, reps: int = QUICK_REPS,
           seed: int = DEFAULT_SEED, alpha: float = 0.05,
           level: float = 0.95, pmk_method: PmkMethod = "complete_cases", m: int = 5,
           workers: int = 1, scheduler: Any = None, progress: bool | None = None,
           out: str | Path | None = None, **overrides: Any) -> DesignResult:
    """Simulate a grid of study designs and report power and precision per estimand.

    Parameters
    ----------
    n : int or sequence of int, default (300, 600, 1366)
        Youth in the study.
    share : float or sequence, default (0.07, 0.14)
        The effect size: the population share of the last wave's wellbeing (wave 3 of the
        published study) explained by wave-1 relationship quality (truth.json
        ``headline_r2``; published 0.14).
    msu_share, attrition, pmk_nomination, pmk_response : float or sequence, optional
        Share of multiple-service users; per-wave dropout probability; probability of
        nominating a PMK; probability a nominated PMK is interviewed at a wave. Each at the
        published value when not given (see
        :func:`~youthtransitions.report.planning.levers.cell_overrides`).
    waves : int or sequence of int, optional
        Annual waves, 2 to 6 (published 3). With ``W`` waves the headline, the multilevel
        shares and the PMK estimand use waves 1 to ``W``: ``headline_r2`` and the PMK outcome
        are the last wave's (wave ``W``), their truth follows.
    caseload : float or sequence, optional
        Youth per worker (published 1,366 / 300 = 4.55): the study has ``round(n /
        caseload)`` workers. Given, the worker share of relationship-quality variance
        (``worker_rq_share``) is planned too, with bias and RMSE against its truth (one
        crossed fit more per replicate, about 0.2 s at 1,366 youth).
    reps : int, default 25
        Replicates per cell (a quick look; see Notes for a planning run).
    seed : int, default :data:`youthtransitions.parallel.DEFAULT_SEED`
        Master seed; replicate ``i`` of every cell uses child ``i`` of ``SeedSequence(seed)``.
    alpha : float, default 0.05
        Level of the tests whose rejection rate is the power.
    level : float, default 0.95
        Confidence level of the intervals (their width and coverage).
    pmk_method : {"complete_cases", "multiple_imputation"}
        How missing PMK reports are handled; complete cases by default because it is fast
        (MI with normal draws, ``m`` imputations, costs about 0.15 s more per replicate).
    m : int, default 5
        Imputations per replicate with ``pmk_method="multiple_imputation"``.
    workers, scheduler, progress
        As :func:`youthtransitions.parallel.run_replicates` (one progress bar per cell).
    out : path, optional
        Folder keeping each finished cell (``cells/<fingerprint>.json``, written
        atomically); a rerun with the same grid and settings loads those cells.
    **overrides
        Fixed fields of :class:`~youthtransitions.synthetic.params.SynthParams` (those the
        levers set are refused).

    Returns
    -------
    DesignResult
        ``to_frame()``: one row per cell and estimand
        (:data:`~youthtransitions.report.planning.analysis.ESTIMANDS`, and
        :data:`~youthtransitions.report.planning.analysis.WORKER_ESTIMANDS` with
        ``caseload``): the levers, ``estimand, power, power_mcse, median_width, width_mcse,
        bias, bias_mcse, rmse, rmse_mcse, coverage, coverage_mcse, reps, truth``.

    Notes
    -----
    Each replicate draws a study from the generator with the cell's parameters and runs
    :func:`~youthtransitions.report.planning.analysis.analyse`: the replication's estimates
    with analytic intervals in place of the cluster bootstrap (Fisher z for the r², delta
    method for the multilevel shares, t or Rubin for the PMK slope) and, per estimand, the
    test whose rejections are its power (likelihood-ratio tests of ML fits with and without
    the relationship-quality terms for the multilevel shares). Summaries and their Monte Carlo
    standard errors: :func:`~youthtransitions.synthetic.evaluate.summarise_design`. For a
    power ``p`` estimated to within a Monte Carlo SE ``e``, ``R = p(1 - p)/e^2`` replicates
    are needed (1,600 for ``e = 0.01`` at ``p = 0.8``; 2,500 at worst, ``p = 0.5``).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> result = yt.design(n=1366, share=0.14, reps=2, progress=False)
    >>> list(result.to_frame().columns[:4])
    ['n', 'share', 'estimand', 'power']
    """
    reps = check_count("reps", reps)
    seed = check_seed(seed, allow_none=False)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise UsageError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}")
    level = check_level(level)
    pmk_method = check_choice("pmk_method", pmk_method, PmkMethod)
    m = check_count("m", m, minimum=2)
    overrides = check_overrides(overrides)
    cells, shown = grid_cells({"n": n, "share": share, "msu_share": msu_share,
                               "attrition": attrition, "pmk_nomination": pmk_nomination,
                               "pmk_response": pmk_response, "waves": waves,
                               "caseload": caseload})
    workforce = any(k in shown for k in WORKER_LEVERS)  # else no worker fit: default speed
    for cell in cells:  # refuse an impossible cell before any work
        cell_overrides(cell, overrides)
    # flat, scalar settings: the disclosure gate publishes them as design parameters
    settings = {**{k: ",".join(f"{v:g}" for v in sorted({c[k] for c in cells})) for k in shown},
                "alpha": alpha, "level": level, "pmk_method": pmk_method,
                **({"m": m} if pmk_method == "multiple_imputation" else {}),
                "overrides": "; ".join(f"{k}={v!r}" for k, v in sorted(overrides.items())),
                "generator": GENERATOR}

    def prepare(cell: dict[str, Any]) -> tuple:
        return (cell_overrides(cell, overrides),
                cell_truth(cell, overrides, workers=workforce), pmk_method, level, m,
                workforce)

    long = run_cells(cells, one_replicate, reps, seed=seed, prepare=prepare,
                     settings=settings, store=None if out is None else CellStore(out),
                     label=lambda c: cell_label(c, shown), workers=workers,
                     scheduler=scheduler, progress=progress)
    long = long.drop(columns=[k for k in cells[0] if k not in shown])
    table = summarise_design(long, by=[*shown, "estimand"], alpha=alpha)
    table = table[[*shown, "estimand", *DESIGN_TABLE_COLUMNS, "truth"]]
    return DesignResult(table, long, {**settings, "reps": reps, "seed": seed}, shown)
