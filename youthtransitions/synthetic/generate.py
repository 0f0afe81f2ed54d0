"""``synthesize``: draw one synthetic study and attach its truth."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from ..parallel import check_seed
from ..study import Study
from .codes import SOURCES, build_codes
from .params import DEFAULT_SEED, GENERATOR, SynthParams, make_params
from .sample import draw_sample
from .truth import QUAL_EFFECTS, compute_truth
from .worker_truth import worker_truth

__all__ = ["synthesize", "build_truth"]


def build_truth(params: SynthParams, seed: int, codes: pd.DataFrame) -> dict[str, Any]:
    """The ``truth.json`` dict of a study drawn with ``params`` and ``seed``."""
    truth = copy.deepcopy(compute_truth(params))  # the cached dict stays untouched
    counts = {
        "segments": int(codes["segment_id"].nunique()),
        "coded_rows": int(len(codes)),
        "double_coded_segments": int(codes["segment_id"].duplicated().sum()),
        "youth_with_source": {src: int(codes.loc[codes["source"] == src, "youth_id"].nunique())
                              for src in SOURCES},
    }
    truth["qual"] = {
        "built_in": [k for k, v in QUAL_EFFECTS.items() if v],
        "absent": [k for k, v in QUAL_EFFECTS.items() if not v],
        "parameters": {k: params.as_dict()[k] for k in (
            "mech_loading", "mech_threshold", "control_justice", "control_crisk",
            "control_threshold", "growth_dose", "growth_synergy", "growth_trap", "growth_sd",
            "double_code_share", "second_coder_agree")},
        "counts": counts,
        "population": truth.pop("qual_population"),
    }
    truth["workers"] = {
        "estimands": copy.deepcopy(worker_truth(params)),
        "parameters": {k: params.as_dict()[k] for k in (
            "n_workers", "worker_switch", "worker_rq_share", "worker_missing",
            "change_intercept", "change_rq", "change_sd_youth", "worker_population_regions")},
    }
    truth["synthetic"] = True
    truth["seed"] = int(seed)
    truth["generator"] = GENERATOR
    truth["parameters"] = params.as_dict()
    return truth


def synthesize(seed: int = DEFAULT_SEED, **overrides: Any) -> Study:
    """Draw a complete synthetic study, deterministically from ``seed``.

    Parameters
    ----------
    seed : int
        Seed of the sample draw (a non-negative integer). The population truth depends on the
        parameters only.
    **overrides
        Any field of :class:`~youthtransitions.synthetic.params.SynthParams`.

    Returns
    -------
    Study
        ``synthetic=True``; ``metadata`` holds ``seed``, ``generator``, ``parameters`` and
        ``truth`` (the ``truth.json`` dict).

    Notes
    -----
    The generative model and every estimand are defined in ``docs/synthetic.md``. The default
    parameters meet the published counts exactly (1,366 youth, 506 MSU, 107 subsample youth
    of mean age 17.49, 66 of them with a nominated PMK, 65 PMK interviews) and the truth's
    ``headline_r2`` is 0.14 (calibrated by
    :func:`~youthtransitions.synthetic.truth.calibrate_b_between`).

    Examples
    --------
    >>> study = synthesize(seed=1)
    >>> int(study.youth["msu"].sum())
    506
    """
    seed = check_seed(seed, allow_none=False)
    params = make_params(**overrides)
    sample = draw_sample(params, seed)
    codes = build_codes(params, sample)
    truth = build_truth(params, seed, codes)
    t = sample.tables
    meta = {"synthetic": True, "seed": int(seed), "generator": GENERATOR,
            "parameters": params.as_dict(), "truth": truth}
    return Study(youth=t["youth"], waves=t["waves"], scales=t["scales"], pmk=t["pmk"],
                 codes=codes, synthetic=True, source=None, metadata=meta)
