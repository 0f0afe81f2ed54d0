"""Inference on a fitted linear mixed model: random effects, predictions, likelihood-ratio
tests, type III F tests (Satterthwaite, Kenward-Roger), intervals, ICC and diagnostics.

Every function takes a fitted :class:`~youthtransitions.models.LMMResult` and uses only its
public attributes; refits go through :func:`~youthtransitions.models.fit_lmm`.
"""

from .anova import anova
from .diagnostics import diagnostics_figure, diagnostics_frame
from .icc import icc
from .intervals import conf_int
from .kenward_roger import kenward_roger_table
from .lrt import lrt
from .random_effects import conditional_modes, fitted, predict, random_effects, residuals

__all__ = ["anova", "conditional_modes", "conf_int", "diagnostics_figure",
           "diagnostics_frame", "fitted", "icc", "kenward_roger_table",
           "lrt", "predict", "random_effects", "residuals"]
