"""Population truth of the worker estimands (:func:`youthtransitions.models.worker_share`).

Computed on its own population draw from the generative model: ``worker_population_regions``
regions of ``n_youth`` youth, each with its own ``n_workers`` workers (so every region has the
study's design), every wave, no attrition and no item missingness, seed
``population_seed + 1``. The crossed models have no closed form under the generator's
worker assignment, so each region is fitted and the truth is the mean over regions, with its
Monte-Carlo standard error (the standard deviation over regions over the root of their
number).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from ..models.worker_share import ESTIMANDS, worker_rq_share, worker_share
from .params import SynthParams
from .truth import _rounded, population_scores

__all__ = ["worker_truth", "rq_share_truth", "region_frames", "DEFINITIONS"]

DEFINITIONS = {
    "worker_rq_share": "tau_worker / (tau_youth + tau_worker + sigma^2) of the REML fit of "
                       "relationship_quality ~ 1 + (1 | youth_id) + (1 | worker_id)",
    "worker_mean_share": "Rights & Sterba total-variance share of the worker-mean component: "
                         "b_wm^2 var(rq_wm) / (var(fixed part) + tau_youth + tau_worker + "
                         "sigma^2) of wellbeing ~ rq_cwm + rq_wm + (1 | youth_id) + "
                         "(1 | worker_id), rq_wm the mean relationship_quality of the worker "
                         "named at that row, rq_cwm = relationship_quality - rq_wm",
    "binary_r2_difference": "Nakagawa marginal R2 (logit, pi^2/3) of positive_change ~ "
                            "relationship_quality + (1 | youth_id) minus that of "
                            "positive_change ~ 1 + (1 | youth_id)",
}


def region_frames(p: SynthParams) -> list[pd.DataFrame]:
    """One long frame per population region (``youth_id, wave, worker_id, ...``)."""
    n = p.worker_population_regions * p.n_youth
    pop = population_scores(p, n=n, seed=p.population_seed + 1, workers=True)
    worker = pop["workers"].worker
    frames = []
    for r in range(p.worker_population_regions):
        rows = slice(r * p.n_youth, (r + 1) * p.n_youth)
        w = worker[rows].ravel()
        frames.append(pd.DataFrame({
            "youth_id": np.repeat(np.arange(p.n_youth), p.n_waves).astype(str),
            "wave": np.tile(np.arange(1, p.n_waves + 1), p.n_youth),
            "worker_id": np.where(w >= 0, w.astype(str), None),
            "relationship_quality": pop["rq"][rows].ravel(),
            "wellbeing": pop["wb"][rows].ravel(),
            "positive_change": pop["change"][rows].ravel().astype(float)}))
    return frames


@functools.lru_cache(maxsize=8)
def worker_truth(p: SynthParams) -> dict[str, Any]:
    """The ``workers`` section of ``truth.json``: value, mc_se and definition per estimand
    (empty when ``worker_population_regions`` is 0)."""
    if p.worker_population_regions == 0:
        return {}
    est = np.array([[worker_share(f).estimates[k] for k in ESTIMANDS]
                    for f in region_frames(p)])
    mean = est.mean(axis=0)
    se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    return _rounded({k: {"value": float(mean[i]), "mc_se": float(se[i]),
                         "definition": DEFINITIONS[k]} for i, k in enumerate(ESTIMANDS)})


@functools.lru_cache(maxsize=32)
def rq_share_truth(p: SynthParams) -> dict[str, float]:
    """``worker_rq_share`` alone: value and mc_se over the regions, as :func:`worker_truth`.

    One crossed fit per region (about 0.2 s at 1,366 youth) instead of the four fits of
    every worker estimand, for planning runs that vary the workforce; the same regions and
    the same fit, so it equals :func:`worker_truth`'s ``worker_rq_share``.
    """
    if p.worker_population_regions == 0:
        raise ValueError("rq_share_truth needs worker_population_regions >= 2")
    est = np.array([worker_rq_share(f) for f in region_frames(p)])
    return _rounded({"value": float(est.mean()),
                     "mc_se": float(est.std(ddof=1) / np.sqrt(len(est)))})
