"""The contract's codes table: checking, normalising, and accepting it in several forms."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..errors import Problem, StudyDataError, UsageError
from ..study.qdpx import ACTORS, CODE_COLUMNS, DIMENSIONS, INSTANCES, LEVELS, MECHANISMS, SOURCES

__all__ = ["check_codes", "as_codes", "REQUIRED", "MECH_DIMS"]

REQUIRED = [c for c in CODE_COLUMNS if c not in ("actor", "excerpt")]
#: every (mechanism, dimension) pair of the contract, in order
MECH_DIMS = [(m, d) for m in MECHANISMS for d in DIMENSIONS[m]]
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _clean_text(series: pd.Series) -> pd.Series:
    def clean(v: Any) -> str | None:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip() or None

    return pd.Series([clean(v) for v in series], index=series.index, dtype="object")


def _as_int(value: Any) -> int | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def check_codes(frame: pd.DataFrame, *, table: str = "codes") -> pd.DataFrame:
    """Check a codes table against the data contract and return it normalised.

    Parameters
    ----------
    frame : pandas.DataFrame
        Codes as read from a file (strings or numbers).
    table : str
        Name used in error messages (the file name).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CODE_COLUMNS`; ``wave`` and ``level`` int64; categories lower-case.

    Raises
    ------
    StudyDataError
        Listing every broken rule with its row (1-based, header excluded) and column.
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise StudyDataError([Problem(table, None, c, None, "required column is missing")
                              for c in missing])
    out = pd.DataFrame(index=frame.index)
    for col in CODE_COLUMNS:
        out[col] = (_clean_text(frame[col]) if col in frame.columns
                    else pd.Series([None] * len(frame), index=frame.index, dtype="object"))
    for col in ("source", "mechanism", "dimension", "instance", "actor"):
        out[col] = pd.Series([v.lower() if isinstance(v, str) else None for v in out[col]],
                             index=out.index, dtype="object")
    problems: list[Problem] = []
    allowed = {"source": SOURCES, "mechanism": MECHANISMS, "instance": INSTANCES,
               "actor": ACTORS}
    for i, row in enumerate(out.itertuples(index=False), start=1):
        rec = row._asdict()
        for col in REQUIRED:
            if rec[col] is None:
                problems.append(Problem(table, i, col, None, "value is missing"))
        for col in ("segment_id", "youth_id"):
            if rec[col] is not None and not _ID.match(rec[col]):
                problems.append(Problem(table, i, col, rec[col],
                                        "identifier must match [A-Za-z0-9_-]{1,64}"))
        for col, values in allowed.items():
            if rec[col] is not None and rec[col] not in values:
                problems.append(Problem(table, i, col, rec[col],
                                        f"must be one of {', '.join(values)}"))
        mech, dim = rec["mechanism"], rec["dimension"]
        if mech in DIMENSIONS and dim is not None and dim not in DIMENSIONS[mech]:
            problems.append(Problem(table, i, "dimension", dim,
                                    f"{mech} is coded on {', '.join(DIMENSIONS[mech])}"))
        if rec["wave"] is not None and _as_int(rec["wave"]) not in (1, 2, 3):
            problems.append(Problem(table, i, "wave", rec["wave"], "must be 1, 2 or 3"))
        if rec["level"] is not None and _as_int(rec["level"]) not in LEVELS:
            problems.append(Problem(table, i, "level", rec["level"], "must be 0, 1 or 2"))
    dup = out.duplicated(["coder", "segment_id"], keep="first") & out["segment_id"].notna()
    for i in (dup.to_numpy().nonzero()[0] + 1):
        problems.append(Problem(table, int(i), "segment_id", out["segment_id"].iloc[i - 1],
                                "segment_id must be unique within a coder"))
    if problems:
        raise StudyDataError(problems, f"codes table {table} broke {len(problems)} rule"
                                       f"{'s' if len(problems) != 1 else ''} of the contract")
    out["wave"] = out["wave"].map(_as_int).astype("int64")
    out["level"] = out["level"].map(_as_int).astype("int64")
    return out.reset_index(drop=True)


def as_codes(obj: Any) -> pd.DataFrame:
    """Accept a codes DataFrame, a :class:`CodeImport`, or a Study carrying codes."""
    if isinstance(obj, pd.DataFrame):
        frame = obj
    elif hasattr(obj, "codes") and isinstance(obj.codes, pd.DataFrame):
        frame = obj.codes
    elif hasattr(obj, "codes") and obj.codes is None:
        raise UsageError("the study has no codes table; add codes.parquet/.csv/.xlsx/.qdpx "
                         "to the study folder or pass codes read with read_codes()")
    else:
        raise UsageError(f"expected a codes DataFrame, a read_codes() result or a Study, "
                         f"got {type(obj).__name__}")
    return check_codes(frame)
