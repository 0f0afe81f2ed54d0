"""Youth who share workers: the worker part of relationship quality and what it explains.

:func:`worker_share` fits the crossed models (youth and worker random intercepts) and returns
three estimands with cluster-bootstrap intervals (:class:`WorkerShareResult`):

``worker_rq_share``
    the worker's share of relationship-quality variance;
``worker_mean_share``
    the share of outcome variance explained by the worker-mean component of relationship
    quality (Rights & Sterba's between part, with workers as the clusters);
``binary_r2_difference``
    Nakagawa's marginal R² of the binary outcome with relationship quality minus without.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, estimate, model_size, text
from .._options import check_count, check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import run_replicates
from .bootstrap import percentile_ci

__all__ = ["WorkerShareResult", "WORKER_SHARE_SPEC", "worker_share", "worker_rq_share",
           "ESTIMANDS"]

#: the estimands of :func:`worker_share`, in table order
ESTIMANDS = ("worker_rq_share", "worker_mean_share", "binary_r2_difference")


#: kinds of :meth:`WorkerShareResult.to_frame`'s columns
WORKER_SHARE_SPEC = TableSpec({"estimand": text(), "estimate": estimate(),
                               "conf_low": estimate(), "conf_high": estimate(),
                               "n_youth": model_size("youth"),
                               "n_workers": model_size("worker")}, totals="none")


@dataclass(frozen=True, eq=False, repr=False)
class WorkerShareResult(TidyResult):
    """Point estimates and cluster-bootstrap percentile intervals of :data:`ESTIMANDS`.

    Attributes
    ----------
    estimates : dict
        Estimand -> point estimate.
    ci : dict
        Estimand -> (low, high); NaN without a bootstrap.
    level : float
    n_boot : int
        Replicates in which every estimand could be computed.
    n_obs : dict
        Rows used per estimand; ``n_youth`` and ``n_workers`` of the worker models.
    replicates : ndarray
        B x 3 replicate estimates (NaN where a fit failed).
    """

    estimates: dict[str, float]
    ci: dict[str, tuple[float, float]]
    level: float
    n_boot: int
    n_obs: dict[str, int]
    replicates: np.ndarray = field(default_factory=lambda: np.empty((0, 3)))
    title = "Worker share of relationship quality"

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: shares of variance and their interval limits, and the
        youth and workers each rests on (model sizes: rounded on real data, and an estimand
        resting on fewer than 10 of either withheld)."""
        return WORKER_SHARE_SPEC

    def to_frame(self) -> pd.DataFrame:
        """Columns ``estimand, estimate, conf_low, conf_high, n_youth, n_workers`` (the binary
        outcome's model has no worker term: its ``n_workers`` is missing)."""
        n = self.n_obs
        youth = [n["n_youth"], n["n_youth"], n.get("n_youth_binary", n["n_youth"])]
        return pd.DataFrame({"estimand": list(ESTIMANDS),
                             "estimate": [self.estimates[k] for k in ESTIMANDS],
                             "conf_low": [self.ci[k][0] for k in ESTIMANDS],
                             "conf_high": [self.ci[k][1] for k in ESTIMANDS],
                             "n_youth": youth,
                             "n_workers": pd.array([n["n_workers"], n["n_workers"], None],
                                                   dtype="Int64")})

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("Level", self.level), ("Bootstrap replicates", self.n_boot),
                *self.n_obs.items()]


def _variances(fit) -> dict[str, float]:
    vc = fit.varcorr()
    return {str(g): float(v) for g, v in zip(vc["group"], vc["vcov"], strict=True)}


#: the crossed model of relationship quality whose worker share is the first estimand
RQ_FORMULA = "x ~ 1 + (1 | _youth) + (1 | _worker)"


def rq_share_of(v: dict[str, float]) -> float:
    """``tau_w / (tau_y + tau_w + sigma^2)`` from the variances of a fit of
    :data:`RQ_FORMULA` (keys ``_youth``, ``_worker``, ``Residual``)."""
    return v["_worker"] / (v["_youth"] + v["_worker"] + v["Residual"])


