"""Turn a mixed-model specification into the arrays the engines fit.

A model is given as a fixed-effects formula (``"wellbeing ~ rq_within + rq_between"``), a
random-effects right-hand side (``"1"``, ``"1 + wave"``, ``"wave"``, ``"0 + wave"``) and the
name of the grouping column. :func:`build_design` parses both formulas with formulaic, drops
the rows with a missing value in any model variable, and returns a :class:`Design`.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError

__all__ = ["Design", "build_design"]

INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Design:
    """Arrays of one mixed model, rows in the order of the model frame.

    Attributes
    ----------
    y : ndarray (n,)
        Response.
    X : ndarray (n, p)
        Fixed-effects design.
    Z : ndarray (n, q)
        Random-effects design (the columns of one group's block).
    groups : ndarray (n,) of int
        Group codes 0 .. n_groups-1 in the order of ``group_labels``.
    group_labels : ndarray
        The group identifier of each code.
    fixed_names, random_names : list of str
        Column names of X and Z; the intercept is called ``"(Intercept)"`` as in R.
    response : str
        Name of the response.
    data : DataFrame
        The model frame: the model variables of the rows kept, with their original index.
    n_dropped : int
        Rows dropped for a missing value in a model variable.
    """

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray
    group_labels: np.ndarray
    fixed_names: list[str]
    random_names: list[str]
    response: str
    data: pd.DataFrame
    n_dropped: int


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _simple_terms(rhs: str, dtypes: dict) -> tuple[bool, list[str]] | None:
    """``(intercept, columns)`` when ``rhs`` is only ``1``/``0`` and numeric column names.

    Such formulas (the common case) are materialised directly with numpy, the same matrix
    formulaic builds (tested in tests/models/test_lmm.py), without its overhead.
    ``dtypes`` maps the data's column names to their dtypes.
    """
    intercept, cols = True, []
    for tok in (t.strip() for t in rhs.split("+")):
        if tok == "1":
            continue
        if tok == "0" and not cols:
            intercept = False
            continue
        if not _IDENT.match(tok) or tok not in dtypes:
            return None
        dtype = dtypes[tok]
        if not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)):
            return None
        if tok not in cols:
            cols.append(tok)
    return intercept, cols


def _column(frame: pd.DataFrame, arrays: dict, c: str) -> np.ndarray:
    """A model-frame column as floats (nullable and other extension dtypes via pandas)."""
    a = arrays.get(c)
    return frame[c].to_numpy(dtype=float) if a is None else np.asarray(a, dtype=float)


def _simple_matrix(frame: pd.DataFrame, arrays: dict, intercept: bool, cols: list[str]):
    n = len(frame)
    parts = ([np.ones(n)] if intercept else []) + [_column(frame, arrays, c) for c in cols]
    names = ([INTERCEPT] if intercept else []) + cols
    if not parts:
        return np.empty((n, 0)), names
    return np.column_stack(parts), names


def _native(series: pd.Series) -> bool:
    """A numpy integer, unsigned or float column (its values are a plain ndarray)."""
    return isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf"


def _model_frame(data: pd.DataFrame, cols: list[str]):
    """The model variables of the rows with none missing, as a frame and as arrays.

    Numeric numpy columns go through as ndarrays (building a frame from arrays costs a
    fifth of building it from Series); other columns keep their Series and dtype.
    """
    series = {c: data[c] for c in cols}
    arrays = {c: s.to_numpy() for c, s in series.items() if _native(s)}
    keep = np.ones(len(data), dtype=bool)
    for c, s in series.items():
        a = arrays.get(c)
        if a is None:
            keep &= s.notna().to_numpy()
        elif a.dtype.kind == "f":
            keep &= ~np.isnan(a)
    n_dropped = int(len(data) - keep.sum())
    index = data.index
    if n_dropped:
        arrays = {c: a[keep] for c, a in arrays.items()}
        series = {c: s[keep] for c, s in series.items() if c not in arrays}
        index = index[keep]
    parts = {c: arrays[c] if c in arrays else series[c] for c in cols}
    return pd.DataFrame(parts, index=index, copy=False), arrays, n_dropped


def _rename(columns) -> list[str]:
    return [INTERCEPT if c == "Intercept" else str(c) for c in columns]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain(exc: Exception) -> str:
    """formulaic's message without the terminal colour codes it marks the error with."""
    return _ANSI.sub("", str(exc))


@functools.lru_cache(maxsize=64)
def _parse(formula: str, what: str):
    """The parsed formula (cached: refits of one model parse it once)."""
    import formulaic

    try:
        return formulaic.Formula(formula)
    except Exception as exc:  # formulaic raises several parser exception types
        raise UsageError(f"cannot parse the {what} {formula!r}: {_plain(exc)}") from None


def _simple_formulas(parsed) -> list:
    from formulaic.formula import SimpleFormula

    if isinstance(parsed, SimpleFormula):
        return [parsed]
    return [part for part in (getattr(parsed, "lhs", None), getattr(parsed, "rhs", None))
            if part is not None]


def _expression_names(expr: str) -> set[str]:
    """The bare names a Python factor such as ``poly(x, 2)`` or ``np.log(x)`` uses."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:  # formulaic's own syntax inside (a `quoted name`): keep the words
        found = re.findall(r"`([^`]+)`|\b([A-Za-z_]\w*)\b(?!\s*=)", expr)
        return {quoted or bare for quoted, bare in found}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _names(parsed) -> set[str]:
    """Every name the formula's factors use.

    formulaic's ``required_variables`` leaves out the variables of stateful transforms
    (``poly(x, 2)``, ``scale(x)``, ``center(x)``, ``bs(x)``), so the Python expressions of
    the factors are read as well.
    """
    from formulaic.parser.types import Factor

    names = {str(v) for v in parsed.required_variables}
    for simple in _simple_formulas(parsed):
        for term in simple:
            for factor in term.factors:
                if factor.eval_method is Factor.EvalMethod.LOOKUP:
                    names.add(str(factor.expr))
                elif factor.eval_method is Factor.EvalMethod.PYTHON:
                    names |= _expression_names(str(factor.expr))
    return names


def _variables(parsed, data: pd.DataFrame, what: str, formula: str) -> list[str]:
    names = sorted(_names(parsed))
    # names resolved from formulaic's namespace (np, C, poly, ...) are not columns
    wanted = [v for v in names if v in data.columns]
    unknown = [v for v in names if v not in data.columns and v not in _namespace()]
    if unknown:
        raise UsageError(
            f"the {what} {formula!r} uses {', '.join(repr(u) for u in unknown)}, "
            f"not a column of the data (columns: {', '.join(map(str, data.columns[:30]))}"
            f"{' ...' if len(data.columns) > 30 else ''})")
    return wanted


@functools.cache
def _namespace() -> frozenset[str]:
    """Names a formula may use that are not columns: formulaic's transforms, numpy, and
    Python's builtins."""
    import builtins

    from formulaic.transforms import TRANSFORMS

    return frozenset({*TRANSFORMS, *dir(builtins), "np", "numpy", "T", "S"})


def _rank(X: np.ndarray) -> int:
    """Numerical rank of X from the eigenvalues of its column-scaled cross-product.

    O(n p^2) and little memory (an SVD of a million-row X is slow); tolerance 1e-10 on the
    eigenvalues of the scaled X'X (i.e. about 1e-5 on singular values).
    """
    xtx = X.T @ X
    scale = np.sqrt(np.diag(xtx))
    if np.any(scale == 0):
        return int(np.linalg.matrix_rank(xtx))
    ev = np.linalg.eigvalsh(xtx / np.outer(scale, scale))
    return int((ev > 1e-10 * ev.max()).sum())


def _matrices(parsed, frame: pd.DataFrame, arrays: dict, response: str, simple=None):
    if simple is not None:
        fixed_simple, random_simple = simple
        X, fixed_names = _simple_matrix(frame, arrays, *fixed_simple)
        Z, random_names = _simple_matrix(frame, arrays, *random_simple)
        return _column(frame, arrays, response), X, Z, fixed_names, random_names
    import formulaic

    (fixed, formula), (rand, random) = parsed
    try:
        mm = formulaic.model_matrix(fixed, frame, na_action="raise")
        zz = formulaic.model_matrix(rand, frame, na_action="raise")
    except Exception as exc:
        raise UsageError(f"cannot build the model matrices for {formula!r} with random "
                         f"{random!r}: {_plain(exc)}") from None
    Z = np.asarray(zz, dtype=float)
    if Z.ndim == 1:
        Z = Z[:, None]
    return (np.asarray(mm.lhs, dtype=float).reshape(-1), np.asarray(mm.rhs, dtype=float), Z,
            _rename(mm.rhs.columns), _rename(zz.columns))


def build_design(formula: str, data: pd.DataFrame, *, group: str, random: str = "1") -> Design:
    """Parse the model and build its arrays, dropping rows with missing model variables.

    Parameters
    ----------
    formula : str
        Fixed part, ``"response ~ terms"`` (formulaic syntax: ``C(x)``, ``x:z``, ``np.log(x)``).
    data : DataFrame
        Long-format data, one row per observation.
    group : str
        Column identifying the groups (youth).
    random : str
        Right-hand side of the random part; an intercept is included unless ``0 +`` is given.

    Returns
    -------
    Design

    Raises
    ------
    UsageError
        Unparseable formula, unknown column, non-numeric response, no rows left, a fixed
        design that is not of full column rank.
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if not isinstance(formula, str) or "~" not in formula:
        raise UsageError(f"formula must be a string 'response ~ terms', got {formula!r}")
    if not isinstance(random, str) or not random.strip() or "~" in random or "|" in random:
        raise UsageError(
            f"random must be the right-hand side of a formula such as '1', '1 + wave' or "
            f"'0 + wave' (the group is given by group=), got {random!r}")
    if group not in data.columns:
        raise UsageError(f"group column {group!r} is not a column of the data")
    lhs_text, rhs_text = (part.strip() for part in formula.split("~", 1))
    dtypes = dict(zip(data.columns, data.dtypes, strict=True))
    simple = None
    if _IDENT.match(lhs_text) is not None:
        fixed_simple = _simple_terms(rhs_text, dtypes)
        random_simple = _simple_terms(random, dtypes)
        if fixed_simple is not None and random_simple is not None:
            simple = (fixed_simple, random_simple)
    if simple:  # plain numeric columns: no need for formulaic's parser
        response = lhs_text
        fixed_cols = fixed_simple[1] + random_simple[1]
    else:
        fixed = _parse(formula, "formula")
        rand = _parse(random, "random formula")
        lhs = sorted(str(v) for v in fixed.lhs.required_variables)
        if len(lhs) != 1:
            raise UsageError(f"the formula {formula!r} must have exactly one response variable")
        response = lhs[0]
    if response not in dtypes:
        raise UsageError(f"response {response!r} in {formula!r} is not a column of the data")
    if not (pd.api.types.is_numeric_dtype(dtypes[response])
            and not pd.api.types.is_bool_dtype(dtypes[response])):
        raise UsageError(f"response {response!r} must be numeric, its type is "
                         f"{dtypes[response]}")
    if simple:
        cols = [response] + [c for c in dict.fromkeys(fixed_cols) if c != response]
    else:
        cols = _variables(fixed, data, "formula", formula)
        cols += [c for c in _variables(rand, data, "random formula", random) if c not in cols]
    cols += [group] if group not in cols else []
    frame, arrays, n_dropped = _model_frame(data, cols)
    if len(frame) == 0:
        raise UsageError("no rows are left after dropping rows with a missing value in "
                         f"{', '.join(cols)}")
    y, X, Z, fixed_names, random_names = _matrices(
        None if simple else ((fixed, formula), (rand, random)), frame, arrays, response, simple)
    if X.shape[1] == 0:
        raise UsageError(f"the formula {formula!r} has no fixed-effect terms")
    if Z.shape[1] == 0:
        raise UsageError(f"the random part {random!r} has no terms")
    if not (np.isfinite(y).all() and np.isfinite(X).all() and np.isfinite(Z).all()):
        raise UsageError("the model matrices contain infinite values (check transforms such "
                         "as np.log of zero)")
    rank = _rank(X)
    if rank < X.shape[1]:
        raise UsageError(f"the fixed-effects design of {formula!r} is rank deficient "
                         f"(rank {rank} < {X.shape[1]} columns {fixed_names}): drop or "
                         "combine collinear terms")
    codes, labels = pd.factorize(arrays[group] if group in arrays else frame[group],
                                 sort=True)
    return Design(y=y, X=X, Z=Z, groups=codes.astype(np.int64), group_labels=np.asarray(labels),
                  fixed_names=fixed_names, random_names=random_names, response=response,
                  data=frame, n_dropped=n_dropped)
