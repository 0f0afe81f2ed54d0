"""Importing a study from raw exports by a mapping: read, reshape, report, validate, write.

:func:`import_study` is the one entry (``yt import`` calls it). It writes nothing unless every
rule of the data contract holds, and then writes through the atomic study-folder writer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import Problem, StudyDataError
from ..coerce import normalise_label
from ..contract import CONTRACT, TABLES
from ..folder import check_target, write_study
from ..load import _plain_table, _with_msu, load_study
from ..readers import RawTable
from ..study import Study
from ..validate import check_tables
from .codebook import CodebookReport, read_project, shown
from .reshape import Shaped, shape_table
from .sources import Source, read_source
from .spec import Mapping, TableMap, read_mapping

__all__ = ["import_study", "ImportResult", "ImportReport", "TableReport", "DATE_DTYPE"]

#: dates of an imported study, as the shipped study holds them (SPSS gives microseconds,
#: Parquet what it was written with)
DATE_DTYPE = "datetime64[ms]"


@dataclass
class TableReport:
    """How one contract table was imported: from which file, which columns, what was done."""

    table: str
    file: str
    columns: dict[str, str]
    rows: int
    wide: str | None = None
    labelled: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    dated: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    """What an import mapped and what it left out.

    Attributes
    ----------
    mapping : str
        The mapping file.
    tables : dict of str to TableReport
        Per contract table imported.
    left_out : dict
        Raw file -> its columns no table uses.
    scales : dict
        Scale -> where its items were assigned (a scales sheet, or the mapping).
    msu : str
        ``"derived"`` (from the four services; the export has no msu) or ``"checked"``.
    codebook : CodebookReport or None
        The QDA project's codes, when codes come from one.
    """

    mapping: str
    tables: dict[str, TableReport] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)
    scales: dict[str, str] = field(default_factory=dict)
    msu: str = "derived"
    codebook: CodebookReport | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"mapping": self.mapping,
                "tables": {k: t.to_dict() for k, t in self.tables.items()},
                "left_out": self.left_out, "scales": self.scales, "msu": self.msu,
                "codebook": self.codebook.to_dict() if self.codebook else None}

    def lines(self, count: Callable[[int, str], Any] = lambda n, _: n) -> list[str]:
        """The report as text; ``count(n, table)`` shows a row count (e.g. through a gate)."""
        out = [f"import by {self.mapping}"]
        for name, t in self.tables.items():
            how = f", wide {t.wide!r}" if t.wide else ""
            out.append(f"  {name:<7}<- {t.file}{how}: {count(t.rows, name)} rows")
            plain = {c: r for c, r in t.columns.items() if CONTRACT[name].column(c)}
            items = [c for c in t.columns if c not in plain]
            if plain:
                out.append("           columns: " + ", ".join(
                    c if c == r else f"{c} <- {r}" for c, r in plain.items()))
            if items:
                out.append(f"           items: {len(items)} ({items[0]} <- "
                           f"{t.columns[items[0]]} ... {items[-1]} <- {t.columns[items[-1]]})")
            for label, cols in (("value labels", t.labelled), ("value maps", t.mapped),
                                ("dates parsed", t.dated)):
                if cols:
                    out.append(f"           {label}: {', '.join(cols)}")
            if name == "youth":
                out.append("           msu: " + ("derived from the four services (not in "
                                                 "the export)" if self.msu == "derived"
                                                 else "in the export; checked against the "
                                                 "four services"))
        for file, cols in self.left_out.items():
            if cols:
                out.append(f"  left out of {file}: {len(cols)} column(s): {shown(cols)}")
        sources = sorted(set(self.scales.values()))
        out.append(f"  scales: {len(self.scales)} ("
                   + "; ".join(f"{', '.join(s for s, w in self.scales.items() if w == src)} "
                               f"from {src}" for src in sources) + ")")
        if self.codebook is not None:
            out += _codebook_lines(self.codebook)
        return out


def _codebook_lines(cb: CodebookReport) -> list[str]:
    out = [f"  codebook of {cb.project}: {len(cb.mapped)} code(s) mapped, "
           f"{len(cb.by_layout)} read by their own path, {len(cb.ignored)} ignored, "
           f"{len(cb.left_out)} map to nothing"]
    out += [f"           {name!r} -> {what}" for name, what in cb.mapped.items()]
    for label, names in (("map to nothing (left out)", cb.left_out),
                         ("grouping codes (not mapped themselves)", cb.grouping),
                         ("ignored", cb.ignored),
                         ("[codebook] entries naming no code of the project", cb.unmatched)):
        if names:
            out.append(f"           {label}: {shown(names)}")
    if cb.notes:
        out.append(f"           reader notes: {len(cb.notes)}, e.g. {cb.notes[0]}")
    return out


@dataclass
class ImportResult:
    """An imported study, the report of the import, and the folder written (if any)."""

    study: Study
    report: ImportReport
    path: Path | None = None


@dataclass
class _Table:
    """One contract table being imported: its parts and where each came from."""

    name: str
    parts: list[tuple[Shaped, str]]  # (part, where it came from) in row order

    @property
    def frame(self) -> pd.DataFrame:
        return pd.concat([p.frame for p, _ in self.parts], ignore_index=True)

    def locate(self, problem: Problem) -> Problem:
        start = 0
        for part, where in self.parts:
            if problem.row is None or problem.row <= start + len(part.frame):
                row = None if problem.row is None else problem.row - start
                return part.locate(Problem(problem.table, row, problem.column, problem.value,
                                           problem.rule), where)
            start += len(part.frame)
        return problem


def _scales(spec: Mapping, sources: Callable[[TableMap], Source]) -> tuple[_Table, dict]:
    parts, where = [], {}
    if "scales" in spec.tables:
        tm = spec.tables["scales"]
        shaped = shape_table(tm, sources(tm), set(CONTRACT["scales"].names))
        parts.append((shaped, tm.file.name))
        where.update(dict.fromkeys(shaped.frame.get("scale", pd.Series(dtype=str))
                                   .dropna().astype(str), _rel(spec, tm.file)))
    for scale in spec.scales:
        rows = pd.DataFrame(scale.rows())
        parts.append((Shaped("scales", rows, np.arange(1, len(rows) + 1),
                             origin={(c, None): c for c in rows.columns}),
                      f"{spec.path.name} [scales.define.{scale.name}]"))
        where[scale.name] = spec.path.name
    return _Table("scales", parts), where


def _declared(scales: pd.DataFrame) -> dict[str, set[str]]:
    items: dict[str, set[str]] = {"waves": set(), "pmk": set()}
    for table, item in zip(scales.get("table", []), scales.get("item", []), strict=True):
        if pd.notna(table) and pd.notna(item):
            items.setdefault(normalise_label(table), set()).add(str(item).strip())
    return items


def _rel(spec: Mapping, file: Path) -> str:
    try:
        return file.relative_to(spec.path.parent).as_posix()
    except ValueError:
        return str(file)


def _raw(name: str, table: _Table, spec: Mapping) -> RawTable:
    frame = table.frame
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    file = spec.tables[name].file if name in spec.tables else spec.path
    return RawTable(name, file, frame)


def import_study(mapping: str | os.PathLike | Mapping, out: str | os.PathLike | None = None,
                 *, force: bool = False) -> ImportResult:
    """Import a study from raw exports by a mapping file, validate it, and write it.

    Parameters
    ----------
    mapping : path or Mapping
        The mapping (TOML; format in ``docs/data-contract.md``, "Importing raw exports").
        Raw file paths in it are relative to the mapping file.
    out : path, optional
        Study folder to write (missing, empty, or holding a study). Without it nothing is
        written and the validated study is returned in memory.
    force : bool, keyword-only
        Write into a non-empty folder that holds no study.

    Returns
    -------
    ImportResult
        ``study`` (as :func:`~youthtransitions.load_study` reads it back when written),
        ``report`` (what was mapped and what was left out), ``path``.

    Raises
    ------
    UsageError
        A bad mapping (naming the TOML key), an unreadable raw file, a QDA codebook that
        matches nothing, or an output folder that cannot be written.
    StudyDataError
        The imported tables break rules of the data contract; each problem names the table
        and raw file, the raw file's row and column, the value and the rule. Nothing is
        written.

    Notes
    -----
    Order of work: the scales (a sheet's rows, then ``[scales.define]``) declare the items
    of waves and pmk; each table is built from its file (:func:`.reshape.shape_table`);
    codes from a REFI-QDA project are read through ``[codebook]``
    (:func:`.codebook.read_project`); every table is then validated as a study folder is
    (:func:`~youthtransitions.study.validate.check_tables`); ``msu``, when the export has
    none, is derived from the four services (:func:`~youthtransitions.study.derive_msu`).
    The study is written with :func:`~youthtransitions.study.folder.write_study` (atomic:
    whole or not at all), marked synthetic only when the mapping says ``synthetic = true``.
    """
    spec = mapping if isinstance(mapping, Mapping) else read_mapping(mapping)
    if out is not None:
        check_target(out, force=force)
    cache: dict[tuple[Path, str | int], Source] = {}

    def source(tm: TableMap) -> Source:
        key = (tm.file, tm.sheet)
        if key not in cache:
            cache[key] = read_source(tm.file, tm.sheet)
        return cache[key]

    report = ImportReport(mapping=spec.path.name)
    scales, report.scales = _scales(spec, source)
    tables: dict[str, _Table] = {"scales": scales}
    items = _declared(scales.frame)
    for name in ("youth", "waves", "pmk", "codes"):
        tm = spec.tables.get(name)
        if tm is None:
            continue
        if tm.format == "qdpx":
            codes, report.codebook = read_project(tm.file, spec.codebook)
            shaped = Shaped("codes", codes, np.arange(1, len(codes) + 1))
        else:
            shaped = shape_table(tm, source(tm), set(CONTRACT[name].names) | items.get(name,
                                                                                        set()))
        tables[name] = _Table(name, [(shaped, tm.file.name)])
        report.tables[name] = TableReport(name, _rel(spec, tm.file), shaped.columns,
                                          len(shaped.frame), tm.wide.text if tm.wide else None,
                                          shaped.labelled, shaped.mapped, shaped.dated)
    for (file, _), src in cache.items():
        used = {raw for t in tables.values() for part, _ in t.parts
                if spec.tables.get(t.name) and spec.tables[t.name].file == file
                for raw in part.origin.values()}
        report.left_out[_rel(spec, file)] = [c for c in src.frame.columns if c not in used]
    report.tables = {n: report.tables[n] for n in TABLES if n in report.tables}
    report.msu = "checked" if "msu" in tables["youth"].frame.columns else "derived"
    raw = {name: _raw(name, t, spec) for name, t in tables.items()}
    typed, problems = check_tables(raw)
    if problems:
        located = [tables[p.table].locate(p) if p.table in tables else p for p in problems]
        n = problems.total
        raise StudyDataError(located, f"import by {spec.path.name} broke {n} rule"
                             f"{'s' if n != 1 else ''} of the data contract; nothing was "
                             "written", total=n)
    for name, frame in typed.items():  # one date unit whatever the raw format gave
        for col in CONTRACT[name].columns:
            if col.kind == "date" and col.name in frame:
                frame[col.name] = frame[col.name].astype(DATE_DTYPE)
    study = Study(youth=_with_msu(_plain_table(typed["youth"])),
                  waves=_plain_table(typed["waves"]), scales=_plain_table(typed["scales"]),
                  pmk=_plain_table(typed.get("pmk")), codes=_plain_table(typed.get("codes")),
                  synthetic=spec.synthetic,
                  metadata={"description": spec.description, "import": report.to_dict()})
    if out is None:
        return ImportResult(study, report)
    path = write_study(study, out, force=force, description=spec.description)
    loaded = load_study(path)
    loaded.metadata["import"] = report.to_dict()
    return ImportResult(loaded, report, Path(path))
