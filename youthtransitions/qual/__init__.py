"""Mechanism codes: import/export (REFI-QDA), reliability, quantitizing, integration tests,
QCA (:mod:`youthtransitions.qual.configurations`) and joint displays.
"""

from .io import CodeImport, read_codes
from .qdpx_write import write_qdpx

__all__ = ["CodeImport", "read_codes", "write_qdpx"]
