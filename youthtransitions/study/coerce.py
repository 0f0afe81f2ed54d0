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


_INT_LIMIT = 2.0 ** 53  # whole numbers beyond this are not exact as floats


def _as_int(value: object) -> int | None:
    number = _as_number(value)
    if number is None or not float(number).is_integer() or abs(number) >= _INT_LIMIT:
        return None
    return int(number)


def _as_date(value: object) -> pd.Timestamp | None:
    """A timestamp from a date object or an ISO 8601 string; years 1900 to 2199 only."""
    try:
        if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
            stamp = pd.Timestamp(value)
        else:
            stamp = pd.to_datetime(str(value).strip(), format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(stamp) or not 1900 <= stamp.year < 2200:
        return None
    return stamp


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


def _parse_values(raw: pd.Series, values: list[object], missing: list[bool], kind: str
                  ) -> list[object]:
    """Parsed numbers or dates of a text/object column (``None`` if unreadable or missing)."""
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            values = [pd.Timestamp(v) for v in values]
        return [None if m else _as_date(v) for v, m in zip(values, missing, strict=True)]
    parse = _memo(_as_int if kind == "int" else _as_number)
    return [None if m else parse(v) for v, m in zip(values, missing, strict=True)]


def _memo(parse: Callable[[object], object]) -> Callable[[object], object]:
    """``parse`` with a cache per distinct value (columns repeat few distinct values)."""
    cache: dict[object, object] = {}

    def cached(value: object) -> object:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = parse(value)
            return result
        except TypeError:  # unhashable
            return parse(value)
    return cached


def coerce_column(table: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Typed version of ``raw`` per the contract column ``col``, and its problems.

    Missing cells are reported only when the column is not nullable. The result dtype is
    ``str`` (id, name, text), ``bool``/``boolean`` (bool), ``category`` (category),
    ``float64``, ``int64``/``Int64`` (int) or ``datetime64`` (date).
    """
    if col.kind in ("float", "int") and (raw.dtype.kind in "iuf"
                                         or str(raw.dtype) in ("Int64", "Float64")):
        return _numeric_column(table, raw, col)
    problems: list[Problem] = []
    rows = raw.index.tolist()
    raw_values = raw.tolist()
    if raw.dtype.kind in "iufbmM" or str(raw.dtype) in ("Int64", "Float64", "boolean"):
        missing = raw.isna().to_numpy(dtype=bool).tolist()
    else:
        missing = [_missing(v) for v in raw_values]
    if not col.nullable:
        problems += [Problem(table, int(r), col.name, None, "missing value")
                     for r, m in zip(rows, missing, strict=True) if m]
    if col.kind in ("float", "int", "date"):
        parsed = _parse_values(raw, raw_values, missing, col.kind)
        rule = _PARSERS[col.kind][1]
        problems += [Problem(table, int(r), col.name, _plain(v), rule)
                     for r, v, p, m in zip(rows, raw_values, parsed, missing, strict=True)
                     if p is None and not m]
        if col.kind == "int":
            parsed = [None if v is None else int(v) for v in parsed]
        return _typed(parsed, raw.index, col), problems
    if col.kind == "category":
        assert col.categories is not None
        allowed = set(col.categories)

        def parse(v: object) -> object:
            label = normalise_label(v)
            return label if label in allowed else None

        rule = f"must be one of {', '.join(col.categories)}"
    else:
        parse, rule = _PARSERS[col.kind]
    values: list[object] = []
    parse = _memo(parse)
    for row, value, absent in zip(rows, raw_values, missing, strict=True):
        if absent:
            values.append(None)
            continue
        parsed_value = parse(value)
        if parsed_value is None:
            problems.append(Problem(table, int(row), col.name, _plain(value), rule))
        values.append(parsed_value)
    return _typed(values, raw.index, col), problems


def _numeric_column(table: str, raw: pd.Series, col: Column
                    ) -> tuple[pd.Series, list[Problem]]:
    """Fast path of :func:`coerce_column` for a column already stored as numbers."""
    number = raw.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(number)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(number)
        if col.kind == "int":
            ok &= (np.round(number) == number) & (np.abs(number) < _INT_LIMIT)
    rows = raw.index.to_numpy()
    problems = [] if col.nullable else [Problem(table, int(r), col.name, None, "missing value")
                                        for r in rows[missing]]
    failed = ~ok & ~missing
    problems += [Problem(table, int(r), col.name, float(v), _PARSERS[col.kind][1])
                 for r, v in zip(rows[failed], number[failed], strict=True)]
    values = pd.Series(np.where(ok, number, np.nan), index=raw.index, name=col.name)
    if col.kind == "int":
        if ok.all() and not col.nullable:
            values = values.astype("int64")
        else:
            values = values.astype("Int64")
    return values, problems


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
        return pd.Series(np.array([np.nan if v is None else v for v in values], dtype=float),
                         index=index, name=col.name)
    if col.kind == "int":
        dtype = "Int64" if has_missing or col.nullable else "int64"
        return pd.Series(values, index=index, dtype=dtype, name=col.name)
    if col.kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)).to_numpy(),
                         index=index, name=col.name)
    raise ValueError(f"unknown contract kind {col.kind!r}")  # pragma: no cover
