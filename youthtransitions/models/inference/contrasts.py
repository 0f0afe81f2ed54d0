"""Type III hypothesis matrices of the fixed-effect terms, as lmerTest's ``show_tests``.

Notes
-----
lmerTest 3.1 (``get_contrasts_type3``, after SAS's type III estimable functions, Goodnight
1980): with ``X_T`` the design in treatment coding and ``R`` the "complete" design (every
level of every factor in each term, products for interactions, numeric variables as they
are), ``M = X_T^+ R`` gives each column of ``R`` in the coefficients of ``X_T``. Each
coefficient's row of ``M`` is a vector over the columns of ``R``; terms contained in a
higher-order term (all its variables there, the same numeric variables) have these vectors
replaced by their residuals on the vectors of the containing terms, highest order first. The
hypothesis matrix of a term is then those vectors restricted to the columns of ``R`` that
are columns of ``X_T``, mapped to the fit's own coding by ``X_T^+ X``. A model with a single
term uses lmerTest's type I contrasts instead: the term's rows of ``U`` in the Doolittle
factorisation ``X'X = U' D U`` (``U`` unit upper triangular). Checked against
``lmerTest::show_tests`` (tests/reference/lmertest_anova/type3_contrasts.csv, stored to 7
digits) to 1e-6.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...errors import UsageError
from ._design import fixed_spec

__all__ = ["type3_contrasts"]

_COLUMN = re.compile(r"^\s*C\(\s*([A-Za-z_][A-Za-z0-9_.]*)")


def _factor_values(expr: str, state, data: pd.DataFrame):
    """``("categorical", codes, n_levels)`` or ``("numeric", values)`` of one factor."""
    import formulaic

    kind = getattr(state[0], "value", str(state[0])) if state is not None else "numerical"
    if kind == "categorical":
        match = _COLUMN.match(expr)
        column = match.group(1) if match else expr
        if column not in data.columns:
            raise UsageError(f"type III tests need each categorical term as a column or "
                             f"C(column); cannot read the levels of {expr!r}")
        levels = list(state[1]["categories"])
        codes = pd.Categorical(data[column], categories=levels).codes
        return "categorical", np.asarray(codes), len(levels)
    values = np.asarray(formulaic.model_matrix(f"0 + {expr}", data), dtype=float)
    return "numeric", values.reshape(len(data), -1)[:, 0]


def _term_block(factors, *, full: bool) -> np.ndarray:
    """Columns of one term: products of indicators (all levels when ``full``, else without
    the first level) and numeric values, the first factor varying fastest (as R)."""
    block = np.ones((len(factors[0][1]), 1))
    for f in factors:
        if f[0] == "numeric":
            cols = f[1][:, None]
        else:
            start = 0 if full else 1
            cols = (f[1][:, None] == np.arange(start, f[2])[None, :]).astype(float)
        block = (cols[:, :, None] * block[:, None, :]).reshape(len(block), -1)
    return block


def _doolittle_rows(X: np.ndarray) -> np.ndarray:
    """``U`` of ``X'X = U'DU`` with ``U`` unit upper triangular."""
    C = np.linalg.cholesky(X.T @ X)
    return (C / np.diag(C)).T


def type3_contrasts(fit) -> dict[str, np.ndarray]:
    """Hypothesis matrix ``L`` (rows x p) of each fixed-effect term but the intercept.

    Returns
    -------
    dict
        Term (as formulaic writes it, e.g. ``"C(wave)"``) -> ``L`` in the coefficients of
        ``fit.fixed_names``.
    """
    spec = fixed_spec(fit)
    X = np.asarray(fit.X, float)
    names = list(fit.fixed_names)
    parts = [s for s in spec.structure if str(s.term) != "1"]
    pos = {n: i for i, n in enumerate(names)}
    cols_of = {str(s.term): [pos["(Intercept)" if c == "Intercept" else c]
                             for c in s.columns] for s in parts}
    if len(parts) <= 1:
        U = _doolittle_rows(X)
        return {t: U[c] for t, c in cols_of.items()}
    data = fit.data
    facs = {}
    for s in parts:
        for f in s.term.factors:
            facs.setdefault(str(f), _factor_values(str(f), spec.encoder_state.get(str(f)),
                                                   data))
    intercept = "(Intercept)" in pos
    xt_blocks, r_blocks = [], []
    xt_index, r_index = {}, {}
    start_xt, start_r = int(intercept), int(intercept)
    for s in parts:
        f = [facs[str(v)] for v in s.term.factors]
        bx, br = _term_block(f, full=False), _term_block(f, full=True)
        xt_blocks.append(bx)
        r_blocks.append(br)
        xt_index[str(s.term)] = list(range(start_xt, start_xt + bx.shape[1]))
        # the columns of R that are columns of X_T: levels all past the first
        keep = np.ones(br.shape[1], dtype=bool)
        grid = np.indices([v[2] if v[0] == "categorical" else 1 for v in f[::-1]])
        for axis, v in enumerate(f[::-1]):
            if v[0] == "categorical":
                keep &= grid[axis].reshape(-1) > 0
        r_index[str(s.term)] = (list(range(start_r, start_r + br.shape[1])),
                                list(np.arange(start_r, start_r + br.shape[1])[keep]))
        start_xt += bx.shape[1]
        start_r += br.shape[1]
    ones = [np.ones((len(X), 1))] if intercept else []
    XT = np.hstack(ones + xt_blocks)
    R = np.hstack(ones + r_blocks)
    if XT.shape[1] != X.shape[1] or np.linalg.matrix_rank(np.hstack([X, XT])) != X.shape[1]:
        raise UsageError("type III tests need a hierarchical formula (every variable of an "
                         "interaction also in the model as a main effect) with full-rank "
                         "categorical coding")
    pinv = np.linalg.pinv(XT)
    L = (pinv @ R).T                                   # rows: columns of R; cols: of X_T
    L[np.abs(L) < 1e-10] = 0.0
    variables = {str(s.term): {str(v) for v in s.term.factors} for s in parts}
    numerics = {t: {v for v in vs if facs[v][0] == "numeric"} for t, vs in variables.items()}
    order = sorted(parts, key=lambda s: -len(s.term.factors))
    for s in order:
        t = str(s.term)
        containing = [u for u in variables if u != t and variables[t] < variables[u]
                      and numerics[t] == numerics[u]]
        if containing:
            A = L[:, [c for u in containing for c in xt_index[u]]]
            B = L[:, xt_index[t]]
            coef, *_ = np.linalg.lstsq(A, B, rcond=None)
            res = B - A @ coef
            res[np.abs(res) < 1e-10] = 0.0
            L[:, xt_index[t]] = res
    kept = ([0] if intercept else []) + [c for s in parts for c in r_index[str(s.term)][1]]
    L = L[kept]                                        # rows: the columns of X_T
    to_fit = pinv @ X
    to_fit[np.abs(to_fit) < 1e-10] = 0.0
    out = {}
    for s in parts:
        Lt = L[:, xt_index[str(s.term)]].T @ to_fit
        out[str(s.term)] = Lt[np.abs(Lt).sum(axis=1) > 1e-8]
    return out
