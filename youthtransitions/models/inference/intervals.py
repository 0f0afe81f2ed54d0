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

from ..._options import check_choice
from ...errors import UsageError
from .tables import ConfIntTable

__all__ = ["conf_int", "IntervalMethod", "wald_conf_int"]

IntervalMethod = Literal["wald", "profile", "bootstrap"]
METHOD_LABEL = {"wald": "Wald (t, the fit's df)", "profile": "profile likelihood",
                "bootstrap": "parametric bootstrap, percentile"}


def wald_conf_int(fit, level: float) -> pd.DataFrame:
    """``estimate -/+ t_{df}(1 - (1-level)/2) * SE`` of the fixed effects: the limits of the
    fit's coefficient table at ``level``."""
    frame = fit.to_frame(level).set_index("term")[["conf_low", "conf_high"]]
    return frame.set_axis(pd.Index(fit.fixed_names, name="parameter"), axis=0)


def conf_int(fit, level: float | None = None, method: IntervalMethod = "wald", *,
             n_boot: int = 500, seed: int | None = None, workers: int = 1, scheduler=None,
             progress: bool | None = None) -> ConfIntTable:
    """Confidence intervals of the fixed effects (and, but for Wald, variance parameters).

    Parameters
    ----------
    fit : LMMResult
    level : float, optional
        Default: the fit's ``ci_level``.
    method : {"wald", "profile", "bootstrap"}
    n_boot, seed, workers, scheduler, progress
        Bootstrap replicates and how they run (``method="bootstrap"`` only).

    Returns
    -------
    ConfIntTable
        Its ``to_frame()`` is indexed by parameter, columns ``conf_low, conf_high``; for the
        bootstrap, ``attrs["n_failed"]`` counts replicates whose refit failed.
    """
    level = fit.ci_level if level is None else level
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, got {level!r}")
    check_choice("method", method, IntervalMethod)
    header = [("Method", METHOD_LABEL[method]), ("Level", level)]
    if method == "wald":
        return ConfIntTable(wald_conf_int(fit, level), header)
    if method == "profile":
        from .profile import profile_conf_int

        return ConfIntTable(profile_conf_int(fit, level), header)
    from .bootstrap import bootstrap_conf_int

    frame = bootstrap_conf_int(fit, level, n_boot, seed=seed, workers=workers,
                               scheduler=scheduler, progress=progress)
    return ConfIntTable(frame, header + [("Replicates", n_boot),
                                         ("Failed refits", frame.attrs["n_failed"])])
