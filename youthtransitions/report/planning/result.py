"""The result of a planned-study simulation: one row per design cell and estimand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..._disclosure import TableSpec, design, estimate, text
from ..._tidy import TidyResult, to_jsonable

__all__ = ["DesignResult", "DESIGN_TABLE_COLUMNS"]

#: the summary's columns after the levers and the estimand
DESIGN_TABLE_COLUMNS = ["power", "power_mcse", "median_width", "width_mcse", "bias",
                        "bias_mcse", "rmse", "rmse_mcse", "coverage", "coverage_mcse", "reps"]


class DesignResult(TidyResult):
    """Power, precision, bias and coverage of each estimand in each design cell.

    Attributes
    ----------
    table : DataFrame
        The levers (``n``, ``share`` and any other lever given), ``estimand``, then
        :data:`DESIGN_TABLE_COLUMNS` (and ``truth`` last).
    replicates : DataFrame
        One row per cell, replicate and estimand: the levers, ``rep``, ``estimand,
        estimate, conf_low, conf_high, p_value, truth``.
    settings : dict
        Everything the numbers depend on (the grid, reps, seed, alpha, level, PMK method,
        fixed generator overrides), flat and scalar (the grid's values as ``"300,600"``); no
        timings, so it is the same whatever the workers.
    levers : list of str
        The lever columns of :attr:`table`.
    """

    title = "Planned study: power and precision by design"

    def __init__(self, table: pd.DataFrame, replicates: pd.DataFrame,
                 settings: Mapping[str, Any], levers: Sequence[str]):
        self.table = table
        self.replicates = replicates
        self.settings = dict(settings)
        self.levers = list(levers)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: the levers and ``reps`` are design parameters (every
        study simulated is synthetic, so no person is counted), the rest estimates."""
        kinds = {c: design() if c in self.levers or c == "reps" else
                 text() if c == "estimand" else estimate() for c in self.table.columns}
        return TableSpec(kinds, totals="none")

    def _summary_header(self) -> list[tuple[str, Any]]:
        return list(self.settings.items())

    def to_json(self) -> dict[str, Any]:
        """``{"rows": [...], "settings": {...}}``: the table's records and the settings."""
        return to_jsonable({"rows": self.to_records(), "settings": self.settings})

    def plot(self, **options: Any):
        """The power curve (:func:`~youthtransitions.report.figures_design.power_curve`)."""
        from ..figures_design import power_curve

        return power_curve(self.table, **options)
