"""Study data: the data contract, reading, validation, scale scoring and reliability.

Knows nothing of models. The contract is described in ``docs/data-contract.md``.
"""

from .load import load_study
from .reliability import ReliabilityResult, reliability
from .scales import score_scales
from .study import Study
from .validate import validate_study

__all__ = ["Study", "load_study", "validate_study", "score_scales", "reliability",
           "ReliabilityResult"]
