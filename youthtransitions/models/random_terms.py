"""lme4's random-term syntax: split a formula into its fixed part and its random terms.

``"y ~ x + wave + (1 + wave | youth_id) + (1 | worker_id)"`` becomes the fixed formula
``"y ~ x + wave"`` and two :class:`RandomTerm` s. :func:`parse_random_terms` is pure (a
string in, structured terms out); :func:`random_blocks` builds each term's columns of Z and
its grouping-factor codes from a DataFrame.

Supported forms (:data:`SUPPORTED_FORMS`), as lme4's ``findbars``/``expandDoubleVerts``/
``expandSlash`` read them:

- ``(1 | g)``, ``(1 + x | g)``, ``(x | g)`` (an intercept is implied), ``(0 + x | g)`` or
  ``(-1 + x | g)`` (no intercept): correlated terms, an unstructured covariance;
- ``(1 + x || g)``: uncorrelated, expanded to ``(1 | g) + (0 + x | g)``;
- ``(1 | a:b)``: the interaction of the factors a and b as the grouping factor;
- ``(1 | a/b)``: nested, expanded to ``(1 | b:a) + (1 | a)`` (lme4's names and order;
  ``a/b/c`` gives ``c:(b:a)``, ``b:a`` and ``a``);

any number of them, crossed or nested. Besides the random terms the parser takes what
``glmer`` formulas add: a ``cbind(successes, failures)`` response and ``offset(expr)`` terms
(:class:`ParsedFormula` ``cbind`` and ``offsets``); models without them refuse them with
:func:`refuse_glm_parts`. The text splitting lives in :mod:`.formula_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from .formula_text import call_argument, check_balanced, split_top, strip_outer

__all__ = ["RandomTerm", "ParsedFormula", "RandomBlock", "SUPPORTED_FORMS", "group_codes",
           "group_key", "has_random_terms", "parse_random_terms", "random_blocks",
           "refuse_glm_parts", "unique_group_names"]

INTERCEPT = "(Intercept)"

SUPPORTED_FORMS = ("(1 | g)", "(1 + x | g)", "(x | g)", "(0 + x | g)", "(1 + x || g)",
                   "(1 | a:b)", "(1 | a/b)")

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class RandomTerm:
    """One random term ``(expr | group)`` after lme4's expansions.

    Attributes
    ----------
    intercept : bool
        Whether the term has a random intercept.
    columns : tuple of str
        The other column expressions of the term (formulaic syntax), in the order written.
    factors : tuple of str
        Grouping factor(s); several mean their interaction (``b:a`` is ``("b", "a")``).
    group : str
        The grouping factor's name as lme4 writes it (``"youth_id"``, ``"cask:batch"``).
    correlated : bool
        False for a term split off a ``||`` term.
    """

    intercept: bool
    columns: tuple[str, ...]
    factors: tuple[str, ...]
    group: str
    correlated: bool = True

    @property
    def expr(self) -> str:
        """Left-hand side as lme4 prints it: ``"1 + wave"``, ``"0 + Days"``."""
        return " + ".join(("1",) + self.columns) if self.intercept else \
            " + ".join(("0",) + self.columns)

    def __str__(self) -> str:
        return f"({self.expr} | {self.group})"


@dataclass(frozen=True)
class ParsedFormula:
    """A mixed-model formula split into its parts.

    Attributes
    ----------
    response : str
        The left-hand side as written (``"y"``, ``"cbind(incidence, size - incidence)"``).
    fixed : str
        The formula without its random and offset terms, formulaic syntax (``"y ~ x + wave"``,
        ``"y ~ 1"`` when nothing else is left).
    random : tuple of RandomTerm
        The random terms after lme4's expansions of ``||`` and ``/``.
    offsets : tuple of str
        The expressions inside the ``offset(...)`` terms of the right-hand side.
    cbind : tuple of str, optional
        The successes and failures expressions of a ``cbind(s, f)`` response, else None.
    """

    response: str
    fixed: str
    random: tuple[RandomTerm, ...]
    offsets: tuple[str, ...] = ()
    cbind: tuple[str, str] | None = None

    @property
    def fixed_rhs(self) -> str:
        """The right-hand side of :attr:`fixed` (``"x + wave"``)."""
        return self.fixed.split("~", 1)[1].strip()


def _usage(formula: str, what: str) -> UsageError:
    return UsageError(f"cannot read the random part of {formula!r}: {what}. Supported random "
                      f"terms: {', '.join(SUPPORTED_FORMS)} (x any numeric column or "
                      "formulaic expression, g, a, b columns of the data)")


def _fixed_terms(rhs: str) -> tuple[list[str], list[str], list[str]]:
    """Top-level ``+`` terms of a right-hand side: (fixed terms, random-term insides,
    offset expressions)."""
    fixed, random, offsets = [], [], []
    for tok in split_top(rhs, "+"):
        inner = strip_outer(tok)
        off = call_argument(tok, "offset")
        if inner is not None and "|" in inner:
            random.append(inner)
        elif off is not None:
            offsets.append(off)
        elif tok.strip():
            fixed.append(tok.strip())
    return fixed, random, offsets


def _cbind(formula: str, lhs: str) -> tuple[str, str] | None:
    """Successes and failures of a ``cbind(s, f)`` response, else None."""
    inner = call_argument(lhs, "cbind")
    if inner is None:
        return None
    parts = [p.strip() for p in split_top(inner, ",")]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"cbind() in {formula!r} takes two arguments: successes and "
                         "failures")
    return parts[0], parts[1]


def _grouping(formula: str, text: str) -> list[tuple[str, ...]]:
    """Factors of each grouping term: ``a/b`` -> ``[(b, a), (a,)]`` (lme4's expandSlash)."""
    nest = [part.strip() for part in text.split("/")]
    levels = []
    for part in nest:
        names = tuple(n.strip() for n in part.split(":"))
        bad = [n for n in names if not _NAME.match(n)]
        if bad or not names:
            raise _usage(formula, f"the grouping factor {text.strip()!r} must be column names "
                         "joined by ':' or '/' (no functions, '*' or '+')")
        levels.append(names)
    # a/b/c: c:(b:a), b:a, a; each inner level is interacted with all outer ones
    out, outer = [], ()
    for names in levels:
        outer = names + outer if outer else names
        out.append(outer)
    return out[::-1]


def _slash_names(text: str) -> list[str]:
    """lme4's printed names of the expanded grouping factors of ``text``."""
    nest = [part.strip() for part in text.split("/")]
    names, outer = [], ""
    for part in nest:
        part = ":".join(n.strip() for n in part.split(":"))
        if not outer:
            outer = part
        else:
            outer = f"{part}:({outer})" if ":" in outer else f"{part}:{outer}"
        names.append(outer)
    return names[::-1]


def _lhs_columns(formula: str, lhs: str) -> tuple[bool, list[str]]:
    intercept, columns = True, []
    for tok in (t.strip() for t in split_top(lhs, "+")):
        if not tok:
            raise _usage(formula, f"empty term in {lhs.strip()!r}")
        if tok == "1":
            intercept = True
        elif tok in ("0", "-1"):
            intercept = False
        elif tok.startswith("-") or "|" in tok:
            raise _usage(formula, f"cannot remove or nest {tok!r} inside a random term")
        elif tok not in columns:
            columns.append(tok)
    if not intercept and not columns:
        raise _usage(formula, f"the random term ({lhs.strip()} | ...) has no columns")
    return intercept, columns


def _expand(formula: str, inner: str) -> list[RandomTerm]:
    double = "||" in inner
    parts = split_top(inner, "||" if double else "|")
    if len(parts) != 2 or "|" in parts[1]:
        raise _usage(formula, f"({inner.strip()}) must have one '|' or '||' between the "
                     "terms and the grouping factor")
    lhs, rhs = parts
    intercept, columns = _lhs_columns(formula, lhs)
    pieces = ([(intercept, tuple(columns))] if not double else
              ([(True, ())] if intercept else []) + [(False, (c,)) for c in columns])
    out = []
    for icpt, cols in pieces:
        for factors, name in zip(_grouping(formula, rhs), _slash_names(rhs), strict=True):
            out.append(RandomTerm(intercept=icpt, columns=cols, factors=factors, group=name,
                                  correlated=not double))
    return out


def has_random_terms(formula: str) -> bool:
    """Whether ``formula`` has an lme4 random term ``( ... | ... )`` on its right-hand side."""
    if not isinstance(formula, str) or "~" not in formula:
        return False
    return bool(_fixed_terms(formula.split("~", 1)[1])[1])


def refuse_glm_parts(parsed: ParsedFormula, function: str) -> None:
    """Raise a :class:`~youthtransitions.errors.UsageError` when ``parsed`` has the parts only
    a GLMM reads (``offset()`` terms, a ``cbind()`` response); ``function`` names the caller."""
    if parsed.offsets:
        raise UsageError(f"{function} takes no offset() terms ({parsed.response} ~ ... + "
                         f"offset({parsed.offsets[0]})): subtract the offset from the "
                         "response instead, or fit a GLMM with fit_glmm")
    if parsed.cbind is not None:
        raise UsageError(f"the response {parsed.response} is a binomial cbind(successes, "
                         f"failures): fit it with fit_glmm(..., family='binomial'), not "
                         f"{function}")


def parse_random_terms(formula: str) -> ParsedFormula:
    """Split an lme4 formula into its fixed part and its random terms.

    Parameters
    ----------
    formula : str
        ``"response ~ fixed terms + (terms | group) + ..."``; the forms of
        :data:`SUPPORTED_FORMS`.

    Returns
    -------
    ParsedFormula
        ``fixed`` is the formula without its random and offset terms (``"y ~ 1"`` when
        nothing else is given); ``random`` the terms after expanding ``||`` and ``/`` in
        lme4's order; ``offsets`` the ``offset(...)`` expressions; ``cbind`` the successes
        and failures of a ``cbind(s, f)`` response.

    Raises
    ------
    UsageError
        Not one ``~``, no response, unbalanced parentheses, a ``cbind`` without two
        arguments, a ``|`` outside a parenthesised random term, an unsupported form (listing
        the supported ones), or no random term at all.

    Examples
    --------
    >>> p = parse_random_terms("y ~ x + (1 + wave | youth_id) + (1 | worker_id)")
    >>> p.fixed, [str(t) for t in p.random]
    ('y ~ x', ['(1 + wave | youth_id)', '(1 | worker_id)'])
    >>> [str(t) for t in parse_random_terms("y ~ 1 + (1 | batch/cask)").random]
    ['(1 | cask:batch)', '(1 | batch)']
    >>> [str(t) for t in parse_random_terms("y ~ Days + (Days || Subject)").random]
    ['(1 | Subject)', '(0 + Days | Subject)']
    >>> p = parse_random_terms("cbind(s, n - s) ~ period + offset(log(n)) + (1 | herd)")
    >>> p.cbind, p.fixed, p.offsets
    (('s', 'n - s'), 'cbind(s, n - s) ~ period', ('log(n)',))
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise UsageError(f"formula must be a string 'response ~ terms', got {formula!r}")
    check_balanced(formula)
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not lhs:
        raise UsageError(f"formula {formula!r} has no response")
    if "|" in lhs:
        raise _usage(formula, "random terms belong on the right-hand side of '~'")
    fixed, inners, offsets = _fixed_terms(rhs)
    for tok in fixed:
        if "|" in tok:
            raise _usage(formula, f"{tok!r} has a '|' outside a parenthesised random term")
    if not inners:
        raise _usage(formula, "it has no random term")
    terms = [t for inner in inners for t in _expand(formula, inner)]
    fixed_rhs = " + ".join(fixed) if fixed else "1"
    return ParsedFormula(response=lhs, fixed=f"{lhs} ~ {fixed_rhs}", random=tuple(terms),
                         offsets=tuple(offsets), cbind=_cbind(formula, lhs))


@dataclass(frozen=True)
class RandomBlock:
    """The columns of Z of one random term.

    Attributes
    ----------
    term : RandomTerm
    names : list of str
        Column names (``"(Intercept)"`` first when present).
    Z : ndarray (n, q)
        The term's model-matrix columns (one value per row; Z's columns for level ``j`` are
        these columns on the rows of level ``j``).
    codes : ndarray (n,) of int
        Level codes 0 .. n_levels-1 of the grouping factor.
    labels : ndarray
        The level of each code (the interaction's levels joined by ``":"``).
    """

    term: RandomTerm
    names: list[str]
    Z: np.ndarray
    codes: np.ndarray
    labels: np.ndarray

    @property
    def n_levels(self) -> int:
        """Levels of the grouping factor."""
        return len(self.labels)

    @property
    def q(self) -> int:
        """Columns per level."""
        return self.Z.shape[1]


def term_variables(term: RandomTerm, data: pd.DataFrame) -> list[str]:
    """Columns of ``data`` a term uses (its column expressions' variables and factors)."""
    out = list(term.factors)
    for col in term.columns:
        if col in data.columns:
            out.append(col)
            continue
        import formulaic

        try:
            names = formulaic.Formula(col).required_variables
        except Exception as exc:  # formulaic raises several parser exception types
            raise UsageError(f"cannot parse the random-term column {col!r}: {exc}") from None
        out += [str(v) for v in names if str(v) in data.columns]
    missing = [f for f in term.factors if f not in data.columns]
    if missing:
        raise UsageError(f"the grouping factor {missing[0]!r} of {term} is not a column of the "
                         "data")
    return list(dict.fromkeys(out))


def _term_matrix(term: RandomTerm, frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    numeric = all(c in frame.columns and pd.api.types.is_numeric_dtype(frame[c])
                  and not pd.api.types.is_bool_dtype(frame[c]) for c in term.columns)
    if numeric:
        parts = ([np.ones(len(frame))] if term.intercept else []) + [
            frame[c].to_numpy(dtype=float) for c in term.columns]
        names = ([INTERCEPT] if term.intercept else []) + list(term.columns)
        return np.column_stack(parts), names
    import formulaic

    try:
        mm = formulaic.model_matrix(term.expr, frame, na_action="raise")
    except Exception as exc:
        raise UsageError(f"cannot build the columns of the random term {term}: {exc}") from None
    names = [INTERCEPT if c == "Intercept" else str(c) for c in mm.columns]
    return np.asarray(mm, dtype=float).reshape(len(frame), -1), names


def group_key(term: RandomTerm, frame: pd.DataFrame) -> pd.Series:
    """The grouping factor of ``term`` on ``frame``: its column, or for an interaction the
    values of its factors joined by ``":"`` (``b:a`` has levels such as ``"1:3"``)."""
    if len(term.factors) == 1:
        return frame[term.factors[0]]
    return frame[list(term.factors)].astype(str).agg(":".join, axis=1)


def group_codes(term: RandomTerm, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Level codes 0 .. n_levels-1 of the grouping factor of ``term`` and the sorted levels."""
    codes, labels = pd.factorize(group_key(term, frame), sort=True)
    return codes.astype(np.int64), np.asarray(labels)


def unique_group_names(names: list[str]) -> list[str]:
    """R's ``make.unique``: repeats get ``.1``, ``.2``, ... (``Subject``, ``Subject.1``), as
    ``as.data.frame(VarCorr(m))`` names the terms of one grouping factor."""
    seen: dict[str, int] = {}
    out = []
    for nm in names:
        k = seen.get(nm, 0)
        out.append(nm if k == 0 else f"{nm}.{k}")
        seen[nm] = k + 1
    return out


def random_blocks(terms, frame: pd.DataFrame) -> list[RandomBlock]:
    """Build each random term's Z columns and level codes on ``frame`` (no missing values).

    Terms are returned in lme4's order (``mkReTrms``): by decreasing number of levels of the
    grouping factor, ties in the order written.
    """
    blocks = []
    for term in terms:
        Z, names = _term_matrix(term, frame)
        codes, labels = group_codes(term, frame)
        blocks.append(RandomBlock(term=term, names=names, Z=Z, codes=codes, labels=labels))
    order = sorted(range(len(blocks)), key=lambda i: -blocks[i].n_levels)
    return [blocks[i] for i in order]
