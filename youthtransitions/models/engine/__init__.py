"""The fast engine: profiled (RE)ML over per-group sufficient statistics.

:func:`refit` is the one fit path and returns an :class:`EngineFit`: ``fit_lmm(...,
engine="fast")`` calls it (through :func:`fit_profiled`) with inference. A cluster-bootstrap
draw refits on the full sample's per-group statistics weighted by the draw's group
multiplicities: a block of draws together (:class:`.block_newton.BlockNewton`, in
``bootstrap_r2``), one draw through :func:`refit_weighted` (the block's fallback, and
:func:`~youthtransitions.models.variance_explained`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...parallel import single_blas_thread
from .deviance import ProfiledDeviance, theta_to_lambda
from .optimize import minimise_deviance
from .patterns import PatternDeviance, design_patterns
from .satterthwaite import satterthwaite_df
from .scaling import fit_scalings, scale_suffstats, theta_back
from .suffstats import SuffStats, sufficient_statistics
from .warm_start import warm_newton

__all__ = ["EngineFit", "fit_profiled", "finish_fit", "inference", "inference_without_df",
           "SINGULAR_TOL", "make_deviance", "ProfiledDeviance", "PatternDeviance", "refit",
           "refit_weighted", "sufficient_statistics", "SuffStats"]

SINGULAR_TOL = 1e-4  # lme4's isSingular(tol = 1e-4) on the diagonal of Lambda


@dataclass(frozen=True, eq=False)
class EngineFit:
    """What an engine returns for one fitted two-level model.

    Attributes
    ----------
    beta : ndarray (p,)
        Fixed effects.
    sigma2 : float
        Residual variance.
    random_cov : ndarray (q, q)
        Random-effects covariance ``Sigma_b = sigma^2 Lambda Lambda'``.
    theta : ndarray
        Lower triangle (column-major, as lme4) of the relative covariance factor Lambda.
    loglik : float
        Log-likelihood (the REML criterion's for a REML fit, as lme4).
    converged, singular : bool
        Optimiser convergence; lme4's ``isSingular`` (a diagonal element of Lambda < 1e-4).
    message : str
        The optimiser's message.
    vcov : ndarray (p, p) or None
        Fixed-effect covariance ``sigma^2 (X'V^{-1}X)^{-1}``; None for an estimates-only refit.
    df : ndarray (p,) or None
        Denominator degrees of freedom; None for an estimates-only refit.
    df_method : str
        How ``df`` was computed.
    optimizer : mapping
        Optimiser details (evaluations, deviance, gradient, evaluation mode).
    """

    beta: np.ndarray
    sigma2: float
    random_cov: np.ndarray
    theta: np.ndarray
    loglik: float
    converged: bool
    singular: bool
    message: str = ""
    vcov: np.ndarray | None = None
    df: np.ndarray | None = None
    df_method: str = "Satterthwaite"
    optimizer: Mapping[str, Any] = field(default_factory=dict)


def _is_singular(dev: ProfiledDeviance, theta: np.ndarray) -> bool:
    diag = np.array([theta[i] for i, (r, c) in enumerate(dev.positions) if r == c])
    return bool((diag < SINGULAR_TOL).any())


def inference(dev: ProfiledDeviance, theta: np.ndarray, sigma2: float, *,
              hessian: np.ndarray | None = None) -> dict:
    """Fixed-effect covariance ``sigma^2 (X'V^{-1}X)^{-1}``, Satterthwaite df, log-likelihood
    and lme4's singularity flag at ``(theta, sigma2)``; shared by both engines."""
    out = inference_without_df(dev, theta, sigma2)
    out["df"], out["satterthwaite"] = satterthwaite_df(dev, np.asarray(theta, float),
                                                       np.sqrt(sigma2), out["vcov"],
                                                       hessian=hessian)
    return out


def inference_without_df(dev: ProfiledDeviance, theta: np.ndarray, sigma2: float) -> dict:
    """:func:`inference` without the Satterthwaite df (for when they cannot be computed)."""
    theta = np.asarray(theta, float)
    C = np.linalg.inv(dev.state(theta)["XVX"])
    return dict(vcov=sigma2 * (C + C.T) / 2,
                loglik=-dev.varpar_deviance(np.append(theta, np.sqrt(sigma2))) / 2,
                singular=_is_singular(dev, theta))


def finish_fit(dev: ProfiledDeviance, theta: np.ndarray, *,
               hessian: np.ndarray | None = None) -> dict:
    """Estimates, standard errors, variance components and df at ``theta``."""
    st = dev.state(theta)
    sigma2 = st["pwrss"] / dev.dof
    lam = theta_to_lambda(theta, dev.q)
    out = inference(dev, theta, sigma2, hessian=hessian)
    out.update(beta=st["beta"], sigma2=sigma2, random_cov=sigma2 * lam @ lam.T,
               theta=np.asarray(theta, float), loglik=-st["deviance"] / 2)
    return out


def fit_profiled(y, X, Z, groups, *, n_groups: int, reml: bool = True) -> EngineFit:
    """:func:`refit` with inference, BLAS limited to one thread (what ``fit_lmm`` runs).

    Columns of X and Z far from unit scale are centred and scaled for the optimiser
    (:mod:`.scaling`); the estimates, their inference and the singularity flag are computed
    on the original columns at the optimum found.
    """
    with single_blas_thread():
        return refit(y, X, Z, groups, n_groups=n_groups, reml=reml)


def make_deviance(ss, *, reml: bool, patterns=None) -> ProfiledDeviance:
    """Pattern-compressed deviance when groups share few ``Z_i'Z_i``, else per group.

    Both compute the same numbers (tests/models/test_engine.py); the pattern form costs
    O(patterns) per evaluation instead of O(groups). ``patterns``: :func:`design_patterns`
    of ``ss`` when already known.
    """
    if patterns is None:
        patterns = ss.patterns if ss.patterns is not None else design_patterns(ss)
    n_pat = len(patterns[2])
    m = ss.q * (ss.p + 1)
    if n_pat <= max(1, ss.n_groups // 4) and n_pat * m * m <= 2e7:
        return PatternDeviance(ss, reml=reml, patterns=patterns)
    return ProfiledDeviance(ss, reml=reml)


def refit(y, X, Z, groups, *, n_groups: int | None = None, reml: bool = True,
          start: np.ndarray | None = None, inference: bool = True) -> EngineFit:
    """Fit a two-level LMM to arrays by minimising the profiled (RE)ML deviance.

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
    Z : ndarray (n, q)
    groups : ndarray (n,) of int
        Group codes 0 .. n_groups-1.
    n_groups : int, optional
        Number of groups (default ``groups.max() + 1``).
    reml : bool, default True
    start : ndarray, optional
        Starting theta (a warm start, e.g. the full-sample fit's theta for a bootstrap draw).
    inference : bool, default True
        True: the polished optimum with the fixed-effect covariance and Satterthwaite df
        (``fit_lmm``). False: estimates only, for refits where only beta, Sigma_b and
        sigma^2 are wanted (bootstrap draws); ``vcov`` and ``df`` are None.

    Returns
    -------
    EngineFit

    Notes
    -----
    The profiled deviance of Bates, Mächler, Bolker & Walker (2015, *J. Stat. Softw.* 67(1),
    eqs. 34-41) over per-group sufficient statistics (:func:`make_deviance`). With inference
    the optimiser is a projected Newton method on the exact Hessian (:mod:`.hessian`), on
    internally rescaled columns where a predictor's scale would trap it (:mod:`.scaling`),
    restarted from the unit and moment starts when it ends on the boundary, and checked as
    lme4's ``checkConv``;
    estimates only, one covariance parameter (a random intercept) is minimised by bounded
    Brent (:func:`scalar_minimum`) and more by L-BFGS-B without the polish. The two agree to
    the optimiser tolerance (``tests/models/test_engine.py``).
    """
    if n_groups is None:
        n_groups = int(np.max(groups)) + 1 if len(groups) else 0
    ss = sufficient_statistics(y, X, Z, groups, n_groups)
    if inference:
        out = _fit_scaled(ss, X, Z, reml=reml, start=start)
        return EngineFit(beta=out["beta"], sigma2=out["sigma2"], random_cov=out["random_cov"],
                         theta=out["theta"], loglik=out["loglik"], converged=out["converged"],
                         singular=out["singular"], message=out["message"], vcov=out["vcov"],
                         df=out["df"], optimizer=out["optimizer"])
    dev = make_deviance(ss, reml=reml)
    if dev.q == 1:
        theta, converged, message = scalar_minimum(dev, start)
    else:
        opt = minimise_deviance(dev, start=start, polish=False)
        theta, converged, message = opt["theta"], opt["converged"], opt["message"]
    return _estimates(dev, theta, converged, message)


def refit_weighted(stats, weights: np.ndarray, *, reml: bool = True,
                   start: np.ndarray | None = None) -> EngineFit:
    """Refit to a cluster resample given only as group multiplicities (estimates only).

    Parameters
    ----------
    stats : SuffStats
        ``sufficient_statistics(..., per_group=True)`` of the full sample.
    weights : ndarray (G,) of int
        How often each group is drawn (``np.bincount(draw, minlength=G)``).
    reml : bool, default True
    start : ndarray, optional
        Starting theta; the full-sample fit's theta is the natural warm start.

    Returns
    -------
    EngineFit
        ``vcov`` and ``df`` None, as :func:`refit` with ``inference=False``.

    Notes
    -----
    The deviance is that of the resampled rows with each copy of a group a group of its own
    (:meth:`SuffStats.reweighted`), so the estimates are those of :func:`refit` on the
    resampled rows. The optimiser is Newton's method from the warm start
    (:func:`.warm_start.warm_newton`: three or four evaluations to theta within about 1e-10
    relative, where minimisers that compare deviance values stop at about 1e-8, the
    deviance being flat to rounding there); when that optimum may be on the boundary, bounded
    Brent for one covariance parameter (:func:`scalar_minimum`) and the general optimiser
    with its boundary probes and restarts for more (:func:`minimise_deviance`). Nothing is
    rebuilt from rows or formulas. Checked draw by draw against ``refit`` on ``cluster_rows`` output in
    tests/models/test_bootstrap.py and tests/models/test_engine.py.
    """
    dev = make_deviance(stats.reweighted(weights), reml=reml)
    theta = None if start is None else warm_newton(dev, start)
    if theta is not None:
        return _estimates(dev, theta, True, "Newton from the warm start: converged")
    if dev.q == 1:
        theta, converged, message = scalar_minimum(dev, start)
        return _estimates(dev, theta, converged, message)
    opt = minimise_deviance(dev, start=start)
    return _estimates(dev, opt["theta"], opt["converged"], opt["message"])


def _estimates(dev: ProfiledDeviance, theta: np.ndarray, converged: bool,
               message: str) -> EngineFit:
    """beta, sigma^2, Sigma_b and the log-likelihood at ``theta``, without inference."""
    state = dev.state(theta)
    sigma2 = float(state["pwrss"] / dev.dof)
    lam = theta_to_lambda(theta, dev.q)
    return EngineFit(beta=np.asarray(state["beta"], float), sigma2=sigma2,
                     random_cov=sigma2 * lam @ lam.T, theta=np.asarray(theta, float),
                     loglik=-float(state["deviance"]) / 2, converged=bool(converged),
                     singular=_is_singular(dev, theta), message=message)


def scalar_minimum(dev: ProfiledDeviance, start=None) -> tuple[np.ndarray, bool, str]:
    """Minimise a one-parameter profiled deviance over theta >= 0 (bounded Brent).

    For a refit with one covariance parameter this needs about 20 deviance evaluations and
    none of the general optimiser's gradient, Hessian or convergence checks, several times
    faster. ``xatol`` 1e-10; the bracket is widened while the minimum sits at its upper end;
    theta = 0 (a boundary, singular fit, as lme4) when the deviance there is no larger than
    at the interior minimum. Returns ``(theta, converged, message)``.
    """
    from scipy.optimize import minimize_scalar

    def deviance(t: float) -> float:
        return float(dev.state(np.array([t]))["deviance"])

    s0 = 1.0 if start is None else float(np.ravel(start)[0])
    upper = max(10.0 * s0, 10.0) if np.isfinite(s0) else 10.0
    while True:
        res = minimize_scalar(deviance, bounds=(0.0, upper), method="bounded",
                              options={"xatol": 1e-10, "maxiter": 500})
        if res.x < 0.99 * upper or upper > 1e8:
            break
        upper *= 100.0  # the minimum sits at the bound: widen the search
    theta = float(res.x) if deviance(0.0) > res.fun else 0.0
    return np.array([theta]), bool(res.success), str(res.message)


def _fit_scaled(ss, X, Z, *, reml: bool, start: np.ndarray | None = None) -> dict:
    """The polished optimum with inference, optimised on rescaled columns where needed.

    ``start`` (a theta on the original columns) is used when Z needs no rescaling; with a
    rescaled Z the optimiser starts from its own unit and moment starts.
    """
    xs, zs = fit_scalings(ss, X, Z)
    patterns = design_patterns(ss)
    dev = make_deviance(ss, reml=reml, patterns=patterns)
    if xs.identity and zs.identity:
        opt = minimise_deviance(dev, start=start)
        out = finish_fit(dev, opt["theta"], hessian=opt.pop("varpar_hessian"))
    elif zs.identity:
        # X divided by powers of two only: theta is the same, beta and Var(beta) scale
        # back exactly, the df do not change and the REML criterion moves by log|det A|
        dev_s = make_deviance(scale_suffstats(ss, xs.T, zs.T), reml=reml, patterns=patterns)
        opt = minimise_deviance(dev_s, start=start)
        out = finish_fit(dev_s, opt["theta"], hessian=opt.pop("varpar_hessian"))
        a = np.diag(xs.T)
        out.update(beta=a * out["beta"], vcov=out["vcov"] * np.outer(a, a))
        if reml:
            out["loglik"] += float(np.log(a).sum())
    else:
        # optimise on centred and scaled columns, report on the original ones; groups
        # share T'Z_i'Z_i T exactly when they share Z_i'Z_i
        Zp, inverse, counts = patterns
        dev_s = make_deviance(scale_suffstats(ss, xs.T, zs.T), reml=reml,
                              patterns=(zs.T.T @ Zp @ zs.T, inverse, counts))
        opt = minimise_deviance(dev_s)
        opt.pop("varpar_hessian")
        out = finish_fit(dev, theta_back(opt["theta"], zs.T))
        opt["n_evaluations"] += dev.n_evals
    info = {k: v for k, v in opt.items() if k != "theta"}
    info["evaluation"] = ("patterns" if isinstance(dev, PatternDeviance) else "groups")
    info["n_patterns"] = getattr(dev, "n_patterns", None)
    out.update(converged=opt["converged"], message=opt["message"], optimizer=info)
    return out
