"""Nakagawa's R² of a GLMM, as ``performance::r2_nakagawa`` 0.10.2, and its cluster bootstrap.

Notes
-----
With :math:`\\sigma^2_f = \\mathrm{var}(X\\hat\\beta)` (the :math:`n-1` variance over the
model's rows, offset left out), :math:`\\sigma^2_\\alpha` the sum of the random-intercept
variances and :math:`\\sigma^2_d` the distribution-specific variance,

.. math::

   R^2_m = \\frac{\\sigma^2_f}{\\sigma^2_f + \\sigma^2_\\alpha + \\sigma^2_d}, \\qquad
   R^2_c = \\frac{\\sigma^2_f + \\sigma^2_\\alpha}{\\sigma^2_f + \\sigma^2_\\alpha +
   \\sigma^2_d}

(Nakagawa & Schielzeth 2013; Nakagawa, Johnson & Schielzeth 2017). :math:`\\sigma^2_d` is
:math:`\\pi^2/3` for the logit link, 1 for the probit, and for the Poisson (log link) the
lognormal approximation :math:`\\log(1 + 1/\\mu)` with :math:`\\mu = \\exp(\\beta_0)`,
:math:`\\beta_0` the intercept of the null model (the same random effects and offset, no
predictors), which is what insight 0.19.0 / performance 0.10.2 compute; later versions
changed :math:`\\mu`. Checked against ``tests/reference/performance_r2_glmm/`` to 1e-4.

The cluster bootstrap resamples the levels of the (single) grouping factor with
replacement, refits the model (and the Poisson null model) warm-started at the full fit, and
takes percentile limits; replicates run through :func:`youthtransitions.parallel.
run_replicates`, so the draws depend only on the seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..._options import check_count, check_level
from ..._tidy import TidyResult
from ...errors import UsageError
from ...parallel import run_replicates
from ..bootstrap import cluster_rows, percentile_ci

__all__ = ["GLMMR2", "bootstrap_glmm_r2", "nakagawa"]

MEASURES = ("marginal", "conditional")


@dataclass
class GLMMR2(TidyResult):
    """Nakagawa's marginal and conditional R² with their variance components.

    Attributes
    ----------
    values : dict
        ``{"marginal": ..., "conditional": ...}``.
    components : dict
        ``var_fixed, var_random, var_distribution, var_residual`` (and ``null_intercept``
        for the Poisson).
    ci : dict or None
        Percentile bootstrap limits per measure, when bootstrapped.
    level : float or None
    n_boot : int
        Successful bootstrap replicates.
    """

    values: dict[str, float]
    components: dict[str, float]
    ci: dict[str, tuple[float, float]] | None = None
    level: float | None = None
    n_boot: int = 0
    replicates: Any = field(default=None, repr=False)

    title = "Nakagawa R² of the GLMM"

    @property
    def marginal(self) -> float:
        return self.values["marginal"]

    @property
    def conditional(self) -> float:
        return self.values["conditional"]

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: the measure's name, estimates and interval limits."""
        from ..._disclosure import TableSpec, estimate, text

        return TableSpec({"measure": text(), "estimate": estimate(), "conf_low": estimate(),
                          "conf_high": estimate()}, totals="none")

    def to_frame(self) -> pd.DataFrame:
        """Columns ``measure, estimate, conf_low, conf_high`` (limits NaN unless bootstrapped)."""
        ci = self.ci or {}
        return pd.DataFrame({"measure": list(MEASURES),
                             "estimate": [self.values[m] for m in MEASURES],
                             "conf_low": [ci.get(m, (np.nan, np.nan))[0] for m in MEASURES],
                             "conf_high": [ci.get(m, (np.nan, np.nan))[1] for m in MEASURES]})


def _null_design(design):
    n = design.y.size
    return dataclasses.replace(design, X=np.ones((n, 1)), fixed_names=["(Intercept)"],
                               fixed_spec=None)


def random_intercepts_only(result) -> bool:
    """Whether every random term of a fitted GLMM is an intercept: the models whose
    Nakagawa R² :meth:`GLMMResult.r2` computes."""
    return all(t.names == ["(Intercept)"] for t in result.design.terms)


