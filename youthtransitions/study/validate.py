"""Validation: every rule of the data contract, all problems collected together.

:func:`check_tables` turns the raw tables of a folder into typed tables and the list of every
broken rule (file row, column, value, rule), bounded: the first problems of each rule and
column are listed, the rest counted (:mod:`.problems`); :func:`validate_study` is its public
face for a folder. The rules are listed for users in ``docs/data-contract.md``; each is tested one by one
in ``tests/study/test_rules.py``.
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
    Column,
)
from .folder import read_folder
from .problems import PER_RULE, ProblemList
from .readers import RawTable
from .study import derive_msu

__all__ = ["validate_study", "check_tables", "sort_problems", "declared_items", "NO_ROWS_RULE"]

#: rule of a required table that holds no rows (``load_study(validate=False)`` tolerates it)
NO_ROWS_RULE = "table has no rows"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a deterministic order: table (contract order), row, column, rule.

    A :class:`~youthtransitions.study.problems.ProblemList` keeps its counts.
    """
    if isinstance(problems, ProblemList):
        return problems.sorted()
    return ProblemList(problems, limit=None).sorted()


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


def _coerce_table(name: str, frame: pd.DataFrame, items: dict[str, tuple[int, int]],
                  problems: ProblemList) -> pd.DataFrame:
    spec = CONTRACT[name]
    if len(frame) == 0 and spec.required:
        problems.add(Problem(name, None, None, None, NO_ROWS_RULE))
    typed: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            if col.required:
                problems.add(Problem(name, None, col.name, None, "required column is missing"))
            continue
        typed[col.name] = coerce_column(name, frame[col.name], col, problems)
    for extra in frame.columns:
        if extra in typed or spec.column(extra) is not None:
            continue
        if spec.has_items and extra in items:
            typed[extra] = coerce_column(name, frame[extra], Column(extra, "int", nullable=True),
                                         problems)
        else:
            where = f"an item declared in scales for table {name}" if spec.has_items else ""
            rule = "unknown column: not in the data contract" + (f" and not {where}"
                                                                 if where else "")
            problems.add(Problem(name, None, extra, None, rule))
    return pd.DataFrame(typed, index=frame.index)


def _numbers(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=float, na_value=np.nan)


def _flagged(name: str, frame: pd.DataFrame, column: str, bad: np.ndarray, rule: str,
             kind: type, problems: ProblemList) -> None:
    values = frame[column].to_numpy(dtype=object)[bad]
    problems.add_rows(name, column, frame.index.to_numpy()[bad], values, rule, value=kind)


def _ranges(name: str, frame: pd.DataFrame, items: dict[str, tuple[int, int]],
            problems: ProblemList) -> None:
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
        _flagged(name, frame, col.name, bad, rule, float if col.kind == "float" else int,
                 problems)
    for item, (lo, hi) in items.items():
        if item in frame:
            values = _numbers(frame[item])
            with np.errstate(invalid="ignore"):
                bad = (values < lo) | (values > hi)
            _flagged(name, frame, item, bad,
                     f"must lie in the scale's response range {lo} to {hi}", int, problems)


def _unique(name: str, frame: pd.DataFrame, problems: ProblemList) -> None:
    key = list(CONTRACT[name].key)
    if not key or not set(key) <= set(frame.columns):
        return
    label = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
    column = key[-1] if name == "codes" else key[0]
    sub = frame[key].dropna()
    group = sub.groupby(key, sort=False, observed=True).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)  # each key's first row (position)
    dup = np.flatnonzero(np.arange(len(group)) != first[group])
    if not len(dup):
        return
    rows = sub.index.to_numpy()
    first_row = rows[first[group[dup]]]

    def value(i: int) -> object:
        k = tuple(sub.iloc[dup[i]].tolist())
        return k[0] if len(k) == 1 else str(k)

    problems.add_rows(name, column, rows[dup], value,
                      lambda i: f"{label} must be unique: already in row {first_row[i]}",
                      group=f"{label} must be unique")


