"""Text helpers of the lme4 formula parser (:mod:`.random_terms`): top-level splits and calls.

A model formula is read as text before formulaic sees its fixed part: ``+`` terms, the ``|``
of a random term and the ``,`` of ``cbind(s, f)`` only count outside parentheses and
brackets, and a term is a call such as ``offset(log(size))`` only when that call's
parentheses close at its last character.
"""

from __future__ import annotations

import re

from ..errors import UsageError

__all__ = ["call_argument", "check_balanced", "split_top", "strip_outer"]


def check_balanced(formula: str) -> None:
    """Raise a :class:`~youthtransitions.errors.UsageError` when the parentheses or brackets
    of ``formula`` do not pair up."""
    depth = 0
    for ch in formula:
        depth += ch in "(["
        depth -= ch in ")]"
        if depth < 0:
            break
    if depth != 0:
        raise UsageError(f"unbalanced parentheses in the formula {formula!r}")


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` on ``sep`` outside parentheses and brackets (pieces not stripped)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i += len(sep) - 1
        i += 1
    parts.append(text[start:])
    return parts


def strip_outer(tok: str) -> str | None:
    """The inside of ``( ... )`` when the parentheses enclose the whole token, else None."""
    tok = tok.strip()
    if not (tok.startswith("(") and tok.endswith(")")):
        return None
    depth = 0
    for i, ch in enumerate(tok):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(tok) - 1:
            return None
    return tok[1:-1]


def call_argument(term: str, name: str) -> str | None:
    """The argument text of ``name(...)`` when ``term`` is exactly that call, else None.

    Examples
    --------
    >>> call_argument("offset(log(size))", "offset")
    'log(size)'
    >>> call_argument("offset(a) * b", "offset") is None
    True
    """
    m = re.match(rf"^{name}\s*(\(.*\))$", term.strip(), flags=re.S)
    if m is None:
        return None
    inner = strip_outer(m.group(1))
    return None if inner is None else inner.strip()
