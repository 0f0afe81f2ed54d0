"""The kinds of published numbers (defined at the base, :mod:`youthtransitions._disclosure`,
so results in every layer can declare their tables; re-exported here for the gate)."""

from __future__ import annotations

from ..._disclosure import (
    COUNT_KINDS,
    RATIO_KINDS,
    Column,
    Kind,
    TableSpec,
    Totals,
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

__all__ = ["Kind", "Totals", "Column", "TableSpec", "COUNT_KINDS", "RATIO_KINDS", "count",
           "denominator", "share", "mean_indicator", "model_size", "df", "design", "estimate",
           "identifier", "excerpt", "text"]