def _youth_rules(youth: pd.DataFrame, problems: ProblemList) -> None:
    if not set(SERVICES) <= set(youth.columns):
        return
    n_services = sum(youth[s].astype("Int64").fillna(0) for s in SERVICES).to_numpy()
    msu = derive_msu(youth).astype("boolean")  # unknown where a service is missing
    rows = youth.index.to_numpy()
    if "msu" in youth:
        given = youth["msu"]
        bad = (given.notna() & (given.astype("boolean") != msu)).fillna(False)
        bad = bad.to_numpy(dtype=bool)
        used = n_services[bad]
        rule = "msu must be true exactly when two or more of the four services are used"
        problems.add_rows("youth", "msu", rows[bad], given.to_numpy(dtype=object)[bad],
                          lambda i: f"{rule} (this youth used {int(used[i])})", group=rule,
                          value=bool)
    if "qual_subsample" in youth:
        bad = (youth["qual_subsample"].fillna(False).astype(bool) & ~msu).fillna(False)
        bad = bad.to_numpy(dtype=bool)
        used = n_services[bad]
        rule = "only multiple-service users (MSU) may be in the qualitative subsample"
        problems.add_rows("youth", "qual_subsample", rows[bad], [True] * int(bad.sum()),
                          lambda i: f"{rule} (this youth used {int(used[i])} services)",
                          group=rule)


def _youth_flag(youth: pd.DataFrame | None, flag: str | None) -> pd.Series | None:
    """Flag by youth_id for the readable youth ids (flag ``None``: all true)."""
    if youth is None or "youth_id" not in youth:
        return None
    if flag is None or flag not in youth:
        values = np.ones(len(youth), dtype=bool)
    else:
        values = youth[flag].fillna(False).astype(bool).to_numpy(dtype=bool)
    ids = youth["youth_id"]
    keep = ids.notna().to_numpy(dtype=bool)
    out = pd.Series(values[keep], index=pd.Index(ids[keep].to_numpy(dtype=object)))
    return out[~out.index.duplicated(keep="last")]


