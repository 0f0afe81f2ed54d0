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

import numpy as np
import pandas as pd

from ..errors import Problem, StudyDataError, UsageError
from .contract import CONTRACT
from .formats import FILE_FORMATS, NESTED_RULE, nested_columns
from .problems import PER_RULE, ProblemList

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


_RAGGED = "row has a different number of cells than the header"


def _read_csv(table: str, path: Path, limit: int | None
              ) -> tuple[pd.DataFrame | None, list[Problem]]:
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
        header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline=""),
                                                     strict=True))]
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
    frame = _csv_columns(data.removeprefix(b"\xef\xbb\xbf"), header)
    if frame is not None:
        return frame, []
    return _csv_records(table, path, text, header, limit)


def _csv_columns(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """The body of a regular CSV file read column-wise (Arrow); ``None`` if irregular.

    A file whose every record has as many cells as the header is read here, cells as text
    with spaces trimmed and empty cells missing; any other file (ragged rows, unbalanced
    quotes) returns ``None`` and is read record by record to say which rows are wrong.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(header))]
    try:
        body = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=0),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    body = body.slice(1)  # the header record
    columns = {}
    blank = np.ones(body.num_rows, dtype=bool)
    for name, col in zip(header, body.columns, strict=True):
        col = pc.utf8_trim_whitespace(col)
        empty = pc.fill_null(pc.equal(col, ""), True)
        blank &= empty.to_numpy(zero_copy_only=False)
        columns[name] = pc.if_else(empty, pa.scalar(None, pa.string()), col)
    rows = np.arange(1, body.num_rows + 1)[~blank]  # blank records count, then go
    frame = pd.DataFrame({name: col.to_pandas() for name, col in columns.items()},
                         columns=header)
    frame = frame[~blank]
    frame.index = pd.Index(rows, dtype="int64", name="row")
    return frame


def _csv_records(table: str, path: Path, text: str, header: list[str], limit: int | None
                 ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """An irregular CSV file read record by record, each ragged row a problem."""
    problems = ProblemList(limit=limit)
    rows, numbers = [], []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        next(reader)
        for line, record in enumerate(reader, start=2):  # spreadsheet row; header is 1
            if not record or not "".join(record).strip():
                continue  # blank line
            if len(record) != len(header):
                problems.add(Problem(table, line - 1, None, None,
                                     f"row has {len(record)} cells but the header has "
                                     f"{len(header)} (file {path.name})"), _RAGGED)
                continue
            rows.append([cell.strip() or None for cell in record])
            numbers.append(line - 1)
    except csv.Error as exc:
        return None, [_file_problem(table, path, f"cannot be parsed as CSV: {exc}")]
    frame = pd.DataFrame(rows, columns=header, dtype=object,
                         index=pd.Index(numbers, dtype="int64", name="row"))
    return frame, problems


def _read_parquet(table: str, path: Path
                  ) -> tuple[pd.DataFrame | None, list[Problem], dict | None]:
    import pyarrow.parquet as pq

    try:
        nested = [Problem(table, None, name, None, f"{NESTED_RULE} (Parquet type {kind} in "
                          f"file {path.name})") for name, kind in nested_columns(path)]
        if nested:
            return None, nested, None
        arrow = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [_file_problem(table, path, "not a readable Parquet file (truncated or "
                                    f"corrupt): {msg[:200]}")], None
    marker = None
    meta = arrow.schema.metadata or {}
    if METADATA_KEY in meta:
        marker, problems = read_json_object(meta[METADATA_KEY], table, value=path.name,
                                            what="Parquet metadata 'youthtransitions'")
        if problems:
            return None, problems, None
    try:
        frame = arrow.to_pandas()
    except Exception as exc:  # values pandas cannot hold (e.g. dates out of range)
        return None, [_file_problem(table, path, "Parquet values cannot be read: "
                                    f"{str(exc)[:200]}")], None
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


def read_table_file(table: str, path: str | Path, *, limit: int | None = PER_RULE
                    ) -> tuple[RawTable | None, list[Problem]]:
    """Read one table file; return it (or ``None``) and the problems met.

    Parameters
    ----------
    table : str
        Contract table name.
    path : path-like
        ``NAME.parquet``, ``.csv``, ``.sav``, ``.dta`` (and for codes ``.xlsx``, ``.qdpx``).
    limit : int or None, keyword-only
        Problems listed per rule (ragged CSV rows); the rest are counted.
    """
    path = Path(path)
    try:
        return _read_table_file(table, path, limit)
    except OSError as exc:  # permissions, a folder named like a table, a vanished file
        return None, [_file_problem(table, path, f"cannot be read: {_os_reason(exc)}")]


def _os_reason(exc: OSError) -> str:
    """Why a file could not be read, without its path (the problem names the file)."""
    return (exc.strerror or type(exc).__name__).lower()


def _read_table_file(table: str, path: Path, limit: int | None
                     ) -> tuple[RawTable | None, list[Problem]]:
    kind = FILE_FORMATS.get(path.suffix.lower())
    with open(path, "rb") as probe:  # unreadable files fail here, before any reader
        if not probe.read(1):
            return None, [_file_problem(table, path, "file is empty (0 bytes)")]
    marker = None
    notes: list[str] = []
    if kind == "csv":
        frame, problems = _read_csv(table, path, limit)
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, None, None, None, f"cannot be read: "
                              f"{_os_reason(exc)}")]
    return read_json_object(data, path.name)


