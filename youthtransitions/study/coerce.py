"""Coercion of raw table values to the contract's types, reporting every value that fails.

Each function takes a raw column (index = file row) and returns the typed column plus one
:class:`~youthtransitions.errors.Problem` per value that cannot be read as that type. A value
that fails becomes missing, so later rules still run on the rest of the table.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import Problem
from .contract import ID_PATTERN, Column

__all__ = ["coerce_column", "normalise_label", "parse_bool", "TRUE_WORDS", "FALSE_WORDS"]

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _plain(value: object) -> object:
    """A raw value as a plain Python scalar for a problem report."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def normalise_label(value: object) -> str:
    """Lower case, accents removed, spaces and hyphens as ``_`` (``"Māori"`` -> ``"maori"``)."""
    text = unicodedata.normalize("NFKD", str(value).strip())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return "_".join(text.replace("-", " ").split())


def parse_bool(value: object) -> bool | None:
    """``True``/``False`` from true/false, 1/0, yes/no (any case), or ``None`` if not a boolean."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return {1: True, 0: False}.get(float(value))  # type: ignore[call-overload]
    word = str(value).strip().lower()
    if word.endswith(".0"):
        word = word[:-2]
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _as_id(value: object) -> str | None:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text if ID_PATTERN.fullmatch(text) else None


def _as_number(value: object) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _as_int(value: object) -> int | None:
    number = _as_number(value)
    if number is None or not float(number).is_integer():
        return None
    return int(number)


def _as_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp
    try:
        stamp = pd.to_datetime(str(value).strip(), format="ISO8601")
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp


def _as_name(value: object) -> str | None:
    text = str(value).strip()
    return text if 0 < len(text) <= 200 else None


_PARSERS: dict[str, tuple[Callable[[object], object], str]] = {
    "id": (_as_id, "identifier must be 1-64 letters, digits, '_' or '-'"),
    "bool": (parse_bool, "must be a boolean: true/false, 1/0 or yes/no"),
    "float": (_as_number, "must be a number"),
    "int": (_as_int, "must be a whole number"),
    "date": (_as_date, "must be a date (ISO 8601, e.g. 2019-03-28)"),
    "name": (_as_name, "must be a non-empty name of at most 200 characters"),
    "text": (lambda v: str(v), "must be text"),
}


def coerce_column(table: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Typed version of ``raw`` per the contract column ``col``, and its problems.

    Missing cells are reported only when the column is not nullable. The result dtype is
    ``str`` (id, name, text), ``bool``/``boolean`` (bool), ``category`` (category),
    ``float64``, ``int64``/``Int64`` (int) or ``datetime64`` (date).
    """
    problems: list[Problem] = []
    values: list[object] = []
    if col.kind == "category":
        assert col.categories is not None
        allowed = set(col.categories)

        def parse(v: object) -> object:
            label = normalise_label(v)
            return label if label in allowed else None

        rule = f"must be one of {', '.join(col.categories)}"
    else:
        parse, rule = _PARSERS[col.kind]
    for row, value in raw.items():
        if _missing(value):
            values.append(None)
            if not col.nullable:
                problems.append(Problem(table, int(row), col.name, None, "missing value"))
            continue
        parsed = parse(value)
        if parsed is None:
            problems.append(Problem(table, int(row), col.name, _plain(value), rule))
        values.append(parsed)
    return _typed(values, raw.index, col), problems


def _typed(values: list[object], index: pd.Index, col: Column) -> pd.Series:
    has_missing = any(v is None for v in values)
    if col.kind in ("id", "name", "text"):
        return pd.Series(values, index=index, dtype="str", name=col.name)
    if col.kind == "bool":
        dtype = "boolean" if has_missing or col.nullable else bool
        return pd.Series(values, index=index, dtype=dtype, name=col.name)
    if col.kind == "category":
        return pd.Series(pd.Categorical(values, categories=list(col.categories or ())),
                         index=index, name=col.name)
    if col.kind == "float":
        return pd.Series([np.nan if v is None else v for v in values], index=index,
                         dtype="float64", name=col.name)
    if col.kind == "int":
        dtype = "Int64" if has_missing or col.nullable else "int64"
        return pd.Series(values, index=index, dtype=dtype, name=col.name)
    if col.kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)).to_numpy(),
                         index=index, name=col.name)
    raise ValueError(f"unknown contract kind {col.kind!r}")  # pragma: no cover
