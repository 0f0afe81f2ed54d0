"""Reliability per scale and wave: Cronbach's alpha with Feldt CI and McDonald's omega total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._options import check_level
from .._tidy import TidyResult
from ..parallel import single_blas_thread
from ..stats.reliability import cronbach_alpha, omega_total
from .scales import reflected_items, scale_items

if TYPE_CHECKING:
    from .study import Study

__all__ = ["reliability", "cronbach_alpha", "omega_total", "ReliabilityResult",
           "RELIABILITY_COLUMNS"]

RELIABILITY_COLUMNS = ["scale", "table", "wave", "n", "n_items", "alpha", "alpha_low",
                       "alpha_high", "omega"]


@dataclass(frozen=True)
class ReliabilityResult(TidyResult):
    """Reliability of every scale per wave; ``to_frame()`` has :data:`RELIABILITY_COLUMNS`."""

    table: pd.DataFrame
    level: float = 0.95
    title: str = "Scale reliability (Cronbach's alpha, McDonald's omega total)"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("CI level", self.level), ("alpha CI", "Feldt"),
                ("omega", "one-factor minres, total")]


def reliability(study: Study, *, level: float = 0.95) -> ReliabilityResult:
    """Cronbach's alpha (with CI) and McDonald's omega per scale and wave.

    Parameters
    ----------
    study : Study
        A loaded study.
    level : float
        Confidence level of the alpha interval.

    Returns
    -------
    ReliabilityResult
        One row per scale (waves table scales first, then pmk) and wave: ``scale, table,
        wave, n, n_items, alpha, alpha_low, alpha_high, omega``. ``n`` counts the rows of that
        wave with at least one item of the scale answered.

    Notes
    -----
    Reverse-keyed items are reflected first. Alpha uses the pairwise-complete covariance
    matrix and Feldt's interval; omega total comes from a one-factor minres model of the
    keyed items, without psych's flip (:func:`youthtransitions.stats.reliability.cronbach_alpha`
    and :func:`~youthtransitions.stats.reliability.omega_total`, also behind ``yt.alpha`` and
    ``yt.omega``). Reference: ``tests/reference/psych/reliability.R``.
    """
    level = check_level(level)
    with single_blas_thread():
        rows = _reliability_rows(study, level)
    return ReliabilityResult(pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), level)


def _reliability_rows(study: Study, level: float) -> list[dict[str, Any]]:
    rows = []
    for table, frame in (("waves", study.waves), ("pmk", study.pmk)):
        if frame is None or len(frame) == 0:
            continue
        for scale, items in scale_items(study, table).items():
            values = reflected_items(frame, items)
            waves = frame["wave"].to_numpy()
            for wave in sorted(pd.unique(waves)):
                sub = values[waves == wave]
                sub = sub[~np.all(np.isnan(sub), axis=1)]
                alpha, low, high = cronbach_alpha(sub, level=level)
                rows.append({"scale": scale, "table": table, "wave": int(wave),
                             "n": int(sub.shape[0]), "n_items": int(sub.shape[1]),
                             "alpha": alpha, "alpha_low": low, "alpha_high": high,
                             "omega": omega_total(sub, flip=False)})
    return rows
