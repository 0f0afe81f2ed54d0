"""Validation: every rule of the data contract, all problems collected together.

:func:`check_tables` turns the raw tables of a folder into typed tables and the list of every
broken rule (file row, column, value, rule); :func:`validate_study` is its public face for a
folder. The rules are listed for users in ``docs/data-contract.md``; each is tested one by one
in ``tests/study/test_validate.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .coerce import coerce_column
from .contract import (
    CONTRACT,
    DIMENSIONS,
    ITEM_PATTERN,
    REQUIRED_SCALES,
    SCALE_PATTERN,
    SERVICES,
    TABLE_ORDER,
    Column,
)
from .folder import read_folder
from .readers import RawTable
from .study import derive_msu

__all__ = ["validate_study", "check_tables", "sort_problems", "declared_items", "NO_ROWS_RULE"]

#: rule of a required table that holds no rows (``load_study(validate=False)`` tolerates it)
NO_ROWS_RULE = "table has no rows"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a deterministic order: table (contract order), row, column, rule."""
    def key(p: Problem) -> tuple:
        return (TABLE_ORDER.get(p.table, len(TABLE_ORDER)), p.table,
                -1 if p.row is None else p.row, p.column or "", p.rule, str(p.value))
    return sorted(dict.fromkeys(problems), key=key)


def declared_items(scales: pd.DataFrame | None) -> dict[str, dict[str, tuple[int, int]]]:
    """``{table: {item: (min, max)}}`` from the usable rows of a typed scales table."""
    out: dict[str, dict[str, tuple[int, int]]] = {"waves": {}, "pmk": {}}
    if scales is None or not {"table", "item", "min", "max"} <= set(scales.columns):
        return out
    for table, item, lo, hi in scales[["table", "item", "min", "max"]].itertuples(index=False):
        if pd.isna(table) or pd.isna(item) or pd.isna(lo) or pd.isna(hi):
            continue
        if ITEM_PATTERN.fullmatch(str(item)) and str(item) not in out[str(table)]:
            out[str(table)][str(item)] = (int(lo), int(hi))
    return out


def _coerce_table(name: str, frame: pd.DataFrame, items: dict[str, tuple[int, int]]
                  ) -> tuple[pd.DataFrame, list[Problem]]:
    spec = CONTRACT[name]
    problems: list[Problem] = []
    if len(frame) == 0 and spec.required:
        problems.append(Problem(name, None, None, None, NO_ROWS_RULE))
    typed: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            if col.required:
                problems.append(Problem(name, None, col.name, None, "required column is missing"))
            continue
        typed[col.name], found = coerce_column(name, frame[col.name], col)
        problems.extend(found)
    for extra in frame.columns:
        if extra in typed or spec.column(extra) is not None:
            continue
        if spec.has_items and extra in items:
            typed[extra], found = coerce_column(name, frame[extra],
                                                Column(extra, "int", nullable=True))
            problems.extend(found)
        else:
            where = f"an item declared in scales for table {name}" if spec.has_items else ""
            rule = "unknown column: not in the data contract" + (f" and not {where}"
                                                                 if where else "")
            problems.append(Problem(name, None, extra, None, rule))
    return pd.DataFrame(typed, index=frame.index), problems


def _numbers(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=float, na_value=np.nan)


def _range_problems(name: str, frame: pd.DataFrame, column: str, bad: np.ndarray,
                    rule: str, kind: type) -> list[Problem]:
    values = frame[column].tolist()
    rows = frame.index.tolist()
    return [Problem(name, int(rows[i]), column, kind(values[i]), rule)
            for i in np.flatnonzero(bad)]


def _ranges(name: str, frame: pd.DataFrame, items: dict[str, tuple[int, int]]) -> list[Problem]:
    problems = []
    for col in CONTRACT[name].columns:
        if col.name not in frame or col.kind not in ("float", "int"):
            continue
        values = _numbers(frame[col.name])
        with np.errstate(invalid="ignore"):
            if col.low is not None and col.high is not None:
                bad = (values < col.low) | (values > col.high)
                rule = f"must be between {col.low:g} and {col.high:g}"
            elif col.allowed is not None:
                bad = ~np.isin(values, col.allowed) & ~np.isnan(values)
                rule = f"must be one of {', '.join(map(str, col.allowed))}"
            else:
                continue
        kind = float if col.kind == "float" else int
        problems += _range_problems(name, frame, col.name, bad, rule, kind)
    for item, (lo, hi) in items.items():
        if item in frame:
            values = _numbers(frame[item])
            with np.errstate(invalid="ignore"):
                bad = (values < lo) | (values > hi)
            problems += _range_problems(name, frame, item, bad,
                                        f"must lie in the scale's response range {lo} to {hi}",
                                        int)
    return problems


