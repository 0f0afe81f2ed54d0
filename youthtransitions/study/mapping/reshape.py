"""One raw export turned into one contract table: renames, value labels and maps, dates,
and wide (a column per variable and wave) to long (a row per youth and wave).

Nothing is checked against the contract's rules here: values stay as the file gave them
(labels and maps applied) and validation reads them as it reads a study folder. What each
row and column came from is kept (:class:`Shaped`), so a broken rule can be reported at the
raw file's row and column.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import Problem, UsageError
from ..contract import CONTRACT
from .sources import Source
from .spec import TableMap

__all__ = ["Shaped", "shape_table", "value_text"]

#: contract kinds whose SPSS/Stata codes are replaced by their value labels
LABELLED_KINDS = frozenset({"bool", "category", "id", "name", "text"})


@dataclass
class Shaped:
    """One contract table built from its raw file, with where each cell came from.

    Attributes
    ----------
    table : str
        Contract table.
    frame : pandas.DataFrame
        Contract columns (and items); positional index.
    raw_rows : numpy.ndarray
        The raw file's row (1-based, header excluded) of each row.
    waves : numpy.ndarray or None
        The wave of each row of a table made long from a wide export.
    origin : dict
        ``(contract column, wave or None)`` -> the raw column it was read from.
    labelled, mapped, dated : list of str
        Contract columns given value labels, value maps and date formats.
    """

    table: str
    frame: pd.DataFrame
    raw_rows: np.ndarray
    waves: np.ndarray | None = None
    origin: dict[tuple[str, int | None], str] = field(default_factory=dict)
    labelled: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    dated: list[str] = field(default_factory=list)

    @property
    def columns(self) -> dict[str, str]:
        """Contract column -> the raw column (or for a wide table the first wave's)."""
        out: dict[str, str] = {}
        for (col, _), raw in sorted(self.origin.items(), key=lambda kv: kv[0][1] or 0):
            out.setdefault(col, raw)
        return {c: out[c] for c in self.frame.columns if c in out}

    def locate(self, problem: Problem, file: str) -> Problem:
        """``problem`` (row = position + 1 in :attr:`frame`) at the raw file's row and column."""
        if problem.row is None or not 1 <= problem.row <= len(self.raw_rows):
            raw_col = self.origin.get((problem.column, None), problem.column)
            return Problem(f"{self.table} ({file})", None, raw_col, problem.value, problem.rule)
        i = problem.row - 1
        wave = int(self.waves[i]) if self.waves is not None else None
        raw_col = (self.origin.get((problem.column, wave))
                   or self.origin.get((problem.column, None)) or problem.column)
        return Problem(f"{self.table} ({file})", int(self.raw_rows[i]), raw_col, problem.value,
                       problem.rule)


def value_text(value: Any) -> str:
    """A raw cell as the text a value map's keys are matched against (``1.0`` is ``"1"``)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _kind(table: str, column: str) -> str | None:
    col = CONTRACT[table].column(column)
    return col.kind if col is not None else None


def _fail(tm: TableMap, key: str, message: str) -> UsageError:
    return UsageError(f"mapping: [{tm.table}{'.' + key if key else ''}] {message}")


def _targets(tm: TableMap, columns: list[str], allowed: set[str]
             ) -> tuple[dict[str, tuple[str, int | None]], str | None]:
    """Raw column -> (contract column, wave) of the columns used; and the raw id column."""
    used: dict[str, tuple[str, int | None]] = {}
    id_col = None
    for raw in columns:
        split = tm.wide.split(raw) if tm.wide is not None else None
        if split is not None:
            target, wave = tm.target(split[0]), split[1]
        else:
            target, wave = tm.target(raw), None
        if tm.wide is not None and split is None:
            if target == "youth_id":
                id_col = raw
            continue
        if target in allowed and not (tm.wide is not None and target in ("youth_id", "wave")):
            used[raw] = (target, wave)
    seen: dict[tuple[str, int | None], str] = {}
    for raw, key in used.items():
        if key in seen:
            where = f" at wave {key[1]}" if key[1] is not None else ""
            raise _fail(tm, "rename", f"raw columns {seen[key]!r} and {raw!r} both become "
                        f"{key[0]!r}{where}; map only one of them")
        seen[key] = raw
    return used, id_col


def _labelled(tm: TableMap, source: Source, used: dict[str, tuple[str, int | None]]
              ) -> tuple[pd.DataFrame, list[str]]:
    """The used raw columns, SPSS/Stata codes replaced by labels where the contract holds
    text (categories, booleans, identifiers), never in items or numbers."""
    frame = source.frame[list(used)].copy()
    done = []
    if not tm.value_labels:
        return frame, done
    for raw, (target, _) in used.items():
        labels = source.labels.get(raw)
        if labels and _kind(tm.table, target) in LABELLED_KINDS:
            frame[raw] = frame[raw].map(lambda v, m=labels: m.get(v, v) if pd.notna(v) else v)
            done.append(target)
    return frame, list(dict.fromkeys(done))


def _long(tm: TableMap, source: Source, frame: pd.DataFrame,
          used: dict[str, tuple[str, int | None]], id_col: str | None) -> Shaped:
    rows = np.arange(1, len(frame) + 1)
    if tm.wide is None:
        blank = frame.isna().all(axis=1).to_numpy() if len(frame.columns) else np.zeros(
            len(frame), bool)
        out = frame.rename(columns={raw: t for raw, (t, _) in used.items()})[~blank]
        return Shaped(tm.table, out.reset_index(drop=True), rows[~blank],
                      origin={(t, None): raw for raw, (t, _) in used.items()})
    if id_col is None:
        raise _fail(tm, "rename", f"the wide export {source.path.name} needs its id column "
                    "renamed to youth_id (rename = {{ ID = \"youth_id\" }})")
    parts = []
    for wave in sorted({w for _, w in used.values()}):
        raws = [raw for raw, (_, w) in used.items() if w == wave]
        part = frame[raws].rename(columns={raw: used[raw][0] for raw in raws})
        present = part.notna().any(axis=1).to_numpy()  # a wave with no answer: no row
        part = part[present]
        part.insert(0, "wave", wave)
        part.insert(0, "youth_id", source.frame[id_col].to_numpy()[present])
        part.insert(0, "_row", rows[present])
        parts.append(part)
    if not parts:
        raise _fail(tm, "wide", f"no column of {source.path.name} matches {tm.wide.text!r} "
                    "and maps to a column or item of the table")
    out = pd.concat(parts, ignore_index=True).sort_values(["_row", "wave"], kind="stable")
    origin = {(t, w): raw for raw, (t, w) in used.items()}
    origin[("youth_id", None)] = id_col
    return Shaped(tm.table, out.drop(columns="_row").reset_index(drop=True),
                  out["_row"].to_numpy(), out["wave"].to_numpy(), origin)


def _parse_date(value: Any, fmt: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return pd.Timestamp(_dt.datetime.strptime(value.strip(), fmt))
    except ValueError:
        return value  # left as read: validation names it as no date


def shape_table(tm: TableMap, source: Source, allowed: set[str]) -> Shaped:
    """Build one contract table from its raw export.

    Parameters
    ----------
    tm : TableMap
        The table's section of the mapping.
    source : Source
        The raw file, as read.
    allowed : set of str
        Names the table may hold: its contract columns and (waves, pmk) declared items.
        Other raw columns are left out (and reported by the caller).

    Raises
    ------
    UsageError
        Two raw columns become one contract column, a wide export has no ``youth_id``, or
        ``values``/``dates`` name a column the table does not map to.

    Notes
    -----
    Order of work: SPSS/Stata value labels (on category, boolean and text columns), then
    wide to long (a row per youth and wave in which any per-wave column holds a value,
    ordered by the raw row, then the wave), then value maps (keys matched as text, so the
    code ``1.0`` matches ``"1"``), then dates parsed by their ``strptime`` format (a value
    that does not parse is kept, for validation to name).
    """
    used, id_col = _targets(tm, [str(c) for c in source.frame.columns], allowed)
    source.frame.columns = [str(c) for c in source.frame.columns]
    frame, labelled = _labelled(tm, source, used)
    shaped = _long(tm, source, frame, used, id_col)
    shaped.labelled = labelled
    for key, given in (("values", tm.values), ("dates", tm.dates)):
        stray = [c for c in given if c not in shaped.frame.columns]
        if stray:
            raise _fail(tm, f"{key}.{stray[0]}", f"{stray[0]!r} is not a column the table maps "
                        f"to (mapped: {', '.join(shaped.frame.columns)})")
    for col, mapping in tm.values.items():
        shaped.frame[col] = shaped.frame[col].map(
            lambda v, m=mapping: m.get(value_text(v), v) if pd.notna(v) else v)
        shaped.mapped.append(col)
    for col, fmt in tm.dates.items():
        shaped.frame[col] = shaped.frame[col].map(lambda v, f=fmt: _parse_date(v, f))
        shaped.dated.append(col)
    return shaped
