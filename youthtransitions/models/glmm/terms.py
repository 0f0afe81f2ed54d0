"""Split an lme4-style model formula into its response, fixed, offset and random parts.

``cbind(s, n - s) ~ period + offset(log(size)) + (1 + x | herd) + (1 | site)`` becomes a
:class:`ParsedFormula`: the response (one column, or the successes and failures expressions
of ``cbind``), the fixed right-hand side left for formulaic, the offset expressions and one
:class:`RandomTerm` per bar term. This small parser is kept in one module so it can be
replaced by the package's general lme4-syntax parser without touching the model code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import UsageError

__all__ = ["ParsedFormula", "RandomTerm", "parse_formula"]

SUPPORTED = ("(1 | g)", "(1 + x | g)", "(x | g)", "(0 + x | g)",
             "several terms with different grouping factors, e.g. (1 | a) + (1 | b)")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class RandomTerm:
    """One ``(expr | group)`` term: ``expr`` is the right-hand side of its model matrix."""

    expr: str
    group: str


@dataclass(frozen=True)
class ParsedFormula:
    """The parts of a mixed-model formula.

    Attributes
    ----------
    response : tuple of str
        One name for a plain response, two expressions (successes, failures) for ``cbind``.
    fixed : str
        The fixed right-hand side (random and offset terms removed), formulaic syntax.
    offsets : tuple of str
        Expressions inside ``offset(...)``.
    random : tuple of RandomTerm
    """

    response: tuple[str, ...]
    fixed: str
    offsets: tuple[str, ...]
    random: tuple[RandomTerm, ...]

    @property
    def lhs(self) -> str:
        """The response as written (``cbind(a, b)`` or the column name)."""
        if len(self.response) == 2:
            return f"cbind({self.response[0]}, {self.response[1]})"
        return self.response[0]


def _split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise UsageError(f"unbalanced parentheses in {text!r}")
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise UsageError(f"unbalanced parentheses in {text!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _wrapped(text: str) -> bool:
    """Whether ``text`` is one parenthesised group: ``(...)`` closing at its last character."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def _call(term: str, name: str) -> str | None:
    """The argument text of ``name(...)`` when ``term`` is exactly that call."""
    m = re.match(rf"^{name}\s*(\(.*\))$", term, flags=re.S)
    if m and _wrapped(m.group(1)):
        return m.group(1)[1:-1].strip()
    return None


def _random_term(inner: str, formula: str) -> RandomTerm:
    if "||" in inner:
        raise UsageError(f"uncorrelated random terms (||) are not supported yet in "
                         f"{formula!r}; supported forms: {'; '.join(SUPPORTED)}")
    expr, _, group = inner.partition("|")
    expr, group = expr.strip(), group.strip()
    if not expr or not group:
        raise UsageError(f"random term ({inner}) in {formula!r} needs an expression and a "
                         f"grouping factor; supported forms: {'; '.join(SUPPORTED)}")
    if not _NAME.match(group):
        raise UsageError(f"grouping factor {group!r} in {formula!r} must be one column name "
                         f"(nested a/b and interactions a:b are not supported yet); supported "
                         f"forms: {'; '.join(SUPPORTED)}")
    return RandomTerm(expr, group)


def parse_formula(formula: str) -> ParsedFormula:
    """Parse ``formula`` into its parts (see the module docstring).

    Raises
    ------
    UsageError
        Not a string with one ``~``; unbalanced parentheses; a random term of an unsupported
        form (the message lists the supported ones); no random term.
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise UsageError(f"formula must be a string 'response ~ terms', got {formula!r}")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not lhs:
        raise UsageError(f"formula {formula!r} has no response")
    cb = _call(lhs, "cbind")
    if cb is not None:
        response = tuple(_split_top(cb, ","))
        if len(response) != 2 or not all(response):
            raise UsageError(f"cbind() in {formula!r} takes two arguments: successes and "
                             "failures")
    else:
        response = (lhs,)
    fixed, offsets, random = [], [], []
    for term in _split_top(rhs, "+"):
        if not term:
            raise UsageError(f"empty term in {formula!r}")
        if _wrapped(term) and "|" in term:
            random.append(_random_term(term[1:-1], formula))
            continue
        off = _call(term, "offset")
        if off is not None:
            offsets.append(off)
            continue
        if "|" in term:
            raise UsageError(f"the term {term!r} of {formula!r} contains '|' outside a "
                             f"random term; supported forms: {'; '.join(SUPPORTED)}")
        fixed.append(term)
    if not random:
        raise UsageError(f"formula {formula!r} has no random term such as (1 | group); a "
                         "generalised linear mixed model needs at least one")
    groups = [t.group for t in random]
    if len(set(groups)) != len(groups):
        raise UsageError(f"formula {formula!r} has several random terms for one grouping "
                         f"factor; write them as one term, e.g. (1 + x | g)")
    return ParsedFormula(response, " + ".join(fixed) if fixed else "1", tuple(offsets),
                         tuple(random))
