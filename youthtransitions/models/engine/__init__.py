"""The fast engine: profiled (RE)ML over per-group sufficient statistics.

:func:`fit_profiled` is the one entry point; ``fit_lmm(..., engine="fast")`` calls it.
"""

from __future__ import annotations

import numpy as np

from ...parallel import single_blas_thread
from .deviance import ProfiledDeviance, theta_to_lambda
from .optimize import minimise_deviance
from .patterns import PatternDeviance, design_patterns
from .satterthwaite import satterthwaite_df
from .scaling import fit_scalings, scale_suffstats, theta_back
from .suffstats import sufficient_statistics

__all__ = ["fit_profiled", "finish_fit", "inference", "inference_without_df", "SINGULAR_TOL", "make_deviance", "ProfiledDeviance",
           "PatternDeviance", "sufficient_statistics"]

SINGULAR_TOL = 1e-4  # lme4's isSingular(tol = 1e-4) on the diagonal of Lambda


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
    diag = np.array([theta[i] for i, (r, c) in enumerate(dev.positions) if r == c])
    return dict(vcov=sigma2 * (C + C.T) / 2,
                loglik=-dev.varpar_deviance(np.append(theta, np.sqrt(sigma2))) / 2,
                singular=bool((diag < SINGULAR_TOL).any()))


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


def fit_profiled(y, X, Z, groups, *, n_groups: int, reml: bool = True) -> dict:
    """Fit a two-level LMM by minimising the profiled (RE)ML deviance.

    Columns of X and Z far from unit scale are centred and scaled for the optimiser
    (:mod:`.scaling`); the estimates, their inference and the singularity flag are computed
    on the original columns at the optimum found.

    Returns a dict with beta, vcov, df, sigma2, random_cov, theta, loglik, converged,
    singular, message and optimizer details (evaluations, deviance, gradient).
    """
    with single_blas_thread():
        return _fit(y, X, Z, groups, n_groups=n_groups, reml=reml)


def make_deviance(ss, *, reml: bool, patterns=None) -> ProfiledDeviance:
    """Pattern-compressed deviance when groups share few ``Z_i'Z_i``, else per group.

    Both compute the same numbers (tests/models/test_engine.py); the pattern form costs
    O(patterns) per evaluation instead of O(groups). ``patterns``: :func:`design_patterns`
    of ``ss`` when already known.
    """
    if patterns is None:
        patterns = design_patterns(ss)
    n_pat = len(patterns[2])
    m = ss.q * (ss.p + 1)
    if n_pat <= max(1, ss.n_groups // 4) and n_pat * m * m <= 2e7:
        return PatternDeviance(ss, reml=reml, patterns=patterns)
    return ProfiledDeviance(ss, reml=reml)


def _fit(y, X, Z, groups, *, n_groups, reml):
    ss = sufficient_statistics(y, X, Z, groups, n_groups)
    xs, zs = fit_scalings(ss, X, Z)
    patterns = design_patterns(ss)
    dev = make_deviance(ss, reml=reml, patterns=patterns)
    if xs.identity and zs.identity:
        opt = minimise_deviance(dev)
        out = finish_fit(dev, opt["theta"], hessian=opt.pop("varpar_hessian"))
    elif zs.identity:
        # X divided by powers of two only: theta is the same, beta and Var(beta) scale
        # back exactly, the df do not change and the REML criterion moves by log|det A|
        dev_s = make_deviance(scale_suffstats(ss, xs.T, zs.T), reml=reml, patterns=patterns)
        opt = minimise_deviance(dev_s)
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
