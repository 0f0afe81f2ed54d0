"""Mechanism codes: import/export (REFI-QDA), reliability, quantitizing, integration tests,
QCA (:mod:`youthtransitions.qual.configurations`) and joint displays.
"""

from .configurations import qca
from .integrate import IntegrationResult, integrate
from .io import CodeImport, read_codes
from .joint_display import JointDisplay, joint_display
from .qdpx_write import write_qdpx
from .quantitize import CodeJoin, join_codes, quantitize
from .reliability import ReliabilityResult, code_reliability

__all__ = ["CodeImport", "CodeJoin", "IntegrationResult", "JointDisplay", "ReliabilityResult",
           "integrate", "joint_display", "code_reliability", "join_codes",
           "qca", "quantitize", "read_codes", "write_qdpx"]

