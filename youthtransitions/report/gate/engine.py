"""The rules applied to one declared table: suppress, withhold, round, recompute.

Order (every step on the exact values, publication last):

1. counts, denominators and model sizes from 1 to ``threshold - 1`` are suppressed, then
   secondary suppression among the interior counts of each unit (:func:`secondary_suppression`);
2. a row whose model size or degrees of freedom are below ``min_units`` is withheld;
3. published counts are rounded by the consistent rule (:class:`CellKeyRounder`);
4. shares are recomputed from the published numerator and denominator (suppressed with them);
   degrees of freedom are recomputed as the same offset from the published counts;
5. values resting on a suppressed or withheld count are withheld; identifiers are withheld;
   excerpts are replaced by their code and segment id unless the run opted in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError
from ..output_rules import secondary_suppression
from .kinds import COUNT_KINDS, RATIO_KINDS, Column, TableSpec
from .log import ArtefactRecord
from .rounding import CellKeyRounder

__all__ = ["SUPPRESSED_FLAG", "WITHHELD_FLAG", "gate_frame", "cap_excerpt", "excerpt_stand_in"]

#: flag of a cell suppressed by the count rules (small, or protecting a small one)
SUPPRESSED_FLAG = "S"
#: flag of a cell withheld by another rule (model too small, identifier, resting on an S)
WITHHELD_FLAG = "W"

_LABEL_KINDS = ("text", "identifier", "excerpt", "design")


def cap_excerpt(text: object, cap: int) -> object:
    """``text`` cut to ``cap`` characters (an ellipsis marks the cut); non-strings unchanged."""
    if isinstance(text, str) and len(text) > cap:
        return text[: max(cap - 1, 0)] + "…"
    return text


def excerpt_stand_in(code: object, segment: object) -> str:
    """What is shown in place of an excerpt that is not published."""
    parts = [str(p) for p in (code, segment) if p is not None and not pd.isna(p)]
    return f"[excerpt withheld: {', '.join(parts)}]" if parts else "[excerpt withheld]"


def _declared(frame: pd.DataFrame, spec: TableSpec, name: str) -> dict[str, Column]:
    undeclared = [str(c) for c in frame.columns if c not in spec.columns]
    if undeclared:
        raise UsageError(f"table {name!r}: column(s) {', '.join(undeclared)} have no declared "
                         "kind; declare every published column in its TableSpec")
    cols = {c: spec.columns[c] for c in frame.columns}
    missing = [b for b in spec.by if b not in frame.columns]
    if missing:
        raise UsageError(f"table {name!r}: by column(s) {', '.join(missing)} not in the table")
    for c, col in cols.items():
        if not isinstance(col, Column):
            raise UsageError(f"table {name!r}: column {c!r} is declared as a nested table")
        for ref in col.references():
            if ref not in frame.columns:
                raise UsageError(f"table {name!r}: column {c!r} refers to {ref!r}, which is "
                                 "not in the table")
        counted = [col.numerator, col.denominator, col.rests_on, *(b for b, _ in col.offset_of)]
        for ref in filter(None, counted):
            if cols[ref].kind not in COUNT_KINDS:
                raise UsageError(f"table {name!r}: column {c!r} rests on {ref!r}, which is "
                                 f"declared {cols[ref].kind}, not a count")
    return cols


def _exact_counts(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = frame[column].notna().to_numpy() & (np.isnan(values) | (values < 0)
                                             | (values != np.round(values)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise UsageError(f"table {name!r}, row {row + 1}, column {column!r}: a count must be a "
                         f"non-negative whole number, got {frame[column].iloc[row]!r}")
    return values


def _significant(values: pd.Series, digits: int) -> pd.Series:
    x = pd.to_numeric(values, errors="coerce").astype(float)
    return x.map(lambda v: v if not np.isfinite(v) else float(f"{v:.{digits}g}"))


class _Table:
    """Working state of one table: exact values, flags and published values."""

    def __init__(self, frame, spec, cols, name, record):
        totals = set(spec.total_rows)
        self.total_rows = np.array([ix in totals for ix in frame.index], dtype=bool)
        frame = frame.reset_index(drop=True)
        self.frame, self.spec, self.cols, self.name = frame, spec, cols, name
        self.record = record
        self.flags = pd.DataFrame("", index=frame.index, columns=frame.columns, dtype=object)
        self.exact = {c: _exact_counts(frame, c, name) for c, col in cols.items()
                      if col.kind in COUNT_KINDS}
        self.n = len(frame)

    def flag(self, row: int, column: str, flag: str, reason: str) -> None:
        if self.flags.iat[row, self.frame.columns.get_loc(column)]:
            return
        self.flags.iat[row, self.frame.columns.get_loc(column)] = flag
        if flag == SUPPRESSED_FLAG:
            self.record.suppressed.append([row, str(column)])
            self.record.reasons[reason] = self.record.reasons.get(reason, 0) + 1
        else:
            self.record.withhold(row, column, reason)

    def flagged(self, column: str) -> np.ndarray:
        return self.flags[column].to_numpy() != ""


def _suppress_counts(t: _Table, rounder: CellKeyRounder) -> None:
    reason = f"count from 1 to {rounder.threshold - 1}, or protecting one from subtraction"
    small = {c: np.array([rounder.is_small(v) if np.isfinite(v) else False for v in x])
             for c, x in t.exact.items()}
    interior = [c for c in t.exact if t.cols[c].kind == "count"]
    total_rows = t.total_rows
    groups = (t.frame.groupby(list(t.spec.by), sort=False, dropna=False).indices.values()
              if t.spec.by else [np.arange(t.n)])
    for unit in dict.fromkeys(t.cols[c].unit for c in interior):
        block_cols = [c for c in interior if t.cols[c].unit == unit]
        values = np.column_stack([t.exact[c] for c in block_cols])
        primary = np.column_stack([small[c] for c in block_cols])
        full = primary.copy()
        for positions in groups:
            rows = np.asarray([p for p in positions if not total_rows[p]], dtype=int)
            if len(rows):
                full[rows] = secondary_suppression(values[rows], primary[rows],
                                                   totals=t.spec.totals)
        for k, c in enumerate(block_cols):
            small[c] = full[:, k]
    for c, mask in small.items():
        for row in np.flatnonzero(mask):
            t.flag(int(row), c, SUPPRESSED_FLAG, reason)
    if any(m.any() for m in small.values()):
        t.record.add_rule(f"counts from 1 to {rounder.threshold - 1} suppressed, with "
                          "secondary suppression")


def _withhold_small_models(t: _Table, min_units: int) -> None:
    offsets = {c: col for c, col in t.cols.items() if col.kind == "df"}
    for row in range(t.n):
        low = [c for c in t.exact if t.cols[c].kind == "model_size"
               and np.isfinite(t.exact[c][row]) and t.exact[c][row] < min_units]
        low += [c for c in offsets if np.isfinite(_num(t.frame[c].iloc[row]))
                and _num(t.frame[c].iloc[row]) < min_units]
        if not low:
            continue
        unit = t.cols[low[0]].unit or "residual degrees of freedom"
        reason = f"model rests on fewer than {min_units} {unit}"
        for c, col in t.cols.items():
            if col.kind not in _LABEL_KINDS:
                t.flag(row, c, WITHHELD_FLAG, reason)
        t.record.add_rule(f"models resting on fewer than {min_units} units withheld")


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _ratio(t: _Table, c: str, col: Column, published: dict, rounder: CellKeyRounder):
    value = pd.to_numeric(t.frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if col.population is not None:
        den_exact = np.full(t.n, float(col.population))
        den_flag = np.full(t.n, rounder.is_small(col.population))
        den_pub = np.full(t.n, float(rounder.round(col.population, col.unit)))
    else:
        den_exact, den_flag = t.exact[col.denominator], t.flagged(col.denominator)
        den_pub = published[col.denominator]
    if col.numerator is not None:
        num_flag, num_pub = t.flagged(col.numerator), published[col.numerator]
    else:
        k = value / col.scale * den_exact
        off = np.isfinite(k) & (np.abs(k - np.round(k)) > 1e-6 * np.maximum(den_exact, 1))
        if off.any():
            row = int(np.flatnonzero(off)[0])
            raise UsageError(f"table {t.name!r}, row {row + 1}, column {c!r}: {value[row]!r} "
                             "is not a mean of a 0/1 variable over the denominator")
        k = np.round(k)
        unit = col.unit or t.cols[col.denominator].unit
        num_flag = np.array([np.isfinite(v) and rounder.is_small(int(v)) for v in k])
        num_pub = rounder.round_array(k, unit)
    reason = "share of a suppressed or withheld count"
    for row in np.flatnonzero(num_flag | den_flag):
        t.flag(int(row), c, SUPPRESSED_FLAG, reason)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den_pub > 0, np.minimum(num_pub / den_pub, 1.0) * col.scale, np.nan)
    t.record.add_rule("shares recomputed from the published counts")
    return np.where(t.flagged(c), np.nan, out)


def _degrees(t: _Table, c: str, col: Column, published: dict) -> np.ndarray:
    value = pd.to_numeric(t.frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    exact = sum(sign * t.exact[b] for b, sign in col.offset_of)
    pub = sum(sign * published[b] for b, sign in col.offset_of)
    base_flag = np.logical_or.reduce([t.flagged(b) for b, _ in col.offset_of])
    for row in np.flatnonzero(base_flag & np.isfinite(value)):
        t.flag(int(row), c, WITHHELD_FLAG, "degrees of freedom of a suppressed count")
    t.record.add_rule("degrees of freedom recomputed from the published counts")
    out = pub - (exact - value)
    return np.where(t.flagged(c) | np.isnan(value), np.nan, out)


def gate_frame(frame: pd.DataFrame, spec: TableSpec, *, name: str, record: ArtefactRecord,
               rounder: CellKeyRounder | None, min_units: int, publish_excerpts: bool,
               excerpt_cap: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the rules to ``frame`` as declared by ``spec``; ``rounder=None`` passes through.

    Returns the published frame (same columns and order; withheld and suppressed cells
    missing) and a frame of flags (``"S"`` suppressed, ``"W"`` withheld, ``""`` published).
    """
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"table {name!r}: the gate needs a DataFrame, got "
                         f"{type(frame).__name__}")
    cols = _declared(frame, spec, name)
    t = _Table(frame, spec, cols, name, record)
    out = t.frame.copy()
    for c, col in cols.items():
        if col.kind == "excerpt":
            out[c] = out[c].map(lambda v: cap_excerpt(v, excerpt_cap))
    if rounder is None:
        out.index, t.flags.index = frame.index, frame.index
        return out, t.flags
    _suppress_counts(t, rounder)
    _withhold_small_models(t, min_units)
    published = {c: np.where(t.flagged(c), np.nan, rounder.round_array(x, cols[c].unit))
                 for c, x in t.exact.items()}
    if published:
        t.record.add_rule(f"counts rounded to base {rounder.base} (consistent by cell)")
    for c, col in cols.items():
        if col.kind in RATIO_KINDS:
            out[c] = _ratio(t, c, col, published, rounder)
        elif col.kind == "df":
            values = _degrees(t, c, col, published)
            whole = np.all(values[np.isfinite(values)] == np.round(values[np.isfinite(values)]))
            out[c] = pd.array(values, dtype="Float64").astype("Int64" if whole else "Float64")
    for c, col in cols.items():
        if col.rests_on is not None and col.kind not in RATIO_KINDS:
            for row in np.flatnonzero(t.flagged(col.rests_on)):
                t.flag(int(row), c, WITHHELD_FLAG, "rests on a suppressed or withheld count")
        if col.kind == "identifier":
            for row in np.flatnonzero(out[c].notna().to_numpy()):
                t.flag(int(row), c, WITHHELD_FLAG, "identifiers are published only for "
                       "synthetic data")
        elif col.kind == "excerpt" and not publish_excerpts:
            # an empty cell (no exemplar) stays empty: there is nothing to withhold
            present = out[c].map(lambda v: pd.notna(v) and v != "").to_numpy(dtype=bool)
            for row in np.flatnonzero(present):
                t.flag(int(row), c, WITHHELD_FLAG, "excerpts need --publish-excerpts")
            codes = out[col.code] if col.code else pd.Series(None, index=out.index)
            segs = out[col.segment] if col.segment else pd.Series(None, index=out.index)
            out[c] = [excerpt_stand_in(a, b) if keep else v
                      for v, a, b, keep in zip(out[c], codes, segs, present, strict=True)]
        elif col.kind == "estimate" and col.digits is not None:
            out[c] = _significant(out[c], col.digits)
    for c in published:
        out[c] = pd.array(published[c], dtype="Float64").astype("Int64")
    for c, col in cols.items():
        mask = t.flagged(c)
        if mask.any() and col.kind != "excerpt":
            out[c] = out[c].astype(object).where(~mask, None) if out[c].dtype == object \
                else out[c].mask(mask)
    out.index, t.flags.index = frame.index, frame.index
    return out, t.flags
