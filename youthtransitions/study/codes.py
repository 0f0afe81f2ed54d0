"""The codes table outside a study folder: a loose file or frame checked by the contract.

A :class:`~youthtransitions.study.Study` holds codes validated when the study was loaded;
a codes file (:func:`read_codes`) or a DataFrame (:func:`check_codes`) goes through the same
contract check (:func:`~youthtransitions.study.validate.check_tables`, without the rules that
need the youth table). :func:`as_codes` hands the analyses one working form of any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._disclosure import TableSpec, count, estimate, text
from .._tidy import TidyResult
from ..errors import Problem, StudyDataError, UsageError
from .contract import CODE_COLUMNS, MECH_DIMS, MECHANISMS
from .formats import file_format
from .readers import RawTable, read_table_file
from .study import Study
from .validate import check_tables

__all__ = ["check_codes", "as_codes", "read_codes", "CodeImport", "CODES_FILE_FORMATS"]

#: formats a codes file may come in
CODES_FILE_FORMATS = ("csv", "parquet", "sav", "dta", "xlsx", "qdpx")
_COUNTS = ("wave", "level")


def _working(codes: pd.DataFrame) -> pd.DataFrame:
    """Contract codes in the form the analyses use: columns :data:`CODE_COLUMNS` in order,
    ``wave`` and ``level`` int64, every other column text (``None`` where missing)."""
    out = {}
    for col in CODE_COLUMNS:
        if col not in codes:
            out[col] = pd.Series([None] * len(codes), dtype="object")
        elif col in _COUNTS:
            out[col] = pd.Series(codes[col].to_numpy(dtype="int64"))
        else:
            out[col] = pd.Series([None if pd.isna(v) else str(v) for v in codes[col]],
                                 dtype="object")
    return pd.DataFrame(out, columns=CODE_COLUMNS)


def _checked(raw: RawTable, where: str) -> pd.DataFrame:
    typed, problems = check_tables({"codes": raw})
    if problems:
        n = len(problems)
        raise StudyDataError(problems, f"codes {where} broke {n} rule{'s' if n != 1 else ''} "
                                       "of the data contract")
    return _working(typed["codes"])


def check_codes(frame: pd.DataFrame, *, where: str = "table") -> pd.DataFrame:
    """Check a codes table by the data contract and return it in working form.

    Parameters
    ----------
    frame : pandas.DataFrame
        The contract's codes columns, as read (text or numbers; categories in any case).
    where : str
        What the table is, for the error message (for example its file name).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~youthtransitions.study.contract.CODE_COLUMNS`; ``wave`` and ``level``
        int64, categories lower case, ``None`` where a value is missing.

    Raises
    ------
    StudyDataError
        Every broken rule, as :func:`~youthtransitions.study.validate_study` reports it for
        the codes table of a folder (table ``codes``, row 1-based in ``frame``'s order).
    """
    rows = frame.reset_index(drop=True)
    rows.columns = [str(c).strip() for c in rows.columns]
    rows.index = pd.RangeIndex(1, len(rows) + 1, name="row")
    return _checked(RawTable("codes", Path(where), rows), where)


def as_codes(obj: Any) -> pd.DataFrame:
    """Codes in working form from a DataFrame (checked), a :class:`CodeImport` or a Study.

    A study's codes and a :class:`CodeImport`'s were checked when they were read, so only a
    DataFrame is checked here.
    """
    if isinstance(obj, pd.DataFrame):
        return check_codes(obj)
    if isinstance(obj, CodeImport):
        return _working(obj.codes)
    if isinstance(obj, Study):
        if obj.codes is None:
            raise UsageError("the study has no codes table; add codes.parquet/.csv/.xlsx/.qdpx "
                             "to the study folder or pass codes read with read_codes()")
        return _working(obj.codes)
    raise UsageError(f"expected a codes DataFrame, a read_codes() result or a Study, "
                     f"got {type(obj).__name__}")


@dataclass
class CodeImport(TidyResult):
    """Codes read from a file, with what could not be mapped.

    Attributes
    ----------
    codes : pandas.DataFrame
        The contract's codes table, one row per coded segment and coder (working form, see
        :func:`check_codes`).
    unmapped : list of str
        Items of the file that could not be mapped to the contract (REFI-QDA projects).
    path : str
        The file read.
    case_variables : pandas.DataFrame
        Case variables of a REFI-QDA project (index youth_id); empty for other formats.
    """

    codes: pd.DataFrame
    unmapped: list[str] = field(default_factory=list)
    path: str = ""
    case_variables: pd.DataFrame = field(default_factory=pd.DataFrame)

    title = "Mechanism codes"

    def to_frame(self) -> pd.DataFrame:
        """Segments, youth and coders per mechanism and dimension (all pairs listed)."""
        rows = []
        for mech, dim in MECH_DIMS:
            sub = self.codes[(self.codes["mechanism"] == mech)
                             & (self.codes["dimension"] == dim)]
            rows.append({"mechanism": mech, "dimension": dim,
                         "segments": int(sub["segment_id"].nunique()), "codings": len(sub),
                         "youth": int(sub["youth_id"].nunique()),
                         "counterfactual": int((sub["instance"] == "counterfactual").sum()),
                         "mean_level": float(sub["level"].mean()) if len(sub) else float("nan")})
        return pd.DataFrame(rows)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: segments, codings and youth counted per mechanism and
        dimension (each row on its own: a segment may carry several dimensions), and the
        mean coded level."""
        return TableSpec({"mechanism": text(), "dimension": text(),
                          "segments": count("segment"), "codings": count("coding"),
                          "youth": count("youth"), "counterfactual": count("coding"),
                          "mean_level": estimate(rests_on="codings", digits=3)},
                         totals="none")

    def summary_dict(self) -> dict[str, Any]:
        """``{segments, youth, coders, by_mechanism, unmapped}`` as printed by ``yt codes``."""
        c = self.codes
        return {"segments": int(c["segment_id"].nunique()), "youth": int(c["youth_id"].nunique()),
                "coders": sorted(c["coder"].unique().tolist()),
                "by_mechanism": {m: int(c.loc[c["mechanism"] == m, "segment_id"].nunique())
                                 for m in MECHANISMS},
                "unmapped": list(self.unmapped)}

    def _summary_header(self) -> list[tuple[str, Any]]:
        s = self.summary_dict()
        return [("file", self.path), ("segments", s["segments"]), ("youth", s["youth"]),
                ("coders", ", ".join(s["coders"])),
                ("segments by mechanism", ", ".join(f"{m} {n}"
                                                    for m, n in s["by_mechanism"].items())),
                ("unmapped items", len(self.unmapped))]

    def summary(self) -> str:
        text = super().summary()
        if self.unmapped:
            text += "\n\nNot mapped:\n" + "\n".join(f"  - {u}" for u in self.unmapped)
        return text


def _read_sheet(path: Path, sheet: str | int) -> RawTable:
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object)
    except Exception as exc:  # openpyxl and pandas raise many types for a bad workbook
        raise StudyDataError(Problem(path.name, None, None, None, f"cannot be read: {exc}"),
                             f"cannot read codes from {path}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return RawTable("codes", path, frame)


def read_codes(path: str | Path, *, sheet: str | int = 0) -> CodeImport:
    """Read mechanism codes and check them against the data contract.

    Parameters
    ----------
    path : str or Path
        A table as a study folder may hold it (``.csv``, ``.parquet``, SPSS ``.sav``, Stata
        ``.dta``, Excel ``.xlsx``), a REFI-QDA project ``.qdpx`` or a bare QDA-XML ``.qde``.
    sheet : str or int, default 0
        Excel sheet to read.

    Returns
    -------
    CodeImport
        ``.codes`` (the contract's codes table), ``.unmapped`` (list of descriptions),
        ``.case_variables``; ``summary()`` and ``summary_dict()`` describe them.

    Raises
    ------
    UsageError
        The file does not exist or its format is not supported.
    StudyDataError
        The file is damaged, unsafe, or its codes break the contract (all problems listed,
        as :func:`~youthtransitions.study.validate_study` lists them for a folder).

    Notes
    -----
    Tables must have the contract's columns ``segment_id, youth_id, source, wave, coder,
    mechanism, dimension, level, instance`` and optionally ``actor, excerpt``. REFI-QDA
    projects are mapped as the data contract describes (see
    :func:`youthtransitions.study.refi_qda.read_qdpx`).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> codes = yt.read_codes(yt.SHIPPED_STUDY / "codes.parquet")
    >>> codes.summary_dict()["youth"]
    107
    """
    path = Path(path)
    kind = file_format(path, CODES_FILE_FORMATS, f"codes file {path.name!r}")
    if not path.is_file():
        raise UsageError(f"codes file {path} does not exist")
    if kind == "qdpx":
        from .refi_qda.read import parse_qdpx  # lazy: defusedxml is needed only here

        project = parse_qdpx(path)
        raw = project.codes.copy()
        raw.index = pd.RangeIndex(1, len(raw) + 1, name="row")
        return CodeImport(codes=_checked(RawTable("codes", path, raw), path.name),
                          unmapped=project.unmapped, path=str(path),
                          case_variables=project.case_variables)
    if kind == "xlsx" and sheet != 0:
        table = _read_sheet(path, sheet)
    else:
        table, problems = read_table_file("codes", path)
        if table is None or problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise StudyDataError(problems, f"cannot read codes from {path}: "
                                           f"{problems[0].rule}{more}")
    return CodeImport(codes=_checked(table, path.name), path=str(path))
