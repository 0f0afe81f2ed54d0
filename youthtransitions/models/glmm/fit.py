"""``fit_glmm``: generalised linear mixed models fitted as lme4's ``glmer``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._options import check_count
from ...errors import UsageError
from ..random_terms import parse_random_terms
from .agq import MAX_NAGQ
from .design import GLMMDesign, build_glmm_design
from .families import Family, FamilyName, LinkName, make_family
from .laplace import GLMMDeviance, optimize_deviance, start_values
from .result import GLMMResult

__all__ = ["fit_design", "fit_glmm"]


def fit_glmm(formula: str, data: pd.DataFrame, family: FamilyName = "binomial",
             link: LinkName | None = None, nagq: int = 1, weights=None,
             offset=None) -> GLMMResult:
    """Fit a generalised linear mixed model by maximum likelihood, as ``lme4::glmer``.

    Parameters
    ----------
    formula : str
        lme4 syntax: ``"y ~ x + wave + (1 | youth_id)"``, ``(1 + x | g)``, ``(1 + x || g)``,
        several grouping factors crossed (``(1 | worker) + (1 | youth)``) or nested
        (``(1 | a/b)``), the forms of
        :data:`~youthtransitions.models.random_terms.SUPPORTED_FORMS`; ``offset(log(n))``
        terms; for a binomial outcome either a 0/1 response or ``cbind(successes, failures)``.
        Fixed terms use formulaic's syntax (``C(x)``, ``scale(x)``, ``x:z``).
    data : DataFrame
        Long-format data; rows with a missing model variable are dropped.
    family : {"binomial", "poisson"}
    link : {"logit", "probit", "log"}, optional
        Default: logit for the binomial, log for the Poisson.
    nagq : int, default 1
        1 for the Laplace approximation; up to 25 adaptive Gauss–Hermite points for a model
        with one scalar random effect.
    weights : str or array-like, optional
        Prior weights (a column name or one value per row); for a binomial proportion, the
        number of trials.
    offset : str or array-like, optional
        Added to the linear predictor (besides any ``offset()`` terms of the formula).

    Returns
    -------
    GLMMResult

    Raises
    ------
    UsageError
        Unknown family or link, a response the family cannot produce (a binomial outcome that
        is not 0/1 or successes/trials, negative counts), ``nagq > 1`` with a vector random
        effect or several grouping factors, and the formula and data errors of
        :func:`~youthtransitions.models.glmm.design.build_glmm_design`.

    Notes
    -----
    The deviance (Laplace, or adaptive quadrature) is minimised jointly in :math:`(\\theta,
    \\beta)` after glmer's ``nAGQ = 0`` start, with PIRLS for the modes; standard errors from
    the finite-difference Hessian (:mod:`.laplace`). Checked against lme4 1.1-31 on cbpp
    (binomial logit and probit, 0/1 and successes/trials, Poisson with an offset; Laplace
    and nAGQ = 10), grouseticks (crossed BROOD × LOCATION) and the shipped study
    (tests/reference/glmer/), and for uncorrelated and nested terms on MASS's bacteria
    ``(1 + week || ID)``, cbpp ``(1 | herd/period)`` and grouseticks ``(1 | LOCATION/BROOD)``
    (tests/reference/glmer_terms/): coefficients within 1e-4 relative, standard errors
    1e-3, log-likelihood 1e-6.
    """
    fam = make_family(family, link)
    nagq = check_count("nagq", nagq, minimum=1, maximum=MAX_NAGQ)
    parsed = parse_random_terms(formula)
    if nagq > 1 and (len(parsed.random) != 1):
        raise UsageError(f"nagq > 1 (adaptive quadrature) needs a single scalar random effect "
                         f"such as (1 | g); {formula!r} has {len(parsed.random)} random terms; "
                         "use nagq=1 (Laplace)")
    design = build_glmm_design(parsed, data, fam, weights=weights, offset=offset)
    if nagq > 1 and design.terms[0].p != 1:
        raise UsageError(f"nagq > 1 (adaptive quadrature) needs a single scalar random effect; "
                         f"the term for {design.terms[0].group!r} has "
                         f"{design.terms[0].p} columns ({', '.join(design.terms[0].names)}); "
                         "use nagq=1 (Laplace)")
    return fit_design(design, fam, nagq, formula=formula, data=data, weights=weights,
                      offset=offset)


def fit_design(design: GLMMDesign, family: Family, nagq: int, *, formula: str,
               data: pd.DataFrame, start: np.ndarray | None = None, weights=None,
               offset=None) -> GLMMResult:
    """Fit the model of a built design (``start``: ``(theta, beta)`` to warm-start from)."""
    dev = GLMMDeviance(design, family, nagq)
    theta0 = None
    if start is not None and np.all(np.isfinite(start)):
        # warm start of the nAGQ = 0 stage only: its optimum, and so glmer's start lp0 for
        # the joint stage, does not depend on where it starts, so the fit is the cold one's
        theta0 = np.maximum(np.asarray(start, dtype=float)[:dev.n_theta], dev.lower_theta)
    x0 = start_values(dev, theta0)
    x, fx, converged, H = optimize_deviance(dev, x0)
    return GLMMResult(formula=formula, data=data, family=family, nagq=nagq, design=design,
                      x=x, deviance=fx, hessian=H, state=dev.last, pls=dev.pls,
                      converged=converged, saturated=dev.saturated, weights=weights,
                      offset=offset)
