"""Conditional modes of the random effects, their conditional SDs, predictions, residuals.

Notes
-----
With ``b_i = Lambda u_i`` (Bates et al. 2015, *J. Stat. Softw.* 67(1), section 3) and
``L_i L_i' = Lambda'Z_i'Z_i Lambda + I``, the conditional mode of group ``i``'s random
effects at the estimates and its conditional covariance are (lme4's ``ranef(condVar = TRUE)``)::

    b_i     = Lambda (L_i L_i')^{-1} Lambda' Z_i'(y_i - X_i beta)
    Var b_i = sigma^2 Lambda (L_i L_i')^{-1} Lambda'

(``= (Z_i'Z_i / sigma^2 + Sigma_b^{-1})^{-1}`` when ``Sigma_b`` is invertible; the form with
``Lambda`` also holds on the boundary). Predictions are ``X beta + Z b`` (``random=True``) or
``X beta``; residuals ``y - X beta - Z b``. lme4's Pearson residuals of an unweighted
``lmer`` fit are the response residuals scaled by the square root of the prior weights (1),
so ``kind="pearson"`` returns the same numbers, as lme4 does. Checked against lme4 1.1-31
(tests/reference/lme4_ranef/): modes, SDs and predictions to 1e-4.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..._options import check_choice
from ...errors import UsageError
from ._design import fixed_spec, matrix_for, random_spec
from ._groups import lambda_of
from .tables import RandomEffectsTable

__all__ = ["conditional_modes", "random_effects", "fitted", "predict", "residuals"]

ResidualKind = Literal["response", "pearson"]


def conditional_modes(fit) -> tuple[np.ndarray, np.ndarray]:
    """Conditional modes ``(G, q)`` and conditional covariances ``(G, q, q)``."""
    q = fit.Z.shape[1]
    g = np.asarray(fit.groups, dtype=np.intp)
    G = int(fit.n_groups)
    lam = lambda_of(fit)
    r = fit.y - fit.X @ fit.params.to_numpy()
    ZtZ = np.empty((G, q, q))
    Ztr = np.empty((G, q))
    for a in range(q):
        Ztr[:, a] = np.bincount(g, weights=fit.Z[:, a] * r, minlength=G)
        for b in range(a, q):
            ZtZ[:, a, b] = ZtZ[:, b, a] = np.bincount(g, weights=fit.Z[:, a] * fit.Z[:, b],
                                                      minlength=G)
    M = np.einsum("ra,grc,cb->gab", lam, ZtZ, lam) + np.eye(q)
    Minv = np.linalg.inv(M)
    modes = np.einsum("ra,gab,cb,gc->gr", lam, Minv, lam, Ztr)
    cov = fit.residual_variance * np.einsum("ra,gab,cb->grc", lam, Minv, lam)
    return modes, cov


def random_effects(fit) -> RandomEffectsTable:
    """Tidy conditional modes and their conditional standard errors.

    Returns
    -------
    RandomEffectsTable
        Its ``to_frame()`` has columns ``group, level, term, estimate, std_error``: one row
        per level and random term, terms varying slowest (broom.mixed's ``ran_vals`` order);
        ``group`` is the grouping column's name, ``level`` its value.
    """
    modes, cov = conditional_modes(fit)
    q = modes.shape[1]
    G = modes.shape[0]
    se = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0, None))
    frame = pd.DataFrame({
        "group": fit.group,
        "level": np.tile(np.asarray(fit.group_labels), q),
        "term": np.repeat(list(fit.random_names), G),
        "estimate": modes.T.reshape(-1),
        "std_error": se.T.reshape(-1)})
    return RandomEffectsTable(frame, [("Formula", fit.formula), ("Method", fit.method),
                                      ("Groups", f"{fit.group} ({G})")])


def fitted(fit) -> np.ndarray:
    """``X beta + Z b`` at the conditional modes, rows of the model frame."""
    modes, _ = conditional_modes(fit)
    b = modes[np.asarray(fit.groups, dtype=np.intp)]
    return fit.X @ fit.params.to_numpy() + (fit.Z * b).sum(axis=1)


def predict(fit, data: pd.DataFrame | None = None, *, random: bool = True) -> np.ndarray:
    """Predictions for the model frame (``data=None``) or for new data.

    With ``random=True`` a row of a group the model was fitted on gets that group's
    conditional modes; a row of an unknown group (or with a missing group) gets the
    population prediction ``x'beta`` (lme4's ``allow.new.levels = TRUE``). Rows with a
    missing predictor give NaN.
    """
    beta = fit.params.to_numpy()
    if data is None:
        return fitted(fit) if random else fit.X @ beta
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    X = matrix_for(fixed_spec(fit), data, list(fit.fixed_names), "fixed-effects")
    out = X @ beta
    if not random:
        return out
    if fit.group not in data.columns:
        raise UsageError(f"the new data have no group column {fit.group!r}; pass "
                         "random=False for population predictions")
    Z = matrix_for(random_spec(fit), data, list(fit.random_names), "random-effects")
    modes, _ = conditional_modes(fit)
    code = pd.Index(fit.group_labels).get_indexer(data[fit.group])
    known = code >= 0
    b = np.zeros((len(data), modes.shape[1]))
    b[known] = modes[code[known]]
    return out + np.where(known, (Z * b).sum(axis=1), 0.0)


def residuals(fit, kind: ResidualKind = "response") -> np.ndarray:
    """``y - X beta - Z b``; ``kind="pearson"`` as lme4 (the same for an unweighted fit)."""
    check_choice("kind", kind, ResidualKind)
    return fit.y - fitted(fit)
