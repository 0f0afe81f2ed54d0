"""The gate: one object per run through which every published number, figure and word passes.

``Gate(fingerprint, synthetic, rules)`` decides once whether the output rules apply (on unless
the data are marked synthetic; ``rules=False`` is ``--no-output-rules``), and every artefact
then goes through it: :meth:`Gate.table`, :meth:`Gate.json`, :meth:`Gate.figure_data`,
:meth:`Gate.value` and :meth:`Gate.note`. Each table, object and figure is recorded in
:attr:`Gate.log` (``disclosure.json``, the report's output-checking section), also when the
rules are off, and carries the sentence saying which rules applied (:attr:`Gate.note_text`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._options import check_count
from ...errors import UsageError
from ..output_rules import SUPPRESSED, output_rules_note, resolve_output_rules
from .engine import SUPPRESSED_FLAG, gate_frame
from .figures import check_mark_spec, marks_below
from .kinds import COUNT_KINDS, Column, Kind, TableSpec
from .log import ArtefactRecord, DisclosureLog
from .nested import gate_object
from .rounding import CellKeyRounder
from .secret import load_secret
from .text import WITHHELD_TEXT, Published, compose

__all__ = ["Gate", "GatedTable"]

#: default excerpt length cap (characters)
EXCERPT_CAP = 280
#: default threshold of units a model must rest on
MIN_UNITS = 10


@dataclass
class GatedTable:
    """A table as published, with what the gate did to it.

    Attributes
    ----------
    frame : pandas.DataFrame
        The published values: the input's columns in order, suppressed and withheld cells
        missing, counts as nullable integers.
    flags : pandas.DataFrame
        Same shape: ``"S"`` suppressed, ``"W"`` withheld, ``""`` published.
    spec : TableSpec
    record : ArtefactRecord
        The log entry of the artefact.
    note : str
        The sentence saying which output rules applied (print it under the table).
    """

    frame: pd.DataFrame
    flags: pd.DataFrame
    spec: TableSpec
    record: ArtefactRecord
    note: str

    def marked(self) -> pd.DataFrame:
        """The frame for display: ``S`` and ``withheld`` written into flagged cells."""
        out = self.frame.astype(object).copy()
        for c in out.columns:
            flags = self.flags[c]
            out.loc[flags == SUPPRESSED_FLAG, c] = SUPPRESSED
            out.loc[(flags != "") & (flags != SUPPRESSED_FLAG), c] = WITHHELD_TEXT
        return out

    def apa_frame(self) -> pd.DataFrame:
        """The frame with a boolean ``<column>_suppressed`` or ``<column>_withheld`` beside
        every column holding flagged cells: the layout
        :func:`~youthtransitions.report.tables.apa_table` shows as ``S`` and ``withheld``.
        Excerpts replaced by their code and segment id are shown as replaced."""
        out = self.frame.copy()
        excerpts = set(self.spec.of_kind("excerpt"))
        for c in self.frame.columns:
            if c in excerpts:
                continue
            flags = self.flags[c]
            if (flags == SUPPRESSED_FLAG).any():
                out[f"{c}_suppressed"] = (flags == SUPPRESSED_FLAG).to_numpy()
            withheld = (flags != "") & (flags != SUPPRESSED_FLAG)
            if withheld.any():
                out[f"{c}_withheld"] = withheld.to_numpy()
        return out

    def value(self, column: str, row: int = 0) -> Published:
        """One published cell, ready for :meth:`Gate.note` (``row`` is a position)."""
        col = self.spec.columns[column]
        return Published(self.frame[column].iloc[row], col.kind, self.flags[column].iloc[row])


class Gate:
    """The disclosure gate of one run.

    Parameters
    ----------
    study_fingerprint : str
        Hash of the study's table files (the rounding key's study part).
    synthetic : bool
        Whether the data are marked synthetic.
    rules : bool or None, default None
        ``None``: rules on unless synthetic; ``False``: ``--no-output-rules``; ``True``:
        ``--output-rules``.
    publish_excerpts : bool, default False
        The per-run opt-in to publish verbatim excerpts of real data (consent-cleared quotes).
    secret : bytes or path, optional
        The rounding secret or its file; default the user's secret
        (:func:`~youthtransitions.report.gate.secret.load_secret`), read on first use.
    study_folder : path, optional
        The study's folder; a secret file inside it is refused.
    base, threshold : int, default 3 and 6
        Rounding base; counts from 1 to ``threshold - 1`` are suppressed.
    min_units : int, default 10
        A model (row) resting on fewer units, or fewer residual degrees of freedom, is withheld.
    excerpt_cap : int, default 280
        Longest excerpt published (characters), in every mode.
    """

    def __init__(self, study_fingerprint: str, synthetic: bool, rules: bool | None = None, *,
                 publish_excerpts: bool = False, secret: bytes | str | os.PathLike | None = None,
                 study_folder: str | os.PathLike | None = None, base: int = 3,
                 threshold: int = 6, min_units: int = MIN_UNITS,
                 excerpt_cap: int = EXCERPT_CAP):
        if not isinstance(study_fingerprint, str) or not study_fingerprint:
            raise UsageError("the gate needs the study's content fingerprint (a non-empty string)")
        self.fingerprint = study_fingerprint
        self.synthetic = bool(synthetic)
        self.applied = resolve_output_rules(self.synthetic, rules)
        self.publish_excerpts = bool(publish_excerpts)
        self.base = check_count("base", base, minimum=2)
        self.threshold = check_count("threshold", threshold, minimum=1)
        self.min_units = check_count("min_units", min_units, minimum=1)
        self.excerpt_cap = check_count("excerpt_cap", excerpt_cap, minimum=1)
        self._secret_source = secret
        self._study_folder = study_folder
        self._rounder: CellKeyRounder | None = None
        if self.applied:
            self.mode = "applied"
        elif self.synthetic:
            self.mode = "synthetic"
        else:
            self.mode = "turned off"
        self.log = DisclosureLog({"applied": self.applied, "mode": self.mode,
                                  "base": self.base, "threshold": self.threshold,
                                  "min_units": self.min_units,
                                  "publish_excerpts": self.publish_excerpts,
                                  "excerpt_cap": self.excerpt_cap, "note": self.note_text})

    def __repr__(self) -> str:
        return f"Gate(mode={self.mode!r}, base={self.base}, threshold={self.threshold})"

    @property
    def note_text(self) -> str:
        """The sentence every artefact carries: which output rules applied."""
        if self.applied:
            return (output_rules_note(True, base=self.base, threshold=self.threshold)
                    + " The same count is rounded to the same value in every output; shares "
                    f"are computed from the rounded counts; models resting on fewer than "
                    f"{self.min_units} units are withheld.")
        if self.synthetic:
            return output_rules_note(False, synthetic=True)
        return ("Output rules turned off (--no-output-rules) on data not marked synthetic: "
                "counts are exact and may identify people; not for release.")

    @property
    def rounder(self) -> CellKeyRounder:
        """The consistent rounding of this study (reads the secret on first use)."""
        if self._rounder is None:
            src = self._secret_source
            secret = src if isinstance(src, bytes) else load_secret(
                src, study_folder=self._study_folder)
            self._rounder = CellKeyRounder(secret, self.fingerprint, base=self.base,
                                           threshold=self.threshold)
        return self._rounder

    def _record(self, name: str, type_: str, files: Iterable[str]) -> ArtefactRecord:
        if not isinstance(name, str) or not name:
            raise UsageError("every gated artefact needs a name")
        record = ArtefactRecord(name=name, type=type_, rules_applied=self.applied,
                                note=self.note_text, files=[str(f) for f in files],
                                status="pass" if self.applied or self.synthetic else "review")
        if not self.applied and not self.synthetic:
            record.comments.append("output rules turned off explicitly on data not marked "
                                   "synthetic")
        return record

    def artefact(self, name: str, type_: str, *, files: Iterable[str] = (),
                 comments: Iterable[str] = ()) -> ArtefactRecord:
        """Log an artefact that holds no values of its own to gate (a report assembled from
        gated tables, the run manifest, this log) so the log lists every file published."""
        record = self._record(name, type_, files)
        record.comments.extend(str(c) for c in comments)
        return self.log.add(record)

    def _frame(self, frame: pd.DataFrame, spec: TableSpec, name: str,
               record: ArtefactRecord) -> tuple[pd.DataFrame, pd.DataFrame]:
        if not isinstance(spec, TableSpec):
            raise UsageError(f"table {name!r}: the spec must be a TableSpec")
        if self.applied and self.publish_excerpts and spec.of_kind("excerpt"):
            record.status = "review"
            note = "verbatim excerpts published under --publish-excerpts: check consent"
            if note not in record.comments:
                record.comments.append(note)
        return gate_frame(frame, spec, name=name, record=record,
                          rounder=self.rounder if self.applied else None,
                          min_units=spec.min_units or self.min_units,
                          publish_excerpts=self.publish_excerpts or not self.applied,
                          excerpt_cap=self.excerpt_cap)

    def table(self, frame: pd.DataFrame, spec: TableSpec, *, name: str,
              files: Iterable[str] = ()) -> GatedTable:
        """Gate a tidy table and log it as artefact ``name`` (``files`` it is written to)."""
        record = self._record(name, "table", files)
        published, flags = self._frame(frame, spec, name, record)
        record.declare(spec, frame.columns)
        self.log.add(record)
        return GatedTable(published, flags, spec, record, self.note_text)

    def json(self, obj: dict, spec: TableSpec, *, name: str, files: Iterable[str] = (),
             settings: bool = True) -> dict:
        """Gate a JSON-ready object whose leaves ``spec`` declares by dotted path; design
        parameters move under ``settings`` (unless ``settings=False``)."""
        record = self._record(name, "json", files)

        def gate_table(frame, sub):
            return self._frame(frame, sub, name, record)[0]

        out = gate_object(obj, spec, name=name, gate_table=gate_table, settings=settings)
        record.declare(spec)
        self.log.add(record)
        return out

    def figure_data(self, frame: pd.DataFrame, spec: TableSpec, *, name: str,
                    mark_size: str | None = None, files: Iterable[str] = ()) -> GatedTable:
        """The gated data a figure may be drawn from.

        On real data every mark must stand for at least ``threshold`` people: identifier
        columns (one mark per person) are refused, ``mark_size`` names the count behind each
        mark, and rows whose mark is suppressed or too small are dropped (logged as withheld).
        With the rules off the frame passes unchanged (individual lines are allowed).
        """
        record = self._record(name, "figure", files)
        if self.applied:
            check_mark_spec(spec, frame, mark_size, name)
        published, flags = self._frame(frame, spec, name, record)
        record.declare(spec, frame.columns)
        if self.applied:
            drop = marks_below(published[mark_size], self.threshold) | (flags[mark_size] != "")
            for pos in np.flatnonzero(drop):
                record.withhold(int(pos), mark_size, f"mark stands for fewer than "
                                f"{self.threshold} people")
            if drop.any():
                record.add_rule(f"marks standing for fewer than {self.threshold} people dropped")
            published, flags = published[~drop], flags[~drop]
        self.log.add(record)
        return GatedTable(published, flags, spec, record, self.note_text)

    def value(self, x: Any, kind: Kind, *, unit: str | None = None,
              numerator: int | None = None, denominator: int | None = None,
              of: int | Sequence[tuple[int, str, int]] | None = None,
              digits: int | None = None) -> Published:
        """One number as published, for notes and console output (not logged on its own).

        ``count``/``denominator``/``model_size`` need ``unit``; ``share``/``mean_indicator``
        take the exact ``numerator`` (optional for a mean indicator) and ``denominator`` counts
        of ``unit``; ``df`` takes ``of``, the exact count (of ``unit``) it is an offset from,
        or ``[(count, unit, sign), ...]``; ``estimate`` may take ``digits``.
        """
        record = ArtefactRecord(name="value", type="value", rules_applied=self.applied, note="")
        columns: dict[str, Column] = {}
        data: dict[str, list] = {"value": [x]}
        if kind in ("share", "mean_indicator"):
            if denominator is None or not unit:
                raise UsageError(f"a {kind} value needs its denominator count and unit")
            columns["den"] = Column("denominator", unit=unit)
            data["den"] = [denominator]
            if numerator is not None:
                columns["num"] = Column("count", unit=unit)
                data["num"] = [numerator]
            elif x is None:
                raise UsageError(f"a {kind} value needs its numerator or the share itself")
            columns["value"] = Column(kind, unit=unit, denominator="den",
                                      numerator="num" if numerator is not None else None)
            if x is None:
                data["value"] = [float("nan")]
        elif kind == "df":
            terms = [(of, unit, 1)] if not isinstance(of, Sequence) else list(of)
            if of is None or any(not u for _, u, _ in terms):
                raise UsageError("a df value needs the count it is an offset from (of=) and "
                                 "its unit")
            for i, (n, u, _) in enumerate(terms):
                columns[f"base{i}"] = Column("model_size", unit=u)
                data[f"base{i}"] = [n]
            columns["value"] = Column("df", offset_of=tuple(
                (f"base{i}", int(s)) for i, (_, _, s) in enumerate(terms)))
        else:
            columns["value"] = Column(kind, unit=unit, digits=digits)
        spec = TableSpec(columns, totals="none")
        published, flags = self._frame(pd.DataFrame(data), spec, "value", record)
        flag = flags["value"].iloc[0]
        value = published["value"].iloc[0]
        if kind in COUNT_KINDS or kind == "df":
            value = None if pd.isna(value) else int(value)
        return Published(None if flag else value, kind, flag)

    def note(self, template: str, **values: Any) -> str:
        """A caption or note composed from gated values only
        (:func:`~youthtransitions.report.gate.text.compose`)."""
        return compose(template, **values)
