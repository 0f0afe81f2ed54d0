"""REFI-QDA projects (``.qdpx``, QDA-XML 1.0) in both directions: the codes table read from
and written to the format NVivo, ATLAS.ti, MAXQDA and QualCoder exchange.

:mod:`.layout` states how codes map to the project; :mod:`.read` reads (safely: the archive
is opened by :mod:`.archive` within its limits) and :mod:`.write` writes by that one layout,
so a written project reads back as the same codes.
"""

from .layout import QDA_NAMESPACE
from .read import LIMITS, QdpxProject, parse_qdpx, read_qdpx
from .write import write_qdpx

__all__ = ["read_qdpx", "parse_qdpx", "QdpxProject", "write_qdpx", "LIMITS", "QDA_NAMESPACE"]
