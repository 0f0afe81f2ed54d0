"""The disclosure gate: every published number, figure and word passes it.

A run builds one :class:`Gate` from the study's content fingerprint and whether the data are
synthetic; results declare their tidy tables with a :class:`TableSpec` of :class:`Column`
kinds, and the gate applies the output rules by kind (docs/output-rules.md): consistent RR3 of
counts keyed on the cell, suppression below 6 with secondary suppression, shares from the
published counts, model sizes rounded and degrees of freedom recomputed from them, small
models withheld, identifiers and excerpts kept out of real-data outputs. Its
:class:`DisclosureLog` is ``disclosure.json`` and the report's output-checking section.
"""

from __future__ import annotations

from .core import Gate, GatedTable
from .figures import bin_counts, binned_spec
from .kinds import (
    Column,
    Kind,
    TableSpec,
    count,
    denominator,
    design,
    df,
    estimate,
    excerpt,
    identifier,
    mean_indicator,
    model_size,
    share,
    text,
)
from .log import ArtefactRecord, DisclosureLog
from .rounding import CellKeyRounder
from .scan import Leak, find_leaks
from .secret import SECRET_ENV, load_secret, secret_path
from .session import file_fingerprint, gate_for_file, gate_for_study, study_fingerprint
from .text import Published, compose

__all__ = ["Gate", "GatedTable", "TableSpec", "Column", "Kind", "count", "denominator",
           "share", "mean_indicator", "model_size", "df", "design", "estimate", "identifier",
           "excerpt", "text", "DisclosureLog", "ArtefactRecord", "CellKeyRounder", "Published",
           "compose", "find_leaks", "Leak", "bin_counts", "binned_spec", "SECRET_ENV",
           "load_secret", "secret_path", "study_fingerprint", "file_fingerprint", "gate_for_study",
           "gate_for_file"]
