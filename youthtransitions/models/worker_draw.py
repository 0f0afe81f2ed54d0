"""One cluster-bootstrap draw of the worker-share estimands, on arrays.

:func:`worker_arrays` turns the worker models' frames and full-sample fits into integer codes
and arrays once; :func:`draw_estimates` then resamples youth with numpy and refits the three
models warm-started at the full-sample estimates, with no DataFrame merge or formula parse
per draw: the two crossed models through the sparse engine
(:func:`~youthtransitions.models.engine.sparse_fit.refit_sparse`), the binary model through
the GLMM's own design and optimiser (:mod:`~youthtransitions.models.glmm.laplace`). The numbers
are those of the formula path (``worker_share._replicate``) on the same draw, to the
optimisers' tolerance (tests/models/test_worker_draw.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from .bootstrap import cluster_rows
from .engine.sparse import TermSpec
from .worker_share import mean_share_of, rq_share_of

__all__ = ["WorkerArrays", "worker_arrays", "draw_estimates"]


@dataclass(frozen=True)
class WorkerArrays:
    """What a draw needs, as arrays.

    Attributes
    ----------
    n_youth : int
        Youth of either frame, in the order the draw indexes them.
    youth, worker : ndarray of int
        Per worker-model row: its youth (0 .. n_youth - 1) and worker (0 .. n_workers - 1).
    n_workers : int
    x, y, x_wm : ndarray
        Per worker-model row: predictor, outcome, and the full sample's worker mean of the
        predictor (a worker's mean stays its own in a draw, as the formula path's merge
        carries it).
    theta_rq, theta_mean : dict
        Full-sample theta (``_youth``, ``_worker``) of the two crossed models.
    binary_youth : ndarray of int
        Per binary-model row: its youth (0 .. n_youth - 1).
    binary : Any
        The full-sample binary fit (:class:`~youthtransitions.models.glmm.result.GLMMResult`).
    """

    n_youth: int
    youth: np.ndarray
    worker: np.ndarray
    n_workers: int
    x: np.ndarray
    y: np.ndarray
    x_wm: np.ndarray
    theta_rq: dict[str, float]
    theta_mean: dict[str, float]
    binary_youth: np.ndarray
    binary: Any


def _theta(fit) -> dict[str, float]:
    return {b.term.group: float(t) for b, t in zip(fit.blocks, fit.theta, strict=True)}


def worker_arrays(lmm: pd.DataFrame, glmm: pd.DataFrame, fits: dict) -> WorkerArrays:
    """The arrays of :class:`WorkerArrays` from the prepared frames (``_youth, _worker, x,
    y, _x_wm``; ``_youth, x, b``) and the full-sample ``fits`` (``rq``, ``mean``,
    ``binary``), youth in the formula path's order (worker-model youth first)."""
    youth = pd.unique(pd.concat([lmm["_youth"], glmm["_youth"]]))
    index = pd.Index(youth)
    worker, _ = pd.factorize(lmm["_worker"])
    binary = fits["binary"]
    # the binary design codes youth by its sorted labels: recode them in the draw's order
    term = binary.design.terms[0]
    to_draw = index.get_indexer(np.asarray(term.labels).astype(str))
    binary_youth = to_draw[term.codes].astype(np.int64)
    return WorkerArrays(
        n_youth=len(youth), youth=index.get_indexer(lmm["_youth"]).astype(np.int64),
        worker=worker.astype(np.int64), n_workers=int(worker.max()) + 1,
        x=lmm["x"].to_numpy(float), y=lmm["y"].to_numpy(float),
        x_wm=lmm["_x_wm"].to_numpy(float), theta_rq=_theta(fits["rq"]),
        theta_mean=_theta(fits["mean"]), binary_youth=binary_youth, binary=binary)


def _copies(draw: np.ndarray) -> np.ndarray:
    """How many earlier positions of ``draw`` hold the same youth (0 for its first copy)."""
    order = np.argsort(draw, kind="stable")
    ordered = draw[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(draw.size), 0))
    out = np.empty(draw.size, dtype=np.int64)
    out[order] = np.arange(draw.size) - start
    return out


