"""``yt simulate``: the evidence that the headline pipeline is unbiased.

Draw many synthetic studies, run the headline analyses on each, and compare every estimate
with the generator's truth: bias, RMSE and the coverage of the 95% intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._options import check_count
from ..errors import UsageError
from ..parallel import DEFAULT_SEED, run_replicates
from ..synthetic.evaluate import SimulationResult, flatten_truth, summarise_simulation

__all__ = ["SimulationResult", "simulate", "summarise_replicates"]

_COLUMNS = ["estimand", "truth", "estimate", "conf_low", "conf_high"]
#: the summary's columns as ``yt simulate`` has always published them
_PUBLISHED = {"mean_width": "mean_ci_width"}
_SUMMARY = ["estimand", "truth", "mean_estimate", "bias", "rmse", "coverage", "coverage_mcse",
            "mean_ci_width", "reps"]


def _one_study(rng: np.random.Generator, B: int, n_youth: int | None) -> pd.DataFrame:
    """One replicate: a fresh synthetic study, its headline estimands, and its truth."""
    from ..models import variance_explained
    from ..synthetic import synthesize

    study_seed, boot_seed = (int(s) for s in rng.integers(0, 2**31 - 1, size=2))
    overrides = {} if n_youth is None else {"n_youth": n_youth}
    study = synthesize(seed=study_seed, **overrides)
    frame = study.analysis_frame()
    result = variance_explained(frame, outcome="wellbeing", predictor="relationship_quality",
                                group="youth_id", wave="wave", B=B, seed=boot_seed,
                                workers=1, progress=False)
    truth = flatten_truth(study.metadata["truth"]["estimands"])
    table = result.to_frame()
    table = table[table["estimand"].isin(truth)].copy()
    table["truth"] = table["estimand"].map(truth)
    return table[_COLUMNS].reset_index(drop=True)


def summarise_replicates(replicates: list[pd.DataFrame]) -> pd.DataFrame:
    """Bias, RMSE, coverage and mean interval width per estimand over replicates.

    The headline's view of :func:`~youthtransitions.synthetic.evaluate.summarise_simulation`:
    columns ``estimand, truth, mean_estimate, bias, rmse, coverage, coverage_mcse,
    mean_ci_width, reps``.
    """
    return _summary(_long(replicates))


def _long(replicates: list[pd.DataFrame]) -> pd.DataFrame:
    if not replicates:
        raise UsageError("no replicates to summarise")
    return pd.concat([r.assign(rep=i + 1) for i, r in enumerate(replicates)],
                     ignore_index=True)


def _summary(long: pd.DataFrame) -> pd.DataFrame:
    return summarise_simulation(long).rename(columns=_PUBLISHED)[_SUMMARY]


def simulate(reps: int = 200, *, seed: int = DEFAULT_SEED, B: int = 200,
             workers: int = 1, scheduler: Any = None, n_youth: int | None = None,
             progress: bool | None = None) -> SimulationResult:
    """Run the headline analyses on ``reps`` synthetic studies and compare with the truth.

    Parameters
    ----------
    reps : int, default 200
        Number of synthetic studies.
    seed : int, default :data:`youthtransitions.parallel.DEFAULT_SEED`
        Master seed; replicate ``i`` draws its study seed and bootstrap seed from child ``i``
        of ``SeedSequence(seed)``, so the numbers do not depend on ``workers``/``scheduler``.
    B : int, default 200
        Cluster-bootstrap draws per study for the intervals (the replication uses 1000; 200
        keeps a 200-study simulation within minutes and changes percentile limits little).
    workers, scheduler
        Local processes, or a Dask scheduler address or client.
    n_youth : int, optional
        Override the study size (default: the published 1,366).

    Returns
    -------
    SimulationResult
        One row per estimand: truth, mean_estimate, bias, rmse, coverage, coverage_mcse,
        mean_ci_width, reps; ``replicates`` holds every study's estimates (column ``rep``).
    """
    reps = check_count("reps", reps)
    B = check_count("B", B, minimum=2)
    replicates = run_replicates(_one_study, reps, seed=seed, args=(B, n_youth),
                                workers=workers, scheduler=scheduler, progress=progress,
                                description="synthetic studies")
    settings = {"reps": reps, "seed": seed, "B": B,
                "n_youth": n_youth if n_youth is not None else "published (1,366)"}
    long = _long(replicates)
    return SimulationResult(_summary(long), long, settings,
                            title="Simulation: headline estimands against the synthetic truth")
