"""Reporting: output rules for sensitive data, the sample description and APA tables.

``replicate`` and ``simulate`` (the one-command replication and the simulation study) live in
``report/replicate.py`` and ``report/simulate.py``; they are imported on first use, so this
package imports quickly.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from .describe import Describe, describe
from .output_rules import apply_output_rules, output_rules_note, random_round, resolve_output_rules
from .tables import ApaTable, apa_table, format_apa

__all__ = ["apply_output_rules", "random_round", "resolve_output_rules", "output_rules_note",
           "describe", "Describe", "ApaTable", "apa_table", "format_apa",
           "replicate", "simulate"]

#: public function name -> submodule of the same name that defines it
_LAZY = {"replicate": ".replicate", "simulate": ".simulate"}


#: public functions that share their name with the submodule defining them
_SHADOWED = {"describe", *_LAZY}


class _ReportModule(types.ModuleType):
    """Keeps ``report.replicate`` (and ``describe``, ``simulate``) the function even after
    the submodule of the same name is imported.

    Importing ``youthtransitions.report.replicate`` makes Python set the package attribute
    ``replicate`` to the submodule; that assignment is ignored so the function wins.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


sys.modules[__name__].__class__ = _ReportModule
