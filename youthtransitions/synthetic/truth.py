"""Population truth of the synthetic study, and the calibration of its headline effect.

The truth is computed on a large population draw from the same generative model
(``population_size`` youth, default 200,000, with the sample's MSU share; every wave (three
in the study, ``n_waves``), no attrition and no item missingness), never on the 1,366 sampled
youth. It depends on the parameters only, not on the sample's seed (the population has its
own ``population_seed``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..study.contract import DIMENSIONS
from .latent import draw_items, draw_wave_latents, draw_youth, score_items
from .params import SCALE_SPECS, SynthParams
from .workers import draw_positive_change, draw_workers

__all__ = ["population_scores", "compute_truth", "calibrate_b_between", "QUAL_EFFECTS"]

_SPEC = {s.scale: s for s in SCALE_SPECS}

#: qualitative-integration effects: which the generator builds in (True) and which it lacks
QUAL_EFFECTS = {
    "convergence": True,  # coded levels follow the same latent relationship as the rq scale
    "mechanism_change": True,  # active mechanisms go with larger wellbeing change
    "dose_response": True,  # each further active mechanism adds growth (growth_dose)
    "synergy": True,  # all four active adds growth beyond the additive parts
    "power_trap": True,  # low care with high control lowers growth
    "codes_beyond_scale": True,  # activation has a part (nu_k) the rq scale does not measure
    "subsample_difference": False,  # the subsample is a random draw of the MSU youth
}


def population_scores(p: SynthParams, *, n: int | None = None, seed: int | None = None,
                      workers: bool = False) -> dict[str, Any]:
    """Scale scores of a population draw: rq and wellbeing at every wave, pfn at the last.

    Returns arrays ``rq`` and ``wb`` (n x T, ``T = n_waves``), ``pfn3`` (n: PMK-rated
    functioning at the last wave, wave 3 in the study), plus the youth draw as ``youth``;
    with ``workers``, also ``workers`` (:class:`~.workers.Workers`, regions of ``n_youth``
    youth) and ``change`` (n x T positive change), drawn after everything else.
    """
    n = p.population_size if n is None else n
    seed = p.population_seed if seed is None else seed
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    youth = draw_youth(rng, p, n, int(round(n * p.n_msu / p.n_youth)))
    lat = draw_wave_latents(rng, p, youth)
    out: dict[str, Any] = {"youth": youth}
    out["rq"] = score_items(draw_items(rng, lat.rq, _SPEC["relationship_quality"]),
                            _SPEC["relationship_quality"])
    out["wb"] = score_items(draw_items(rng, lat.wellbeing, _SPEC["wellbeing"]),
                            _SPEC["wellbeing"])
    out["pfn3"] = score_items(draw_items(rng, lat.pfn[:, -1], _SPEC["pmk_functioning"]),
                              _SPEC["pmk_functioning"])
    if workers:  # drawn last, so the draws above are the same with or without them
        out["workers"] = draw_workers(rng, p, lat.rq)
        out["change"] = draw_positive_change(rng, p, lat.rq)
    return out


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1] ** 2)


def multilevel_truth(rq: np.ndarray, wb: np.ndarray) -> dict[str, float]:
    """Rights & Sterba (2019) R² of ``wb ~ rq_within + rq_between + (1 | youth)``, balanced.

    Notes
    -----
    For balanced data (every youth all T waves) with a cluster-mean-centred predictor the ML
    estimates have closed forms in the population moments: ``b_w`` is the pooled within
    slope, ``sigma^2`` the within residual variance (``SS_within / (n (T - 1))``); ``b_b``
    the slope of the youth means, ``tau00 = var(ybar - b_b xbar) - sigma^2 / T``. With
    ``f1 = b_w^2 var(x_w)``, ``f2 = b_b^2 var(x_b)`` (variances over all rows), ``v = 0``
    and ``m = tau00``: ``total.* = part / (f1 + f2 + v + m + sigma^2)``,
    ``within.f1 = f1 / (f1 + v + sigma^2)``, ``between.f2 = f2 / (f2 + m)`` (r2mlm names).
    The reduced model ``wb ~ 1 + (1 | youth)`` has f1 = f2 = 0, so each ``delta`` equals the
    full model's measure.
    """
    t = rq.shape[1]
    xb, yb = rq.mean(axis=1), wb.mean(axis=1)
    xw, yw = rq - xb[:, None], wb - yb[:, None]
    b_w = float((xw * yw).sum() / (xw**2).sum())
    sigma2 = float(((yw - b_w * xw) ** 2).sum() / (rq.shape[0] * (t - 1)))
    b_b = float(np.cov(xb, yb, bias=True)[0, 1] / xb.var())
    tau00 = float((yb - b_b * xb).var() - sigma2 / t)
    f1 = b_w**2 * float(xw.var())
    f2 = b_b**2 * float(xb.var())
    total = f1 + f2 + tau00 + sigma2
    full = {"total.f1": f1 / total, "total.f2": f2 / total, "total.v": 0.0,
            "total.m": tau00 / total, "within.f1": f1 / (f1 + sigma2), "within.v": 0.0,
            "between.f2": f2 / (f2 + tau00), "between.m": tau00 / (f2 + tau00)}
    reduced = {"total.f1": 0.0, "total.f2": 0.0, "within.f1": 0.0, "between.f2": 0.0}
    full["delta"] = {k: full[k] - v for k, v in reduced.items()}
    full["parameters"] = {"b_within": b_w, "b_between": b_b, "sigma2": sigma2, "tau00": tau00}
    return full


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    c = np.cov(x, y, bias=True)
    return float(c[0, 1] / c[0, 0]), float(c[0, 1] ** 2 / (c[0, 0] * c[1, 1]))


def _rounded(value: Any, digits: int = 6) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, digits)
    return value


@functools.lru_cache(maxsize=8)
def compute_truth(p: SynthParams) -> dict[str, Any]:
    """The ``estimands`` section of ``truth.json`` (values rounded to 6 decimals).

    Notes
    -----
    Computed on :func:`population_scores`; the Monte-Carlo standard error of an R² near 0.14
    with 200,000 youth is about ``2 r (1 - r^2) / sqrt(N) = 0.0014``.
    """
    pop = population_scores(p)
    rq, wb, pfn3 = pop["rq"], pop["wb"], pop["pfn3"]
    last = p.n_waves  # the headline's outcome wave: the last (3 in the study)
    r2 = _r2(rq[:, 0], wb[:, -1])
    n = rq.shape[0]
    slope, pr2 = _ols(rq[:, 0], pfn3)
    ml = multilevel_truth(rq, wb)
    est = {
        "headline_r2": {
            "value": r2,
            "mc_se": float(2 * np.sqrt(r2) * (1 - r2) / np.sqrt(n)),
            "definition": f"squared Pearson correlation of the wave-{last} wellbeing score "
                          "with the "
                          "wave-1 relationship_quality score over all youth of the population "
                          "(no attrition, no item missingness); calibrated to 0.14",
        },
        "r2_by_wave": {
            "value": {str(t + 1): _r2(rq[:, t], wb[:, t]) for t in range(last)},
            "definition": "squared Pearson correlation of relationship_quality and wellbeing "
                          "scores at the same wave, all youth of the population",
        },
        "multilevel": {
            "value": {k: v for k, v in ml.items() if k != "parameters"},
            "model_parameters": ml["parameters"],
            "definition": "Rights & Sterba (2019) R² measures (r2mlm names) of wellbeing ~ "
                          f"rq_within + rq_between + (1 | youth_id), waves 1-{last}, "
                          "rq_between = "
                          "youth mean of relationship_quality, rq_within = deviation from it; "
                          "delta = full minus reduced (wellbeing ~ 1 + (1 | youth_id)); "
                          "population ML values from balanced-data moments",
        },
        "pmk": {
            "value": {"slope": slope, "r2": pr2},
            "definition": f"OLS slope and R² of the wave-{last} pmk_functioning score on the "
                          "wave-1 "
                          "relationship_quality score had every youth of the population a "
                          "PMK report; PMK availability is missing at random given wave-1 "
                          "contextual risk, individual risk, resilience and wellbeing scores",
        },
    }
    y = pop["youth"]
    all4 = y.active.all(axis=1)
    qual_pop = {
        "share_all_four_active": float(all4.mean()),
        "share_active": {m: float(a) for m, a in
                         zip(DIMENSIONS, y.active.mean(axis=0), strict=True)},
        "share_trap": float(y.trap.mean()),
        "wellbeing_change_all4_minus_other": float(
            (wb[all4, -1] - wb[all4, 0]).mean() - (wb[~all4, -1] - wb[~all4, 0]).mean()),
    }
    return _rounded({"population_size": n, "population_seed": p.population_seed,
                     "estimands": est, "qual_population": qual_pop})


def calibrate_b_between(p: SynthParams, *, target: float = 0.14, n: int | None = None,
                        seed: int | None = None, tol: float = 1e-5,
                        max_iter: int = 20) -> float:
    """Solve ``b_between`` so that the population ``headline_r2`` equals ``target``.

    Notes
    -----
    The headline is the last wave's wellbeing explained by wave-1 relationship quality
    (wave 3 in the study; wave ``n_waves`` for a study of another length).
    Secant iterations on ``r(b) - sqrt(target)`` with common random numbers (by default the
    truth's own population draw: ``population_size`` youth, ``population_seed``), so ``r`` is
    a smooth function of ``b`` and the truth's ``headline_r2`` equals ``target`` up to the
    4-decimal rounding of ``b``. The default ``b_between`` in
    :class:`~youthtransitions.synthetic.params.SynthParams` is this function's result
    (checked by a test).
    """
    from dataclasses import replace

    def r_of(b: float) -> float:
        pop = population_scores(replace(p, b_between=b), n=n, seed=seed)
        return float(np.corrcoef(pop["rq"][:, 0], pop["wb"][:, -1])[0, 1])

    goal = np.sqrt(target)
    b0, b1 = p.b_between, p.b_between * 1.2 + 0.05
    f0, f1 = r_of(b0) - goal, r_of(b1) - goal
    for _ in range(max_iter):
        if abs(f1) < tol or f1 == f0:
            break
        b0, b1, f0 = b1, b1 - f1 * (b1 - b0) / (f1 - f0), f1
        f1 = r_of(b1) - goal
    return float(b1)
