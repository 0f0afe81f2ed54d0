"""Checking set-membership data and reading condition and outcome names."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...errors import UsageError

__all__ = ["SetData", "set_data", "parse_outcome", "parse_conditions"]


def parse_outcome(outcome: str) -> tuple[str, bool]:
    """``"~SURV"`` -> ``("SURV", True)``; a leading ``~`` negates the outcome."""
    if not isinstance(outcome, str) or not outcome.strip():
        raise UsageError(f"outcome must be a column name, got {outcome!r}")
    name = outcome.strip()
    negated = name.startswith("~")
    name = name.lstrip("~").strip()
    if not name:
        raise UsageError(f"outcome {outcome!r} names no column")
    return name, negated


def parse_conditions(conditions: str | Sequence[str]) -> list[str]:
    """A comma-separated string or a sequence of names -> list of names (order kept)."""
    if isinstance(conditions, str):
        conditions = [c for c in conditions.split(",")]
    names = [str(c).strip() for c in conditions]
    if not names or any(not c for c in names):
        raise UsageError(f"conditions must be non-empty column names, got {conditions!r}")
    dupes = sorted({c for c in names if names.count(c) > 1})
    if dupes:
        raise UsageError(f"conditions repeat {', '.join(dupes)}")
    bad = [c for c in names if c.startswith("~") or any(ch in c for ch in "*+ ")]
    if bad:
        raise UsageError(f"condition names may not contain '~', '*', '+' or spaces: {bad}")
    return names


class SetData:
    """Checked membership scores: ``x`` (n, k) conditions, ``y`` (n,) outcome, ``cases``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, cases: list[str], conditions: list[str],
                 outcome: str, negated: bool):
        self.x, self.y, self.cases = x, y, cases
        self.conditions, self.outcome, self.negated = conditions, outcome, negated

    @property
    def outcome_label(self) -> str:
        return ("~" if self.negated else "") + self.outcome


def _scores(data: pd.DataFrame, column: str, labels: list[str]) -> np.ndarray:
    if column not in data.columns:
        raise UsageError(f"column {column!r} not found; the data have "
                         f"{', '.join(map(str, data.columns))}")
    col = data[column]
    try:
        values = pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        bad = [v for v in col if pd.notna(v) and pd.isna(pd.to_numeric(v, errors="coerce"))]
        raise UsageError(f"column {column!r} must hold membership scores in [0, 1]; "
                         f"found non-numeric value {bad[0]!r}") from None
    missing = np.flatnonzero(np.isnan(values))
    if missing.size:
        rows = ", ".join(labels[i] for i in missing[:10])
        raise UsageError(f"column {column!r} has {missing.size} missing value(s) (rows {rows}); "
                         "QCA needs complete membership scores")
    out = np.flatnonzero((values < 0) | (values > 1))
    if out.size:
        i = out[0]
        raise UsageError(f"column {column!r} must hold membership scores in [0, 1]; row "
                         f"{labels[i]} has {float(values[i])!r} ({out.size} value(s) "
                         "outside); calibrate raw values first")
    return values


def set_data(data: pd.DataFrame, outcome: str, conditions: str | Sequence[str],
             *, cases: str | None = None) -> SetData:
    """Check ``data`` and return its membership scores.

    Raises :class:`~youthtransitions.errors.UsageError` for a missing column, non-numeric,
    missing or out-of-range (outside [0, 1]) scores, or an outcome among the conditions.
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    name, negated = parse_outcome(outcome)
    conds = parse_conditions(conditions)
    if name in conds:
        raise UsageError(f"outcome {name!r} is also listed as a condition")
    if len(data) == 0:
        raise UsageError("data have no rows")
    if cases is not None:
        if cases not in data.columns:
            raise UsageError(f"case column {cases!r} not found")
        labels = [str(v) for v in data[cases]]
    else:
        labels = [str(v) for v in data.index]
    x = np.column_stack([_scores(data, c, labels) for c in conds])
    y = _scores(data, name, labels)
    if negated:
        y = 1.0 - y
    return SetData(x, y, labels, conds, name, negated)
