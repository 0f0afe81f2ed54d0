"""Reporting: output rules for sensitive data, the sample description and APA tables.

``replicate`` (the one-command replication, :mod:`~youthtransitions.report.pipeline`) and
``simulate`` (the simulation study, :mod:`~youthtransitions.report.simulation`) are imported
on first use, so this package imports quickly. No submodule shares a name with a public
function, so importing a submodule never hides one.
"""

from __future__ import annotations

import importlib
from typing import Any

from .description import Describe, describe
from .output_rules import apply_output_rules, output_rules_note, random_round, resolve_output_rules
from .tables import ApaTable, apa_table, format_apa

__all__ = ["apply_output_rules", "random_round", "resolve_output_rules", "output_rules_note",
           "describe", "Describe", "ApaTable", "apa_table", "format_apa",
           "replicate", "simulate"]

#: public function name -> submodule that defines it
_LAZY = {"replicate": ".pipeline", "simulate": ".simulation"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
