"""Pool one mixed model over completed data sets stored as files (``yt pool``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from .pooling import PooledResult, pool

__all__ = ["read_dataset", "pool_files"]

_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".sav": "spss",
            ".zsav": "spss", ".dta": "stata"}


def read_dataset(path: str | Path) -> pd.DataFrame:
    """Read one completed data set: CSV, Parquet, SPSS (``.sav``) or Stata (``.dta``)."""
    path = Path(path)
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"{path}: unknown file type {path.suffix!r}; use .csv, .parquet, "
                         ".sav or .dta")
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        if kind == "parquet":
            return pd.read_parquet(path)
        import pyreadstat
        reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
        frame, _ = reader(str(path))
        return frame
    except UsageError:
        raise
    except Exception as exc:  # readers raise many types for a damaged file
        raise UsageError(f"{path}: cannot be read as {kind}: {exc}") from exc


def pool_files(paths: Sequence[str | Path], *, formula: str, group: str, random: str = "1",
               df_com: float | None = None, method: str = "reml", engine: str = "fast",
               level: float = 0.95) -> PooledResult:
    """Fit ``fit_lmm(formula, data, group=group, random=random)`` to each file and pool.

    Parameters
    ----------
    paths : sequence of path
        At least two completed data sets with the same columns.
    formula, group, random, method, engine
        Passed to :func:`youthtransitions.models.fit_lmm`.
    df_com : float, optional
        Complete-data df for the Barnard-Rubin df (see :func:`~youthtransitions.missing.pool`).

    Returns
    -------
    PooledResult
        Pooled fixed effects (Rubin's rules, mitml conventions).
    """
    from ..models import fit_lmm

    paths = list(paths)
    if len(paths) < 2:
        raise UsageError(f"pooling needs at least 2 completed data sets, got {len(paths)}")
    fits = []
    for p in paths:
        data = read_dataset(p)
        try:
            fits.append(fit_lmm(formula, data, group=group, random=random, method=method,
                                engine=engine))
        except UsageError as exc:
            raise UsageError(f"{p}: {exc}") from exc
    return pool(fits, df_com=df_com, level=level)
