"""Draw the sample of a synthetic study: youth, waves, PMK reports and the qualitative subsample.

The order of draws (each from its own child of ``SeedSequence(seed)``) is fixed: youth, wave
items, subsample, PMK, attrition and dates, codes, then workers and positive change (a seventh
child, so adding them left every earlier draw as it was). See ``docs/synthetic.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..parallel import replicate_generators
from ..study.contract import CONTRACT
from .latent import (
    ETHNICITIES,
    GENDERS,
    SERVICES,
    WaveLatents,
    Youth,
    draw_items,
    draw_wave_latents,
    draw_youth,
    score_items,
)
from .params import SCALE_SPECS, SynthParams
from .workers import Workers, draw_positive_change, draw_workers, worker_ids

__all__ = ["Sample", "draw_sample", "PMK_ROLES", "MAX_SUBSAMPLE_SMD"]

PMK_ROLES = CONTRACT["pmk"].column("pmk_role").categories
#: the subsample is redrawn until every profile SMD against the 506 is below this
MAX_SUBSAMPLE_SMD = 0.10
_MAX_TRIES = 20_000
_STREAMS = ("youth", "items", "subsample", "pmk", "attrition", "codes", "workers")


@dataclass
class Sample:
    """Everything drawn for one sample; ``tables`` holds the contract tables but codes."""

    youth: Youth
    latents: WaveLatents
    ids: np.ndarray
    qual: np.ndarray  # indices of subsample youth, sorted
    present: np.ndarray  # n x T bool: wave row exists (T = n_waves)
    pmk_present: np.ndarray  # n x T bool: PMK row exists
    codes_rng: np.random.Generator
    tables: dict[str, pd.DataFrame]
    workers: Workers | None = None


def _z(x: np.ndarray) -> np.ndarray:
    """Standardise an observed score in the sample; a missing score counts as the mean."""
    z = (x - np.nanmean(x)) / np.nanstd(x)
    return np.where(np.isfinite(z), z, 0.0)


def _draw_subsample(rng: np.random.Generator, p: SynthParams, y: Youth,
                    profile: np.ndarray) -> np.ndarray:
    """Random ``n_qual`` MSU youth with mean age 17.49 (2 decimals) and small SMDs.

    Notes
    -----
    Rejection sampling: simple random draws without replacement from the MSU youth are
    repeated until the mean ``age_w1`` rounds to ``qual_mean_age`` and every standardised
    mean difference of ``profile`` columns (subsample minus all MSU, over the MSU SD) is below
    :data:`MAX_SUBSAMPLE_SMD`. The accepted draw is a random draw conditional on these.
    When the MSU youth of a draw make that event rare (their mean age far from 17.49), the
    last draw is repaired by a random-swap search: a random member is exchanged for a random
    non-member whenever that lowers the distance to both conditions, until both hold. In the
    search the age SMD is left to the mean-age condition (column 0 of ``profile`` is age):
    when the MSU mean age is more than 0.1 SD from 17.49 the two cannot both hold.
    """
    msu = np.flatnonzero(y.msu)
    ref = profile[msu]
    mu, sd = np.nanmean(ref, axis=0), np.nanstd(ref, axis=0)

    def distance(pick: np.ndarray) -> float:
        gap = abs(y.age[pick].mean() - p.qual_mean_age)
        smd = np.abs((np.nanmean(profile[pick], axis=0) - mu) / sd)[1:]
        return (max(0.0, gap - 0.004) / 0.005
                + float(np.sum(np.maximum(0.0, smd - 0.9 * MAX_SUBSAMPLE_SMD))) / MAX_SUBSAMPLE_SMD)

    pick = msu[:0]
    for _ in range(_MAX_TRIES):
        pick = np.sort(rng.choice(msu, size=p.n_qual, replace=False))
        if abs(y.age[pick].mean() - p.qual_mean_age) >= 0.005:
            continue
        smd = (np.nanmean(profile[pick], axis=0) - mu) / sd
        if np.all(np.abs(smd) < MAX_SUBSAMPLE_SMD):
            return pick
    current = distance(pick)
    for _ in range(_MAX_TRIES):
        if current == 0.0:
            return np.sort(pick)
        outside = np.setdiff1d(msu, pick, assume_unique=True)
        trial = pick.copy()
        trial[rng.integers(len(trial))] = outside[rng.integers(len(outside))]
        value = distance(trial)
        if value < current:
            pick, current = trial, value
    raise UsageError(f"could not draw a subsample of {p.n_qual} MSU youth with mean age "
                     f"{p.qual_mean_age}; check age_mean and n_msu")


def _dates(rng: np.random.Generator, p: SynthParams, n: int) -> np.ndarray:
    """n x T interview dates: wave 1 in its window, then one gap per later wave."""
    start = np.datetime64(p.wave1_start, "D")
    w1 = start + rng.integers(0, p.wave1_window_days, size=n).astype("timedelta64[D]")
    gaps = np.clip(rng.normal(p.wave_gap_days, p.wave_gap_sd, size=(n, p.n_waves - 1)),
                   200, 530)
    offsets = np.concatenate([np.zeros((n, 1)), np.cumsum(np.round(gaps), axis=1)], axis=1)
    return w1[:, None] + offsets.astype("timedelta64[D]")


def _item_frame(items: dict[str, np.ndarray], rows: np.ndarray, wave: int) -> pd.DataFrame:
    cols = {}
    for spec in SCALE_SPECS:
        if spec.scale not in items:
            continue
        block = items[spec.scale][rows, wave - 1, :]
        for j, name in enumerate(spec.items):
            cols[name] = pd.array(block[:, j], dtype="Float64").astype("Int64")
    return pd.DataFrame(cols)


def scales_table() -> pd.DataFrame:
    """The ``scales`` table: one row per item of every scale."""
    rows = [(s.scale, s.table, item, (j + 1) in s.reverse, s.min, s.max)
            for s in SCALE_SPECS for j, item in enumerate(s.items)]
    frame = pd.DataFrame(rows, columns=["scale", "table", "item", "reverse", "min", "max"])
    frame["table"] = pd.Categorical(frame["table"], categories=["waves", "pmk"])
    return frame.astype({"min": "int64", "max": "int64"})


def _nominate(rng: np.random.Generator, p: SynthParams, z1: np.ndarray,
              qual: np.ndarray) -> np.ndarray:
    """PMK nomination: logistic threshold model on observed wave-1 scores (MAR).

    ``U = a0 + a . z1 + Logistic``; nominated when ``U > 0``, and in the subsample the
    ``n_qual_pmk_nominated`` youth with the largest ``U``.
    """
    util = p.nominate_intercept + z1 @ np.asarray(p.nominate_coefs) + rng.logistic(size=len(z1))
    nominated = util > 0
    nominated[qual] = False
    nominated[qual[np.argsort(-util[qual], kind="stable")[:p.n_qual_pmk_nominated]]] = True
    return nominated


def _attrition(rng: np.random.Generator, p: SynthParams, z_crisk: np.ndarray,
               in_qual: np.ndarray) -> np.ndarray:
    """Monotone dropout before each wave after the first (before waves 2 and 3 in the study),
    the same hazard on observed wave-1 contextual risk before every wave."""
    hazard = 1 / (1 + np.exp(-(p.dropout_intercept + p.dropout_risk * z_crisk)))
    drop = rng.random((len(z_crisk), p.n_waves - 1)) < hazard[:, None]
    present = np.ones((len(z_crisk), p.n_waves), dtype=bool)
    for t in range(1, p.n_waves):
        present[:, t] = present[:, t - 1] & ~drop[:, t - 1]
    present[in_qual] = True  # the subsample was interviewed annually
    return present


def _pmk_interviews(rng: np.random.Generator, p: SynthParams, nominated: np.ndarray,
                    present: np.ndarray, responds: np.ndarray,
                    qual: np.ndarray) -> np.ndarray:
    """n x T PMK rows; in the subsample exactly ``n_qual_pmk_interviewed`` youth have any."""
    pmk_present = nominated[:, None] & present & responds
    sub_nominated = qual[nominated[qual]]
    never = sub_nominated[rng.integers(0, len(sub_nominated))]
    pmk_present[never] = False
    others = sub_nominated[sub_nominated != never][:p.n_qual_pmk_interviewed]
    pmk_present[others[~pmk_present[others].any(axis=1)], 0] = True
    return pmk_present


def _youth_table(y: Youth, ids: np.ndarray, nominated: np.ndarray,
                 in_qual: np.ndarray) -> pd.DataFrame:
    youth = pd.DataFrame({"youth_id": ids})
    for k, name in enumerate(SERVICES):
        youth[name] = y.services[:, k]
    youth["msu"] = y.msu
    youth["gender"] = pd.Categorical.from_codes(y.gender, categories=list(GENDERS))
    youth["ethnicity"] = pd.Categorical.from_codes(y.ethnicity, categories=list(ETHNICITIES))
    youth["age_w1"] = y.age
    youth["pmk_nominated"] = nominated
    youth["qual_subsample"] = in_qual
    return youth


def _long_table(ids: np.ndarray, present: np.ndarray, extra: dict[str, object],
                items: dict[str, np.ndarray]) -> pd.DataFrame:
    """Rows of youth present at each wave: youth_id, wave, ``extra`` columns, items."""
    parts = []
    for t in range(1, present.shape[1] + 1):
        rows = np.flatnonzero(present[:, t - 1])
        head = pd.DataFrame({"youth_id": ids[rows], "wave": t})
        for name, values in extra.items():
            head[name] = values[rows, t - 1] if values.ndim == 2 else values[rows]
        parts.append(pd.concat([head, _item_frame(items, rows, t)], axis=1))
    frame = pd.concat(parts, ignore_index=True).sort_values(["youth_id", "wave"],
                                                            ignore_index=True)
    return frame.astype({"wave": "int64"})


def draw_sample(p: SynthParams, seed: int) -> Sample:
    """Draw one synthetic sample (all contract tables except ``codes``)."""
    streams = dict(zip(_STREAMS, replicate_generators(seed, len(_STREAMS)), strict=True))
    n = p.n_youth
    y = draw_youth(streams["youth"], p, n, p.n_msu)
    lat = draw_wave_latents(streams["youth"], p, y)
    items = {s.scale: draw_items(streams["items"], lat.get(s.scale), s, p)
             for s in SCALE_SPECS}
    spec = {s.scale: s for s in SCALE_SPECS}
    covariates = ("contextual_risk", "individual_risk", "resilience", "wellbeing")
    w1 = {k: score_items(items[k][:, 0, :], spec[k]) for k in covariates}
    z1 = np.column_stack([_z(w1[k]) for k in covariates])

    profile = np.column_stack([y.age, y.gender == 0, y.ethnicity == 0]
                              + [w1[k] for k in covariates[:3]])
    qual = _draw_subsample(streams["subsample"], p, y, profile)
    in_qual = np.zeros(n, dtype=bool)
    in_qual[qual] = True

    rng = streams["pmk"]
    nominated = _nominate(rng, p, z1, qual)
    role = rng.choice(len(PMK_ROLES), size=n, p=p.pmk_role_probs)
    responds = rng.random((n, p.n_waves)) < p.pmk_wave_response
    rng = streams["attrition"]
    present = _attrition(rng, p, z1[:, 0], in_qual)
    dates = _dates(rng, p, n)
    pmk_present = _pmk_interviews(rng, p, nominated, present, responds, qual)

    ids = np.array([f"YT{i:04d}" for i in range(1, n + 1)])
    waves = _long_table(ids, present, {"interview_date": dates},
                        {k: v for k, v in items.items() if spec[k].table == "waves"})
    waves["interview_date"] = waves["interview_date"].astype("datetime64[ms]")
    workers = draw_workers(streams["workers"], p, lat.rq)
    change = draw_positive_change(streams["workers"], p, lat.rq)
    waves = _add_worker_columns(waves, ids, present, workers, change)
    roles = pd.Categorical.from_codes(role, categories=list(PMK_ROLES))
    pmk = _long_table(ids, pmk_present, {"pmk_role": np.asarray(roles.codes)},
                      {k: v for k, v in items.items() if spec[k].table == "pmk"})
    pmk["pmk_role"] = pd.Categorical.from_codes(pmk["pmk_role"].to_numpy(),
                                                categories=list(PMK_ROLES))
    tables = {"youth": _youth_table(y, ids, nominated, in_qual), "waves": waves,
              "pmk": pmk, "scales": scales_table()}
    return Sample(y, lat, ids, qual, present, pmk_present, streams["codes"], tables, workers)


def _add_worker_columns(waves: pd.DataFrame, ids: np.ndarray, present: np.ndarray,
                        workers: Workers, change: np.ndarray) -> pd.DataFrame:
    """``waves`` with ``worker_id`` and ``positive_change`` after ``interview_date``.

    The columns are placed, not re-sorted: the long table is ordered by youth and wave, as
    the boolean mask ``present`` read row by row.
    """
    order = np.argsort(ids, kind="stable")
    mask = present[order]
    named = worker_ids(workers.worker)[order][mask]
    values = change[order][mask]
    at = waves.columns.get_loc("interview_date") + 1
    out = waves.copy()
    out.insert(at, "worker_id", pd.Series(named, dtype="str").where(pd.notna(named), None))
    out.insert(at + 1, "positive_change", pd.array(values, dtype="Int64"))
    return out
