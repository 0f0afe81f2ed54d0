"""Bootstrap confidence intervals for the R² measures of mixed models and their differences.

Cluster bootstrap (resample youth with replacement, refit) and parametric bootstrap (simulate
from the fitted model, refit). A cluster draw is a vector of group multiplicities: each model
refits on its full-sample per-group sufficient statistics weighted by them
(warm-started at the fitted theta; a block of draws refits together,
:class:`~youthtransitions.models.engine.block_newton.BlockNewton`, and a draw it cannot refit
alone, :func:`youthtransitions.models.engine.refit_weighted`) and takes its R² measures
from weighted per-group moments of the design
(:func:`~youthtransitions.models.r2.measures_from_moments`), so no row of the data is copied
per draw. A parametric draw refits the simulated response on the fitted design
(:func:`~youthtransitions.models.engine.refit`). Draws run through
:func:`youthtransitions.parallel.run_replicates`, so they depend only on the seed.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np

from .._options import check_choice, check_count, check_level
from ..errors import UsageError
from ..parallel import run_replicates, single_blas_thread
from ..stats.intervals import percentile_ci
from ..stats.resampling import bootstrap_counts
from .engine import refit, refit_weighted, sufficient_statistics
from .engine.block_newton import BOUNDARY, MAX_TABLE, BlockNewton
from .engine.deviance import theta_lower_bounds
from .r2 import (
    MEASURES,
    DesignMoments,
    R2Result,
    classify_predictors,
    measures_at_moments,
    measures_from_moments,
    measures_from_parts,
    r2_difference,
)

__all__ = ["bootstrap_r2", "cluster_measures", "cluster_measures_block", "cluster_rows",
           "cluster_statistics", "percentile_ci"]

Kind = Literal["cluster", "parametric"]

#: cluster draws computed together (:class:`~.engine.block_newton.BlockNewton`)
CLUSTER_BLOCK = 50


def cluster_rows(groups: np.ndarray, draw: np.ndarray, *,
                 n_groups: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows and new group codes of a cluster resample.

    Parameters
    ----------
    groups : ndarray (n,) of int
        Group code (0 .. G-1) of each observation.
    draw : ndarray (G,) of int
        The groups drawn, with replacement.
    n_groups : int, optional
        Number of groups (default ``groups.max() + 1``); groups without rows add no rows.

    Returns
    -------
    rows : ndarray
        Row indices of the resampled data, the drawn groups' rows one group after another.
    codes : ndarray
        New group code of each resampled row: position ``k`` of the draw becomes group ``k``,
        so a youth drawn twice counts as two youth. Codes of positions that add no rows are
        skipped, so the codes are always ``0 .. k-1``.
    """
    order = np.argsort(groups, kind="stable")
    if n_groups is None:
        n_groups = int(groups.max()) + 1 if groups.size else 0
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sizes = counts[draw]
    total = int(sizes.sum())
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    within = np.arange(total) - np.repeat(offsets, sizes)
    rows = order[np.repeat(starts[draw], sizes) + within]
    nonempty = sizes > 0
    codes = np.repeat(np.cumsum(nonempty) - 1, sizes)
    return rows, codes


def _spec(result: Any, role: str) -> dict[str, Any]:
    try:
        spec = {"y": np.asarray(result.y, float), "X": np.asarray(result.X, float),
                "Z": np.asarray(result.Z, float), "groups": np.asarray(result.groups),
                "beta": np.asarray(result.params.reindex(result.fixed_names), float),
                "tau": np.asarray(result.random_cov.to_numpy(), float),
                "sigma2": float(result.residual_variance),
                "names": list(result.fixed_names),
                "theta": np.asarray(getattr(result, "theta", []), float).ravel(),
                "reml": str(result.method).upper() == "REML"}
    except AttributeError as exc:
        raise UsageError(f"bootstrap_r2: the {role} model must be a fitted mixed model "
                         f"(fit_lmm result), got {type(result).__name__}") from exc
    theta = spec["theta"]
    spec["start"] = theta if theta.size and np.isfinite(theta).all() else None
    return spec


