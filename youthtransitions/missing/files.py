"""Pool one model over completed data sets stored as files (``yt pool``)."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._options import check_choice
from ..errors import UsageError
from ..study.datafile import read_data_file
from .poolable import FitEstimates, check_df_com
from .pooling import PooledResult, pool

__all__ = ["pool_files", "check_completed_data", "PoolModel"]

PoolModel = Literal["ols", "lmm"]


def check_completed_data(frames: Sequence[pd.DataFrame], names: Sequence[str], *,
                         group: str | None = None) -> None:
    """Refuse completed data sets that are not imputations of one data set; warn on repeats.

    Every frame must have the first one's columns and number of rows and, when ``group`` is
    given, the same group identifiers row by row (they are never imputed). Two identical frames
    warn (``UserWarning``): a repeated imputation adds no between-imputation variance, so the
    pooled standard errors and df overstate what the data hold.
    """
    first, name0 = frames[0], names[0]
    for frame, name in zip(frames[1:], names[1:], strict=True):
        missing = [c for c in first.columns if c not in frame.columns]
        extra = [c for c in frame.columns if c not in first.columns]
        if missing or extra:
            what = "; ".join(part for part in (
                f"it lacks {missing}" if missing else "", f"it adds {extra}" if extra else "")
                if part)
            raise UsageError(f"{name} and {name0} have different columns ({what}); the "
                             "completed data sets must be imputations of one data set")
        if len(frame) != len(first):
            raise UsageError(f"{name} has {len(frame)} rows and {name0} has {len(first)}; the "
                             "completed data sets must hold the same rows")
        if group is not None and group in first.columns:
            a, b = first[group].to_numpy(), frame[group].to_numpy()
            differ = np.flatnonzero(~((a == b) | (pd.isna(a) & pd.isna(b))))
            if differ.size:
                i = int(differ[0])
                raise UsageError(
                    f"{name} and {name0} differ in the group column {group!r} at row {i + 1} "
                    f"({b[i]!r} vs {a[i]!r}; {differ.size} rows differ); the completed data "
                    "sets must hold the same rows in the same order")
    seen: dict[str, int] = {}
    for i, frame in enumerate(frames):
        aligned = frame[list(first.columns)]
        key = hashlib.sha256(pd.util.hash_pandas_object(aligned, index=False).to_numpy()
                             .tobytes()).hexdigest()
        j = seen.setdefault(key, i)
        if j != i and aligned.equals(frames[j][list(first.columns)]):
            warnings.warn(f"{names[j]} and {names[i]} hold identical data: a repeated "
                          "imputation adds no between-imputation variance, so the pooled "
                          "standard errors and df overstate the information", UserWarning,
                          stacklevel=3)


def _fit_ols(formula: str, data: pd.DataFrame) -> FitEstimates:
    """OLS by statsmodels on formulaic's model matrices (the formula language of fit_lmm);
    the intercept named ``(Intercept)`` as in R and :func:`~youthtransitions.models.fit_lmm`."""
    import formulaic
    import statsmodels.api as sm

    if not isinstance(formula, str) or "~" not in formula:
        raise UsageError(f"formula must be a string 'response ~ terms', got {formula!r}")
    try:
        mm = formulaic.model_matrix(formula, data)
    except Exception as exc:  # formulaic raises several parser and evaluation error types
        raise UsageError(f"cannot build the model matrix for {formula!r}: {exc}") from None
    y = np.asarray(mm.lhs, dtype=float).reshape(-1)
    names = ["(Intercept)" if c == "Intercept" else str(c) for c in mm.rhs.columns]
    X = np.asarray(mm.rhs, dtype=float)
    if y.size <= X.shape[1] or np.linalg.matrix_rank(X) < X.shape[1]:
        raise UsageError(f"the design of {formula!r} has {y.size} rows and rank "
                         f"{np.linalg.matrix_rank(X)} for {X.shape[1]} columns {names}; "
                         "drop or combine collinear terms")
    fit = sm.OLS(y, X).fit()
    params = pd.Series(fit.params, index=names)
    cov = pd.DataFrame(fit.cov_params(), index=names, columns=names)
    return FitEstimates(params, cov, df_resid=float(fit.df_resid))


def pool_files(paths: Sequence[str | Path], *, formula: str, group: str | None = None,
               random: str | None = None, model: PoolModel | None = None,
               df_com: float | None = None) -> PooledResult:
    """Fit one model to each completed data set (a file) and pool by Rubin's rules.

    Parameters
    ----------
    paths : sequence of path
        At least two completed data sets (CSV, Parquet, SPSS .sav or Stata .dta) with the same
        columns and rows.
    formula : str
        ``"response ~ terms"`` (formulaic syntax, as :func:`~youthtransitions.models.fit_lmm`).
    group : str, optional
        Grouping column of a mixed model.
    random : str, optional
        Random part of a mixed model (default ``"1"``).
    model : {"ols", "lmm"}, optional
        ``"lmm"``: ``fit_lmm(formula, data, group=group, random=random)`` (REML); ``"ols"``:
        ordinary least squares. Default: ``"lmm"`` when ``group`` is given, else ``"ols"``.
    df_com : float, optional
        Complete-data df (see :func:`~youthtransitions.missing.pool`): default the residual
        df of the fit to the first file (OLS ``n - p``, LMM ``n - n_params``, as
        ``mice::pool``), ``inf`` the large-sample df. Checked before any file is read.

    Returns
    -------
    PooledResult
        Pooled coefficients (mitml's df convention).

    Raises
    ------
    UsageError
        Fewer than two files, an unreadable file, files whose columns or rows differ (or,
        for a mixed model, whose group identifiers differ row by row), bad options.

    Warns
    -----
    UserWarning
        When two files hold identical data.
    """
    paths = list(paths)
    if model is None:
        model = "lmm" if group is not None else "ols"
    check_choice("model", model, PoolModel)
    if model == "lmm" and group is None:
        raise UsageError("a mixed model (model='lmm') needs the grouping column: give group")
    if model == "ols" and (group is not None or random is not None):
        raise UsageError("an OLS model has no group or random part: leave out group and "
                         "random, or use model='lmm'")
    df_com = check_df_com(df_com)
    if len(paths) < 2:
        raise UsageError(f"pooling needs at least 2 completed data sets, got {len(paths)}")
    frames = [read_data_file(p) for p in paths]
    check_completed_data(frames, [str(p) for p in paths], group=group)
    fits = []
    for p, data in zip(paths, frames, strict=True):
        try:
            if model == "ols":
                fits.append(_fit_ols(formula, data))
            else:
                from ..models import fit_lmm

                fits.append(fit_lmm(formula, data, group=group, random=random or "1"))
        except UsageError as exc:
            raise UsageError(f"{p}: {exc}") from exc
    return pool(fits, df_com=df_com)
