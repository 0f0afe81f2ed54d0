"""Reading one table file of a study: Parquet, CSV, SPSS ``.sav``, Stata ``.dta`` (and for
codes Excel ``.xlsx`` or a REFI-QDA project ``.qdpx``); the folder is read in :mod:`.folder`.

A reader returns the
table with its raw values and the original row numbers (1-based, header excluded) as the index
named ``row``, so validation can point at the row as the user sees it in the file. Every
failure becomes a :class:`~youthtransitions.errors.Problem` naming the file and what is wrong;
nothing here raises on bad data.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, StudyDataError, UsageError
from .contract import CONTRACT
from .formats import FILE_FORMATS

__all__ = ["RawTable", "read_table_file", "read_json_object", "read_json_file", "METADATA_KEY"]

#: Parquet schema metadata key carrying ``{"synthetic": true, ...}``
METADATA_KEY = b"youthtransitions"
_LABELLED_KINDS = {"bool", "category", "id", "name", "text"}


@dataclass
class RawTable:
    """One table as read from its file, before coercion to contract dtypes.

    Attributes
    ----------
    name : str
        Contract table name.
    path : pathlib.Path
        The file it came from.
    frame : pandas.DataFrame
        Raw values; index ``row`` holds the 1-based file row (header excluded).
    marker : dict or None
        The ``youthtransitions`` Parquet metadata (e.g. ``{"synthetic": true}``), if any.
    notes : list of str
        Things read but not mapped (for example unmapped REFI-QDA codes).
    """

    name: str
    path: Path
    frame: pd.DataFrame
    marker: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _number_rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def _file_problem(table: str, path: Path, rule: str) -> Problem:
    return Problem(table, None, None, path.name, rule)


def _apply_labels(table: str, frame: pd.DataFrame, labels: dict[str, dict]) -> pd.DataFrame:
    """Replace SPSS/Stata value codes by their labels in contract text-like columns."""
    spec = CONTRACT[table]
    for name, mapping in labels.items():
        col = spec.column(name)
        if col is None or col.kind not in _LABELLED_KINDS or name not in frame:
            continue
        frame[name] = frame[name].map(lambda v, m=mapping: m.get(v, v) if pd.notna(v) else v)
    return frame


def _read_csv(table: str, path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        return None, [_file_problem(table, path, "binary content: not a comma-separated text "
                                    "file")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_file_problem(table, path, f"not UTF-8 text (byte {exc.start})")]
    if not text.strip():
        return None, [_file_problem(table, path, "file is empty (no header row)")]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = [h.strip() for h in next(reader)]
        rows, numbers, problems = [], [], []
        for line, record in enumerate(reader, start=2):  # spreadsheet row; header is 1
            if not record or all(not cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                problems.append(Problem(table, line - 1, None, None,
                                        f"row has {len(record)} cells but the header has "
                                        f"{len(header)} (file {path.name})"))
                continue
            rows.append([cell.strip() or None for cell in record])
            numbers.append(line - 1)
    except csv.Error as exc:
        return None, [_file_problem(table, path, f"cannot be parsed as CSV: {exc}")]
    if len(header) == 1 and len(CONTRACT[table].columns) > 1:
        for sep, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if sep in header[0]:
                return None, [_file_problem(
                    table, path, f"only one column read: the file looks {label}-separated "
                    f"({sep!r}); the contract's CSV uses commas")]
        return None, [_file_problem(table, path, "only one column read: expected "
                                    "comma-separated columns " + ", ".join(CONTRACT[table].names))]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        return None, [_file_problem(table, path, f"repeated column names: {', '.join(dup)}")]
    frame = pd.DataFrame(rows, columns=header, dtype=object,
                         index=pd.Index(numbers, dtype="int64", name="row"))
    return frame, problems


def _read_parquet(table: str, path: Path
                  ) -> tuple[pd.DataFrame | None, list[Problem], dict | None]:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [_file_problem(table, path, "not a readable Parquet file (truncated or "
                                    f"corrupt): {msg}")], None
    marker = None
    meta = arrow.schema.metadata or {}
    if METADATA_KEY in meta:
        marker, problems = read_json_object(meta[METADATA_KEY], table, value=path.name,
                                            what="Parquet metadata 'youthtransitions'")
        if problems:
            return None, problems, None
    frame = arrow.to_pandas()
    return frame, [], marker


def _read_stat(table: str, path: Path, kind: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    try:
        # user-defined missing values (SPSS) and extended missing (Stata) become NaN
        frame, meta = reader(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        label = "SPSS" if kind == "sav" else "Stata"
        return None, [_file_problem(table, path, f"not a readable {label} file: {exc}")]
    frame = _apply_labels(table, frame, meta.variable_value_labels or {})
    return frame, []


def _read_xlsx(table: str, path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object)
    except Exception as exc:
        return None, [_file_problem(table, path, f"not a readable Excel workbook: {exc}")]
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, []


def read_table_file(table: str, path: str | Path) -> tuple[RawTable | None, list[Problem]]:
    """Read one table file; return it (or ``None``) and the problems met.

    Parameters
    ----------
    table : str
        Contract table name.
    path : path-like
        ``NAME.parquet``, ``.csv``, ``.sav``, ``.dta`` (and for codes ``.xlsx``, ``.qdpx``).
    """
    path = Path(path)
    kind = FILE_FORMATS.get(path.suffix.lower())
    if path.stat().st_size == 0:
        return None, [_file_problem(table, path, "file is empty (0 bytes)")]
    marker = None
    notes: list[str] = []
    if kind == "csv":
        frame, problems = _read_csv(table, path)
    elif kind == "parquet":
        frame, problems, marker = _read_parquet(table, path)
    elif kind in ("sav", "dta"):
        frame, problems = _read_stat(table, path, kind)
    elif kind == "xlsx":
        frame, problems = _read_xlsx(table, path)
    elif kind == "qdpx":
        from .refi_qda.read import read_qdpx  # lazy: defusedxml is needed only for .qdpx

        try:
            frame, unmapped = read_qdpx(path)
        except StudyDataError as exc:  # every refusal of a hostile or broken project
            return None, list(exc.problems) or [_file_problem(table, path, str(exc))]
        except UsageError as exc:
            return None, [_file_problem(table, path, str(exc))]
        except OSError as exc:
            return None, [_file_problem(table, path, f"not a readable REFI-QDA project: {exc}")]
        problems = []
        notes = [str(u) for u in unmapped]
    else:  # pragma: no cover - callers pass only files of the formats above
        raise UsageError(f"unknown table format {path.suffix!r}")
    if frame is None:
        return None, problems
    frame.columns = [str(c) for c in frame.columns]
    if kind != "csv":  # CSV rows carry their file row numbers already
        frame = _number_rows(frame)
    return RawTable(table, path, frame, marker, notes), problems


def read_json_object(data: bytes | str, table: str, *, value: Any = None,
                     what: str = "") -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse ``data`` as a JSON object; else return ``None`` and the problem saying why.

    Parameters
    ----------
    data : bytes or str
        The JSON text (bytes are decoded as UTF-8).
    table, value : str
        ``Problem.table`` and ``Problem.value`` of a problem found.
    what : str
        What the text is, to start the rule with (e.g. ``"Parquet metadata 'x'"``); by
        default the rule names no holder (the problem's table names the file).
    """
    lead = f"{what} is " if what else ""
    holder = what or "the file"
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        parsed = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        return None, [Problem(table, None, None, value, f"{lead}not valid JSON: {exc}")]
    if not isinstance(parsed, dict):
        return None, [Problem(table, None, None, value, f"{holder} must hold a JSON object, "
                              f"not a JSON {type(parsed).__name__}")]
    return parsed, []


def read_json_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """``path`` (``study.json``, ``truth.json``) as a JSON object; ``None`` when absent."""
    if not path.is_file():
        return None, []
    return read_json_object(path.read_bytes(), path.name)