def _variances(theta: np.ndarray, state: dict, dof: int, groups: list[str]) -> dict:
    sigma2 = state["pwrss"] / dof
    out = {g: sigma2 * t * t for g, t in zip(groups, theta, strict=True)}
    out["Residual"] = sigma2
    return out


def _crossed(y, X, youth, worker, start: dict[str, float]) -> tuple[np.ndarray, dict]:
    """REML fit of ``y ~ X + (1 | youth) + (1 | worker)``: fixed effects and variances."""
    from .engine.sparse_fit import refit_sparse

    one = np.ones((y.size, 1))
    terms = {"_youth": TermSpec(Z=one, codes=youth, n_levels=int(youth.max()) + 1),
             "_worker": TermSpec(Z=one, codes=worker, n_levels=int(worker.max()) + 1)}
    # lme4's term order: most levels first (stable)
    groups = sorted(terms, key=lambda g: -terms[g].n_levels)
    theta, state = refit_sparse(y, X, [terms[g] for g in groups],
                                np.array([start[g] for g in groups]))
    return state["beta"], _variances(theta, state, y.size - X.shape[1], groups)


def _binary_r2(a: WorkerArrays, draw: np.ndarray) -> float:
    """Marginal R² of the binary model on the draw (the null model's is 0: no fixed part).

    Fitted as :func:`~youthtransitions.models.glmm.fit.fit_design` with the full sample's
    theta as the ``nAGQ = 0`` stage's start, without the standard errors' Hessian.
    """
    from .glmm.laplace import GLMMDeviance, optimize_deviance, start_values
    from .glmm.r2 import nakagawa_parts

    full = a.binary
    d = full.design
    rows, codes = cluster_rows(a.binary_youth, draw, n_groups=a.n_youth)
    term = dataclasses.replace(d.terms[0], Z=d.terms[0].Z[rows], codes=codes,
                               labels=np.arange(int(codes.max()) + 1))
    design = dataclasses.replace(d, y=d.y[rows], n=d.n[rows], X=d.X[rows],
                                 offset=d.offset[rows], terms=[term], frame=None)
    dev = GLMMDeviance(design, full.family_obj, 1)
    x0 = start_values(dev, np.maximum(full._x[:dev.n_theta], dev.lower_theta))
    x = optimize_deviance(dev, x0, final_hessian=False)[0]
    theta, beta = x[:dev.n_theta], x[dev.n_theta:]
    fixed = float(np.var(design.X @ beta, ddof=1))
    return nakagawa_parts(fixed, float(theta[0] ** 2), "logit")[0]["marginal"]


def draw_estimates(rng: np.random.Generator, a: WorkerArrays) -> np.ndarray:
    """The three estimands on one cluster-bootstrap draw of youth (NaN where a fit fails).

    Notes
    -----
    Youth are drawn with replacement from all ``n_youth``; position ``k`` of the draw is a
    new youth with its original's rows, and its copy number ``c`` (earlier positions with
    the same youth) pairs each of its rows' worker ``w`` with the level ``(w, c)``: a
    youth's second copy meets second copies of its workers, so two copies of one youth
    never share a worker. The estimands are those of
    :func:`~youthtransitions.models.worker_share.worker_share`.
    """
    draw = rng.integers(0, a.n_youth, size=a.n_youth)
    try:
        rows, youth = cluster_rows(a.youth, draw, n_groups=a.n_youth)
        # the draw position of each row, then that position's copy number
        sizes = np.bincount(a.youth, minlength=a.n_youth)[draw]
        copy = np.repeat(_copies(draw), sizes)
        _, worker = np.unique(copy * a.n_workers + a.worker[rows], return_inverse=True)
        x, y, x_wm = a.x[rows], a.y[rows], a.x_wm[rows]
        _, v = _crossed(x, np.ones((x.size, 1)), youth, worker, a.theta_rq)
        rq = rq_share_of(v)
        x_cwm = x - x_wm
        b, v = _crossed(y, np.column_stack([np.ones(x.size), x_cwm, x_wm]), youth, worker,
                        a.theta_mean)
        mean = mean_share_of(b[1], b[2], x_cwm, x_wm, v)
        return np.array([rq, mean, _binary_r2(a, draw)])
    except (UsageError, np.linalg.LinAlgError, FloatingPointError, ValueError):
        return np.full(3, np.nan)
