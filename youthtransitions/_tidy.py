"""One source for every view of a result: the tidy table.

A result class derives from :class:`TidyResult` and implements :meth:`to_frame`. Text
(``summary()``, ``str``), HTML (``_repr_html_`` for Jupyter) and JSON-ready records are all
derived from that one frame, so the views can never disagree.

Confidence levels follow one convention: a result records the level it was made at as
``ci_level``; ``to_frame(level=None)`` (and ``conf_int(level=None)`` where there is one) use
``ci_level`` when ``level`` is None and honour ``level`` when given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._coef import COEF_COLUMNS
from ._disclosure import disclosable

__all__ = ["TidyResult", "COEF_COLUMNS", "frame_to_records", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types (NaN becomes None)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (pd.Series,)):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return frame_to_records(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as a list of JSON-ready dicts."""
    return [to_jsonable(dict(zip(frame.columns, row, strict=True)))
            for row in frame.itertuples(index=False, name=None)]


class TidyResult:
    """Mixin deriving text, HTML and JSON views from :meth:`to_frame`.

    Subclasses implement :meth:`to_frame` and may override :attr:`title` and
    :meth:`_summary_header` (a list of ``(label, value)`` pairs shown above the table).
    """

    title: str = "Result"

    #: rows of the tidy table the plain ``repr`` shows
    repr_rows: int = 5

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Pin the concise repr in the class itself: ``@dataclass`` only adds a ``__repr__``
        # a class does not define, and its own would print every field, whole frames too.
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = cls.__repr__

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _summary_header(self) -> list[tuple[str, Any]]:
        return []

    @staticmethod
    def _format_cell(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            if math.isnan(value):
                return ""
            if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
                return f"{value:.3e}"
            return f"{value:.4f}"
        return str(value)

    def _formatted(self) -> pd.DataFrame:
        frame = self.to_frame()
        return frame.apply(lambda col: col.map(self._format_cell)) if len(frame) else frame

    def summary(self) -> str:
        """Plain-text summary: header lines, then the tidy table."""
        lines = [self.title, "=" * len(self.title)]
        for label, value in self._summary_header():
            lines.append(f"{label + ':':<24}{self._format_cell(value)}")
        table = self._formatted()
        if len(lines) > 2:
            lines.append("")
        lines.append(table.to_string(index=False) if len(table) else "(empty)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        """Short view: class, title, the table's shape and its first :attr:`repr_rows` rows
        (``summary()`` and ``str`` give all of it)."""
        frame = self.to_frame()
        n, k = frame.shape
        head = (f"<{type(self).__name__}: {self.title}, {n} row{'s' if n != 1 else ''} x "
                f"{k} column{'s' if k != 1 else ''}>")
        if not n:
            return head
        shown = self._formatted().head(self.repr_rows)  # as summary() formats them
        lines = [head, shown.to_string(index=frame.index.name is not None, max_colwidth=24)]
        if n > self.repr_rows:
            lines.append(f"... {n - self.repr_rows} more rows; summary() shows them all")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        header = self._summary_header()
        if header:
            parts.append("<table>")
            parts.extend(
                f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                f"<td>{html.escape(self._format_cell(v))}</td></tr>" for k, v in header)
            parts.append("</table>")
        parts.append(self._formatted().to_html(index=False, escape=True, border=0))
        return "\n".join(parts)

    def disclosure(self):
        """The tidy table ready for the disclosure gate: a
        :class:`~youthtransitions._disclosure.Disclosable` of :meth:`to_frame` declared by the
        result's ``disclosure_spec`` (results whose table needs helper columns override it)."""
        return disclosable(self.to_frame(), self.disclosure_spec)

    def to_records(self) -> list[dict[str, Any]]:
        """The tidy table as JSON-ready records."""
        return frame_to_records(self.to_frame())

    def to_json(self, *, settings: Mapping[str, Any] | None = None, key: str = "rows",
                columns: list[str] | None = None) -> dict[str, Any]:
        """JSON-ready dict: ``settings`` (header fields) with the records of
        :meth:`to_frame` (its ``columns``, default all) under ``key``. Results whose published
        JSON has another shape compose it from :meth:`to_frame` in their own ``to_json``."""
        frame = self.to_frame()
        return to_jsonable({**dict(settings or {}),
                            key: frame_to_records(frame if columns is None else frame[columns])})
