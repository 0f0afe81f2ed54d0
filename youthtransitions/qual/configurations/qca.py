"""The QCA entry point and its result."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._disclosure import TableSpec, estimate, text
from ..._tidy import TidyResult, to_jsonable
from .minimize import Model, minimize
from .truth_table import TruthTable, truth_table

__all__ = ["QCAResult", "qca", "model_ids"]

RESULT_COLUMNS = ["solution", "model", "term", "incl", "pri", "cov_raw", "cov_unique"]


def model_ids(models: list[Model]) -> list[str]:
    """``M1, M2, ...``; intermediate models by parents (``C1P1``, or ``C1P1M2`` when a pair
    has several minimal covers)."""
    ids, seen = [], {}
    for i, m in enumerate(models, start=1):
        if not m.label:
            ids.append(f"M{i}")
            continue
        seen[m.label] = seen.get(m.label, 0) + 1
        ids.append(m.label if seen[m.label] == 1 else f"{m.label}M{seen[m.label]}")
    return ids


class QCAResult(TidyResult):
    """Result of :func:`qca`.

    Attributes
    ----------
    truth_table : TruthTable
    solutions : dict of str to list of Model
        ``"conservative"``, ``"parsimonious"`` and, with directional expectations,
        ``"intermediate"``; each a list of models (all minimal covers).
    """

    title = "Qualitative comparative analysis"

    def __init__(self, truth_table: TruthTable, solutions: dict[str, list[Model]]):
        self.truth_table, self.solutions = truth_table, solutions

    @property
    def outcome(self) -> str:
        return self.truth_table.outcome

    @property
    def conditions(self) -> list[str]:
        return list(self.truth_table.conditions)

    def _summary_header(self):
        tt = self.truth_table
        head = [("Outcome", tt.outcome), ("Conditions", ", ".join(tt.conditions)),
                ("Cases", len(tt.data.cases)), ("Inclusion cut-off", tt.incl_cut),
                ("Frequency cut-off", tt.n_cut)]
        for name, models in self.solutions.items():
            head.append((f"{name.capitalize()}",
                         " | ".join(m.expression for m in models) or "(no positive rows)"))
        return head

    def to_frame(self) -> pd.DataFrame:
        """One row per term of every model, then the model's own row (term ``"(model)"``,
        cov_unique empty). Columns: solution, model (``M1``, ``M2``, ...; intermediate models
        by their parents, ``C1P1``), term, incl, pri, cov_raw, cov_unique."""
        rows = []
        for name, models in self.solutions.items():
            for mid, m in zip(model_ids(models), models, strict=True):
                for j, term in enumerate(m.terms):
                    rows.append((name, mid, term, m.term_fit["incl"][j], m.term_fit["pri"][j],
                                 m.term_fit["cov"][j], m.term_fit["cov_unique"][j]))
                rows.append((name, mid, "(model)", m.incl, m.pri, m.cov, np.nan))
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: terms as words, parameters of fit to two significant
        digits (each is a ratio of case counts the table does not show; two digits fit many
        denominators)."""
        fit = {c: estimate(digits=2) for c in ("incl", "pri", "cov_raw", "cov_unique")}
        return TableSpec({"solution": text(), "model": text(), "term": text(), **fit},
                         totals="none")

    def to_dict(self) -> dict:
        """JSON-ready: outcome, conditions, cut-offs, truth_table (observed rows),
        solutions {type: [model, ...]} with model = {terms, incl, pri, cov, term_fit}."""
        tt = self.truth_table
        return to_jsonable({
            "outcome": tt.outcome, "conditions": list(tt.conditions),
            "incl_cut": tt.incl_cut, "n_cut": tt.n_cut, "pri_cut": tt.pri_cut,
            "truth_table": tt.to_frame(),
            "solutions": {k: [m.to_dict() for m in v] for k, v in self.solutions.items()},
        })


def qca(data: pd.DataFrame, *, outcome: str, conditions: str | Sequence[str],
        incl_cut: float = 0.8, n_cut: int = 1, pri_cut: float = 0.0, dir_exp=None,
        cases: str | None = None) -> QCAResult:
    """Crisp- or fuzzy-set qualitative comparative analysis.

    Parameters
    ----------
    data : DataFrame
        Calibrated membership scores in [0, 1] (see :func:`calibrate`); one row per case.
    outcome : str
        Outcome column; ``"~Y"`` for the negated outcome.
    conditions : str or sequence of str
        Condition columns; terms list them in this order.
    incl_cut, n_cut, pri_cut : float, int, float
        Truth-table cut-offs (see :func:`truth_table`).
    dir_exp : mapping, sequence or str, optional
        Directional expectations (``["DEV", "~URB"]`` or ``{"DEV": 1, "URB": 0}``); when given
        the intermediate solution is computed too.
    cases : str, optional
        Column labelling the cases (default: the index).

    Returns
    -------
    QCAResult
        ``.truth_table``, ``.solutions`` and ``to_frame()`` (solution, model, term, incl, pri,
        cov_raw, cov_unique).

    Notes
    -----
    Truth table, then exact minimisation (Quine-McCluskey prime implicants, every minimum
    cover): conservative, parsimonious and intermediate solutions (Ragin 2008; Dusa 2019).
    Checked against QCA 3.23 on the Lipset benchmark data (``tests/reference/qca``).

    Examples
    --------
    >>> import pandas as pd
    >>> from youthtransitions.qual.configurations import qca
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> qca(d, outcome="Y", conditions=["A", "B"]).solutions["parsimonious"][0].terms
    ['A']
    """
    tt = truth_table(data, outcome, conditions, incl_cut=incl_cut, n_cut=n_cut,
                     pri_cut=pri_cut, cases=cases)
    return QCAResult(tt, minimize(tt, dir_exp=dir_exp))