def cluster_statistics(X: np.ndarray, Z: np.ndarray, y: np.ndarray, groups: np.ndarray,
                       n_groups: int, *, theta: np.ndarray | None = None,
                       reml: bool = True) -> dict[str, Any]:
    """What a cluster-bootstrap refit of one model needs, computed once from the rows: the
    per-group sufficient statistics (``"ss"``) and design moments (``"moments"``); with the
    full-sample ``theta``, also the tables that refit blocks of draws together (``"block"``,
    a :class:`~youthtransitions.models.engine.block_newton.BlockNewton`, or None where it
    does not apply: tables too large, a theta on the boundary)."""
    ss = sufficient_statistics(y, X, Z, groups, n_groups, per_group=True)
    out = {"ss": ss, "moments": DesignMoments.from_design(X, Z, groups, n_groups),
           "block": None}
    if theta is not None and theta.size and BlockNewton.table_size(ss) <= MAX_TABLE:
        diag = np.isfinite(theta_lower_bounds(ss.q))
        if np.isfinite(theta).all() and (theta[diag] >= BOUNDARY).all():
            try:
                with single_blas_thread():
                    out["block"] = BlockNewton(ss, theta, reml)
            except (np.linalg.LinAlgError, FloatingPointError, ValueError):
                out["block"] = None
    return out


def cluster_measures(stats: dict[str, Any], weights: np.ndarray, *, reml: bool,
                     start: np.ndarray | None, kinds: list[str]) -> dict[str, float | None]:
    """Every R² measure of the refit to the cluster resample of multiplicities ``weights``.

    The one-draw cluster-bootstrap refit of :func:`bootstrap_r2` and
    :func:`~youthtransitions.models.variance_explained`: the weighted-statistics refit
    (:func:`~youthtransitions.models.engine.refit_weighted`) and the weighted design moments
    (:func:`~youthtransitions.models.r2.measures_from_moments`).
    """
    fit = refit_weighted(stats["ss"], weights, reml=reml, start=start)
    return measures_from_moments(stats["moments"], weights, beta=fit.beta, tau=fit.random_cov,
                                 sigma2=fit.sigma2, kinds=kinds)


def cluster_measures_block(stats: dict[str, Any], weights: np.ndarray, *, reml: bool,
                           start: np.ndarray | None, kinds: list[str]) -> np.ndarray:
    """:func:`cluster_measures` of many draws (rows of ``weights``), as an array (draws x
    ``MEASURES``, NaN where a refit fails).

    The draws refit together where ``stats`` has the block tables
    (:class:`~youthtransitions.models.engine.block_newton.BlockNewton`); a draw the block
    gives up on, and every draw without the tables, refits alone. The same numbers either
    way, to the Newton tolerance (tests/models/test_block_newton.py).
    """
    with single_blas_thread():  # small products: BLAS threads only wait on each other
        return _measures_block(stats, np.asarray(weights, float), reml=reml, start=start,
                               kinds=kinds)


def _measures_block(stats, W, *, reml, start, kinds) -> np.ndarray:
    out = np.full((len(W), len(MEASURES)), np.nan)
    block = stats.get("block")
    fits = None
    if block is not None:
        try:
            fits = block.fit(W)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            fits = None  # every draw of the block refits alone, each with its own outcome
        n, mean, cov = stats["moments"].weighted_block(W)
    for i, w in enumerate(W):
        try:
            if fits is not None and fits.ok[i]:
                values = measures_at_moments(stats["moments"], n[i], mean[i], cov[i],
                                             beta=fits.beta[i], tau=fits.random_cov[i],
                                             sigma2=fits.sigma2[i], kinds=kinds)
            else:
                values = cluster_measures(stats, w, reml=reml, start=start, kinds=kinds)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            continue
        out[i] = _as_array(values)
    return out


def _as_array(values: dict) -> np.ndarray:
    return np.array([np.nan if values[m] is None else values[m] for m in MEASURES])