def mean_share_of(b_cwm, b_wm, x_cwm, x_wm, v: dict[str, float]) -> float:
    """Rights & Sterba's between part with workers as clusters, ``b_wm^2 var(x_wm) /
    (var(b_cwm x_cwm + b_wm x_wm) + tau_y + tau_w + sigma^2)``, from the crossed model's
    slopes on the worker-mean-centred and worker-mean predictor and its variances."""
    fixed = float(np.var(b_cwm * x_cwm + b_wm * x_wm))
    total = fixed + v["_youth"] + v["_worker"] + v["Residual"]
    return float(b_wm ** 2 * np.var(x_wm) / total)


def _rq_share(fit) -> float:
    """:func:`rq_share_of` a fit of :data:`RQ_FORMULA`."""
    return rq_share_of(_variances(fit))


def _fits(lmm: pd.DataFrame, glmm: pd.DataFrame) -> dict[str, Any]:
    """The full-sample fits: ``rq`` and ``mean`` (crossed), ``binary`` (GLMM)."""
    from .crossed import fit_lmm_terms
    from .glmm import fit_glmm

    d = lmm.assign(_x_cwm=lmm["x"] - lmm["_x_wm"])
    return {"rq": fit_lmm_terms(RQ_FORMULA, lmm),
            "mean": fit_lmm_terms("y ~ _x_cwm + _x_wm + (1 | _youth) + (1 | _worker)", d),
            "binary": fit_glmm("b ~ x + (1 | _youth)", glmm)}


def _values(fits: dict[str, Any], lmm: pd.DataFrame) -> np.ndarray:
    """The three estimands from :func:`_fits` (the null binary model's marginal R² is 0:
    its fixed part is the intercept alone, whose variance over rows is 0)."""
    rq = _rq_share(fits["rq"])
    b = fits["mean"].params
    x_wm, x_cwm = lmm["_x_wm"], lmm["x"] - lmm["_x_wm"]
    mean = mean_share_of(b["_x_cwm"], b["_x_wm"], x_cwm, x_wm, _variances(fits["mean"]))
    return np.array([rq, mean, float(fits["binary"].r2().marginal)])


