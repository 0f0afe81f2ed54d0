"""Read mechanism codes from CSV, Parquet, Excel or a REFI-QDA project."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._tidy import TidyResult
from ..errors import Problem, StudyDataError, UsageError
from ..study.qdpx import MECHANISMS, parse_qdpx
from ..study.readers import read_table_file
from ._codes import MECH_DIMS, check_codes

__all__ = ["CodeImport", "read_codes"]

_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel",
            ".qdpx": "qdpx", ".qde": "qdpx"}


@dataclass
class CodeImport(TidyResult):
    """Codes read from a file, with what could not be mapped.

    Attributes
    ----------
    codes : pandas.DataFrame
        The contract's codes table, one row per coded segment and coder.
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


def read_codes(path: str | Path, *, sheet: str | int = 0) -> CodeImport:
    """Read mechanism codes and check them against the data contract.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.parquet``, ``.xlsx`` (Excel), ``.qdpx`` (REFI-QDA project) or ``.qde``
        (bare QDA-XML).
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
        The file is damaged, unsafe, or its codes break the contract (all problems listed).

    Notes
    -----
    Tables must have the contract's columns ``segment_id, youth_id, source, wave, coder,
    mechanism, dimension, level, instance`` and optionally ``actor, excerpt``. REFI-QDA
    projects are mapped as the data contract describes (see
    :func:`youthtransitions.study.qdpx.read_qdpx`).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> codes = yt.read_codes(yt.SHIPPED_STUDY / "codes.parquet")
    >>> codes.summary_dict()["youth"]
    107
    """
    path = Path(path)
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"cannot read codes from {path.name}: use .csv, .parquet, .xlsx, "
                         ".qdpx or .qde")
    if not path.is_file():
        raise UsageError(f"codes file {path} does not exist")
    if kind == "qdpx":
        project = parse_qdpx(path)
        codes = check_codes(project.codes, table=path.name) if len(project.codes) else \
            project.codes
        return CodeImport(codes=codes, unmapped=project.unmapped, path=str(path),
                          case_variables=project.case_variables)
    if kind == "excel" and sheet != 0:
        try:
            raw = pd.read_excel(path, sheet_name=sheet, dtype=object)
        except (ValueError, OSError, ImportError, KeyError, zipfile.BadZipFile) as exc:
            raise StudyDataError(Problem(path.name, None, None, None, f"cannot be read: {exc}"),
                                 f"cannot read codes from {path}: {exc}") from exc
    else:
        table, problems = read_table_file("codes", path)
        if table is None or problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise StudyDataError(problems, f"cannot read codes from {path}: "
                                           f"{problems[0].rule}{more}")
        raw = table.frame.reset_index(drop=True)
    return CodeImport(codes=check_codes(raw, table=path.name), path=str(path))
