"""The codes of a QDA project whose codebook names codes its own way ("Care", "Being there
for me"), read through the mapping's ``[codebook]``.

Each code of the project is looked up by its path (``Parent/Child``), then by its own name;
what it stands for (:class:`~.spec.CodeTarget`) gives the path the REFI-QDA reader reads it
as. A code the codebook does not list is read by its own path, so a project that already
follows the ``mechanism/dimension/level`` layout needs no codebook. Every code that maps to
nothing is listed, and a project none of whose codes maps refuses the import: such a codebook
read without error would give an empty codes table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import UsageError
from ..contract import ACTORS, DIMENSIONS, LEVELS
from ..refi_qda.layout import ACTOR_CODE, COUNTERFACTUAL_CODE
from ..refi_qda.read import parse_qdpx
from .spec import CodeTarget

__all__ = ["CodebookReport", "read_project"]

#: codes listed in a refusal or a report line before "and N more"
SHOWN = 20


@dataclass
class CodebookReport:
    """What the codebook did with each code of the project.

    Attributes
    ----------
    mapped : dict
        Code path -> what it was mapped to (by the mapping's ``[codebook]``).
    by_layout : list of str
        Codes not in ``[codebook]`` read by their own ``mechanism/dimension/level``,
        ``actor/<role>`` or ``counterfactual`` path.
    ignored : list of str
        Codes the mapping leaves out on purpose (``ignore = true``).
    left_out : list of str
        Codes that map to nothing (neither in ``[codebook]`` nor in the layout).
    grouping : list of str
        Codes that map to nothing and hold other codes (folders of the codebook).
    unmatched : list of str
        ``[codebook]`` entries that name no code of the project (a typo?).
    notes : list of str
        The reader's notes on codings it could not map.
    """

    project: str
    mapped: dict[str, str] = field(default_factory=dict)
    by_layout: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    grouping: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "mapped": dict(self.mapped),
                "by_layout": list(self.by_layout), "ignored": list(self.ignored),
                "left_out": list(self.left_out), "grouping": list(self.grouping),
                "unmatched": list(self.unmatched), "notes": list(self.notes)}


def _in_layout(path: list[str]) -> bool:
    """Whether the reader maps a code by its own path (``power/care/2``, ``actor/health``,
    or a path holding ``counterfactual``)."""
    low = [s.lower() for s in path]
    if COUNTERFACTUAL_CODE in low:
        return True
    if len(low) == 2:
        return low[0] == ACTOR_CODE and low[1] in ACTORS
    return (len(low) == 3 and low[0] in DIMENSIONS and low[1] in DIMENSIONS[low[0]]
            and low[2] in {str(v) for v in LEVELS})


def shown(names: list[str]) -> str:
    """Names quoted, the first :data:`SHOWN`, then how many more."""
    text = ", ".join(repr(n) for n in names[:SHOWN])
    return text + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def read_project(path: Path, codebook: dict[str, CodeTarget]
                 ) -> tuple[pd.DataFrame, CodebookReport]:
    """The codes table of a REFI-QDA project, its code names mapped by ``codebook``.

    Raises
    ------
    UsageError
        No code of the project maps to the contract; a bare code name of ``codebook``
        names several codes; or no coded segment could be read.
    StudyDataError
        The project is unreadable or refused for safety (:func:`..refi_qda.parse_qdpx`).
    """
    seen: list[list[str]] = []
    matched: dict[str, CodeTarget] = {}
    by_key: dict[str, list[str]] = {}

    def rename(code_path: list[str]) -> list[str]:
        full = "/".join(code_path)
        seen.append(code_path)
        key = full if full in codebook else code_path[-1] if code_path[-1] in codebook else None
        if key is None:
            return code_path
        by_key.setdefault(key, []).append(full)
        matched[full] = target = codebook[key]
        # an ignored code is read as no code, even one named in the layout
        return ["ignored", *code_path] if target.ignore else target.path()

    project = parse_qdpx(path, rename=rename)
    ambiguous = {k: v for k, v in by_key.items() if "/" not in k and len(v) > 1}
    if ambiguous:
        name, paths = next(iter(ambiguous.items()))
        raise UsageError(f"mapping: [codebook] {name!r} names {len(paths)} codes of "
                         f"{path.name} ({shown(paths)}); key them by their path")
    parents = {"/".join(p[:-1]) for p in seen if len(p) > 1}
    report = CodebookReport(project=path.name, notes=list(project.unmapped),
                            unmatched=[k for k in codebook if k not in by_key])
    for code_path in seen:
        full = "/".join(code_path)
        if full in matched:
            target = matched[full]
            if target.ignore:
                report.ignored.append(full)
            else:
                report.mapped[full] = target.describe()
        elif _in_layout(code_path):
            report.by_layout.append(full)
        else:
            (report.grouping if full in parents else report.left_out).append(full)
    order = {full: i for i, full in enumerate(f for k in codebook for f in by_key.get(k, []))}
    report.mapped = dict(sorted(report.mapped.items(), key=lambda kv: order[kv[0]]))
    for names in (report.by_layout, report.ignored, report.left_out, report.grouping):
        names.sort()
    if not report.mapped and not report.by_layout:
        listed = report.left_out + report.grouping
        raise UsageError(
            f"the codebook of {path.name} matched nothing: none of its {len(seen)} codes is "
            "in the mapping's [codebook] or named mechanism/dimension/level, actor/<role> or "
            f"counterfactual, so no segment could be read. Its codes: {shown(listed)}. Map "
            "them in [codebook], e.g. \"Care\" = { mechanism = \"power\", dimension = "
            "\"care\", level = 2 }")
    if not len(project.codes):
        raise UsageError(f"no coded segment could be read from {path.name} although "
                         f"{len(report.mapped) + len(report.by_layout)} of its codes map; "
                         f"the reader's notes: {'; '.join(project.unmapped[:5]) or 'none'}")
    return project.codes, report