def _frames(data: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete-case frames of the worker models and of the binary models."""
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in names.values() if c not in data.columns]
    if missing:
        raise UsageError(f"worker_share needs the column(s) {', '.join(missing)}; the data "
                         f"has {', '.join(map(str, data.columns))}")
    d = pd.DataFrame({"_youth": data[names["youth"]].astype(str).to_numpy(),
                      "_worker": data[names["worker"]].to_numpy(dtype=object),
                      "x": _numeric(data, names["predictor"], "worker_share"),
                      "y": _numeric(data, names["outcome"], "worker_share"),
                      "b": _numeric(data, names["binary"], "worker_share")})
    d["_worker"] = d["_worker"].where(pd.notna(d["_worker"]), None)
    lmm = d.dropna(subset=["_worker", "x", "y"]).reset_index(drop=True)
    lmm["_worker"] = lmm["_worker"].astype(str)
    lmm["_x_wm"] = lmm.groupby("_worker")["x"].transform("mean")
    glmm = d.dropna(subset=["x", "b"]).reset_index(drop=True)
    return lmm, glmm


def _numeric(data: pd.DataFrame, column: str, who: str) -> np.ndarray:
    """``data[column]`` as floats (missing as NaN), or a UsageError naming the first row and
    value that is not a number."""
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() & data[column].notna()
    if bad.any():
        row = bad.to_numpy().argmax()
        raise UsageError(f"{who}: column {column!r} must hold numbers; row {row + 1} holds "
                         f"{data[column].iloc[row]!r}")
    return values.astype(float).to_numpy()


def _estimate(lmm: pd.DataFrame, glmm: pd.DataFrame) -> np.ndarray:
    return _values(_fits(lmm, glmm), lmm)


def worker_rq_share(data: pd.DataFrame, *, predictor: str = "relationship_quality",
                    youth: str = "youth_id", worker: str = "worker_id") -> float:
    """The worker share of ``predictor`` variance alone: one crossed REML fit.

    The first estimand of :func:`worker_share` without the other two (whose fits, a
    second crossed model and two GLMMs, cost several times more), for simulations that
    plan a study's workforce.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per youth and wave, with ``worker`` (missing where none was
        named).
    predictor, youth, worker : str
        Column names.

    Returns
    -------
    float
        ``tau_w / (tau_y + tau_w + sigma^2)`` of the REML fit of
        ``predictor ~ 1 + (1 | youth) + (1 | worker)`` on the rows with a worker and a
        predictor value.

    Notes
    -----
    The same model as :func:`worker_share`'s ``worker_rq_share``, but not always the same
    rows: :func:`worker_share` fits it on the rows of its worker models, which also need an
    ``outcome`` value, so the two differ where the outcome is missing and the predictor is
    not (22 of 3,697 rows on the shipped study). Checked against the
    generating share of data drawn from the crossed model (tests/models/test_worker_share.py)
    and against the synthetic study's population truth (tests/report/test_planning_levers.py).
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in (predictor, youth, worker) if c not in data.columns]
    if missing:
        raise UsageError(f"worker_rq_share needs the column(s) {', '.join(missing)}; the data "
                         f"has {', '.join(map(str, data.columns))}")
    d = pd.DataFrame({"_youth": data[youth].astype(str).to_numpy(),
                      "_worker": data[worker].to_numpy(dtype=object),
                      "x": _numeric(data, predictor, "worker_rq_share")})
    d = d[pd.notna(d["_worker"]) & d["x"].notna()].reset_index(drop=True)
    from .crossed import fit_lmm_terms

    return float(_rq_share(fit_lmm_terms(RQ_FORMULA, d.assign(_worker=d["_worker"].astype(str)))))


def _replicate(rng: np.random.Generator, lmm: pd.DataFrame, glmm: pd.DataFrame) -> np.ndarray:
    """One draw by the formula path: merged frames refitted from scratch (seconds a draw).

    The definition the bootstrap's array path (:mod:`.worker_draw`) is checked against.
    """
    youth = pd.unique(pd.concat([lmm["_youth"], glmm["_youth"]]))
    draw = pd.Series(youth[rng.integers(0, len(youth), size=len(youth))])
    pick = pd.DataFrame({"_youth": draw, "_new": np.arange(len(draw)).astype(str),
                         "_copy": draw.groupby(draw).cumcount().to_numpy()})
    frames = []
    for f in (lmm, glmm):
        r = f.merge(pick, on="_youth")
        if "_worker" in r and r["_worker"].notna().all():
            # a youth's second copy meets a second copy of each of its workers, so two
            # copies never share a worker (which would read as worker-level agreement)
            r["_worker"] = r["_worker"].where(r["_copy"] == 0,
                                              r["_worker"] + "#" + r["_copy"].astype(str))
        frames.append(r.assign(_youth=r["_new"]).drop(columns=["_new", "_copy"]))
    try:
        return _estimate(*frames)
    except (UsageError, np.linalg.LinAlgError, FloatingPointError, ValueError, KeyError):
        return np.full(len(ESTIMANDS), np.nan)


