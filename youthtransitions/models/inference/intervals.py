"""Confidence intervals of a linear mixed model: Wald, profile likelihood, parametric
bootstrap, behind one call.

Notes
-----
``method="wald"``: the fixed effects only, ``beta_j -/+ t_{df_j}(1 - alpha/2) SE_j`` with the
fit's own df (Satterthwaite, or Kenward-Roger for a fit made with that option), as the fit's
coefficient table (lme4's Wald intervals use the normal quantile and give none for variance
parameters). ``method="profile"``: :mod:`.profile`. ``method="bootstrap"``:
:mod:`.bootstrap`. Variance parameters are named as broom.mixed (``sd__(Intercept)``,
``cor__(Intercept).wave``, ``sd__wave``, ``sd__Observation``).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from scipy import special

from ..._options import check_choice
from ...errors import UsageError

__all__ = ["conf_int", "IntervalMethod", "wald_conf_int"]

IntervalMethod = Literal["wald", "profile", "bootstrap"]


def wald_conf_int(fit, level: float) -> pd.DataFrame:
    """``estimate -/+ t_{df}(1 - (1-level)/2) * SE`` of the fixed effects."""
    crit = special.stdtrit(fit.df.to_numpy(), 0.5 + level / 2)
    half = crit * fit.std_errors
    return pd.DataFrame({"conf_low": fit.params - half, "conf_high": fit.params + half})


def conf_int(fit, level: float | None = None, method: IntervalMethod = "wald", *,
             n_boot: int = 500, seed: int | None = None, workers: int = 1, scheduler=None,
             progress: bool | None = None) -> pd.DataFrame:
    """Confidence intervals, a DataFrame indexed by parameter with ``conf_low, conf_high``.

    Parameters
    ----------
    fit : LMMResult
    level : float, optional
        Default: the fit's ``ci_level``.
    method : {"wald", "profile", "bootstrap"}
    n_boot, seed, workers, scheduler, progress
        Bootstrap replicates and how they run (``method="bootstrap"`` only).
    """
    level = fit.ci_level if level is None else level
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, got {level!r}")
    check_choice("method", method, IntervalMethod)
    if method == "wald":
        return wald_conf_int(fit, level)
    if method == "profile":
        from .profile import profile_conf_int

        return profile_conf_int(fit, level)
    from .bootstrap import bootstrap_conf_int

    return bootstrap_conf_int(fit, level, n_boot, seed=seed, workers=workers,
                              scheduler=scheduler, progress=progress)
