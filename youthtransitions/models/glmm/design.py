"""The arrays of a generalised linear mixed model, built from a parsed formula and data.

The formula is read by :func:`~youthtransitions.models.random_terms.parse_random_terms`, the
lme4 parser the linear mixed models use too (``cbind`` responses, ``offset()`` terms, ``||``
and nested ``a/b`` random terms).

Rows with a missing value in any model variable are dropped (as R's ``na.omit``). The fixed
and random model matrices come from formulaic; their column names follow R's (``(Intercept)``,
a factor level appended to the variable name: ``period2``), so results line up with lme4's.
Random terms are ordered by decreasing number of levels of their grouping factor (stable), the
order lme4 gives ``theta`` and ``VarCorr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UsageError
from ..random_terms import ParsedFormula, RandomTerm, group_codes
from .families import Family, check_response

__all__ = ["GLMMDesign", "ReTerm", "build_glmm_design", "r_names"]

_IDENT = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_LEVEL = re.compile(r"^(?:C\()?([^()\[\]]+?)\)?\[T\.(.+)\]$")
_FUNCS = {"log", "exp", "sqrt", "abs", "log1p", "expm1", "cbind", "offset", "np", "scale",
          "center", "C", "I", "poly"}


@dataclass
class ReTerm:
    """One random term: its grouping factor and model matrix (rows of the model frame).

    ``spec`` rebuilds the term's columns on new data, ``term`` (the parsed
    :class:`~youthtransitions.models.random_terms.RandomTerm`) its grouping factor.
    """

    group: str
    names: list[str]
    Z: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    spec: Any = None
    term: RandomTerm | None = None

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    @property
    def p(self) -> int:
        return self.Z.shape[1]


@dataclass
class GLMMDesign:
    """Response, trials/prior weights, fixed design, offset and random terms of one model."""

    y: np.ndarray
    n: np.ndarray
    X: np.ndarray
    offset: np.ndarray
    fixed_names: list[str]
    terms: list[ReTerm]
    frame: pd.DataFrame
    n_dropped: int
    parsed: ParsedFormula
    fixed_spec: Any = None
    extra_offset: Any = field(default=None, repr=False)


def r_names(columns) -> list[str]:
    """formulaic column names in R's spelling: ``(Intercept)``, ``x[T.b]`` -> ``xb``."""
    out = []
    for c in map(str, columns):
        m = _LEVEL.match(c)
        out.append("(Intercept)" if c == "Intercept" else (m.group(1) + m.group(2) if m else c))
    return out


def _names_in(expr: str, data: pd.DataFrame) -> list[str]:
    return [t for t in dict.fromkeys(_IDENT.findall(expr)) if t in data.columns]


def _formula_vars(rhs: str, data: pd.DataFrame, what: str) -> list[str]:
    import formulaic

    try:
        parsed = formulaic.Formula(rhs)
    except Exception as exc:  # formulaic raises several parser exception types
        raise UsageError(f"cannot parse the {what} {rhs!r}: {exc}") from None
    names = sorted(str(v) for v in parsed.required_variables)
    unknown = [v for v in names if v not in data.columns and v not in _FUNCS]
    if unknown:
        raise UsageError(f"the {what} {rhs!r} uses {', '.join(map(repr, unknown))}, not a "
                         f"column of the data (columns: {', '.join(map(str, data.columns[:30]))})")
    # formulaic leaves out variables inside some transforms (scale(x)): add the names used
    return list(dict.fromkeys([v for v in names if v in data.columns] + _names_in(rhs, data)))


def _evaluate(expr: str, frame: pd.DataFrame, what: str) -> np.ndarray:
    if expr in frame.columns:
        values = frame[expr]
    else:
        try:
            values = frame.eval(expr, engine="python")
        except Exception as exc:
            raise UsageError(f"cannot evaluate the {what} {expr!r}: {exc}") from None
    return np.broadcast_to(np.asarray(values, dtype=float), (len(frame),)).astype(float)


def _vector(arg, frame: pd.DataFrame, full: pd.DataFrame, keep: np.ndarray, what: str):
    if arg is None:
        return None
    if isinstance(arg, str):
        if arg not in full.columns:
            raise UsageError(f"{what} column {arg!r} is not a column of the data")
        return frame[arg].to_numpy(dtype=float)
    values = np.asarray(arg, dtype=float).ravel()
    if values.size != len(full):
        raise UsageError(f"{what} has {values.size} values for {len(full)} rows of data")
    return values[keep]


