"""Coercion of raw table values to the contract's types, reporting every value that fails.

:func:`coerce_column` takes a raw column (index = file row), returns the typed column and adds
one :class:`~youthtransitions.errors.Problem` per value that cannot be read as that type to a
bounded :class:`~youthtransitions.study.problems.ProblemList`. A value that fails becomes
missing, so later rules still run on the rest of the table.

A column is parsed once per distinct value (columns repeat few values: Likert items,
categories, dates), then spread back to its rows with whole-array indexing, so the work per
cell is a table look-up, not a Python call.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from .contract import ID_PATTERN, Column
from .problems import ProblemList

__all__ = ["coerce_column", "normalise_label", "parse_bool", "TRUE_WORDS", "FALSE_WORDS",
           "LOCAL_TIME_ZONE"]

#: a date-time carrying a time zone or UTC offset is read as the wall time in this zone
LOCAL_TIME_ZONE = "Pacific/Auckland"

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


def _local(stamp: pd.Timestamp) -> pd.Timestamp:
    """A zone-aware time as New Zealand wall time without a zone; a naive one unchanged."""
    if stamp.tzinfo is None:
        return stamp
    return stamp.tz_convert(LOCAL_TIME_ZONE).tz_localize(None)


def _as_date(value: object) -> pd.Timestamp | None:
    """A timestamp from a date object or an ISO 8601 string; years 1900 to 2199 only.

    A value with a time zone or UTC offset (``2019-03-28T23:30:00Z``) becomes the New
    Zealand local time of that instant, without a zone (``2019-03-29 12:30``).
    """
    try:
        if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
            stamp = pd.Timestamp(value)
        else:
            stamp = pd.to_datetime(str(value).strip(), format="ISO8601")
        if pd.isna(stamp):
            return None
        stamp = _local(stamp)
    except (ValueError, TypeError, OverflowError):
        return None
    if not 1900 <= stamp.year < 2200:
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


def _parser(col: Column) -> tuple[Callable[[object], object], str]:
    if col.kind != "category":
        return _PARSERS[col.kind]
    allowed = set(col.categories or ())

    def parse(value: object) -> object:
        label = normalise_label(value)
        return label if label in allowed else None

    return parse, f"must be one of {', '.join(col.categories or ())}"


#: vectorised forms of the text parsers: (pattern the trimmed text must match, or None)
_TEXT_CHECKS = {"id": ID_PATTERN.pattern, "name": r"(?s).{1,200}", "text": None}


def _text_values(uniques: np.ndarray, kind: str) -> tuple[np.ndarray, list[object]]:
    """``(blank, parsed)`` of distinct text values, as :func:`_missing` and the ``id``,
    ``name`` and ``text`` parsers give them, computed on the whole array at once."""
    text = pd.Series(uniques, dtype="str")
    trimmed = text.str.strip()
    blank = (trimmed == "").to_numpy(dtype=bool)
    pattern = _TEXT_CHECKS[kind]
    if pattern is None:
        ok, values = ~blank, uniques
    else:
        ok = trimmed.str.fullmatch(pattern).to_numpy(dtype=bool) & ~blank
        values = trimmed.to_numpy(dtype=object)
    return blank, [v if k else None for v, k in zip(values.tolist(), ok.tolist(), strict=True)]


def _distinct(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, values)``: each cell's index into the distinct values (-1: missing)."""
    series = raw
    typed = False
    if raw.dtype == object:
        kinds = set(raw.map(type, na_action="ignore").dropna())
        if bool in kinds and len(kinds) > 1:  # True == 1 == 1.0 as keys: keep types apart
            series, typed = raw.map(lambda v: (type(v).__name__, v), na_action="ignore"), True
        elif any(getattr(k, "__hash__", None) is None for k in kinds):
            series = raw.map(lambda v: v if getattr(v, "__hash__", None) else repr(v),
                             na_action="ignore")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object)
    if typed:
        values = np.array([v[1] for v in values] + [None], dtype=object)[:-1]
    return np.asarray(codes), values