def _parametric(spec, kinds, y, n_groups) -> np.ndarray:
    fit = refit(y, spec["X"], spec["Z"], spec["groups"], n_groups=n_groups,
                reml=spec["reml"], start=spec["start"], inference=False)
    return _as_array(measures_from_parts(X=spec["X"], Z=spec["Z"], beta=fit.beta,
                                         tau=fit.random_cov, sigma2=fit.sigma2, kinds=kinds))


def _cluster_block(rngs: list, full: dict, reduced: dict | None, kinds_full: list,
                   kinds_reduced: list | None) -> list[np.ndarray]:
    """A block of cluster replicates: each draw's multiplicities (one resample of the
    groups per generator), then every model's refits of the block at once
    (:func:`cluster_measures_block`); a row is NaN where any of its refits failed."""
    n_groups = int(full["groups"].max()) + 1
    W = np.array([bootstrap_counts(rng, n_groups) for rng in rngs])
    models = [(full, kinds_full)] + ([] if reduced is None else [(reduced, kinds_reduced)])
    k = len(MEASURES)
    out = np.full((len(W), 2 * k), np.nan)
    for j, (spec, kinds) in enumerate(models):
        out[:, j * k:(j + 1) * k] = cluster_measures_block(
            spec["cluster"], W, reml=spec["reml"], start=spec["start"], kinds=kinds)
    failed = np.zeros(len(W), bool)
    for j in range(len(models)):
        failed |= np.isnan(out[:, j * k:(j + 1) * k]).all(axis=1)
    out[failed] = np.nan
    return list(out)


def _parametric_replicate(rng: np.random.Generator, full: dict, reduced: dict | None,
                          kinds_full: list, kinds_reduced: list | None) -> np.ndarray:
    """One parametric replicate: responses simulated from the fitted full model, the
    measures of full (and reduced) refitted to them, stacked; NaN on failure."""
    g = full["groups"]
    n_groups = int(g.max()) + 1
    models = [(full, kinds_full)] + ([] if reduced is None else [(reduced, kinds_reduced)])
    out = np.full(2 * len(MEASURES), np.nan)
    k = len(MEASURES)
    try:
        # T = V diag(w) V' = L L' with L = V diag(sqrt(w)); works for singular (boundary) T
        ev, V = np.linalg.eigh(full["tau"])
        L = V * np.sqrt(np.clip(ev, 0.0, None))
        b = rng.standard_normal((n_groups, L.shape[0])) @ L.T
        y = (full["X"] @ full["beta"] + np.einsum("ij,ij->i", full["Z"], b[g])
             + rng.normal(0.0, np.sqrt(full["sigma2"]), size=g.size))
        for j, (spec, kinds) in enumerate(models):
            out[j * k:(j + 1) * k] = _parametric(spec, kinds, y, n_groups)
    except (np.linalg.LinAlgError, FloatingPointError, ValueError):
        out[:] = np.nan
    return out


