"""Figure data: marks drawn only from gated tables, none standing for too few people.

The rule (Griffiths et al. 2019, *Handbook on Statistical Disclosure Control for Outputs*,
graphs: a graph is a table drawn, and each mark is a cell): on real data a mark (a point, a
line, a bar, a bin) must stand for at least ``threshold`` people. One line or point per youth
is refused; aggregate first, e.g. means with intervals per group, or :func:`bin_counts` for a
scatter, and declare which column holds the number of people behind each mark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError
from .kinds import TableSpec, count, text

__all__ = ["bin_counts", "binned_spec", "marks_below", "check_mark_spec"]


def bin_counts(frame: pd.DataFrame, x: str, y: str | None = None, *, bins: int = 10,
               count_column: str = "n") -> pd.DataFrame:
    """Counts per bin of ``x`` (and ``y``): the data of a density plot instead of points.

    Returns one row per non-empty bin with ``x_bin`` (and ``y_bin``) as interval labels and
    the number of rows in ``count_column``. Edges are equal-width over the observed range.
    """
    for c in (x, y):
        if c is not None and c not in frame.columns:
            raise UsageError(f"bin_counts: column {c!r} is not in the frame")
    keys = {"x_bin": pd.cut(frame[x], bins=bins)}
    if y is not None:
        keys["y_bin"] = pd.cut(frame[y], bins=bins)
    grouped = pd.DataFrame(keys).value_counts(sort=False).rename(count_column)
    out = grouped[grouped > 0].reset_index()
    for k in keys:
        out[k] = out[k].astype(str)
    return out


def binned_spec(unit: str = "youth", *, two_way: bool = False,
                count_column: str = "n") -> TableSpec:
    """The declaration of :func:`bin_counts` output (bins are labels, counts of ``unit``)."""
    columns = {"x_bin": text()}
    if two_way:
        columns["y_bin"] = text()
    columns[count_column] = count(unit)
    return TableSpec(columns, totals="none")


def check_mark_spec(spec: TableSpec, frame: pd.DataFrame, mark_size: str | None,
                    name: str) -> None:
    """Refuse a figure whose marks are single people, or whose mark size is undeclared."""
    ids = [c for c in frame.columns if c in spec.of_kind("identifier")]
    if ids:
        raise UsageError(f"figure {name!r} draws one mark per person (column {ids[0]!r}); on "
                         "data not marked synthetic draw means with intervals or binned counts")
    if mark_size is None:
        raise UsageError(f"figure {name!r}: name the column holding the number of people "
                         "behind each mark (mark_size=)")
    if mark_size not in spec.of_kind("count", "denominator", "model_size"):
        raise UsageError(f"figure {name!r}: mark_size {mark_size!r} must be a declared count")


def marks_below(sizes, threshold: int) -> np.ndarray:
    """Which marks stand for fewer than ``threshold`` people (missing sizes count as too few)."""
    x = pd.to_numeric(pd.Series(sizes), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.isnan(x) | (x < threshold)
