"""Study data: the data contract, study folders read and written, validation, the codes
table (also as a loose file or a REFI-QDA project), scale scoring and reliability.

Knows nothing of models. The contract is stated for users in ``docs/data-contract.md``.
"""

from .codes import CodeImport, as_codes, check_codes, read_codes
from .load import load_study
from .problems import PER_RULE, ProblemList
from .refi_qda import read_qdpx, write_qdpx
from .reliability import ReliabilityResult, reliability
from .scales import score_scales
from .study import Study, derive_msu
from .validate import validate_study

__all__ = ["Study", "load_study", "validate_study", "score_scales",
           "reliability", "ReliabilityResult", "derive_msu", "check_codes", "as_codes",
           "read_codes", "CodeImport", "read_qdpx", "write_qdpx", "ProblemList", "PER_RULE"]
