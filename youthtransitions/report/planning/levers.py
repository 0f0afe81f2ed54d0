"""The design levers of a planned study and how each maps onto the synthetic generator.

A design cell is one value of every lever. The generator's parameters
(:class:`~youthtransitions.synthetic.params.SynthParams`) follow from it: the number of youth
and MSU youth directly, attrition and PMK nomination through the intercepts of their logistic
models, the PMK interview rate and the number of waves directly, the caseload (youth per
worker) through the number of workers, and the effect size, the population share of the last
wave's wellbeing explained by wave-1 relationship quality (truth.json ``headline_r2``; wave 3
in the study), through ``b_between`` solved by
:func:`~youthtransitions.synthetic.truth.calibrate_b_between`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ...errors import UsageError
from ...synthetic.params import MAX_WAVES, MIN_WAVES, SynthParams, make_params
from ...synthetic.truth import calibrate_b_between, compute_truth
from ...synthetic.worker_truth import rq_share_truth

__all__ = ["LEVERS", "PUBLISHED", "WORKER_LEVERS", "grid_cells", "check_overrides",
           "cell_overrides", "cell_truth", "cell_label"]

_DEFAULT = SynthParams()


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


#: every lever, in the order of the result's columns
LEVERS = ("n", "share", "msu_share", "attrition", "pmk_nomination", "pmk_response", "waves",
          "caseload")
#: levers of the workforce: given, the worker estimands are planned too (and cost a fit more)
WORKER_LEVERS = ("caseload",)
#: the published study's value of each lever
PUBLISHED: dict[str, float] = {
    "n": _DEFAULT.n_youth,
    "share": 0.14,  # the calibration target of the default b_between
    "msu_share": _DEFAULT.n_msu / _DEFAULT.n_youth,
    "attrition": _logistic(_DEFAULT.dropout_intercept),
    "pmk_nomination": _logistic(_DEFAULT.nominate_intercept),
    "pmk_response": _DEFAULT.pmk_wave_response,
    "waves": _DEFAULT.n_waves,
    "caseload": _DEFAULT.n_youth / _DEFAULT.n_workers,  # 1,366 youth, 300 workers: 4.55
}
#: generator fields the levers set: an override of one of them is refused
_SET_BY_LEVERS = {"n_youth": "n", "n_msu": "msu_share", "b_between": "share",
                  "dropout_intercept": "attrition", "nominate_intercept": "pmk_nomination",
                  "pmk_wave_response": "pmk_response", "n_waves": "waves",
                  "n_workers": "caseload"}
#: calibration population: the share is met to about +-0.003 (the MC error of r² at 50,000)
CALIBRATION_SIZE = 50_000


def _values(name: str, value: Any) -> list:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values:
        raise UsageError(f"design: {name} needs at least one value")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise UsageError(f"design: {name} must hold numbers, got {v!r}")
        if name == "n":
            if int(v) != v or v < 10:
                raise UsageError(f"design: n must hold whole numbers of youth of at least 10, "
                                 f"got {v!r}")
            out.append(int(v))
        elif name == "waves":
            if int(v) != v or not MIN_WAVES <= v <= MAX_WAVES:
                raise UsageError(f"design: waves must hold whole numbers of annual waves from "
                                 f"{MIN_WAVES} to {MAX_WAVES}, got {v:g}")
            out.append(int(v))
        elif name == "caseload":
            if v < 1:
                raise UsageError(f"design: caseload must hold numbers of youth per worker of "
                                 f"at least 1, got {v!r}")
            out.append(float(v))
        elif not 0 < v < 1:
            raise UsageError(f"design: {name} must lie strictly between 0 and 1, got {v!r}")
        else:
            out.append(float(v))
    if len(set(out)) != len(out):
        raise UsageError(f"design: {name} lists a value twice: {values}")
    return out


def grid_cells(levers: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every combination of the levers' values, and the names of the levers given.

    ``levers`` maps lever names to a value or a sequence of values; ``None`` keeps the
    published value (and leaves the lever out of the result's columns, but for ``n`` and
    ``share``, which are always shown).
    """
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise UsageError(f"design: unknown lever(s) {unknown}; known: {list(LEVERS)}")
    shown = [k for k in LEVERS if k in ("n", "share") or levers.get(k) is not None]
    axes = [_values(k, levers[k]) if levers.get(k) is not None else [PUBLISHED[k]]
            for k in LEVERS]
    return [dict(zip(LEVERS, combo, strict=True)) for combo in itertools.product(*axes)], shown


