"""The context an analysis step runs in: the study, its options, the run's disclosure gate,
and the only ways a step publishes (tables, APA tables, figures, JSON), each through the gate.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._tidy import to_jsonable
from ..errors import UsageError

__all__ = ["StepContext", "DEFAULT_OPTIONS"]

#: analysis options and their defaults: m = 20 imputations keep the Monte Carlo error of the
#: pooled SE small at the PMK missing share (about half), B = 1000 bootstrap draws and 5000
#: permutations keep percentile limits and permutation p-values stable to two decimals
DEFAULT_OPTIONS: dict[str, int] = {"m": 20, "B": 1000, "n_perm": 5000}


@dataclass
class StepContext:
    """What an analysis script gets: the study, options, the run's disclosure gate, and places
    to write.

    Tables, figures and JSON written here pass the run's one gate (:attr:`gate`), which
    applies the output rules by the kinds each call declares and logs the artefact for
    ``disclosure.json``; they land in the results folder only if the step succeeds.
    """

    name: str
    index: int
    study: Any
    data_dir: Path
    out: Path
    results_dir: Path
    seed: int
    workers: int = 1
    scheduler: Any = None
    output_rules: bool = False
    options: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_OPTIONS))
    catalog: list[dict[str, str]] = field(default_factory=list)
    gate: Any = None

    def __post_init__(self) -> None:
        if self.gate is None:
            from .gate import gate_for_study

            self.gate = gate_for_study(self.study, output_rules=self.output_rules)
        self.output_rules = self.gate.applied

    def _add(self, kind: str, name: str, caption: str, files: list[str]) -> None:
        self.catalog.append({"kind": kind, "name": name, "caption": caption, "files": files})

    @property
    def _turned_off(self) -> bool:
        """``--no-output-rules`` on data not marked synthetic: every artefact says so."""
        return not self.gate.applied and not self.gate.synthetic

    def _states_rules(self, gated: Any) -> bool:
        # on synthetic data the sentence stands under the tables that publish counts of
        # people; on any other data under every table
        from .gate.kinds import COUNT_KINDS

        counts = [c for c in gated.spec.of_kind(*COUNT_KINDS) if c in gated.frame.columns]
        return not self.gate.synthetic or self.gate.applied or bool(counts)

    def gate_table(self, name: str, table: Any, spec: Any = None, *,
                   files: Sequence[str] = ()) -> Any:
        """Gate ``table`` and return the :class:`~youthtransitions.report.gate.GatedTable`
        as published.

        ``table`` is a result's :class:`~youthtransitions._disclosure.Disclosable`
        (``result.disclosure()``: its frame and spec, helper columns folded back after the
        gate), or a DataFrame with the ``spec`` (a
        :class:`~youthtransitions.report.gate.TableSpec`) declaring every column.
        """
        from .._disclosure import Disclosable
        from .gate import TableSpec

        if isinstance(table, Disclosable):
            if spec is not None:
                raise UsageError(f"table {name!r}: a result's disclosure() carries its spec; "
                                 "give no other")
            return _whole_counts(table.publish(self.gate.table(table.frame, table.spec,
                                                               name=name, files=files)))
        if not isinstance(spec, TableSpec):
            raise UsageError(f"table {name!r}: declare its columns with spec=TableSpec(...) "
                             "(or pass the result's disclosure()) so the disclosure gate "
                             "knows which numbers are counts")
        return self.gate.table(table, spec, name=name, files=files)

    def write_table(self, name: str, table: Any, *, caption: str, spec: Any = None,
                    note: str | None = None, drop: Sequence[str] = (),
                    **table_options: Any) -> Any:
        """Gate a table (:meth:`gate_table`) and write it as an APA table in CSV, Markdown
        and HTML; return the :class:`~youthtransitions.report.gate.GatedTable`.

        The declared kinds let the gate rule counts, shares, model sizes, degrees of freedom,
        identifiers and excerpts (docs/output-rules.md). ``note`` must hold no number that
        did not pass the gate (compose it with ``ctx.gate.note``). ``drop`` names columns the
        gate needs (an excerpt's segment id) that are not written. Other keyword arguments
        go to :func:`youthtransitions.report.tables.apa_table`; the gate's declared kinds
        choose the number formats their ``formats`` does not set, and the table is numbered
        in the run's order (:meth:`next_table_number`).
        """
        from .tables import apa_table, spec_formats

        number = self.next_table_number()
        files = [f"{name}.{ext}" for ext in ("csv", "md", "html")]
        gated = self.gate_table(name, table, spec, files=files)
        notes = [note] if note else []
        if self._states_rules(gated):
            notes.append(gated.note)
        shown = gated.apa_frame()
        flagged = [f"{d}{x}" for d in drop for x in ("_suppressed", "_withheld")]
        shown = shown.drop(columns=[c for c in shown.columns if c in drop or c in flagged])
        formats = {**spec_formats(gated.spec, shown), **table_options.pop("formats", {})}
        table_ = apa_table(shown, title=caption, note=" ".join(notes) or None, number=number,
                           formats=formats, artefact=gated.record.name, **table_options)
        table_.write(self.out, name)
        self._add("table", name, caption, files)
        return gated

    def write_apa(self, name: str, table: Any) -> None:
        """Write a ready :class:`~youthtransitions.report.tables.ApaTable` (CSV, MD, HTML)
        whose values passed this run's gate (``table.artefact`` names its log record),
        numbered in the run's order (:meth:`next_table_number`)."""
        artefact = getattr(table, "artefact", None)
        if artefact is None or artefact not in self.gate.log:
            raise UsageError(f"table {name!r} did not pass this run's disclosure gate; build "
                             "it from gated values (e.g. describe(study, gate=ctx.gate))")
        table = copy.copy(table)
        table.number = self.next_table_number()
        files = [Path(f).name for f in table.write(self.out, name)]
        self.gate.log.attach(artefact, *files)
        self._add("table", name, str(getattr(table, "title", name)), files)

    def next_table_number(self) -> int:
        """APA number of the next table of the run: one more than the tables (Markdown
        files) the run's log lists, those of resumed steps included, so every table keeps
        one number across the files, the report and reruns."""
        return 1 + sum(f.endswith(".md") for record in self.gate.log for f in record.files)

    def figure_data(self, name: str, frame: Any, spec: Any = None, *,
                    mark_size: str | None = None) -> Any:
        """Gate the data a figure is drawn from (:meth:`Gate.figure_data
        <youthtransitions.report.gate.Gate.figure_data>`): on real data no mark stands for
        fewer people than the threshold. Draw the figure from the returned table's frame.
        ``frame`` may be a result's ``disclosure()`` (its spec comes with it)."""
        from .._disclosure import Disclosable

        if isinstance(frame, Disclosable):
            return frame.publish(self.gate.figure_data(frame.frame, frame.spec, name=name,
                                                       mark_size=mark_size))
        return self.gate.figure_data(frame, spec, name=name, mark_size=mark_size)

    def write_figure(self, name: str, figure: Any, *, caption: str, data: Any) -> None:
        """Save a matplotlib figure as PNG and SVG (deterministic metadata) and close it.

        ``data`` is the gated table (or tables) the figure was drawn from
        (:meth:`figure_data`); the files are logged with it.
        """
        from .figures import save_figure
        from .gate import GatedTable

        tables = data if isinstance(data, (list, tuple)) else [data]
        if not tables or not all(isinstance(t, GatedTable) and t.record.name in self.gate.log
                                 for t in tables):
            raise UsageError(f"figure {name!r}: draw it from data that passed this run's "
                             "gate (ctx.figure_data) and pass that as data=")
        if self._turned_off:  # the figure itself says it is not for release
            figure.text(0.01, 0.005, self.gate.note_text, fontsize=5, color="0.3",
                        wrap=True, va="bottom")
            caption = f"{caption} {self.gate.note_text}"
        files = [Path(f).name for f in save_figure(figure, self.out, name)]
        for t in tables:
            self.gate.log.attach(t.record.name, *files)
        self._add("figure", name, caption, files)

    def write_json(self, name: str, obj: Any, *, spec: Any = None) -> dict:
        """Gate a JSON-ready object (every key declared by ``spec``, design parameters moved
        under ``settings``), save it, and return what was written.

        A summary declared in :data:`youthtransitions.report.summaries.SUMMARIES` is checked
        against its declaration (as published); later steps read it with :meth:`read_json`.
        Its ``spec`` defaults to the declared one (``SUMMARY_SPECS``).
        """
        from .summaries import SUMMARIES, SUMMARY_SPECS, check_summary

        where = f"step {self.name}: {name}.json"
        if name in SUMMARIES:
            check_summary(name, obj, where=where)
        spec = SUMMARY_SPECS.get(name) if spec is None else spec
        if spec is None:
            raise UsageError(f"{where}: declare its keys with spec=TableSpec(...) so the "
                             "disclosure gate knows which numbers are counts")
        path = self.out / f"{name}.json"
        published = self.gate.json(to_jsonable(obj), spec, name=name, files=[path.name])
        if self._turned_off:
            published["output_rules"] = self.gate.note_text
        if name in SUMMARIES:
            check_summary(name, published, where=where)
        path.write_text(json.dumps(to_jsonable(published), indent=2, sort_keys=True) + "\n")
        self._add("data", name, "", [path.name])
        return published

    def read_json(self, name: str) -> Any:
        """Read a summary an earlier step wrote, checked against its declaration."""
        from .summaries import check_summary

        path = self.results_dir / f"{name}.json"
        if not path.exists():
            raise UsageError(f"step {self.name} needs {path.name}, written by an earlier step; "
                             "run the earlier steps first (yt replicate does)")
        return check_summary(name, json.loads(path.read_text()),
                             where=f"step {self.name}: {path}")


def _whole_counts(gated: Any) -> Any:
    """Count columns a result's helper columns were folded back into come back as floats;
    published counts are whole numbers, so they are written as such."""
    from .gate.kinds import COUNT_KINDS

    for c in gated.spec.of_kind(*COUNT_KINDS):
        if c in gated.frame.columns and pd.api.types.is_float_dtype(gated.frame[c]):
            x = gated.frame[c]
            if x.notna().all() and (x == x.round()).all():
                gated.frame[c] = x.astype("int64")
    return gated
