"""Parameters of fit: sufficiency inclusion, PRI, coverage; necessity inclusion, RoN, coverage."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._disclosure import TableSpec, estimate, text
from ..._tidy import TidyResult
from ...errors import UsageError
from ._sets import set_data
from .boolean import FREE

__all__ = ["cube_membership", "sufficiency", "necessity", "NecessityResult", "parse_term"]


def parse_term(term: str, conditions: Sequence[str]) -> np.ndarray:
    """``"DEV*~URB"`` -> cube digits over ``conditions`` (1 present, 0 negated, 2 absent)."""
    cube = np.full(len(conditions), FREE, dtype=np.int8)
    for literal in str(term).split("*"):
        literal = literal.strip()
        negated = literal.startswith("~")
        name = literal.lstrip("~").strip()
        if name not in conditions:
            raise UsageError(f"term {term!r}: {name!r} is not one of the conditions "
                             f"{', '.join(conditions)}")
        j = list(conditions).index(name)
        digit = 0 if negated else 1
        if cube[j] not in (FREE, digit):
            raise UsageError(f"term {term!r} holds both {name} and ~{name}")
        cube[j] = digit
    return cube


def cube_membership(x: np.ndarray, cubes: np.ndarray) -> np.ndarray:
    """Fuzzy membership (n, p) of each case in each cube: the minimum over its literals of
    ``x`` (present) or ``1 - x`` (negated); 1 for the empty cube."""
    x = np.asarray(x, dtype=float)
    cubes = np.asarray(cubes)
    lit = np.where(cubes[None, :, :] == 1, x[:, None, :],
                   np.where(cubes[None, :, :] == 0, 1.0 - x[:, None, :], 1.0))
    return lit.min(axis=2) if cubes.shape[1] else np.ones((len(x), len(cubes)))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def sufficiency(memberships: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Sufficiency parameters of each column of ``memberships`` (n, p) for outcome ``y``.

    Returns
    -------
    dict
        ``incl``, ``pri``, ``cov`` (raw coverage) and ``cov_unique`` per column, and
        ``model_incl``, ``model_pri``, ``model_cov`` of their disjunction (the union, the
        case-wise maximum).

    Notes
    -----
    With ``X`` a term's membership and ``Y`` the outcome (Ragin 2006, 2008):
    ``incl = sum min(X,Y) / sum X``;
    ``PRI = (sum min(X,Y) - sum min(X,Y,1-Y)) / (sum X - sum min(X,Y,1-Y))``;
    ``cov = sum min(X,Y) / sum Y``; unique coverage of term ``t`` is the coverage of the whole
    model minus the coverage of the model without ``t``: ``(sum min(X_t,Y) - sum min(X_t, Y,
    max_{s != t} X_s)) / sum Y`` (one term: its raw coverage). As QCA::pof; checked against it
    on the Lipset data (tests/reference/qca).
    """
    m = np.asarray(memberships, dtype=float)
    y = np.asarray(y, dtype=float)
    if m.ndim == 1:
        m = m[:, None]

    def params(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pmin = np.minimum(mat, y[:, None])
        both = np.minimum(pmin, 1.0 - y[:, None]).sum(axis=0)
        sx, sp = mat.sum(axis=0), pmin.sum(axis=0)
        return _ratio(sp, sx), _ratio(sp - both, sx - both), _ratio(sp, np.full_like(sp, y.sum()))

    incl, pri, cov = params(m)
    pmin = np.minimum(m, y[:, None])
    p = m.shape[1]
    unique = np.empty(p)
    for t in range(p):
        others = np.delete(pmin, t, axis=1)
        overlap = np.minimum(pmin[:, t], others.max(axis=1)).sum() if p > 1 else 0.0
        unique[t] = _ratio(pmin[:, t].sum() - overlap, y.sum())
    union = m.max(axis=1, keepdims=True) if p else np.zeros((len(y), 1))
    mi, mp, mc = params(union)
    return {"incl": incl, "pri": pri, "cov": cov, "cov_unique": unique,
            "model_incl": float(mi[0]), "model_pri": float(mp[0]), "model_cov": float(mc[0])}


class NecessityResult(TidyResult):
    """Necessity of single conditions (and their negations) for an outcome."""

    title = "Necessity analysis"

    def __init__(self, table: pd.DataFrame, outcome: str):
        self.table, self.outcome = table, outcome

    def _summary_header(self):
        return [("Outcome", self.outcome)]

    def to_frame(self) -> pd.DataFrame:
        """Columns: condition, incl (inclusion), ron (relevance), cov (coverage)."""
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: parameters of fit to two significant digits (ratios of
        case counts the table does not show)."""
        return TableSpec({"condition": text(), **{c: estimate(digits=2)
                                                  for c in ("incl", "ron", "cov")}},
                         totals="none")


def necessity(data: pd.DataFrame, outcome: str, conditions: str | Sequence[str], *,
              negations: bool = True, terms: Sequence[str] | None = None) -> NecessityResult:
    """Necessity analysis of conditions (their negations, or given terms) for ``outcome``.

    Parameters
    ----------
    data : DataFrame
        Membership scores in [0, 1].
    outcome : str
        Outcome column; ``"~Y"`` for its negation.
    conditions : str or sequence of str
        Condition columns (or a comma-separated string).
    negations : bool, default True
        Also test each condition's negation ``~X``.
    terms : sequence of str, optional
        Test these conjunctions (``"DEV*~URB"``) or disjunctions (``"DEV + URB"``) instead.

    Returns
    -------
    NecessityResult
        ``to_frame()`` columns: condition, incl, ron, cov.

    Notes
    -----
    With ``X`` the condition and ``Y`` the outcome (Ragin 2006; Schneider & Wagemann 2012):
    ``incl = sum min(X,Y) / sum Y``; ``cov = sum min(X,Y) / sum X``; relevance of necessity
    ``RoN = sum (1 - X) / sum (1 - min(X,Y))``. As QCA::pof(relation = "necessity"); checked
    against it on the Lipset fuzzy data (tests/reference/qca).
    """
    sd = set_data(data, outcome, conditions)
    conds = sd.conditions
    if terms is None:
        labels = [("~" if neg else "") + c for neg in ((False, True) if negations else (False,))
                  for c in conds]
    else:
        labels = [str(t).strip() for t in terms]
    cols = []
    for label in labels:
        parts = [parse_term(p, conds) for p in label.split("+")]
        cols.append(cube_membership(sd.x, np.array(parts)).max(axis=1))
    x = np.column_stack(cols)
    y = sd.y[:, None]
    pmin = np.minimum(x, y)
    table = pd.DataFrame({
        "condition": labels,
        "incl": _ratio(pmin.sum(axis=0), np.full(x.shape[1], sd.y.sum())),
        "ron": _ratio((1 - x).sum(axis=0), (1 - pmin).sum(axis=0)),
        "cov": _ratio(pmin.sum(axis=0), x.sum(axis=0)),
    })
    return NecessityResult(table, sd.outcome_label)
