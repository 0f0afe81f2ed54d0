"""Errors that speak the user's language.

Every error a user can cause with bad input derives from :class:`YouthTransitionsError`.
The CLI turns these into a message on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Problem", "YouthTransitionsError", "StudyDataError", "UsageError",
           "OutputError", "VALUE_CHARS"]

#: a value quoted in a problem is cut to this many characters (an ellipsis marks the cut)
VALUE_CHARS = 60


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "\u2026"


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place of the study data.

    Parameters
    ----------
    table : str
        Contract table name (``youth``, ``waves``, ``pmk``, ``scales``, ``codes``) or a file name.
    row : int or None
        Row as in the file: 1-based, header excluded. ``None`` for table- or file-level problems.
    column : str or None
        Column name, ``None`` when the problem is not about one column.
    value : Any
        The offending value (``None`` when there is none, for instance a missing column).
    rule : str
        The rule that was broken, in words.

    Notes
    -----
    The value is quoted (``str``, ``to_dict``) cut to :data:`VALUE_CHARS` characters, so a
    long cell never floods a report.
    """

    table: str
    row: int | None
    column: str | None
    value: Any
    rule: str

    def __str__(self) -> str:
        where = [f"table {self.table}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = ", ".join(where)
        if self.value is not None:
            value = self.value
            quoted = repr(_cut(value)) if isinstance(value, str) else _cut(repr(value))
            text += f", value {quoted}"
        return f"{text}: {self.rule}"

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        if isinstance(value, str):
            value = _cut(value)
        return {"table": self.table, "row": self.row, "column": self.column,
                "value": value, "rule": self.rule}


class YouthTransitionsError(Exception):
    """Base class of every error caused by the user's input or options."""


class UsageError(YouthTransitionsError, ValueError):
    """An option, formula, column name or file the user gave cannot be used."""


class OutputError(YouthTransitionsError):
    """An output could not be written (full disk, no permission, read-only folder).

    ``path`` is the file or folder that failed and ``reason`` the system's words for why.
    """

    def __init__(self, path: Any, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")


class StudyDataError(YouthTransitionsError, ValueError):
    """Study data broke one or more rules of the data contract.

    The problems found are carried together in :attr:`problems`; :attr:`total` counts every
    problem found, which is more than those listed when a report was bounded.
    """

    def __init__(self, problems: list[Problem] | Problem, message: str | None = None, *,
                 total: int | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems if isinstance(problems, list) else list(problems)
        shown = len(self.problems)
        self.total = n = max(shown, total or 0)
        head = message or f"study data broke {n} rule{'s' if n != 1 else ''} of the data contract"
        lines = [head] + [f"  - {p}" for p in self.problems[:200]]
        if n > min(shown, 200):
            lines.append(f"  ... and {n - min(shown, 200)} more")
        super().__init__("\n".join(lines))
