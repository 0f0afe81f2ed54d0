"""Bounded problem reports: the first problems of each rule listed, the rest counted.

A rule broken in a million cells would make a million :class:`~youthtransitions.errors.Problem`
objects and a report nobody reads. A :class:`ProblemList` lists the first :data:`PER_RULE`
problems of each (table, column, rule) and only counts the others, so a report, and the
memory it takes, stays small whatever the size of the input. Checks hand it whole columns at
once (:meth:`ProblemList.add_rows`): a problem object is made only for a row that is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import Problem
from .contract import TABLE_ORDER

__all__ = ["ProblemList", "PER_RULE", "GroupKey"]

#: problems listed per (table, column, rule); the rest are counted
PER_RULE = 20
#: a group of problems: table, column (``None``: not about one column), rule
GroupKey = tuple[str, str | None, str]


def _order(p: Problem) -> tuple:
    return (TABLE_ORDER.get(p.table, len(TABLE_ORDER)), p.table,
            -1 if p.row is None else p.row, p.column or "", p.rule, str(p.value))


class ProblemList(list):
    """A list of problems, at most ``limit`` per group, with the count of every group.

    Parameters
    ----------
    problems : iterable of Problem, optional
        Problems to add first (each is its own rule's group).
    limit : int or None, keyword-only
        Problems listed per group (:data:`PER_RULE`); ``None`` lists every problem.

    Attributes
    ----------
    counts : dict
        ``{(table, column, rule): problems found}``, listed or not. ``rule`` is the rule's
        wording without row-specific detail (``"(youth_id, wave) must be unique"``).
    limit : int or None
        As given.

    Notes
    -----
    Equal problems are listed and counted once. The list itself behaves as a list of
    :class:`~youthtransitions.errors.Problem`; add to it only with :meth:`add`,
    :meth:`add_rows` and :meth:`merge`, which keep the counts.
    """

    def __init__(self, problems: Iterable[Problem] = (), *, limit: int | None = PER_RULE):
        super().__init__()
        self.limit = limit
        self.counts: dict[GroupKey, int] = {}
        self._listed: dict[GroupKey, int] = {}
        self._seen: set = set()
        self._group: dict[int, GroupKey] = {}  # id(problem) -> its group
        for problem in problems:
            self.add(problem)

    # ------------------------------------------------------------------ adding
    def _room(self, key: GroupKey) -> int | None:
        if self.limit is None:
            return None
        return max(self.limit - self._listed.get(key, 0), 0)

    def _list(self, problem: Problem, key: GroupKey) -> bool:
        try:
            if problem in self._seen:
                return False
            self._seen.add(problem)
        except TypeError:  # a value that cannot be hashed is listed as it is
            pass
        super().append(problem)
        self._group[id(problem)] = key
        self._listed[key] = self._listed.get(key, 0) + 1
        return True

    def add(self, problem: Problem, rule: str | None = None) -> None:
        """Add one problem; ``rule`` names its group when its rule text carries detail."""
        key = (problem.table, problem.column, rule or problem.rule)
        room = self._room(key)
        if room is None or room > 0:
            if not self._list(problem, key):
                return
        self.counts[key] = self.counts.get(key, 0) + 1

    def add_rows(self, table: str, column: str | None, rows: Sequence | np.ndarray,
                 values: Sequence | np.ndarray | Callable[[int], Any] | None,
                 rule: str | Callable[[int], str], *,
                 group: str | None = None, value: Callable[[Any], Any] | None = None) -> None:
        """Add one problem per row of a column that broke a rule.

        Parameters
        ----------
        table, column : str
            Where the rows are.
        rows : array-like of int
            File rows (1-based) that broke the rule, in the order to list them.
        values : array-like, callable or None
            The offending value of each row (aligned with ``rows``; ``values(i)`` for the
            ``i``-th row, called only for listed rows), or ``None``.
        rule : str or callable
            The rule's text, or ``rule(i)`` giving the text of the ``i``-th row's problem
            (called only for listed rows).
        group : str, optional
            The rule's wording without detail, naming the group (required when ``rule`` is
            a callable).
        value : callable, optional
            Turns a listed row's value into the one reported (e.g. ``float``).
        """
        n = len(rows)
        if n == 0:
            return
        if callable(rule) and group is None:
            raise TypeError("a rule given as a function needs a group name")
        key = (table, column, group or rule)  # type: ignore[arg-type]
        room = self._room(key)
        take = n if room is None else min(room, n)
        listed = 0
        for i in range(take):
            v = values(i) if callable(values) else None if values is None else values[i]
            if value is not None and v is not None:
                v = value(v)
            text = rule(i) if callable(rule) else rule
            listed += self._list(Problem(table, int(rows[i]), column, v, text), key)
        # rows past the listed ones are only counted; repeats are not expected here
        self.counts[key] = self.counts.get(key, 0) + listed + (n - take)

    def merge(self, other: Iterable[Problem]) -> None:
        """Add every problem of ``other``, keeping its counts when it is a ProblemList."""
        if not isinstance(other, ProblemList):
            for problem in other:
                self.add(problem)
            return
        for problem in other:
            self.add(problem, other.group_of(problem)[2])
        for key, count in other.counts.items():
            extra = count - other._listed.get(key, 0)
            if extra:
                self.counts[key] = self.counts.get(key, 0) + extra

    # ------------------------------------------------------------------ reading
    @property
    def total(self) -> int:
        """Every problem found, listed or not."""
        return sum(self.counts.values())

    @property
    def omitted(self) -> dict[GroupKey, int]:
        """``{group: problems found but not listed}`` for the groups that were cut."""
        return {k: n - self._listed.get(k, 0) for k, n in self.counts.items()
                if n > self._listed.get(k, 0)}

    def group_of(self, problem: Problem) -> GroupKey:
        """The group of a listed problem."""
        return self._group.get(id(problem), (problem.table, problem.column, problem.rule))

    def groups(self) -> list[tuple[GroupKey, list[Problem]]]:
        """``(group, its listed problems)`` in the order of each group's first problem."""
        out: dict[GroupKey, list[Problem]] = {}
        for problem in self:
            out.setdefault(self.group_of(problem), []).append(problem)
        for key in self.counts:  # groups counted but with nothing listed (limit 0)
            out.setdefault(key, [])
        return list(out.items())

    def sorted(self) -> ProblemList:
        """The same problems and counts in a deterministic order: table, row, column, rule."""
        out = ProblemList(limit=self.limit)
        for problem in sorted(self, key=_order):
            out._list(problem, self.group_of(problem))
        out.counts = dict(self.counts)
        return out

    def where(self, keep: Callable[[Problem, GroupKey], bool]) -> ProblemList:
        """The groups whose problems ``keep(problem, group)`` accepts (counts kept)."""
        out = ProblemList(limit=self.limit)
        kept: set[GroupKey] = set()
        for problem in self:
            key = self.group_of(problem)
            if keep(problem, key):
                out._list(problem, key)
                kept.add(key)
        out.counts = {k: n for k, n in self.counts.items() if k in kept}
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """``{table, column, rule, count, listed}`` per group, for a JSON report."""
        return [{"table": t, "column": c, "rule": r, "count": n,
                 "listed": self._listed.get((t, c, r), 0)}
                for (t, c, r), n in self.counts.items()]
