"""Pool one mixed model over completed data sets stored as files (``yt pool``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..study.datafile import read_data_file
from .pooling import PooledResult, check_df_com, pool

__all__ = ["pool_files"]


def pool_files(paths: Sequence[str | Path], *, formula: str, group: str, random: str = "1",
               df_com: float | None = None) -> PooledResult:
    """Fit ``fit_lmm(formula, data, group=group, random=random)`` (REML) to each file and pool.

    Parameters
    ----------
    paths : sequence of path
        At least two completed data sets with the same columns.
    formula, group, random
        Passed to :func:`youthtransitions.models.fit_lmm`.
    df_com : float, optional
        Complete-data df for the Barnard-Rubin df (see :func:`~youthtransitions.missing.pool`):
        default the residual df of the first fit, as mice; ``inf`` the large-sample df.
        Checked before any file is read.

    Returns
    -------
    PooledResult
        Pooled fixed effects (Rubin's rules, mitml conventions).
    """
    from ..models import fit_lmm

    paths = list(paths)
    if len(paths) < 2:
        raise UsageError(f"pooling needs at least 2 completed data sets, got {len(paths)}")
    df_com = check_df_com(df_com)
    fits = []
    for p in paths:
        data = read_data_file(p)
        try:
            fits.append(fit_lmm(formula, data, group=group, random=random))
        except UsageError as exc:
            raise UsageError(f"{p}: {exc}") from exc
    return pool(fits, df_com=df_com)
