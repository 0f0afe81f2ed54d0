"""Mechanism codes analysed: reliability, quantitizing, integration tests, QCA
(:mod:`youthtransitions.qual.configurations`) and joint displays.

Reading and writing codes (CSV, Parquet, Excel, REFI-QDA) belong to the data contract in
:mod:`youthtransitions.study`; ``read_codes``, ``CodeImport`` and ``write_qdpx`` are
re-exported here, where the analyses of codes are.
"""

from ..study.codes import CodeImport, read_codes
from ..study.refi_qda import write_qdpx
from .configurations import qca
from .integrate import IntegrationResult, integrate
from .joint_display import JointDisplay, joint_display
from .quantitize import CodeJoin, join_codes, quantitize
from .reliability import CodeReliabilityResult, code_reliability

__all__ = ["CodeImport", "CodeJoin", "IntegrationResult", "JointDisplay",
           "CodeReliabilityResult", "integrate", "joint_display", "code_reliability", "join_codes",
           "qca", "quantitize", "read_codes", "write_qdpx"]


def __getattr__(name: str):
    if name == "ReliabilityResult":  # deprecated name, warned by the module that defines it
        from . import reliability

        return reliability.ReliabilityResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