def _flag_of(ids: pd.Series, known: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(present, flag)`` of each id: whether it is a known youth, and that youth's flag."""
    position = known.index.get_indexer(ids.to_numpy(dtype=object))
    present = position >= 0
    flag = np.append(known.to_numpy(dtype=bool), True)[np.where(present, position, -1)]
    return present & ids.notna().to_numpy(dtype=bool), flag


def _linked(name: str, frame: pd.DataFrame, known: pd.Series | None, flag_rule: str | None,
            problems: ProblemList) -> None:
    """Rows whose youth_id is not in youth, or whose youth lacks a required flag."""
    if known is None or "youth_id" not in frame:
        return
    ids = frame["youth_id"]
    given = ids.notna().to_numpy(dtype=bool)
    present, flag = _flag_of(ids, known)
    rows, values = frame.index.to_numpy(), ids.to_numpy(dtype=object)
    unknown = given & ~present
    problems.add_rows(name, "youth_id", rows[unknown], values[unknown],
                      "unknown youth: not in the youth table")
    if flag_rule:
        bad = present & ~flag
        problems.add_rows(name, "youth_id", rows[bad], values[bad], flag_rule)


def _dates(waves: pd.DataFrame, problems: ProblemList) -> None:
    if not {"youth_id", "wave", "interview_date"} <= set(waves.columns):
        return
    sub = waves[["youth_id", "wave", "interview_date"]].dropna()
    sub = sub.sort_values(["youth_id", "wave"], kind="stable")
    same = (sub["youth_id"] == sub["youth_id"].shift()).to_numpy(dtype=bool)
    prev_date, prev_wave = sub["interview_date"].shift(), sub["wave"].shift()
    bad = same & (sub["interview_date"] <= prev_date).fillna(False).to_numpy(dtype=bool)
    order = np.argsort(sub.index.to_numpy()[bad], kind="stable")  # listed in file order
    rows = sub.index.to_numpy()[bad][order]
    dates = sub["interview_date"].to_numpy()[bad][order]
    wave, earlier = sub["wave"].to_numpy()[bad][order], prev_wave.to_numpy()[bad][order]
    earlier_date = prev_date.to_numpy()[bad][order]
    rule = "interview_date must be strictly increasing across a youth's waves"
    problems.add_rows("waves", "interview_date", rows,
                      lambda i: str(pd.Timestamp(dates[i]).date()),
                      lambda i: f"{rule}: wave {int(wave[i])} is not after wave "
                                f"{int(earlier[i])} ({pd.Timestamp(earlier_date[i]).date()})",
                      group=rule)


def _scales_rules(scales: pd.DataFrame, tables: dict[str, pd.DataFrame],
                  problems: ProblemList) -> None:
    cols = set(scales.columns)
    if "scale" in cols:
        for r, v in scales["scale"].dropna().items():
            if not SCALE_PATTERN.fullmatch(v):
                problems.add(Problem("scales", int(r), "scale", v, "scale name must start "
                                     "with a letter and hold only letters, digits and '_'"))
    if "item" in cols:
        for r, v in scales["item"].dropna().items():
            if not ITEM_PATTERN.fullmatch(v):
                problems.add(Problem("scales", int(r), "item", v,
                                     "item name must look like <prefix>_<nn>, e.g. rq_01"))
    if {"min", "max"} <= cols:
        bad = (scales["min"] >= scales["max"]).fillna(False).astype(bool)
        for r in scales.index[bad]:
            problems.add(Problem("scales", int(r), "max", int(scales.at[r, "max"]),
                                 f"min ({int(scales.at[r, 'min'])}) must be less than max"),
                         "min must be less than max")
    if {"scale", "table"} <= cols:
        sub = scales.dropna(subset=["scale", "table"])
        home = sub.groupby("scale", sort=False, observed=True)["table"].first()
        for r, scale, table in zip(sub.index, sub["scale"], sub["table"], strict=True):
            if table != home[scale]:
                problems.add(Problem("scales", int(r), "table", table,
                                     f"all items of scale {scale} must be in one table "
                                     f"(first row says {home[scale]})"),
                             "all items of a scale must be in one table")
        for table, names in REQUIRED_SCALES.items():
            if table == "pmk" and "pmk" not in tables:
                continue
            have = set(sub.loc[sub["table"] == table, "scale"])
            for n in names:
                if n not in have:
                    problems.add(Problem("scales", None, "scale", n, "required scale is not "
                                         f"defined for table {table}"))
    if {"table", "item"} <= cols:
        for r, table, item in zip(scales.index, scales["table"], scales["item"], strict=True):
            if pd.isna(table) or pd.isna(item) or table not in tables:
                continue
            if item not in tables[table].columns:
                problems.add(Problem("scales", int(r), "item", item,
                                     f"item is not a column of the {table} table"))


def _codes_rules(codes: pd.DataFrame, youth: pd.DataFrame | None,
                 problems: ProblemList) -> None:
    _linked("codes", codes, _youth_flag(youth, "qual_subsample"),
            "codes only for youth in the qualitative subsample (qual_subsample is false)",
            problems)
    rows = codes.index.to_numpy()
    pmk = _youth_flag(youth, "pmk_nominated")
    if "source" in codes and "youth_id" in codes and pmk is not None:
        present, nominated = _flag_of(codes["youth_id"], pmk)
        is_pmk = (codes["source"] == "pmk_interview").fillna(False).to_numpy(dtype=bool)
        bad = is_pmk & present & ~nominated
        problems.add_rows("codes", "source", rows[bad], ["pmk_interview"] * int(bad.sum()),
                          "pmk_interview codes only for youth with a nominated PMK "
                          "(pmk_nominated is false)")
    if {"mechanism", "dimension"} <= set(codes.columns):
        mech, dim = codes["mechanism"], codes["dimension"]
        for name, allowed in DIMENSIONS.items():
            bad = ((mech == name) & dim.notna() & ~dim.isin(allowed)).to_numpy(dtype=bool)
            problems.add_rows("codes", "dimension", rows[bad], dim.to_numpy(dtype=object)[bad],
                              f"mechanism {name} is coded on dimension "
                              f"{' or '.join(allowed)}")


def check_tables(raw: dict[str, RawTable], *, limit: int | None = PER_RULE
                 ) -> tuple[dict[str, pd.DataFrame], ProblemList]:
    """Typed tables and every broken contract rule, from the raw tables of a folder.

    Parameters
    ----------
    raw : dict of str to RawTable
        The tables as read.
    limit : int or None, keyword-only
        Problems listed per table, column and rule (the rest are counted); ``None``: all.

    Notes
    -----
    Order of work: the scales table is typed first (it declares the item columns of waves
    and pmk), then every other table; type problems make a cell missing, then the table rules
    (ranges, uniqueness, msu, dates) and cross-table rules (unknown youth, PMK and codes
    eligibility, scale items present) run on what could be read. Every rule works on whole
    columns, and problems past ``limit`` are only counted, so time and memory grow with the
    data, not with the number of problems.
    """
    problems = ProblemList(limit=limit)
    typed: dict[str, pd.DataFrame] = {}
    if "scales" in raw:
        typed["scales"] = _coerce_table("scales", raw["scales"].frame, {}, problems)
    items = declared_items(typed.get("scales"))
    for name in ("youth", "waves", "pmk", "codes"):
        if name in raw:
            typed[name] = _coerce_table(name, raw[name].frame, items.get(name, {}), problems)
    for name, frame in typed.items():
        _ranges(name, frame, items.get(name, {}) if name != "scales" else {}, problems)
        _unique(name, frame, problems)
    youth = typed.get("youth")
    if youth is not None:
        _youth_rules(youth, problems)
    if "waves" in typed:
        _linked("waves", typed["waves"], _youth_flag(youth, None), None, problems)
        _dates(typed["waves"], problems)
    if "pmk" in typed:
        _linked("pmk", typed["pmk"], _youth_flag(youth, "pmk_nominated"),
                "PMK interview for a youth without a nominated PMK (pmk_nominated is false)",
                problems)
    if "scales" in typed:
        _scales_rules(typed["scales"], typed, problems)
    if "codes" in typed:
        _codes_rules(typed["codes"], youth, problems)
    return typed, problems.sorted()


def validate_study(path: str | Path, *, limit: int | None = PER_RULE,
                   allow_outside_links: bool = False) -> ProblemList:
    """Every way the study folder at ``path`` breaks the data contract (empty if none).

    Parameters
    ----------
    path : path-like
        A study folder (see ``docs/data-contract.md``).
    limit : int or None, keyword-only
        Problems listed per table, column and rule (default :data:`PER_RULE`); the others
        are counted in the result's ``counts``. ``None`` lists every problem.
    allow_outside_links : bool, keyword-only
        Read table files that are links to files outside the folder (refused by default).

    Returns
    -------
    ProblemList
        A list of :class:`~youthtransitions.errors.Problem`: file-level problems (missing,
        duplicated, linked from outside or unreadable files) and every broken rule, in a
        deterministic order (table, row, column, rule), at most ``limit`` per rule and
        column. ``total`` counts every problem found, ``omitted`` those not listed per
        ``(table, column, rule)``. Nothing is written.

    Examples
    --------
    >>> import youthtransitions as yt
    >>> yt.validate_study(yt.synthetic.shipped_study_path())  # doctest: +SKIP
    []
    """
    raw, problems = read_folder(path, allow_outside_links=allow_outside_links,
                                limit=limit)
    _, found = check_tables(raw, limit=limit)
    found.merge(problems)
    return found.sorted()
