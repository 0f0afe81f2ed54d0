"""Scale scores: the mean of answered items, reverse-keyed items reflected, 80% rule."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UsageError
from .contract import SCORE_MIN_ANSWERED

if TYPE_CHECKING:
    from .study import Study

__all__ = ["score_scales", "scale_items", "reflected_items", "score_matrix"]

_ID_COLUMNS = {"waves": ["youth_id", "wave"], "pmk": ["youth_id", "wave", "pmk_role"]}


def _table(study: Study, table: str) -> pd.DataFrame:
    if table not in _ID_COLUMNS:
        raise UsageError(f"table must be 'waves' or 'pmk', not {table!r}")
    frame = study.waves if table == "waves" else study.pmk
    if frame is None:
        raise UsageError(f"this study has no {table} table")
    return frame


_SCALE_COLUMNS = ["scale", "table", "item", "reverse", "min", "max"]


def scale_items(study: Study, table: str = "waves") -> dict[str, pd.DataFrame]:
    """``{scale: its rows of the scales table}`` for one table, scales in first-seen order.

    Raises
    ------
    UsageError
        If the scales table lacks a column or a cell needed for scoring (possible only for a
        study loaded with ``validate=False``).
    """
    scales = study.scales
    absent = [c for c in _SCALE_COLUMNS if c not in scales.columns]
    if absent:
        raise UsageError(f"the scales table lacks column(s) {', '.join(absent)}; "
                         "run `yt validate` on the study")
    broken = scales[_SCALE_COLUMNS].isna().any(axis=1)
    if broken.any():
        raise UsageError(f"the scales table has empty cells in {int(broken.sum())} row(s); "
                         "run `yt validate` on the study")
    sub = scales[scales["table"] == table]
    return {str(name): rows for name, rows in sub.groupby("scale", sort=False, observed=True)}


def reflected_items(frame: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Item values (n × k float, NaN missing) with reverse-keyed items reflected.

    A reverse-keyed answer ``x`` on the range ``min..max`` becomes ``min + max - x``.
    """
    missing = [i for i in rows["item"] if i not in frame.columns]
    if missing:
        raise UsageError(f"items {missing} are declared in scales but not in the table; "
                         "run `yt validate` on the study")
    values = frame[list(rows["item"])].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    reverse = rows["reverse"].to_numpy(dtype=bool)
    low = rows["min"].to_numpy(dtype=float)
    high = rows["max"].to_numpy(dtype=float)
    values[:, reverse] = (low + high)[reverse] - values[:, reverse]
    return values


def score_matrix(values: np.ndarray, *, min_answered: float = SCORE_MIN_ANSWERED) -> np.ndarray:
    """Row means of answered items where at least ``min_answered`` of the items are answered.

    Notes
    -----
    ``score_i = sum_j x_ij / a_i`` over answered items ``j`` when ``a_i >= min_answered * k``,
    else missing (``a_i``: items answered, ``k``: items in the scale). The comparison is done
    in integers (``5 a_i >= 4 k`` for 80%) so it has no rounding edge.
    """
    answered = ~np.isnan(values)
    n_answered = answered.sum(axis=1)
    k = values.shape[1]
    total = np.where(answered, values, 0.0).sum(axis=1)
    share = Fraction(str(min_answered)).limit_denominator(1000)  # 0.8 -> 4/5 exactly
    numerator, denominator = share.numerator, share.denominator
    enough = n_answered * denominator >= numerator * k
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(enough & (n_answered > 0), total / n_answered, np.nan)


def score_scales(study: Study, *, table: str = "waves") -> pd.DataFrame:
    """Scale scores for every row of the waves (or pmk) table.

    Parameters
    ----------
    study : Study
        A loaded study.
    table : {"waves", "pmk"}
        Which table's scales to score.

    Returns
    -------
    pandas.DataFrame
        ``youth_id, wave`` (and ``pmk_role`` for pmk), then one float column per scale defined
        on that table, in the order the scales table first names them; one row per table row.

    Notes
    -----
    A score is the mean of the answered items, reverse-keyed items reflected
    (``min + max - x``), when at least 80% of the scale's items are answered, else missing
    (data contract, "scales"). Checked against hand-computed closed forms in
    ``tests/study/test_scales.py``.
    """
    frame = _table(study, table)
    out = frame[[c for c in _ID_COLUMNS[table] if c in frame.columns]].reset_index(drop=True)
    for name, rows in scale_items(study, table).items():
        out[name] = score_matrix(reflected_items(frame, rows))
    return out
