"""Whether one fitted mixed model is nested in another, as a model comparison presupposes.

An R² difference (or a likelihood-ratio test) between two models means something only when both
describe the same outcome on the same rows and the smaller model is a special case of the
larger. :func:`check_nested` refuses the first two outright and warns about the third.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import UsageError

__all__ = ["NotNestedWarning", "check_nested", "outside_column_space"]

#: relative least-squares residual above which a column counts as outside a column space
TOLERANCE = 1e-8


class NotNestedWarning(UserWarning):
    """The smaller model's columns do not lie in the larger model's column spaces."""


def outside_column_space(small: np.ndarray, large: np.ndarray, *,
                         tol: float = TOLERANCE) -> np.ndarray:
    """Which columns of ``small`` lie outside the column space of ``large``.

    Returns a boolean mask over the columns of ``small``: True where the relative residual
    ``||s_j - L L^+ s_j|| / max(||s_j||, 1)`` of the projection exceeds ``tol``.

    Notes
    -----
    ``L^+ s_j`` is the least-squares solution (:func:`numpy.linalg.lstsq`, SVD based, so a
    rank-deficient ``large`` is fine). A column lies in the span of ``large`` exactly when its
    residual is zero; the scale floor of 1 keeps all-zero columns from dividing by zero.
    """
    small = np.asarray(small, dtype=float).reshape(len(small), -1)
    large = np.asarray(large, dtype=float).reshape(len(large), -1)
    if small.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    if large.shape[1] == 0:
        return np.linalg.norm(small, axis=0) > tol
    coef, *_ = np.linalg.lstsq(large, small, rcond=None)
    residual = np.linalg.norm(small - large @ coef, axis=0)
    scale = np.maximum(np.linalg.norm(small, axis=0), 1.0)
    return residual / scale > tol


def check_nested(full: Any, reduced: Any) -> bool:
    """Refuse models of different outcomes or rows; warn when ``reduced`` is not nested.

    Parameters
    ----------
    full, reduced : LMMResult
        The larger model and the comparison (smaller) model.

    Returns
    -------
    bool
        True when ``reduced`` is nested in ``full``; otherwise a :class:`NotNestedWarning`
        says which columns lie outside, and False is returned.

    Raises
    ------
    UsageError
        If the models have different outcomes or were fitted to different rows.

    Notes
    -----
    ``reduced`` is nested in ``full`` when both group the rows alike and
    :math:`X_0 = X_1 A` and :math:`Z_0 = Z_1 B` for some matrices A, B: every fixed column of
    the smaller model lies in the column space of the larger model's fixed design, and every
    random column in that of its random design. Checked column by column by the relative
    least-squares residual of the projection (:func:`outside_column_space`), so a
    reparametrised model (``y ~ x`` inside ``y ~ x_within + x_between``) counts as nested.
    Rights & Sterba (2020) R² differences presuppose nested models, as ``r2mlm_comp`` does.
    """
    for role, model in (("full", full), ("comparison", reduced)):
        if not all(hasattr(model, a) for a in ("X", "Z", "y", "groups", "data", "response")):
            raise UsageError(f"check_nested: the {role} model must be a fitted mixed model "
                             f"(LMMResult), got {type(model).__name__}")
    if full.response != reduced.response:
        raise UsageError(f"the comparison model has outcome {reduced.response!r}, the full model "
                         f"{full.response!r}; compare models of the same outcome")
    if not full.data.index.equals(reduced.data.index):
        raise UsageError(f"the models were fitted to different rows ({len(full.data)} vs "
                         f"{len(reduced.data)}); fit both to the same rows (drop rows with "
                         "missing values in either model's variables first)")
    if not np.array_equal(np.asarray(full.y), np.asarray(reduced.y), equal_nan=True):
        raise UsageError("the models were fitted to different outcome values on the same rows; "
                         "compare models of the same outcome")
    reasons = []
    if not np.array_equal(np.asarray(full.groups), np.asarray(reduced.groups)):
        reasons.append("the models group the rows differently")
    for part, small, large, names in (
            ("fixed", reduced.X, full.X, reduced.fixed_names),
            ("random", reduced.Z, full.Z, reduced.random_names)):
        outside = outside_column_space(small, large)
        if outside.any():
            columns = ", ".join(n for n, o in zip(names, outside, strict=True) if o)
            reasons.append(f"its {part} column(s) {columns} do not lie in the full model's "
                           f"{part}-effects column space")
    if reasons:
        warnings.warn(NotNestedWarning(
            "the comparison model is not nested in the full model: " + "; ".join(reasons)
            + "; an R² difference between them compares different things"),
            stacklevel=1)  # one location: a comparison checked twice warns once
    return not reasons
