"""The output-checking log: what a data-lab checker needs to sign a release off.

One :class:`ArtefactRecord` per published artefact (table, JSON object, figure, note): its
files, the rules applied, the cells suppressed or withheld and why. The layout follows the
``results.json`` of SACRO's ACRO checker (``uid``, ``status``, ``type``, ``properties``,
``files``, ``sdc`` with a ``summary`` of counts per check and the ``cells`` each check hit,
``summary``, ``comments``, ``exception``), without timestamps so that reruns write the same
bytes. The log itself is released with the outputs, so it states no exact value and does not
say which suppressed cells were small and which protect them.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..._tidy import to_jsonable
from ..._version import __version__

__all__ = ["ArtefactRecord", "DisclosureLog", "Status"]

Status = Literal["pass", "review", "fail"]


@dataclass
class ArtefactRecord:
    """What the gate did to one published artefact.

    ``suppressed`` and ``withheld`` list cells as ``[row, column]`` (row position, column
    name); ``reasons`` maps each reason to how many cells it withheld.
    """

    name: str
    type: str
    rules_applied: bool
    note: str
    files: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    suppressed: list[list[Any]] = field(default_factory=list)
    withheld: list[list[Any]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    status: Status = "pass"
    comments: list[str] = field(default_factory=list)
    #: the declared kind of each published column (what a checker needs to read the table)
    columns: dict[str, str] = field(default_factory=dict)
    #: the analysis step that published it (None outside ``yt replicate``)
    step: str | None = None

    def declare(self, spec: Any, names: Any = None, prefix: str = "") -> None:
        """Record the declared kind of each of ``names`` (default: every column of ``spec``;
        a nested table's columns as ``<key>.<column>``)."""
        for name in (spec.columns if names is None else names):
            col = spec.columns.get(name)
            if hasattr(col, "columns"):  # a nested TableSpec: a list of records in JSON
                self.declare(col, None, f"{prefix}{name}.")
                continue
            kind = getattr(col, "kind", "table")
            unit = getattr(col, "unit", None)
            self.columns[f"{prefix}{name}"] = f"{kind} ({unit})" if unit else kind

    def withhold(self, row: Any, column: str, reason: str) -> None:
        """Record one withheld cell and why."""
        self.withheld.append([to_jsonable(row), str(column)])
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def add_rule(self, rule: str) -> None:
        if rule not in self.rules:
            self.rules.append(rule)

    def summary(self) -> str:
        """One line for the checker: status, suppressed and withheld cells."""
        parts = [self.status]
        if self.suppressed:
            parts.append(f"{len(self.suppressed)} cell(s) suppressed")
        if self.withheld:
            parts.append(f"{len(self.withheld)} cell(s) withheld")
        return "; ".join(parts)

    def to_dict(self, uid: str) -> dict[str, Any]:
        properties = {"rules_applied": self.rules_applied, "rules": list(self.rules),
                      "note": self.note}
        if self.columns:
            properties["columns"] = dict(self.columns)
        out = {
            "uid": uid, "name": self.name, "status": self.status, "type": self.type,
            "files": list(self.files),
            "properties": properties,
            "sdc": {"summary": {"suppressed": len(self.suppressed),
                                "withheld": len(self.withheld)},
                    "cells": {"suppressed": self.suppressed, "withheld": self.withheld},
                    "reasons": dict(self.reasons)},
            "summary": self.summary(), "comments": list(self.comments), "exception": "",
        }
        if self.step is not None:
            out["step"] = self.step
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArtefactRecord:
        """The record :meth:`to_dict` wrote (to carry a resumed step's records over)."""
        props, sdc = data.get("properties", {}), data.get("sdc", {})
        cells = sdc.get("cells", {})
        return cls(name=data["name"], type=data["type"],
                   rules_applied=bool(props.get("rules_applied")), note=props.get("note", ""),
                   files=list(data.get("files", [])), rules=list(props.get("rules", [])),
                   suppressed=[list(c) for c in cells.get("suppressed", [])],
                   withheld=[list(c) for c in cells.get("withheld", [])],
                   reasons=dict(sdc.get("reasons", {})), status=data.get("status", "pass"),
                   comments=list(data.get("comments", [])),
                   columns=dict(props.get("columns", {})), step=data.get("step"))


class DisclosureLog:
    """The artefacts of one output folder, in the order they were gated.

    Parameters
    ----------
    rules : dict
        The run's rules (applied, why, base, threshold, ...), written at the top of the log.
    """

    def __init__(self, rules: dict[str, Any]):
        self.rules = dict(rules)
        self._records: dict[str, ArtefactRecord] = {}

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):
        return iter(self._records.values())

    def __contains__(self, name: str) -> bool:
        return name in self._records

    def __getitem__(self, name: str) -> ArtefactRecord:
        return self._records[name]

    def add(self, record: ArtefactRecord) -> ArtefactRecord:
        """Add (or replace: the artefact was gated again) the record of one artefact."""
        self._records[record.name] = record
        return record

    def attach(self, name: str, *files: str) -> None:
        """Name the files an artefact was written to."""
        record = self._records[name]
        record.files.extend(f for f in map(str, files) if f not in record.files)

    def to_dict(self) -> dict[str, Any]:
        return {"tool": {"name": "youthtransitions", "version": __version__},
                "rules": to_jsonable(self.rules),
                "results": {f"output_{i}": r.to_dict(f"output_{i}")
                            for i, r in enumerate(self._records.values())}}

    def to_json(self) -> str:
        """The text of ``disclosure.json``."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_html(self) -> str:
        """The output-checking section of report.html."""
        esc = html.escape
        rows = []
        for r in self:
            reasons = "; ".join(f"{esc(k)} ({v})" for k, v in r.reasons.items()) or "&ndash;"
            rows.append(
                f"<tr><td>{esc(r.name)}</td><td>{esc(', '.join(r.files)) or '&ndash;'}</td>"
                f"<td>{esc(r.status)}</td><td>{esc('; '.join(r.rules)) or '&ndash;'}</td>"
                f"<td>{len(r.suppressed)}</td><td>{len(r.withheld)}</td><td>{reasons}</td></tr>")
        head = ("<tr><th>artefact</th><th>files</th><th>status</th><th>rules</th>"
                "<th>suppressed</th><th>withheld</th><th>why withheld</th></tr>")
        note = esc(str(self.rules.get("note", "")))
        return (f'<section id="disclosure"><h2>Output checking</h2><p>{note}</p>'
                f"<table>{head}{''.join(rows)}</table></section>")