def _matrix(rhs: str, frame: pd.DataFrame, what: str):
    import formulaic

    try:
        mm = formulaic.model_matrix(rhs, frame, na_action="raise")
    except Exception as exc:
        raise UsageError(f"cannot build the {what} matrix of {rhs!r}: {exc}") from None
    M = np.asarray(mm, dtype=float)
    return (M[:, None] if M.ndim == 1 else M), r_names(mm.columns), mm.model_spec


def build_glmm_design(parsed: ParsedFormula, data: pd.DataFrame, family: Family, *,
                      weights=None, offset=None) -> GLMMDesign:
    """Build the :class:`GLMMDesign` of ``parsed`` on ``data``.

    Raises
    ------
    UsageError
        Unknown column, unparseable term, no rows left, a rank-deficient fixed design, a
        response the family cannot produce, negative or non-finite weights, trials or offsets.
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    cols: list[str] = []
    response = parsed.cbind or (parsed.response,)
    for expr in response + parsed.offsets:
        found = _names_in(expr, data)
        if not found:
            raise UsageError(f"{expr!r} in the formula uses no column of the data")
        cols += found
    cols += _formula_vars(parsed.fixed_rhs, data, "fixed part")
    for t in parsed.random:
        cols += _formula_vars(t.expr, data, "random term")
        for factor in t.factors:
            if factor not in data.columns:
                raise UsageError(f"grouping factor {factor!r} is not a column of the data")
        cols += t.factors
    for arg in (weights, offset):
        if isinstance(arg, str):
            cols.append(arg)
    cols = [c for c in dict.fromkeys(cols) if c in data.columns]
    keep = np.ones(len(data), dtype=bool)
    for c in cols:
        keep &= data[c].notna().to_numpy()
    frame = data.loc[keep, cols]
    if len(frame) == 0:
        raise UsageError(f"no rows are left after dropping rows with a missing value in "
                         f"{', '.join(cols)}")
    w = _vector(weights, frame, data, keep, "weights")
    if w is not None and (not np.isfinite(w).all() or (w < 0).any()):
        raise UsageError("weights must be finite and not negative")
    if parsed.cbind is not None:
        s = _evaluate(parsed.cbind[0], frame, "successes")
        f = _evaluate(parsed.cbind[1], frame, "failures")
        if family.name != "binomial":
            raise UsageError("cbind(successes, failures) is a binomial response; use "
                             "family='binomial'")
        if (s < 0).any() or (f < 0).any():
            i = int(np.flatnonzero((s < 0) | (f < 0))[0])
            raise UsageError(f"binomial response {parsed.response}: row {frame.index[i]} has "
                             f"{s[i]:g} successes and {f[i]:g} failures; both must be at "
                             "least 0")
        n = s + f
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(n > 0, s / n, 0.0)
        n = n * (1.0 if w is None else w)
    else:
        y = _evaluate(parsed.response, frame, "response")
        n = np.ones(len(frame)) if w is None else w
    check_response(family, y, n, parsed.response, frame.index)
    X, fixed_names, fixed_spec = _matrix(parsed.fixed_rhs, frame, "fixed-effects")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise UsageError(f"the fixed-effects design {parsed.fixed_rhs!r} is rank deficient "
                         f"(columns {fixed_names}): drop or combine collinear terms")
    off = np.zeros(len(frame))
    for expr in parsed.offsets:
        off += _evaluate(expr, frame, "offset")
    extra = _vector(offset, frame, data, keep, "offset")
    if extra is not None:
        off += extra
    if not (np.isfinite(off).all() and np.isfinite(X).all() and np.isfinite(y).all()):
        raise UsageError("the response, offset or fixed design has missing or infinite values "
                         "(check transforms such as log of zero)")
    terms = []
    for t in parsed.random:
        Z, names, spec = _matrix(t.expr, frame, "random-effects")
        if Z.shape[1] == 0:
            raise UsageError(f"random term {t} has no columns")
        codes, labels = group_codes(t, frame)
        terms.append(ReTerm(t.group, names, Z, codes, labels, spec, t))
    terms.sort(key=lambda term: -term.n_levels)
    return GLMMDesign(y=y, n=n, X=X, offset=off, fixed_names=fixed_names, terms=terms,
                      frame=frame, n_dropped=int((~keep).sum()), parsed=parsed,
                      fixed_spec=fixed_spec, extra_offset=offset)