def bootstrap_r2(full: Any, reduced: Any = None, *, B: int = 1000,
                 kind: Kind = "cluster", seed: int | None = None,
                 workers: int = 1, scheduler: Any = None, level: float = 0.95,
                 progress: bool | None = None) -> R2Result:
    """Bootstrap confidence intervals for every R² measure (or every difference).

    Parameters
    ----------
    full : LMMResult
        Fitted model (the full model of a comparison).
    reduced : LMMResult, optional
        Nested model fitted to the same rows; then the intervals are for ``full - reduced``.
    B : int, default 1000
        Number of bootstrap replicates.
    kind : {"cluster", "parametric"}
        ``"cluster"``: draw as many groups as there are, with replacement, keeping each
        group's rows, and refit. ``"parametric"``: simulate responses from the fitted full
        model (random effects ~ N(0, T), residuals ~ N(0, sigma²)) and refit both models.
    seed : int, optional
        Master seed; replicate ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    workers : int, default 1
        Local processes (joblib); ``-1`` for all cores.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address or client.
    level : float, default 0.95
        Confidence level of the percentile intervals.
    progress : bool, optional
        Progress bar (default: when standard error is a terminal).

    Returns
    -------
    R2Result
        The point estimates of ``full`` (or of ``full - reduced``) with ``ci`` holding the
        percentile limits and ``bootstrap`` the settings, the number of failed refits and the
        replicate matrix (``"replicates"``, B x measures).

    Notes
    -----
    Percentile interval :math:`[\\hat\\theta^*_{(\\alpha/2)}, \\hat\\theta^*_{(1-\\alpha/2)}]`
    (Efron & Tibshirani 1993, ch. 13) with R's type-7 quantiles. The cluster bootstrap
    resamples level-2 units only, the scheme Rights & Sterba (2020) and r2mlm's ``r2mlm_ci``
    (via bootmlm) use for R² differences; cluster-mean-centred predictors stay centred
    because whole clusters are resampled. A cluster draw of multiplicities :math:`m_i`
    refits on the per-group sufficient statistics weighted by them, a group drawn twice
    being two groups as in a refit of the resampled rows (:func:`cluster_measures`; equal to
    such refits draw by draw to 1e-8); a parametric draw refits the fitted design. Both use
    the fast engine with the models' REML/ML. Replicates whose refit fails are dropped and
    counted. Checked for reproducibility across worker counts and Dask, and for coverage of
    a known truth, in ``tests/models/test_bootstrap.py``.
    """
    check_choice("kind", kind, Kind)
    B = check_count("B", B, minimum=2)
    level = check_level(level)
    spec_full = _spec(full, "full")
    spec_red = None if reduced is None else _spec(reduced, "reduced")
    if spec_red is not None and not (spec_red["y"].shape == spec_full["y"].shape
                                     and np.array_equal(spec_red["groups"], spec_full["groups"])
                                     and np.array_equal(spec_red["y"], spec_full["y"])):
        raise UsageError("bootstrap_r2: the full and reduced models must be fitted to the same "
                         "rows of the same data (same response and groups)")
    kinds_full = _kinds(spec_full)
    kinds_red = None if spec_red is None else _kinds(spec_red)
    if kind == "cluster":
        n_groups = int(spec_full["groups"].max()) + 1
        for spec in (spec_full, spec_red):
            if spec is not None:
                spec["cluster"] = cluster_statistics(
                    spec["X"], spec["Z"], spec["y"], spec["groups"], n_groups,
                    theta=spec["start"], reml=spec["reml"])
        reps = run_replicates(_cluster_block, int(B), seed=seed,
                              args=(spec_full, spec_red, kinds_full, kinds_red),
                              workers=workers, scheduler=scheduler, progress=progress,
                              description="cluster bootstrap", block=CLUSTER_BLOCK)
    else:
        reps = run_replicates(_parametric_replicate, int(B), seed=seed,
                              args=(spec_full, spec_red, kinds_full, kinds_red),
                              workers=workers, scheduler=scheduler, progress=progress,
                              description=f"{kind} bootstrap")
    reps = np.asarray(reps)
    k = len(MEASURES)
    draws = reps[:, :k] if spec_red is None else reps[:, :k] - reps[:, k:]
    failed = int(np.isnan(reps[:, 0]).sum())
    if failed > 0.1 * B:
        warnings.warn(f"{failed} of {B} bootstrap refits failed and were dropped; the interval "
                      "may be unreliable", RuntimeWarning, stacklevel=2)
    estimate = full.r2() if reduced is None else r2_difference(full, reduced)
    lo, hi = percentile_ci(draws, level)
    ci = {m: (float(lo[j]), float(hi[j])) for j, m in enumerate(MEASURES)
          if estimate.values.get(m) is not None}
    info = {"B": int(B), "seed": seed, "kind": kind, "level": level, "failed": failed,
            "replicates": draws}
    return estimate.with_ci(ci, level=level, bootstrap=info)


def _kinds(spec: dict) -> list[str]:
    kinds = classify_predictors(spec["X"], spec["groups"], spec["names"])
    return [kinds[name] for name in spec["names"]]