def worker_share(data: pd.DataFrame, *, predictor: str = "relationship_quality",
                 outcome: str = "wellbeing", binary: str = "positive_change",
                 youth: str = "youth_id", worker: str = "worker_id", B: int = 0,
                 seed: int | None = None, workers: int = 1, level: float = 0.95,
                 scheduler: Any = None) -> WorkerShareResult:
    """The worker part of relationship quality, what it explains, and the binary outcome.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per youth and wave: the analysis frame with ``worker`` (the
        worker named at that wave, missing where none) and ``binary`` (0/1) joined on.
    predictor, outcome, binary, youth, worker : str
        Column names.
    B : int, default 0
        Cluster-bootstrap replicates (0: point estimates only).
    seed, workers, scheduler
        Passed to :func:`youthtransitions.parallel.run_replicates`.
    level : float, default 0.95

    Returns
    -------
    WorkerShareResult

    Notes
    -----
    Rows with a missing ``worker``, ``predictor`` or ``outcome`` are left out of the worker
    models; rows with a missing ``predictor`` or ``binary`` out of the binary models.

    * ``worker_rq_share`` = ``tau_w / (tau_y + tau_w + sigma^2)`` of the REML fit of
      ``predictor ~ 1 + (1 | youth) + (1 | worker)``.
    * ``worker_mean_share``: with ``x_wm`` the mean of ``predictor`` over the rows of the
      worker named at that row and ``x_cwm = predictor - x_wm``, the REML fit of
      ``outcome ~ x_cwm + x_wm + (1 | youth) + (1 | worker)`` gives
      ``b_wm^2 var(x_wm) / (var(b_cwm x_cwm + b_wm x_wm) + tau_y + tau_w + sigma^2)``
      (variances over rows, divisor n): the total-variance share of the cluster-mean part,
      Rights & Sterba's (2019, *Psychol. Methods* 24(3)) ``f2`` with workers as clusters.
    * ``binary_r2_difference``: Nakagawa, Johnson & Schielzeth's (2017) marginal R² of the
      Laplace fit of ``binary ~ predictor + (1 | youth)`` (logit link, distribution
      variance pi^2/3, as performance 0.10.2) minus that of ``binary ~ 1 + (1 | youth)``
      (0, as it has no fixed effect besides the intercept).

    The bootstrap resamples youth with replacement (a youth drawn twice counts as two youth,
    with all their rows); workers are not resampled: the youth are the sampled units
    (recruited through their services), workers are whoever they named, so the intervals are
    conditional on the workforce and leave out the variability of drawing other workers,
    which a two-way (pigeonhole) bootstrap would add. A worker's ``x_wm`` stays the full
    sample's in every draw. Each draw is refitted on arrays warm-started at the full-sample
    estimates (:mod:`.worker_draw`, about 0.1 s a draw on the shipped study against several
    seconds by formulas; the same numbers to 1e-6). Percentile limits (R type 7) of the
    replicates in which every fit succeeded. Checked against the synthetic study's
    population truth (tests/synthetic/test_workers.py).
    """
    B = check_count("B", B, minimum=0)
    level = check_level(level)
    names = {"predictor": predictor, "outcome": outcome, "binary": binary, "youth": youth,
             "worker": worker}
    lmm, glmm = _frames(data, names)
    fits = _fits(lmm, glmm)
    point = _values(fits, lmm)
    n_obs = {"n_obs_workers": int(len(lmm)), "n_obs_binary": int(len(glmm)),
             "n_youth": int(lmm["_youth"].nunique()),
             "n_workers": int(lmm["_worker"].nunique()),
             "n_youth_binary": int(glmm["_youth"].nunique())}
    ci = {k: (float("nan"), float("nan")) for k in ESTIMANDS}
    reps = np.empty((0, len(ESTIMANDS)))
    if B > 0:
        from ..parallel import single_blas_thread
        from .worker_draw import draw_estimates, worker_arrays

        # a draw is many small products: BLAS threads would only wait on each other
        with single_blas_thread():
            reps = np.vstack(run_replicates(draw_estimates, B, seed=seed,
                                            args=(worker_arrays(lmm, glmm, fits),),
                                            workers=workers, scheduler=scheduler,
                                            description="worker-share bootstrap"))
        lo, hi = percentile_ci(reps, level)
        ci = {k: (float(lo[i]), float(hi[i])) for i, k in enumerate(ESTIMANDS)}
    ok = int(np.isfinite(reps).all(axis=1).sum())
    return WorkerShareResult(estimates=dict(zip(ESTIMANDS, map(float, point), strict=True)),
                             ci=ci, level=level, n_boot=ok, n_obs=n_obs, replicates=reps)
