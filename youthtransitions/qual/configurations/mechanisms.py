"""QCA applied to the study: which combinations of mechanisms are sufficient for positive change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..._options import check_choice
from ...errors import UsageError
from ...study.contract import MECHANISMS  # the four relational mechanisms: default conditions
from .calibrate import calibrate
from .qca import QCAResult, qca

__all__ = ["MECHANISMS", "mechanism_configurations", "mechanism_sets"]

#: set membership of a youth in a mechanism: crisp (active or not) or fuzzy (coded level)
Membership = Literal["active", "level"]


def _outcome_set(values: pd.Series, name: str, calibration) -> pd.Series:
    if values.dtype == bool:
        return values.astype(float)
    values = pd.to_numeric(values, errors="coerce")
    if calibration is None:
        if values.dropna().between(0, 1).all():
            return values.astype(float)
        raise UsageError(f"outcome {name!r} is not a membership score in [0, 1]; give "
                         "outcome_calibration: a threshold (crisp, e.g. 0 for any positive "
                         "change) or anchors (exclusion, crossover, inclusion)")
    if np.ndim(calibration) == 0:
        return calibrate(values, threshold=calibration)  # NaN stays NaN
    if len(calibration) != 3:
        raise UsageError("outcome_calibration must be a threshold or three anchors "
                         f"(exclusion, crossover, inclusion), got {calibration!r}")
    e, c, i = calibration
    return calibrate(values, exclusion=e, crossover=c, inclusion=i)


def mechanism_sets(features: pd.DataFrame, *, conditions: Sequence[str] = MECHANISMS,
                   membership: Membership = "active",
                   level_anchors: tuple[float, float, float] = (0.0, 0.9, 2.0)) -> pd.DataFrame:
    """Membership of each youth in each mechanism set.

    ``membership="active"``: crisp, 1 when ``<m>_active`` is true. ``"level"``: fuzzy, the
    mean coded level ``<m>_level`` (0 absent/low, 1 partial, 2 high) calibrated with
    ``level_anchors``; a mechanism never coded has level 0. The default crossover 0.9 puts a
    partial level (1), which counts as active, just inside the set.
    """
    check_choice("membership", membership, Membership)
    out = pd.DataFrame(index=features.index)
    for m in conditions:
        col = f"{m}_{membership}"
        if col not in features.columns:
            raise UsageError(f"features have no column {col!r} for condition {m!r} (expected "
                             "the output of youthtransitions.qual.quantitize)")
        if membership == "active":
            values = features[col]
            if values.isna().any():
                raise UsageError(f"column {col!r} has missing values")
            out[m] = values.astype(bool).astype(float)
        else:
            levels = pd.to_numeric(features[col], errors="coerce").fillna(0.0)
            e, c, i = level_anchors
            out[m] = calibrate(levels, exclusion=e, crossover=c, inclusion=i)
    return out


def mechanism_configurations(features: pd.DataFrame, *, outcome_col: str,
                             conditions: Sequence[str] = MECHANISMS,
                             outcomes: pd.DataFrame | None = None,
                             membership: str = "active", outcome_calibration=None,
                             level_anchors: tuple[float, float, float] = (0.0, 0.9, 2.0),
                             incl_cut: float = 0.8, n_cut: int = 1,
                             dir_exp=None) -> QCAResult:
    """Which combinations of the relational mechanisms are sufficient for positive change?

    Parameters
    ----------
    features : DataFrame
        Youth-level mechanism features, one row per youth (``youthtransitions.qual.quantitize``:
        ``youth_id``, ``<m>_active``, ``<m>_level``), possibly already joined to the outcome.
    outcome_col : str
        The positive-change outcome: a membership score in [0, 1], a boolean, or a raw change
        score to calibrate with ``outcome_calibration``.
    conditions : sequence of str, default the four mechanisms
    outcomes : DataFrame, optional
        ``youth_id`` and ``outcome_col``, joined to ``features`` by ``youth_id``; youth
        without an outcome are left out.
    membership : {"active", "level"}
        Crisp sets from activation or fuzzy sets from the mean coded level.
    outcome_calibration : float or (float, float, float), optional
        Threshold (crisp: change >= threshold) or anchors (fuzzy) for a raw outcome.
    level_anchors, incl_cut, n_cut, dir_exp
        Passed to :func:`mechanism_sets` and :func:`qca`. ``dir_exp`` defaults to none; the
        qualitative claim (each mechanism, when present, helps) is ``list(conditions)``.

    Returns
    -------
    QCAResult
        Cases are youth_ids; the solutions name the mechanism combinations sufficient for
        positive change (``"power*recognition*responsiveness*mutuality"`` is the claimed
        synergy).

    Notes
    -----
    A thin walk over :func:`qca`: set membership per mechanism, outcome membership, truth
    table and minimisation (Ragin 2008). Checked on constructed data whose sufficient
    configurations are known (``tests/qual/test_configurations_mechanisms.py``).
    """
    data = features.copy()
    if outcomes is not None:
        for frame, label in ((features, "features"), (outcomes, "outcomes")):
            if "youth_id" not in frame.columns:
                raise UsageError(f"{label} need a youth_id column to be joined")
        if outcome_col not in outcomes.columns:
            raise UsageError(f"outcomes have no column {outcome_col!r}")
        data = data.drop(columns=[outcome_col], errors="ignore").assign(
            youth_id=data["youth_id"].astype(str)).merge(
            outcomes[["youth_id", outcome_col]].assign(
                youth_id=outcomes["youth_id"].astype(str)), on="youth_id", how="inner")
    if outcome_col not in data.columns:
        raise UsageError(f"no outcome column {outcome_col!r} in the features")
    if "youth_id" in data.columns:
        data = data.set_index(data["youth_id"].astype(str))
    y = _outcome_set(data[outcome_col], outcome_col, outcome_calibration)
    keep = y.notna()
    if not keep.any():
        raise UsageError(f"no youth has a value of {outcome_col!r}")
    sets = mechanism_sets(data[keep], conditions=conditions, membership=membership,
                          level_anchors=level_anchors)
    sets["positive_change"] = y[keep]
    result = qca(sets, outcome="positive_change", conditions=list(conditions),
                 incl_cut=incl_cut, n_cut=n_cut, dir_exp=dir_exp)
    result.title = "Mechanism configurations sufficient for positive change"
    return result
