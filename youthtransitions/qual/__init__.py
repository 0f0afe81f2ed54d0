"""Mechanism codes: import/export (REFI-QDA), reliability, quantitizing, integration tests,
QCA (:mod:`youthtransitions.qual.configurations`) and joint displays.
"""

from .integrate import IntegrationResult, integrate
from .io import CodeImport, read_codes
from .joint_display import JointDisplay, joint_display
from .qdpx_write import write_qdpx
from .quantitize import CodeJoin, join_codes, quantitize
from .reliability import ReliabilityResult, code_reliability

__all__ = ["CodeImport", "CodeJoin", "IntegrationResult", "JointDisplay", "ReliabilityResult",
           "integrate", "joint_display", "code_reliability", "join_codes",
           "quantitize", "read_codes", "write_qdpx"]

try:  # QCA lives in its own subpackage, built alongside
    from .configurations import qca  # noqa: F401 - re-exported, added to __all__ below
except ModuleNotFoundError as exc:  # pragma: no cover - only while it is not there yet
    if exc.name != f"{__name__}.configurations":
        raise
else:
    __all__.append("qca")
