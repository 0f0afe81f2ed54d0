"""The formula structure of a fitted model: model specs for new data, columns per term.

A fitted :class:`~youthtransitions.models.LMMResult` keeps its formula and model frame; the
fixed and random parts are re-encoded here with formulaic from that frame, so new data get
the same factor levels and contrasts and each formula term is mapped to its columns of ``X``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import UsageError

__all__ = ["fixed_spec", "random_spec", "matrix_for", "term_columns"]


def _rhs(formula: str) -> str:
    return formula.split("~", 1)[1].strip()


def _names(columns) -> list[str]:
    return ["(Intercept)" if c == "Intercept" else str(c) for c in columns]


def _spec(rhs: str, frame: pd.DataFrame):
    import formulaic

    return formulaic.model_matrix(rhs, frame, na_action="ignore").model_spec


def fixed_spec(fit):
    """formulaic model spec of the fixed part, encoded on the fit's model frame."""
    return _spec(_rhs(fit.formula), fit.data)


def random_spec(fit):
    """formulaic model spec of the random part, encoded on the fit's model frame."""
    return _spec(fit.random, fit.data)


def matrix_for(spec, data: pd.DataFrame, names: list[str], what: str) -> np.ndarray:
    """Model matrix of ``data`` under ``spec``, columns in the order of ``names``.

    Rows with a missing value give rows of NaN. A factor level the model was not fitted on is
    refused (formulaic would silently code it as the reference level).
    """
    from formulaic.errors import FormulaicError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            mm = spec.get_model_matrix(data, na_action="ignore")
        except (FormulaicError, KeyError, NameError) as exc:
            raise UsageError(f"cannot build the {what} matrix for the new data: {exc}") from None
    for w in caught:
        if "categories outside" in str(w.message):
            raise UsageError(f"the new data have a factor level the model was not fitted on "
                             f"({what} part): {w.message}")
    frame = pd.DataFrame(np.asarray(mm, dtype=float), columns=_names(mm.columns),
                         index=data.index)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UsageError(f"the new data do not give the {what} columns {missing}")
    return frame[names].to_numpy()


def term_columns(fit) -> dict[str, list[int]]:
    """Formula term (as formulaic writes it) -> positions of its columns in ``fit.X``.

    The intercept is left out (it is tested by no type III term).
    """
    spec = fixed_spec(fit)
    pos = {n: i for i, n in enumerate(fit.fixed_names)}
    out: dict[str, list[int]] = {}
    for part in spec.structure:
        cols = [pos[n] for n in _names(part.columns) if n in pos]
        if str(part.term) != "1" and cols:
            out[str(part.term)] = cols
    return out
