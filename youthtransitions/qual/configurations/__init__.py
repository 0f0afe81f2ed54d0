"""Qualitative comparative analysis (crisp and fuzzy sets) and its use on the mechanisms.

Calibration (:func:`calibrate`), truth tables (:func:`truth_table`), necessity
(:func:`necessity`), exact Boolean minimisation (:func:`minimize`: conservative, parsimonious
and intermediate solutions), the entry point :func:`qca` and, for the study,
:func:`mechanism_configurations`. Checked against R's QCA package on the Lipset benchmark
data (``tests/reference/qca``); see ``docs/qca.md``.
"""

from .calibrate import calibrate
from .fit import NecessityResult, necessity, sufficiency
from .mechanisms import MECHANISMS, mechanism_configurations
from .minimize import Model, minimize
from .qca import QCAResult, qca
from .truth_table import TruthTable, truth_table

__all__ = ["qca", "QCAResult", "calibrate", "truth_table", "TruthTable", "necessity",
           "NecessityResult", "sufficiency", "minimize", "Model", "mechanism_configurations",
           "MECHANISMS"]