def check_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Fixed generator overrides, refusing those a lever sets and unknown names."""
    clash = sorted(set(overrides) & set(_SET_BY_LEVERS))
    if clash:
        raise UsageError("design: " + ", ".join(
            f"{k} is set by the {_SET_BY_LEVERS[k]!r} lever" for k in clash)
            + "; give the lever instead")
    make_params(**overrides)  # unknown names and bad values are refused here
    return dict(overrides)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _model_params(cell: dict[str, Any], overrides: dict[str, Any]) -> SynthParams:
    """Parameters of the population model behind a cell (the published sample size)."""
    n_msu = round(_DEFAULT.n_youth * cell["msu_share"])
    return make_params(**overrides, n_msu=n_msu, n_waves=cell["waves"])


@functools.lru_cache(maxsize=64)
def _b_between(share: float, params: SynthParams) -> float:
    if share == PUBLISHED["share"] and params == _DEFAULT:
        return _DEFAULT.b_between  # the published study's own calibration
    return round(calibrate_b_between(params, target=share, n=CALIBRATION_SIZE), 6)


def cell_overrides(cell: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The generator's overrides of one cell (``synthesize(seed, **result)``).

    Notes
    -----
    ``n_msu = round(n * msu_share)``; ``dropout_intercept = logit(attrition)`` and
    ``nominate_intercept = logit(pmk_nomination)``, so the levers are the per-wave dropout and
    the nomination probability of a youth at the sample mean of the wave-1 scores those
    models use (the published 0.060 and 0.721); ``pmk_wave_response = pmk_response``;
    ``n_waves = waves``; ``n_workers = round(n / caseload)`` (the published 300 workers for
    1,366 youth: 4.55 youth per worker);
    ``b_between`` solves ``headline_r2 = share`` on a population of 50,000 youth (the
    published share 0.14 keeps the generator's own ``b_between``); the qualitative
    subsample keeps its published share of the sample (:func:`_subsample`) unless
    overridden.
    """
    n = cell["n"]
    b = _b_between(cell["share"], _model_params(cell, overrides))
    # the sample's own worker truth costs seconds per cell; the planned worker estimand has
    # its own (cell_truth)
    out = {"worker_population_regions": 0, **_subsample(n), **overrides, "n_youth": n,
           "n_msu": round(n * cell["msu_share"]),
           "b_between": b, "dropout_intercept": _logit(cell["attrition"]),
           "nominate_intercept": _logit(cell["pmk_nomination"]),
           "pmk_wave_response": cell["pmk_response"], "n_waves": cell["waves"],
           "n_workers": _workers(n, cell["caseload"])}
    if out["n_msu"] < out["n_qual"]:
        raise UsageError(
            f"design: n={n} with MSU share {cell['msu_share']:.3f} gives {out['n_msu']} MSU "
            f"youth, fewer than the {out['n_qual']} of the qualitative subsample; use a "
            "larger n or pass a smaller n_qual (with n_qual_pmk_nominated and "
            "n_qual_pmk_interviewed) as overrides")
    return out


def _workers(n: int, caseload: float) -> int:
    """Workers of a study of ``n`` youth at ``caseload`` youth per worker (at least 2)."""
    k = round(n / caseload)
    if k < 2:
        raise UsageError(f"design: n={n} youth at a caseload of {caseload:g} youth per worker "
                         f"gives {k} worker(s); the worker model needs at least 2: use a "
                         "smaller caseload or a larger n")
    return k


def _subsample(n: int) -> dict[str, int]:
    """The qualitative subsample's counts at the published share of the sample.

    The subsample is interviewed every year (no attrition), so a fixed 107 youth would be a
    third of a 300-youth study; scaling keeps its share (and the published counts at 1,366).
    """
    ratio = n / _DEFAULT.n_youth
    q = max(2, round(_DEFAULT.n_qual * ratio))
    nominated = min(q, max(1, round(_DEFAULT.n_qual_pmk_nominated * ratio)))
    return {"n_qual": q, "n_qual_pmk_nominated": nominated,
            "n_qual_pmk_interviewed": min(nominated, max(1, round(
                _DEFAULT.n_qual_pmk_interviewed * ratio)))}


def cell_truth(cell: dict[str, Any], overrides: dict[str, Any], *,
               workers: bool = False) -> dict[str, Any]:
    """truth.json's ``estimands`` of the cell's population (cached per parameter set).

    The population truth depends on the MSU share, the waves and the model, not on the
    sample size, attrition or PMK availability, so cells differing only in those share one
    computation. With ``workers``, also ``worker_rq_share``
    (:func:`~youthtransitions.synthetic.worker_truth.rq_share_truth`): regions of the
    published 1,366 youth with ``round(1366 / caseload)`` workers each, so the truth depends
    on the caseload (and the waves), not on the study's size, and the bias at a small ``n``
    is the small-sample bias of the estimate.
    """
    params = _model_params(cell, overrides)
    b = _b_between(cell["share"], params)
    truth = compute_truth(replace(params, b_between=b))["estimands"]
    if workers:
        regions = overrides.get("worker_population_regions", _DEFAULT.worker_population_regions)
        region = replace(params, b_between=b, worker_population_regions=max(2, regions),
                         n_workers=_workers(_DEFAULT.n_youth, cell["caseload"]))
        truth = {**truth, "worker_rq_share": rq_share_truth(region)}
    return truth


def cell_label(cell: dict[str, Any], shown: Sequence[str]) -> str:
    """``n=600, share=0.14`` for progress bars and messages."""
    return ", ".join(f"{k}={cell[k]:g}" for k in shown)
