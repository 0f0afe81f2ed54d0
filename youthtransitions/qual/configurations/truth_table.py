"""Truth tables: the corners of the property space with their cases and sufficiency scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._disclosure import TableSpec, count, estimate, identifier, mean_indicator, text
from ..._options import check_count
from ..._tidy import TidyResult
from ...errors import UsageError
from ._sets import SetData, set_data
from .boolean import MAX_CONDITIONS, minterm_bits

__all__ = ["TruthTable", "truth_table"]

#: tolerance of the cut-off comparisons, as QCA (admisc.tol = sqrt(machine epsilon))
TOL = np.sqrt(np.finfo(float).eps)


class TruthTable(TidyResult):
    """A truth table: one row per corner of the property space.

    Attributes
    ----------
    table : DataFrame
        Every corner (``2**k`` rows): row (QCA's row number), one column per condition (0/1),
        out ("1", "0", "C" for a contradiction or "?" for a remainder), n (cases with membership above 0.5), incl
        (sufficiency inclusion), pri, cases (comma-separated labels).
    conditions : list of str
    outcome : str
        The outcome as given (``"~Y"`` when negated).
    incl_cut : float or (float, float)
    n_cut : int
    pri_cut : float
    data : SetData
        The checked membership scores the table was built from.
    """

    title = "Truth table"

    def __init__(self, table: pd.DataFrame, data: SetData, incl_cut: float, n_cut: int,
                 pri_cut: float):
        self.table, self.data = table, data
        self.conditions, self.outcome = data.conditions, data.outcome_label
        self.incl_cut, self.n_cut, self.pri_cut = incl_cut, n_cut, pri_cut

    def _summary_header(self):
        return [("Outcome", self.outcome), ("Conditions", ", ".join(self.conditions)),
                ("Inclusion cut-off", self.incl_cut), ("Frequency cut-off", self.n_cut),
                ("Cases", len(self.data.cases))]

    def _formatted(self) -> pd.DataFrame:
        frame = super()._formatted()
        if len(frame):  # long case lists are cut in the text and HTML views only
            frame["cases"] = [c if len(c) <= 40 else c[:37] + "..." for c in frame["cases"]]
        return frame

    def to_frame(self, *, complete: bool = False) -> pd.DataFrame:
        """The observed rows (``n > 0``), or all ``2**k`` rows with ``complete=True``."""
        frame = self.table if complete else self.table[self.table["n"] > 0]
        return frame.reset_index(drop=True).copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame` (either form): case counts (the rows sum to the cases),
        case labels as identifiers, and inclusion and PRI resting on the row's count. Where
        they are shares of the row's cases (crisp sets) they are recomputed from the published
        count; otherwise (fuzzy sets) withheld with a suppressed count and published to three
        significant digits."""
        frame = self.table
        n = frame["n"].to_numpy(float)
        cols = {"row": text(), **{c: text() for c in self.conditions}, "out": text(),
                "n": count("case"), "cases": identifier()}
        for c in ("incl", "pri"):
            k = frame[c].to_numpy(float) * n
            whole = np.abs(k[np.isfinite(k)] - np.round(k[np.isfinite(k)])) < 1e-6
            cols[c] = (mean_indicator("n") if whole.all() else
                       estimate(rests_on="n", digits=3))
        return TableSpec(cols, totals="columns")

    def minterms(self, out: str) -> np.ndarray:
        """Boolean vector over the ``2**k`` minterms: rows whose output is ``out``."""
        return (self.table["out"] == out).to_numpy()


def _cutoff(name: str, value, low: float, high: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number, got {value!r}") from None
    if not (low <= v <= high):
        raise UsageError(f"{name} must lie in [{low}, {high}], got {value!r}")
    return v


def truth_table(data: pd.DataFrame, outcome: str, conditions: str | Sequence[str], *,
                incl_cut: float = 0.8, n_cut: int = 1, pri_cut: float = 0.0,
                cases: str | None = None) -> TruthTable:
    """Build the truth table of crisp or fuzzy membership data.

    Parameters
    ----------
    data : DataFrame
        Membership scores in [0, 1] (crisp 0/1 or fuzzy); the index labels the cases unless
        ``cases`` names a column.
    outcome : str
        Outcome column; ``"~Y"`` analyses the negated outcome.
    conditions : str or sequence of str
        Condition columns, in the order the table and the solutions use.
    incl_cut : float or (float, float), default 0.8
        A row's output is 1 when its inclusion reaches ``incl_cut`` (and its PRI ``pri_cut``).
        A pair ``(ic1, ic0)`` marks rows with ``ic0 <= incl < ic1`` as contradictions ("C"),
        which minimisation treats like output 0 (as QCA's ``incl.cut = c(ic1, ic0)``).
    n_cut : int, default 1
        Rows with fewer cases are logical remainders (output "?").
    pri_cut : float, default 0

    Returns
    -------
    TruthTable

    Notes
    -----
    A case's membership in corner ``r`` is ``min_j`` of ``x_j`` where the corner has condition
    ``j`` present and ``1 - x_j`` where absent; a case belongs to the one corner where that
    membership exceeds 0.5 (cases with a score of exactly 0.5 belong to none). Row inclusion is
    ``sum min(X_r, Y) / sum X_r`` and PRI ``(sum min(X_r,Y) - sum min(X_r,Y,1-Y)) / (sum X_r -
    sum min(X_r,Y,1-Y))`` over all cases (Ragin 2008). As QCA::truthTable; checked against it on
    the Lipset crisp and fuzzy data (tests/reference/qca).
    """
    sd = set_data(data, outcome, conditions, cases=cases)
    k = len(sd.conditions)
    if k > MAX_CONDITIONS:
        raise UsageError(f"at most {MAX_CONDITIONS} conditions, got {k}")
    if np.ndim(incl_cut) == 0:
        incl_cut = ic1 = _cutoff("incl_cut", incl_cut, 0.0, 1.0)
        ic0 = 1.0  # as QCA: no contradictions unless a lower cut-off is given
    else:
        if len(incl_cut) != 2:
            raise UsageError(f"incl_cut must be a number or a pair (incl_cut1, incl_cut0), "
                             f"got {incl_cut!r}")
        ic1 = _cutoff("incl_cut", incl_cut[0], 0.0, 1.0)
        ic0 = _cutoff("incl_cut (lower, for contradictions)", incl_cut[1], 0.0, 1.0)
        if ic0 > ic1:
            raise UsageError(f"incl_cut: the lower cut-off {ic0} exceeds the upper {ic1}")
        incl_cut = (ic1, ic0)
    pri_cut = _cutoff("pri_cut", pri_cut, 0.0, 1.0)
    n_cut = check_count("n_cut", n_cut)

    bits = minterm_bits(k)
    x, y = sd.x, sd.y
    # corner of each case (cases with a 0.5 score sit in none)
    crisp = (x > 0.5).astype(np.int64)
    corner = crisp @ (1 << np.arange(k - 1, -1, -1))
    halfway = np.isclose(x, 0.5, rtol=0, atol=TOL).any(axis=1)
    n = np.zeros(2 ** k, dtype=np.int64)
    members = [[] for _ in range(2 ** k)]
    for i in np.flatnonzero(~halfway):
        n[corner[i]] += 1
        members[corner[i]].append(sd.cases[i])
    # sufficiency of the observed corners
    incl = np.full(2 ** k, np.nan)
    pri = np.full(2 ** k, np.nan)
    seen = np.flatnonzero(n > 0)
    if seen.size:
        cb = bits[seen][None, :, :]
        xr = np.where(cb == 1, x[:, None, :], 1.0 - x[:, None, :]).min(axis=2)  # (n, rows)
        pmin = np.minimum(xr, y[:, None])
        both = np.minimum(pmin, 1.0 - y[:, None]).sum(axis=0)
        sx, sp = xr.sum(axis=0), pmin.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            incl[seen] = sp / sx
            pri[seen] = (sp - both) / (sx - both)
    passes = (incl + TOL > ic1) & (np.nan_to_num(pri, nan=0.0) + TOL > pri_cut)
    contradiction = (incl < ic1) & (incl + TOL > ic0)
    out = np.where(n < n_cut, "?", np.where(contradiction, "C", np.where(passes, "1", "0")))
    table = pd.DataFrame(bits.astype(np.int64), columns=sd.conditions)
    table.insert(0, "row", np.arange(1, 2 ** k + 1))
    table["out"] = out
    table["n"] = n
    table["incl"] = incl
    table["pri"] = pri
    table["cases"] = [",".join(m) for m in members]
    return TruthTable(table, sd, incl_cut, n_cut, pri_cut)