def coerce_column(table: str, raw: pd.Series, col: Column, problems: ProblemList) -> pd.Series:
    """Typed version of ``raw`` per the contract column ``col``; its problems go to
    ``problems``.

    Missing cells are reported only when the column is not nullable. The result dtype is
    ``str`` (id, name, text), ``bool``/``boolean`` (bool), ``category`` (category),
    ``float64``, ``int64``/``Int64`` (int) or ``datetime64`` (date).
    """
    if col.kind in ("float", "int") and (raw.dtype.kind in "iuf"
                                         or str(raw.dtype) in ("Int64", "Float64")):
        return _numeric_column(table, raw, col, problems)
    if col.kind == "date" and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _datetime_column(table, raw, col, problems)
    rows = raw.index.to_numpy()
    codes, uniques = _distinct(raw)
    n = len(uniques)
    parse, rule = _parser(col)
    if col.kind in _TEXT_CHECKS and isinstance(raw.dtype, pd.StringDtype):
        blank, parsed = _text_values(uniques, col.kind)
    else:
        blank = np.fromiter((_missing(u) for u in uniques), dtype=bool, count=n)
        parsed = [None if b else parse(u) for u, b in zip(uniques, blank, strict=True)]
    failed = np.fromiter((p is None for p in parsed), dtype=bool, count=n) & ~blank
    slot = np.where(codes < 0, n, codes)  # slot n: a missing cell
    absent = np.append(blank | failed, True)[slot]
    if not col.nullable:
        missing = np.append(blank, True)[slot]
        problems.add_rows(table, col.name, rows[missing], None, "missing value")
    bad = np.append(failed, False)[slot]
    problems.add_rows(table, col.name, rows[bad], uniques[codes[bad]], rule, value=_plain)
    return _typed(parsed + [None], slot, bool(absent.any()), raw.index, col)


def _numeric_column(table: str, raw: pd.Series, col: Column, problems: ProblemList
                    ) -> pd.Series:
    """Fast path of :func:`coerce_column` for a column already stored as numbers."""
    number = raw.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(number)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(number)
        if col.kind == "int":
            ok &= (np.round(number) == number) & (np.abs(number) < _INT_LIMIT)
    rows = raw.index.to_numpy()
    if not col.nullable:
        problems.add_rows(table, col.name, rows[missing], None, "missing value")
    failed = ~ok & ~missing
    problems.add_rows(table, col.name, rows[failed], number[failed], _PARSERS[col.kind][1],
                      value=float)
    values = pd.Series(np.where(ok, number, np.nan), index=raw.index, name=col.name)
    if col.kind == "int":
        if ok.all() and not col.nullable:
            values = values.astype("int64")
        else:
            values = values.astype("Int64")
    return values


def _datetime_column(table: str, raw: pd.Series, col: Column, problems: ProblemList
                     ) -> pd.Series:
    """Fast path of :func:`coerce_column` for a column already stored as date-times."""
    values = raw
    if getattr(raw.dtype, "tz", None) is not None:
        values = raw.dt.tz_convert(LOCAL_TIME_ZONE).dt.tz_localize(None)
    missing = values.isna().to_numpy(dtype=bool)
    year = values.dt.year.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~missing & ~((year >= 1900) & (year < 2200))
    rows = raw.index.to_numpy()
    if not col.nullable:
        problems.add_rows(table, col.name, rows[missing], None, "missing value")
    problems.add_rows(table, col.name, rows[bad], raw[bad].to_numpy(dtype=object),
                      _PARSERS["date"][1])
    return pd.Series(values.mask(bad).to_numpy(), index=raw.index, name=col.name)


def _typed(parsed: list[object], slot: np.ndarray, has_missing: bool, index: pd.Index,
           col: Column) -> pd.Series:
    """The column from its distinct parsed values (``None``: missing) and each row's slot."""
    if col.kind in ("id", "name", "text"):
        return pd.Series(np.array(parsed, dtype=object)[slot], index=index, dtype="str",
                         name=col.name)
    if col.kind == "bool":
        dtype = "boolean" if has_missing or col.nullable else bool
        return pd.Series(np.array(parsed, dtype=object)[slot], index=index, dtype=dtype,
                         name=col.name)
    if col.kind == "category":
        categories = list(col.categories or ())
        position = {c: i for i, c in enumerate(categories)}
        codes = np.array([-1 if v is None else position[v] for v in parsed], dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(codes[slot], categories=categories),
                         index=index, name=col.name)
    if col.kind == "float":
        return pd.Series(np.array([np.nan if v is None else v for v in parsed],
                                  dtype=float)[slot], index=index, name=col.name)
    if col.kind == "int":
        if has_missing or col.nullable:
            values = pd.array(parsed, dtype="Int64").take(slot)
        else:
            values = np.array([0 if v is None else v for v in parsed], dtype=np.int64)[slot]
        return pd.Series(values, index=index, name=col.name)
    if col.kind == "date":
        stamps = pd.to_datetime(pd.Series(parsed, dtype=object))
        return pd.Series(stamps.to_numpy()[slot], index=index, name=col.name)
    raise ValueError(f"unknown contract kind {col.kind!r}")  # pragma: no cover
