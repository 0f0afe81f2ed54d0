"""The results of the inference functions: a labelled table behind every view.

:func:`~.anova`, :func:`~.lrt`, :func:`~.random_effects` and :func:`~.conf_int` return a
subclass of :class:`InferenceTable`. Its :meth:`~InferenceTable.to_frame` is the DataFrame the
function documents (indexed by term, model or parameter where it says so); the text, HTML and
JSON views show that index as the first column, so no view loses the labels.

The table also answers the DataFrame selections users write on such a table
(``result["F"]``, ``result.loc["wave"]``, ``result.iloc[0]``, ``result.index``,
``result.columns``, ``len(result)``, ``result.to_numpy()``); anything else is
``result.to_frame()``'s.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..._tidy import TidyResult, frame_to_records

__all__ = ["AnovaTable", "ConfIntTable", "InferenceTable", "LRTTable", "RandomEffectsTable"]


class InferenceTable(TidyResult):
    """A tidy table with labelled rows and the header lines of how it was made.

    Parameters
    ----------
    frame : DataFrame
        The table :meth:`to_frame` returns (a copy each time).
    header : list of (label, value), optional
        Shown above the table in the text and HTML views.
    """

    title = "Inference"

    def __init__(self, frame: pd.DataFrame, header: list[tuple[str, Any]] | None = None):
        self._frame = frame
        self._header = list(header or [])

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self._frame.copy()

    def _summary_header(self) -> list[tuple[str, Any]]:
        return list(self._header)

    def _labelled(self) -> pd.DataFrame:
        """The table with a named index moved into the first column."""
        frame = self._frame
        return frame.reset_index() if frame.index.name is not None else frame

    def _formatted(self) -> pd.DataFrame:
        frame = self._labelled()
        return frame.apply(lambda col: col.map(self._format_cell)) if len(frame) else frame

    def to_records(self) -> list[dict[str, Any]]:
        """The table's rows as JSON-ready records, the index as the first field."""
        return frame_to_records(self._labelled())

    # -- the DataFrame selections ------------------------------------------------------
    def __getitem__(self, key):
        return self._frame[key]

    def __len__(self) -> int:
        return len(self._frame)

    def __iter__(self):
        return iter(self._frame)  # column names, as a DataFrame iterates

    loc = property(lambda self: self._frame.loc, doc="Label-based selection of the table.")
    iloc = property(lambda self: self._frame.iloc, doc="Position-based selection.")
    index = property(lambda self: self._frame.index, doc="Row labels.")
    columns = property(lambda self: self._frame.columns, doc="Column names.")
    shape = property(lambda self: self._frame.shape, doc="(rows, columns).")
    attrs = property(lambda self: self._frame.attrs, doc="The table's ``attrs``.")

    def to_numpy(self, *args: Any, **kwargs: Any):
        """The table's values (``DataFrame.to_numpy``)."""
        return self._frame.to_numpy(*args, **kwargs)


class AnovaTable(InferenceTable):
    """Type III F tests: indexed by ``term``, columns ``num_df, den_df, F, p_value``."""

    title = "Type III analysis of variance"


class LRTTable(InferenceTable):
    """Likelihood-ratio tests: indexed by ``model``, columns ``n_params, loglik, aic, bic,
    chisq, df, p_value``."""

    title = "Likelihood-ratio tests"


class RandomEffectsTable(InferenceTable):
    """Conditional modes: columns ``group, level, term, estimate, std_error``."""

    title = "Conditional modes of the random effects"


class ConfIntTable(InferenceTable):
    """Confidence intervals: indexed by ``parameter``, columns ``conf_low, conf_high``."""

    title = "Confidence intervals"
