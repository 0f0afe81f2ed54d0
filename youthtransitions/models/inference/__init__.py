"""Inference on a fitted linear mixed model: random effects, predictions, likelihood-ratio
tests, type III F tests (Satterthwaite, Kenward-Roger), intervals, ICC and diagnostics.

The tests, random effects and intervals come back as :mod:`.tables` results: ``to_frame()``
is the documented DataFrame, ``summary()`` and the HTML view are drawn from it, and
``result["col"]``, ``.loc``, ``.index`` select from it as from that DataFrame.

Every function takes a fitted :class:`~youthtransitions.models.LMMResult` (:func:`.lrt` also
GLMM results) and uses only its public attributes; refits go through
:func:`~youthtransitions.models.fit_lmm`.
"""

from .anova import anova
from .diagnostics import diagnostics_figure, diagnostics_frame
from .icc import icc
from .intervals import conf_int
from .kenward_roger import kenward_roger_table
from .lrt import lrt
from .random_effects import conditional_modes, fitted, predict, random_effects, residuals
from .tables import AnovaTable, ConfIntTable, InferenceTable, LRTTable, RandomEffectsTable

__all__ = ["AnovaTable", "ConfIntTable", "InferenceTable", "LRTTable", "RandomEffectsTable",
           "anova", "conditional_modes", "conf_int", "diagnostics_figure",
           "diagnostics_frame", "fitted", "icc", "kenward_roger_table",
           "lrt", "predict", "random_effects", "residuals"]
