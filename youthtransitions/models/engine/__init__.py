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
from .suffstats import sufficient_statistics

__all__ = ["fit_profiled", "finish_fit", "make_deviance", "ProfiledDeviance",
           "PatternDeviance", "sufficient_statistics"]

SINGULAR_TOL = 1e-4  # lme4's isSingular(tol = 1e-4) on the diagonal of Lambda


def finish_fit(dev: ProfiledDeviance, theta: np.ndarray, *,
               hessian: np.ndarray | None = None) -> dict:
    """Estimates, standard errors, variance components and df at ``theta``."""
    q = dev.q
    st = dev.state(theta)
    sigma2 = st["pwrss"] / dev.dof
    lam = theta_to_lambda(theta, q)
    C = np.linalg.inv(st["XVX"])
    vcov = sigma2 * (C + C.T) / 2
    df, info = satterthwaite_df(dev, theta, np.sqrt(sigma2), vcov, hessian=hessian)
    diag = np.array([theta[i] for i, (r, c) in enumerate(dev.positions) if r == c])
    return dict(beta=st["beta"], vcov=vcov, df=df, sigma2=sigma2,
                random_cov=sigma2 * lam @ lam.T, theta=np.asarray(theta, float),
                loglik=-st["deviance"] / 2, singular=bool((diag < SINGULAR_TOL).any()),
                satterthwaite=info)


def fit_profiled(y, X, Z, groups, *, n_groups: int, reml: bool = True,
                 start: np.ndarray | None = None) -> dict:
    """Fit a two-level LMM by minimising the profiled (RE)ML deviance.

    Returns a dict with beta, vcov, df, sigma2, random_cov, theta, loglik, converged,
    singular, message and optimizer details (evaluations, deviance, gradient).
    """
    with single_blas_thread():
        return _fit(y, X, Z, groups, n_groups=n_groups, reml=reml, start=start)


def make_deviance(ss, *, reml: bool) -> ProfiledDeviance:
    """Pattern-compressed deviance when groups share few ``Z_i'Z_i``, else per group.

    Both compute the same numbers (tests/models/test_engine.py); the pattern form costs
    O(patterns) per evaluation instead of O(groups).
    """
    patterns = design_patterns(ss)
    n_pat = len(patterns[2])
    m = ss.q * (ss.p + 1)
    if n_pat <= max(1, ss.n_groups // 4) and n_pat * m * m <= 2e7:
        return PatternDeviance(ss, reml=reml, patterns=patterns)
    return ProfiledDeviance(ss, reml=reml)


def _fit(y, X, Z, groups, *, n_groups, reml, start):
    ss = sufficient_statistics(y, X, Z, groups, n_groups)
    dev = make_deviance(ss, reml=reml)
    opt = minimise_deviance(dev, start=start)
    out = finish_fit(dev, opt["theta"], hessian=opt.pop("varpar_hessian"))
    info = {k: v for k, v in opt.items() if k != "theta"}
    info["evaluation"] = ("patterns" if isinstance(dev, PatternDeviance) else "groups")
    info["n_patterns"] = getattr(dev, "n_patterns", None)
    out.update(converged=opt["converged"], message=opt["message"], optimizer=info)
    return out