def _unique(name: str, frame: pd.DataFrame) -> list[Problem]:
    key = list(CONTRACT[name].key)
    if not key or not set(key) <= set(frame.columns):
        return []
    label = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
    column = key[-1] if name == "codes" else key[0]
    seen: dict[tuple, int] = {}
    problems = []
    columns = [frame[k].tolist() for k in key]
    for row, *values in zip(frame.index.tolist(), *columns, strict=True):
        if any(v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
               for v in values):
            continue
        k = tuple(values)
        if k in seen:
            problems.append(Problem(name, int(row), column,
                                    k[0] if len(k) == 1 else str(k),
                                    f"{label} must be unique: already in row {seen[k]}"))
        else:
            seen[k] = int(row)
    return problems


def _youth_rules(youth: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    if not set(SERVICES) <= set(youth.columns):
        return problems
    n_services = sum(youth[s].astype("Int64").fillna(0) for s in SERVICES)
    msu = derive_msu(youth).astype("boolean")  # unknown where a service is missing
    if "msu" in youth:
        given = youth["msu"]
        bad = given.notna() & (given.astype("boolean") != msu)
        problems += [Problem("youth", int(r), "msu", bool(given[r]),
                             "msu must be true exactly when two or more of the four services "
                             f"are used (this youth used {int(n_services[r])})")
                     for r in youth.index[bad.fillna(False).astype(bool)]]
    if "qual_subsample" in youth:
        bad = (youth["qual_subsample"].fillna(False).astype(bool) & ~msu).fillna(False)
        bad = bad.astype(bool)
        problems += [Problem("youth", int(r), "qual_subsample", True,
                             "only multiple-service users (MSU) may be in the qualitative "
                             f"subsample (this youth used {int(n_services[r])} services)")
                     for r in youth.index[bad]]
    return problems


def _youth_flag(youth: pd.DataFrame | None, flag: str | None) -> dict[str, bool] | None:
    """``{youth_id: flag}`` for the readable youth ids (flag ``None``: all true)."""
    if youth is None or "youth_id" not in youth:
        return None
    if flag is None or flag not in youth:
        values = pd.Series(True, index=youth.index)
    else:
        values = youth[flag]
    return {k: bool(v) for k, v in zip(youth["youth_id"], values.fillna(False), strict=True)
            if isinstance(k, str)}


def _linked(name: str, frame: pd.DataFrame, known: dict[str, bool] | None,
            flag_rule: str | None) -> list[Problem]:
    """Rows whose youth_id is not in youth, or whose youth lacks a required flag."""
    if known is None or "youth_id" not in frame:
        return []
    problems = []
    for r, yid in frame["youth_id"].items():
        if not isinstance(yid, str):
            continue
        if yid not in known:
            problems.append(Problem(name, int(r), "youth_id", yid,
                                    "unknown youth: not in the youth table"))
        elif flag_rule and not known[yid]:
            problems.append(Problem(name, int(r), "youth_id", yid, flag_rule))
    return problems


def _dates(waves: pd.DataFrame) -> list[Problem]:
    if not {"youth_id", "wave", "interview_date"} <= set(waves.columns):
        return []
    sub = waves[["youth_id", "wave", "interview_date"]].dropna()
    sub = sub.sort_values(["youth_id", "wave"], kind="stable")
    same = (sub["youth_id"] == sub["youth_id"].shift()).to_numpy(dtype=bool)
    prev_date, prev_wave = sub["interview_date"].shift(), sub["wave"].shift()
    bad = same & (sub["interview_date"] <= prev_date).fillna(False).to_numpy(dtype=bool)
    return [Problem("waves", int(r), "interview_date", str(date.date()),
                    f"interview_date must be strictly increasing across a youth's waves: wave "
                    f"{int(wave)} is not after wave {int(pw)} ({pd.Timestamp(pd_).date()})")
            for r, wave, date, pw, pd_ in zip(sub.index[bad], sub["wave"][bad],
                                              sub["interview_date"][bad], prev_wave[bad],
                                              prev_date[bad], strict=True)]


def _scales_rules(scales: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems: list[Problem] = []
    cols = set(scales.columns)
    if "scale" in cols:
        for r, v in scales["scale"].dropna().items():
            if not SCALE_PATTERN.fullmatch(v):
                problems.append(Problem("scales", int(r), "scale", v, "scale name must start "
                                        "with a letter and hold only letters, digits and '_'"))
    if "item" in cols:
        for r, v in scales["item"].dropna().items():
            if not ITEM_PATTERN.fullmatch(v):
                problems.append(Problem("scales", int(r), "item", v,
                                        "item name must look like <prefix>_<nn>, e.g. rq_01"))
    if {"min", "max"} <= cols:
        bad = (scales["min"] >= scales["max"]).fillna(False).astype(bool)
        problems += [Problem("scales", int(r), "max", int(scales.at[r, "max"]),
                             f"min ({int(scales.at[r, 'min'])}) must be less than max")
                     for r in scales.index[bad]]
    if {"scale", "table"} <= cols:
        sub = scales.dropna(subset=["scale", "table"])
        home = sub.groupby("scale", sort=False, observed=True)["table"].first()
        for r, scale, table in zip(sub.index, sub["scale"], sub["table"], strict=True):
            if table != home[scale]:
                problems.append(Problem("scales", int(r), "table", table,
                                        f"all items of scale {scale} must be in one table "
                                        f"(first row says {home[scale]})"))
        for table, names in REQUIRED_SCALES.items():
            if table == "pmk" and "pmk" not in tables:
                continue
            have = set(sub.loc[sub["table"] == table, "scale"])
            problems += [Problem("scales", None, "scale", n, f"required scale is not defined "
                                 f"for table {table}") for n in names if n not in have]
    if {"table", "item"} <= cols:
        for r, table, item in zip(scales.index, scales["table"], scales["item"], strict=True):
            if pd.isna(table) or pd.isna(item) or table not in tables:
                continue
            if item not in tables[table].columns:
                problems.append(Problem("scales", int(r), "item", item,
                                        f"item is not a column of the {table} table"))
    return problems


def _codes_rules(codes: pd.DataFrame, youth: pd.DataFrame | None) -> list[Problem]:
    problems = _linked("codes", codes, _youth_flag(youth, "qual_subsample"),
                       "codes only for youth in the qualitative subsample (qual_subsample is "
                       "false)")
    if "source" in codes and "youth_id" in codes:
        pmk = _youth_flag(youth, "pmk_nominated") or {}
        not_nominated = {yid for yid, flag in pmk.items() if not flag}
        is_pmk = (codes["source"] == "pmk_interview").fillna(False).to_numpy(dtype=bool)
        bad = is_pmk & codes["youth_id"].isin(not_nominated).to_numpy(dtype=bool)
        problems += [Problem("codes", int(r), "source", "pmk_interview",
                             "pmk_interview codes only for youth with a nominated PMK "
                             "(pmk_nominated is false)") for r in codes.index[bad]]
    if {"mechanism", "dimension"} <= set(codes.columns):
        sub = codes.dropna(subset=["mechanism", "dimension"])
        for r, mech, dim in zip(sub.index, sub["mechanism"], sub["dimension"], strict=True):
            if dim not in DIMENSIONS[mech]:
                problems.append(Problem("codes", int(r), "dimension", dim,
                                        f"mechanism {mech} is coded on dimension "
                                        f"{' or '.join(DIMENSIONS[mech])}"))
    return problems


def check_tables(raw: dict[str, RawTable]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Typed tables and every broken contract rule, from the raw tables of a folder.

    Notes
    -----
    Order of work: the scales table is typed first (it declares the item columns of waves
    and pmk), then every other table; type problems make a cell missing, then the table rules
    (ranges, uniqueness, msu, dates) and cross-table rules (unknown youth, PMK and codes
    eligibility, scale items present) run on what could be read.
    """
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    if "scales" in raw:
        typed["scales"], found = _coerce_table("scales", raw["scales"].frame, {})
        problems += found
    items = declared_items(typed.get("scales"))
    for name in ("youth", "waves", "pmk", "codes"):
        if name in raw:
            typed[name], found = _coerce_table(name, raw[name].frame, items.get(name, {}))
            problems += found
    for name, frame in typed.items():
        problems += _ranges(name, frame, items.get(name, {}) if name != "scales" else {})
        problems += _unique(name, frame)
    youth = typed.get("youth")
    if youth is not None:
        problems += _youth_rules(youth)
    if "waves" in typed:
        problems += _linked("waves", typed["waves"], _youth_flag(youth, None), None)
        problems += _dates(typed["waves"])
    if "pmk" in typed:
        problems += _linked("pmk", typed["pmk"], _youth_flag(youth, "pmk_nominated"),
                            "PMK interview for a youth without a nominated PMK "
                            "(pmk_nominated is false)")
    if "scales" in typed:
        problems += _scales_rules(typed["scales"], typed)
    if "codes" in typed:
        problems += _codes_rules(typed["codes"], youth)
    return typed, sort_problems(problems)


def validate_study(path: str | Path) -> list[Problem]:
    """Every way the study folder at ``path`` breaks the data contract (empty if none).

    Parameters
    ----------
    path : path-like
        A study folder (see ``docs/data-contract.md``).

    Returns
    -------
    list of Problem
        File-level problems (missing, duplicated or unreadable files) and every broken rule,
        in a deterministic order (table, row, column, rule). Nothing is written.

    Examples
    --------
    >>> import youthtransitions as yt
    >>> yt.validate_study(yt.synthetic.shipped_study_path())  # doctest: +SKIP
    []
    """
    raw, problems = read_folder(path)
    _, found = check_tables(raw)
    return sort_problems(problems + found)
