"""Output rules for published count tables: RR3 and suppression of small counts.

The New Zealand IDI convention (Stats NZ, *Microdata output guide*, 5th ed., 2020):

1. **Primary suppression.** A count from 1 to ``threshold - 1`` (default 1-5) is not published.
   Zero is published (a zero is not a small group of people).
2. **Secondary suppression.** When the sums of a table's cells are published or derivable
   (row and/or column totals), further cells are suppressed so that no suppressed cell can be
   recovered exactly by subtraction (algorithm in :func:`secondary_suppression`).
3. **Random rounding to base 3 (RR3).** Every published count not divisible by 3 is rounded
   to one of its two neighbouring multiples of 3, to the nearer one with probability 2/3, so
   the rounded count has the original count as its expectation. Totals are rounded on their
   own (they need not equal the sum of the rounded cells).
4. Percentages, means and other statistics derived from a suppressed count are suppressed.

The rules apply by default to any study not marked synthetic; ``--no-output-rules`` turns them
off explicitly, and every output says which was applied (:func:`output_rules_note`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from .._disclosure import Totals
from .._options import check_choice, check_count
from ..errors import UsageError
from ..parallel import check_seed

__all__ = ["apply_output_rules", "random_round", "secondary_suppression",
           "resolve_output_rules", "output_rules_note", "SUPPRESSED", "flag_column"]

#: marker shown in place of a suppressed count in formatted tables
SUPPRESSED = "S"


def flag_column(column: str) -> str:
    """Name of the boolean column that flags suppressed cells of count column ``column``."""
    return f"{column}_suppressed"


def resolve_output_rules(synthetic: bool, output_rules: bool | None = None) -> bool:
    """Whether output rules apply: explicit choice, else on unless the data are synthetic.

    Parameters
    ----------
    synthetic : bool
        ``Study.synthetic`` of the data the table comes from.
    output_rules : bool or None
        ``True``/``False`` to choose explicitly (``--no-output-rules`` is ``False``); ``None``
        applies the default.
    """
    if output_rules is None:
        return not bool(synthetic)
    if not isinstance(output_rules, (bool, np.bool_)):
        raise UsageError(f"output_rules must be True, False or None, got {output_rules!r}")
    return bool(output_rules)


def output_rules_note(applied: bool, *, base: int = 3, threshold: int = 6,
                      synthetic: bool | None = None) -> str:
    """One sentence stating which output rules were applied (printed under every table)."""
    if applied:
        return (f"Output rules applied: counts randomly rounded to base {base}; counts from 1 to "
                f"{threshold - 1} suppressed ({SUPPRESSED}), with secondary suppression so totals "
                f"cannot reveal them; statistics derived from suppressed counts suppressed.")
    why = " (synthetic data)" if synthetic else ""
    return f"Output rules not applied{why}: counts are exact."


def _as_generator(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, allow_none=False))


def _check_base_threshold(base: int, threshold: int) -> None:
    check_count("base", base, minimum=2)
    check_count("threshold", threshold)


def random_round(counts, *, seed, base: int = 3) -> np.ndarray:
    """Unbiased random rounding of non-negative integer counts to multiples of ``base``.

    Parameters
    ----------
    counts : array-like of int
        Counts (NaN allowed; stays NaN).
    seed : int or numpy.random.Generator
        Makes the rounding reproducible: the same counts and seed give the same output.
    base : int, default 3

    Returns
    -------
    numpy.ndarray of float
        Rounded counts, every one a multiple of ``base``.

    Notes
    -----
    With remainder :math:`r = x \\bmod b`, :math:`x` rounds up to :math:`x + b - r` with
    probability :math:`r / b` and down to :math:`x - r` otherwise, so
    :math:`E[\\tilde x] = (x - r)(1 - r/b) + (x - r + b)\\, r/b = x`. For base 3 the nearer multiple
    has probability 2/3 (Stats NZ census random rounding; e.g. 17 becomes 18 with probability
    2/3 and 15 with 1/3). One uniform draw is taken per cell in order, so the result depends
    only on the counts and the seed. Checked by simulation in ``tests/report``.
    """
    _check_base_threshold(base, 1)
    rng = _as_generator(seed)
    x = np.asarray(counts, dtype=float)
    finite = ~np.isnan(x)
    if np.any(x[finite] < 0) or np.any(x[finite] != np.round(x[finite])):
        bad = x[finite][(x[finite] < 0) | (x[finite] != np.round(x[finite]))][0]
        raise UsageError(f"random rounding needs non-negative whole counts, got {bad!r}")
    u = rng.random(x.shape)
    r = np.mod(np.where(finite, x, 0.0), base)
    up = u < r / base
    out = np.where(up, x - r + base, x - r)
    return np.where(finite, out, np.nan)


def _line_candidates(values: np.ndarray, suppressed: np.ndarray, cells: list) -> list:
    """Unsuppressed cells among ``cells`` ordered smallest first (non-zero before zero)."""
    free = [c for c in cells if not suppressed[c] and not np.isnan(values[c])]
    return sorted(free, key=lambda c: (values[c] == 0, values[c], c))


def _bridges(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Edges (row, col) of the bipartite graph of suppressed cells that lie on no cycle."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], int]]] = {}
    for k, (i, j) in enumerate(edges):
        adjacency.setdefault(("r", i), []).append((("c", j), k))
        adjacency.setdefault(("c", j), []).append((("r", i), k))
    out = []
    for k, (i, j) in enumerate(edges):
        start, goal = ("r", i), ("c", j)
        seen, stack = {start}, [start]
        found = False
        while stack and not found:
            node = stack.pop()
            for nxt, kk in adjacency[node]:
                if kk == k or nxt in seen:
                    continue
                if nxt == goal:
                    found = True
                    break
                seen.add(nxt)
                stack.append(nxt)
        if not found:
            out.append((i, j))
    return out


def secondary_suppression(values, suppressed, *, totals: Totals = "both") -> np.ndarray:
    """Extend a suppression pattern so no suppressed cell is recoverable from the totals.

    Parameters
    ----------
    values : 2-D array-like
        The unrounded interior counts (rows × columns), totals excluded. NaN cells are
        treated as not part of the table.
    suppressed : 2-D array-like of bool
        Primary suppression pattern.
    totals : {"both", "rows", "columns", "none"}
        Which sums are published or derivable: each row's sum across columns ("rows"), each
        column's sum across rows ("columns"), both, or none.

    Returns
    -------
    numpy.ndarray of bool
        The full pattern (primary plus secondary).

    Notes
    -----
    Algorithm (repeated until nothing changes):

    1. *Lines.* For every line (a row if row sums are known, a column if column sums are
       known) holding exactly one suppressed cell, also suppress the smallest other cell of
       that line (non-zero cells preferred, then the smallest zero cell; ties by position).
       A single suppressed cell in a line whose other cells are all published would be its
       total minus their sum.
    2. *Bridges* (only with both margins). The suppressed cells form a bipartite graph (rows
       and columns as vertices, cells as edges); the margins give one linear equation per
       vertex, whose solutions differ by cycle flows. A cell is then exactly determined if
       and only if its edge lies on no cycle (a bridge). For each bridge ``(i, j)`` another
       suppressed cell ``(i, k)`` in its row and ``(r, j)`` in its column exist after step 1;
       the smallest unsuppressed cell ``(r, k)`` among those choices is suppressed, closing
       the 4-cycle ``(i, j), (i, k), (r, k), (r, j)``.

    A line whose only other cells are missing cannot be protected inside the table; its
    total must then be withheld by the caller (the line is left unchanged here). The rule
    prevents exact recovery; it does not widen the feasible intervals of suppressed cells
    beyond what the complementary cells give (Stats NZ, *Microdata output guide*, 2020).
    """
    check_choice("totals", totals, Totals)
    vals = np.atleast_2d(np.asarray(values, dtype=float))
    sup = np.atleast_2d(np.asarray(suppressed, dtype=bool)).copy()
    if vals.shape != sup.shape:
        raise UsageError("values and suppressed must have the same shape")
    n_rows, n_cols = vals.shape
    use_rows = totals in ("both", "rows") and n_cols > 1
    use_cols = totals in ("both", "columns") and n_rows > 1
    lines = []
    if use_rows:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if use_cols:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for cells in lines:
            if sum(sup[c] for c in cells) == 1:
                candidates = _line_candidates(vals, sup, cells)
                if candidates:
                    sup[candidates[0]] = True
                    changed = True
        if changed or not (use_rows and use_cols):
            continue
        edges = [(int(i), int(j)) for i, j in zip(*np.nonzero(sup), strict=True)]
        for i, j in _bridges(edges):
            ks = [k for k in range(n_cols) if k != j and sup[i, k]]
            rs = [r for r in range(n_rows) if r != i and sup[r, j]]
            options = [(r, k) for r in rs for k in ks if not sup[r, k] and not np.isnan(vals[r, k])]
            if options:
                best = min(options, key=lambda c: (vals[c] == 0, vals[c], c))
                sup[best] = True
                changed = True
                break
    return sup


def _count_columns(table: pd.DataFrame, count_columns: Sequence[Hashable] | None) -> list:
    if count_columns is None:
        cols = [c for c in table.columns
                if pd.api.types.is_integer_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]
        if not cols:
            raise UsageError("no integer count columns found; name them with count_columns=")
        return cols
    if isinstance(count_columns, (str, bytes)):
        count_columns = [count_columns]
    cols = list(count_columns)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise UsageError(f"count column(s) not in the table: {', '.join(map(str, missing))}")
    for c in cols:
        v = pd.to_numeric(table[c], errors="coerce")
        bad = table[c].notna() & (v.isna() | (v < 0) | (v != v.round()))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise UsageError(f"column {c!r}, row {row}: counts must be non-negative whole numbers, "
                             f"got {table[c][bad].iloc[0]!r}")
    return cols


def apply_output_rules(table: pd.DataFrame, *, count_columns: Sequence[Hashable] | None = None,
                       seed, base: int = 3, threshold: int = 6, totals: Totals = "both",
                       total_rows: Iterable[Hashable] | None = None,
                       total_columns: Iterable[Hashable] | None = None,
                       by: Sequence[Hashable] | None = None,
                       derived: dict[Hashable, Hashable] | None = None) -> pd.DataFrame:
    """Apply the IDI output rules to a count table (suppression, then RR3).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per category; counts in ``count_columns``.
    count_columns : list of column names, optional
        Columns holding counts. Default: every integer (non-boolean) column.
    seed : int or numpy.random.Generator
        Seed of the random rounding (required, so outputs are reproducible).
    base : int, default 3
        Rounding base.
    threshold : int, default 6
        Counts from 1 to ``threshold - 1`` are suppressed.
    totals : {"both", "rows", "columns", "none"}, default "both"
        Which sums of the interior cells are published or derivable (see
        :func:`secondary_suppression`). Row sums only count with two or more count columns.
    total_rows : index labels, optional
        Rows that are themselves totals: ruled (suppressed/rounded) but not part of the
        interior for secondary suppression.
    total_columns : column names, optional
        Count columns that are totals, likewise.
    by : list of column names, optional
        Columns splitting the table into independent sub-tables (each with its own totals).
    derived : dict, optional
        ``{derived_column: count_column}``: a percentage, mean or other statistic computed
        from that count; suppressed (NaN) wherever the count is suppressed.

    Returns
    -------
    pandas.DataFrame
        A copy with each count column as float (suppressed cells NaN, published cells
        multiples of ``base``), a boolean ``<column>_suppressed`` column per count column,
        and ``attrs["output_rules"]`` describing what was done (including the
        :func:`output_rules_note` text).

    Notes
    -----
    Suppression is decided on the unrounded counts; published counts are then randomly
    rounded (:func:`random_round`), totals independently of their cells. Primary and
    secondary suppressions carry the same flag, so the output does not reveal which cells
    were small. Reference: Stats NZ (2020), *Microdata output guide* (5th ed.). Checked in
    ``tests/report/test_output_rules.py`` (simulation of RR3 against its closed form; exact
    recoverability of suppressed cells by an independent rank test).
    """
    if not isinstance(table, pd.DataFrame):
        raise UsageError(f"apply_output_rules needs a DataFrame, got {type(table).__name__}")
    _check_base_threshold(base, threshold)
    check_choice("totals", totals, Totals)
    rng = _as_generator(seed)
    cols = _count_columns(table, count_columns)
    total_cols = list(total_columns or [])
    bad = [c for c in total_cols if c not in cols]
    if bad:
        raise UsageError(f"total column(s) not among the count columns: {', '.join(map(str, bad))}")
    total_row_set = set(total_rows or [])
    bad = [r for r in total_row_set if r not in table.index]
    if bad:
        raise UsageError(f"total row(s) not in the table index: {', '.join(map(str, bad))}")
    by = [by] if isinstance(by, str) else list(by or [])
    bad = [c for c in by if c not in table.columns]
    if bad:
        raise UsageError(f"by column(s) not in the table: {', '.join(map(str, bad))}")
    derived = dict(derived or {})
    for d, c in derived.items():
        if d not in table.columns or c not in cols:
            raise UsageError(f"derived column {d!r} must be in the table and {c!r} a count column")

    out = table.copy()
    raw = out[cols].apply(pd.to_numeric).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    sup = (raw >= 1) & (raw < threshold)
    interior_cols = [k for k, c in enumerate(cols) if c not in total_cols]
    is_total_row = np.array([ix in total_row_set for ix in out.index], dtype=bool)
    groups = (out.groupby(by, sort=False, dropna=False).indices.values() if by
              else [np.arange(len(out))])
    n_secondary = 0
    for positions in groups:
        rows = np.asarray([p for p in positions if not is_total_row[p]], dtype=int)
        if len(rows) == 0 or not interior_cols:
            continue
        block = np.ix_(rows, interior_cols)
        new = secondary_suppression(raw[block], sup[block], totals=totals)
        n_secondary += int(new.sum() - sup[block].sum())
        sup[block] = new
    rounded = random_round(raw, seed=rng, base=base)
    published = np.where(sup, np.nan, rounded)
    for k, c in enumerate(cols):
        out[c] = published[:, k]
        out[flag_column(c)] = sup[:, k]
    for d, c in derived.items():
        out[d] = pd.to_numeric(out[d], errors="coerce").where(~out[flag_column(c)])
    out.attrs["output_rules"] = {
        "applied": True, "base": int(base), "threshold": int(threshold), "totals": totals,
        "n_suppressed": int(sup.sum()), "n_secondary": n_secondary,
        "note": output_rules_note(True, base=base, threshold=threshold),
    }
    return out