def _parts(result, null_intercept: float | None) -> tuple[dict, dict]:
    d = result.design
    if not random_intercepts_only(result):
        t = next(t for t in d.terms if t.names != ["(Intercept)"])
        raise UsageError("r2(): Nakagawa's R² is implemented for random intercepts only; "
                         f"the term for {t.group!r} has {', '.join(t.names)}")
    var_fixed = float(np.var(d.X @ result.params.to_numpy(), ddof=1))
    var_random = float(result.varcorr()["vcov"].sum())
    return nakagawa_parts(var_fixed, var_random, result.link, null_intercept)


def nakagawa_parts(var_fixed: float, var_random: float, link: str,
                   null_intercept: float | None = None) -> tuple[dict, dict]:
    """Nakagawa's marginal and conditional R² from the variance components (module Notes):
    the fixed part's variance over rows, the random intercepts' variances summed, and the
    link's distribution variance (``null_intercept``: the null model's, for the log link)."""
    if link == "logit":
        var_dist = np.pi ** 2 / 3
    elif link == "probit":
        var_dist = 1.0
    else:
        var_dist = float(np.log1p(1 / np.exp(null_intercept)))
    total = var_fixed + var_random + var_dist
    values = {"marginal": var_fixed / total, "conditional": (var_fixed + var_random) / total}
    comps = {"var_fixed": var_fixed, "var_random": var_random, "var_distribution": var_dist,
             "var_residual": var_dist, "var_dispersion": 0.0}
    if null_intercept is not None:
        comps["null_intercept"] = float(null_intercept)
    return values, comps


def _null_fit(result, design, start=None):
    from .fit import fit_design

    return fit_design(_null_design(design), result.family_obj, result.nagq,
                      formula=result.formula, data=result.data, start=start)


def nakagawa(result) -> GLMMR2:
    """Nakagawa's R² of a fitted GLMM (see the module Notes)."""
    null = None
    if result.family == "poisson":
        null = float(_null_fit(result, result.design).params.iloc[0])
    values, comps = _parts(result, null)
    return GLMMR2(values=values, components=comps)


def _resampled(design, rows, codes, n_groups):
    term = design.terms[0]
    new_term = dataclasses.replace(term, Z=term.Z[rows], codes=codes,
                                   labels=np.arange(n_groups))
    return dataclasses.replace(design, y=design.y[rows], n=design.n[rows], X=design.X[rows],
                               offset=design.offset[rows], terms=[new_term],
                               frame=design.frame.iloc[rows])


def _replicate(rng, result, null_start) -> np.ndarray:
    from .fit import fit_design

    d = result.design
    G = d.terms[0].n_levels
    rows, codes = cluster_rows(d.terms[0].codes, rng.integers(0, G, size=G), n_groups=G)
    design = _resampled(d, rows, codes, int(codes.max()) + 1)
    try:
        fit = fit_design(design, result.family_obj, result.nagq, formula=result.formula,
                         data=result.data, start=result._x)
        null = None
        if result.family == "poisson":
            null = float(_null_fit(result, design, start=null_start).params.iloc[0])
        values, _ = _parts(fit, null)
    except (UsageError, np.linalg.LinAlgError, FloatingPointError, ValueError):
        return np.full(len(MEASURES), np.nan)
    return np.array([values[m] for m in MEASURES])


def bootstrap_glmm_r2(result, B: int, *, seed: int | None = None, workers: int = 1,
                      level: float = 0.95, scheduler: Any = None) -> GLMMR2:
    """Nakagawa's R² with cluster-bootstrap percentile intervals (``B`` replicates)."""
    B = check_count("B", B, minimum=1)
    level = check_level(level)
    if len(result.design.terms) != 1:
        raise UsageError("the cluster bootstrap of R² resamples one grouping factor; the model "
                         f"has {len(result.design.terms)}")
    point = nakagawa(result)
    null_start = None
    if result.family == "poisson":
        null_start = _null_fit(result, result.design)._x
    reps = np.vstack(run_replicates(_replicate, B, seed=seed, args=(result, null_start),
                                    workers=workers, description="GLMM R² bootstrap"))
    lo, hi = percentile_ci(reps, level)
    ci = {m: (float(lo[i]), float(hi[i])) for i, m in enumerate(MEASURES)}
    ok = int(np.isfinite(reps).all(axis=1).sum())
    return dataclasses.replace(point, ci=ci, level=level, n_boot=ok, replicates=reps)
