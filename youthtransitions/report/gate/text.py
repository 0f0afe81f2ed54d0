"""Words composed from gated values only: published scalars and the note formatter.

A caption or note that writes an exact count ("3807 observations of 1365 youth") undoes the
rules of the table beside it. :func:`compose` fills a template only with :class:`Published`
values (what :meth:`Gate.value <youthtransitions.report.gate.Gate.value>` returns) and words
without digits, so a number can reach a note only through the gate.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from ..output_rules import SUPPRESSED
from .engine import SUPPRESSED_FLAG

__all__ = ["Published", "compose", "WITHHELD_TEXT"]

#: what a withheld value reads as in a note
WITHHELD_TEXT = "withheld"

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Published:
    """One value as published: ``value`` (None when suppressed or withheld) and its flag.

    Formatting follows the value (``f"{n:,}"``); a suppressed value reads ``S`` and a
    withheld one ``withheld`` whatever the format.
    """

    value: Any
    kind: str
    flag: str = ""

    @property
    def published(self) -> bool:
        return not self.flag

    def __format__(self, spec: str) -> str:
        if self.flag:
            return SUPPRESSED if self.flag == SUPPRESSED_FLAG else WITHHELD_TEXT
        return format(self.value, spec)

    def __str__(self) -> str:
        return format(self, "")


def compose(template: str, **values: Any) -> str:
    """Fill ``template`` (``str.format`` syntax) with gated values only.

    Parameters
    ----------
    template : str
        E.g. ``"{n_obs:,} observations of {n_youth:,} youth"``.
    **values : Published or str
        Each field: a :class:`Published` value, or a word with no digits in it.

    Raises
    ------
    UsageError
        A field is a raw number or a string holding digits, or is missing.
    """
    for key, value in values.items():
        if isinstance(value, Published):
            continue
        if isinstance(value, str) and not _DIGIT.search(value):
            continue
        raise UsageError(f"note field {key!r} did not pass the gate ({value!r}); publish it "
                         "with gate.value(...) first")
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    missing = sorted({f.split(".")[0].split("[")[0] for f in fields} - set(values) - {""})
    if missing:
        raise UsageError(f"note template needs value(s) {', '.join(missing)}")
    return template.format(**values)
