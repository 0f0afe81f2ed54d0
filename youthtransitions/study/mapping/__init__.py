"""Raw exports in, a study folder out: a declarative mapping (TOML) from SPSS, Stata, CSV or
Excel exports, wide or long, and a QDA project with its own code names, to the data
contract's tables.

:mod:`.spec` reads and checks the mapping, :mod:`.sources` reads a raw file, :mod:`.reshape`
turns it into one contract table, :mod:`.codebook` maps a QDA project's codes, and
:mod:`.run` (:func:`import_study`) validates and writes. The format is stated for users in
``docs/data-contract.md`` ("Importing raw exports").
"""

from .run import ImportReport, ImportResult, TableReport, import_study
from .spec import CodeTarget, Mapping, read_mapping

__all__ = ["import_study", "ImportResult", "ImportReport", "TableReport", "read_mapping",
           "Mapping", "CodeTarget"]
