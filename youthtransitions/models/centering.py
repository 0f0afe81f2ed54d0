"""Person-mean (cluster-mean) centring: split a predictor into between and within parts."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import UsageError

__all__ = ["center_codes", "center_within"]


def center_codes(x: np.ndarray, codes: np.ndarray, n_groups: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`center_within` on arrays: ``(between, within)`` of ``x`` by group code.

    ``x`` has no missing values and ``codes`` are 0 .. n_groups-1 (groups without rows are
    allowed). The person mean is a plain ``bincount`` sum over the count, where
    :func:`center_within` takes pandas' compensated group mean; the two agree to rounding
    (about 1e-15, ``tests/models/test_centering.py``). Used where a design is built on arrays
    and refitted many times (:func:`youthtransitions.models.variance_explained`).
    """
    x = np.asarray(x, dtype=float)
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    means = np.bincount(codes, weights=x, minlength=n_groups) / np.where(counts > 0, counts, 1)
    return means[codes], x - means[codes]


def center_within(df: pd.DataFrame, cols: str | Iterable[str], group: str, *,
                  suffixes: tuple[str, str] = ("_between", "_within")) -> pd.DataFrame:
    """Add each column's person mean and the within-person deviation from it.

    Parameters
    ----------
    df : DataFrame
        Long-format data, one row per observation.
    cols : str or iterable of str
        Numeric columns to split.
    group : str
        Column identifying the cluster (the youth).
    suffixes : (str, str), keyword-only
        Suffixes of the new between and within columns.

    Returns
    -------
    DataFrame
        A copy of ``df`` with ``<col>_between`` (the mean of the column over the group's
        non-missing values) and ``<col>_within`` (the value minus that mean) added. Missing
        values stay missing in ``<col>_within``; the group mean ignores them. Rows whose
        ``group`` is missing belong to no person: both new columns are NaN there.

    Raises
    ------
    UsageError
        Unknown or non-numeric column, no columns, or an output column that already exists
        (the input is never overwritten).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"youth_id": ["a", "a", "b"], "rq": [2.0, 4.0, 5.0]})
    >>> center_within(df, "rq", "youth_id")[["rq_between", "rq_within"]].to_numpy().tolist()
    [[3.0, -1.0], [3.0, 1.0], [5.0, 0.0]]

    Notes
    -----
    For observation :math:`i` of cluster :math:`j`,
    :math:`\\bar x_j = n_j^{-1}\\sum_i x_{ij}` and :math:`x^{w}_{ij} = x_{ij} - \\bar x_j`, so
    every cluster mean of :math:`x^{w}` is 0 and :math:`\\bar x_j` is constant within a
    cluster: the "centering within cluster" (CWC) of Enders & Tofighi (2007), which the
    Rights & Sterba (2019) within/between decomposition requires. Checked by closed form in
    ``tests/models/test_centering.py``.
    """
    if isinstance(cols, str):
        cols = [cols]
    cols = list(cols)
    if not isinstance(df, pd.DataFrame):
        raise UsageError(f"center_within needs a DataFrame, got {type(df).__name__}")
    missing = [c for c in [*cols, group] if c not in df.columns]
    if missing:
        raise UsageError(f"center_within: column(s) {missing} not in the data "
                         f"(columns: {list(df.columns)})")
    if not cols:
        raise UsageError("center_within: no columns to centre")
    new_cols = [f"{c}{sfx}" for c in cols for sfx in suffixes]
    clash = [c for c in new_cols if c in df.columns]
    if clash or len(set(new_cols)) < len(new_cols):
        raise UsageError(f"center_within: output column(s) {clash or new_cols} already exist "
                         "or collide; drop them or pass other suffixes")
    out = df.copy()
    grouped = out.groupby(group, sort=False, dropna=True)
    for col in cols:
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            raise UsageError(f"center_within: column {col!r} must be numeric, "
                             f"it has dtype {out[col].dtype}")
        values = out[col].astype(float)
        mean = grouped[col].transform("mean").astype(float)
        out[f"{col}{suffixes[0]}"] = mean
        out[f"{col}{suffixes[1]}"] = values - mean
    return out
