"""A leak scanner for published text and tables: what an output checker looks for first.

:func:`find_leaks` reads a string (a note, a Markdown or HTML table, a JSON file's text) or a
DataFrame and lists every place where, on real data, the rules seem broken:

- an integer that is not a multiple of the rounding base, or lies from 1 to ``threshold - 1``,
  unless it is a declared design value (or, for a frame, sits in a column not declared a
  count);
- a decimal number equal to ``k/N`` (or ``100 k/N``) for an exact denominator ``N`` the caller
  knows, when ``N`` is not a multiple of the base (so it was not what was published), the
  reduced fraction's denominator exceeds ``N / base`` (1/2 or 3/7 are as much ratios of small
  published counts) and no published pair near ``N`` gives the same value;
- any of the given forbidden strings (excerpt text, the seed, the secret's hex).

It is a test instrument: on a table declared with a :class:`TableSpec` it checks the declared
counts only; on free text it flags every integer and leaves the judgement to the caller's
``allow`` list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from .kinds import COUNT_KINDS, RATIO_KINDS, TableSpec

__all__ = ["Leak", "find_leaks"]

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|\.\d)")


@dataclass(frozen=True)
class Leak:
    """One suspected disclosure: which rule, where, and the value."""

    rule: str
    where: str
    value: object

    def __str__(self) -> str:
        return f"{self.where}: {self.rule} ({self.value!r})"


def _count_leak(value: int, base: int, threshold: int) -> str | None:
    if 1 <= value < threshold:
        return f"count from 1 to {threshold - 1}"
    if value % base:
        return f"count not a multiple of {base}"
    return None


def _ratio_leak(x: float, decimals: int | None, exact: Iterable[int], base: int) -> int | None:
    """The exact denominator ``N`` (not a multiple of ``base``) that ``x`` is ``k/N`` of."""
    if decimals is not None and decimals < 4:
        return None  # two or three decimals fit too many k/N to say anything
    tol = 1e-9 if decimals is None else 0.5 * 10.0 ** -decimals
    for n in exact:
        if n <= 0 or n % base == 0:
            continue
        for scale in (1.0, 100.0):
            k = round(x / scale * n)
            if not 0 < k < n or abs(k / n - x / scale) > tol / scale:
                continue
            # a fraction of small terms (1/2, 3/7) is as much a ratio of small published
            # counts; only a reduced denominator of the order of n points at n
            if Fraction(k, n).denominator > n / base \
                    and not _fits_published(x / scale, n, base, tol / scale):
                return n
    return None


def _fits_published(p: float, n: int, base: int, tol: float) -> bool:
    """True if ``p`` is also a ratio of two multiples of ``base`` near ``n`` (a published
    share of rounded counts)."""
    for m in (n - n % base, n - n % base + base):
        if m > 0 and any(abs(p - k / m) <= tol for k in range(0, m + 1, base)):
            return True
    return False


def _scan_text(text: str, *, base: int, threshold: int, allow: set, exact: list,
               forbidden: list) -> list[Leak]:
    leaks = []
    for s in forbidden:
        if s and s in text:
            leaks.append(Leak("forbidden text published", f"char {text.index(s)}", s[:40]))
    for m in _NUMBER.finditer(text):
        whole, frac = m.group(1).replace(",", ""), m.group(2)
        where = f"char {m.start()}"
        if frac is None:
            value = int(whole)
            rule = None if value in allow else _count_leak(value, base, threshold)
            if rule:
                leaks.append(Leak(rule, where, value))
        else:
            x = float(whole + frac)
            n = _ratio_leak(x, len(frac) - 1, exact, base)
            if n is not None:
                leaks.append(Leak(f"share of an exact denominator {n}", where, x))
    return leaks


def _scan_frame(frame: pd.DataFrame, spec: TableSpec | None, *, base: int, threshold: int,
                allow: set, exact: list, forbidden: list) -> list[Leak]:
    leaks = []
    count_cols = (spec.of_kind(*COUNT_KINDS) if spec is not None else
                  [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])
                   and not pd.api.types.is_bool_dtype(frame[c])])
    numeric = (spec.of_kind(*RATIO_KINDS, "estimate") if spec is not None else
               [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])])
    for c in frame.columns:
        values = frame[c].tolist()
        for row, v in enumerate(values):
            where = f"row {row}, column {c}"
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                continue
            if c in count_cols and isinstance(v, (int, float, np.number)):
                if float(v).is_integer() and int(v) not in allow:
                    rule = _count_leak(int(v), base, threshold)
                    if rule:
                        leaks.append(Leak(rule, where, v))
            elif c in numeric and isinstance(v, (float, np.floating)):
                n = _ratio_leak(float(v), None, exact, base)
                if n is not None:
                    leaks.append(Leak(f"share of an exact denominator {n}", where, v))
            elif isinstance(v, str):
                leaks += [Leak(lk.rule, f"{where}, {lk.where}", lk.value)
                          for lk in _scan_text(v, base=base, threshold=threshold, allow=allow,
                                               exact=[], forbidden=forbidden)
                          if lk.rule == "forbidden text published"]
    return leaks


def find_leaks(obj: str | pd.DataFrame, spec: TableSpec | None = None, *,
               design_values: Iterable[int] = (), exact_denominators: Iterable[int] = (),
               forbidden: Iterable[str] = (), base: int = 3, threshold: int = 6) -> list[Leak]:
    """Suspected disclosures in published text or a published table.

    Parameters
    ----------
    obj : str or pandas.DataFrame
        Published text (note, Markdown, HTML, JSON text) or a published table.
    spec : TableSpec, optional
        For a table: its declaration (only declared counts are checked as counts, only
        shares and estimates as ratios). Without it, integer columns are counts and float
        columns ratios.
    design_values : iterable of int
        Integers published on purpose (declared design parameters, years, wave numbers).
    exact_denominators : iterable of int
        Exact counts the caller knows; a decimal equal to ``k/N`` for one of them that is not
        a multiple of ``base`` is a leak.
    forbidden : iterable of str
        Strings that must not appear (excerpt text, the seed, the secret).

    Returns
    -------
    list of Leak
    """
    kwargs = dict(base=base, threshold=threshold, allow=set(design_values),
                  exact=sorted(set(exact_denominators)), forbidden=list(forbidden))
    if isinstance(obj, pd.DataFrame):
        return _scan_frame(obj, spec, **kwargs)
    return _scan_text(str(obj), **kwargs)
