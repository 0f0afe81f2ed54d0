"""Options several sub-commands share: the study folder, workers, output rules."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_study_dir", "study_dir", "add_parallel_options", "add_output_rules_options",
           "command_gate", "table_text", "gate_result", "json_with_rules", "print_json"]


def add_study_dir(parser: argparse.ArgumentParser, dest: str = "dir",
                  metavar: str = "DIR") -> None:
    """Optional positional study folder; the shipped synthetic study when left out."""
    parser.add_argument(dest, nargs="?", default=None, metavar=metavar,
                        help="study folder (default: the shipped synthetic study)")


def study_dir(arg: str | None) -> Path:
    """The study folder named on the command line, or the shipped synthetic study.

    ``load_study`` checks the folder and says what is wrong with it.
    """
    if arg is None:
        from ..synthetic import shipped_study_path

        return Path(shipped_study_path())
    return Path(arg)


def add_parallel_options(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` or ``--scheduler ADDRESS`` (one of them)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int, default=1,
                       help="local worker processes (-1: every core)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")


def add_output_rules_options(parser: argparse.ArgumentParser) -> None:
    """``--no-output-rules`` / ``--output-rules``; default: on unless the data are synthetic."""
    rules = parser.add_mutually_exclusive_group()
    rules.add_argument("--no-output-rules", dest="output_rules", action="store_false",
                       default=None, help="do not apply the output rules (RR3, suppression)")
    rules.add_argument("--output-rules", dest="output_rules", action="store_true",
                       help="apply the output rules even to synthetic data")


def command_gate(args: argparse.Namespace, *, study=None, path=None):
    """The gate of one command: of ``study`` (rules on unless it is marked synthetic), or of
    the loose file ``path`` (no synthetic marker: treated as real data); ``--no-output-rules``
    / ``--output-rules`` as given."""
    from ..report.gate import gate_for_file, gate_for_study

    rules = getattr(args, "output_rules", None)
    if study is not None:
        return gate_for_study(study, output_rules=rules)
    return gate_for_file(path, output_rules=rules)


def _cell(value) -> str:
    from .._tidy import TidyResult

    return TidyResult._format_cell(value)


def table_text(gated, *, title: str | None = None, header=()) -> str:
    """A gated table as console text: title, ``header`` lines (label, value: published
    values from ``gate.value``, or words), the table with ``S`` and ``withheld`` marked, and
    the sentence saying which output rules applied."""
    import pandas as pd

    lines = [title, "=" * len(title)] if title else []
    for label, value in header:
        shown = format(value) if getattr(value, "flag", "") else _cell(
            getattr(value, "value", value))
        lines.append(f"{label + ':':<24}{shown}")
    if header:
        lines.append("")
    frame = gated.marked()
    shown = frame.apply(lambda c: c.map(lambda v: "" if v is None or (
        not isinstance(v, str) and pd.isna(v)) else _cell(v))) if len(frame) else frame
    lines.append(shown.to_string(index=False) if len(shown) else "(empty)")
    lines.append(gated.note)
    return "\n".join(lines)


def gate_result(gate, result, *, name: str):
    """``result``'s tidy table (or a :class:`~youthtransitions._disclosure.Disclosable`)
    through ``gate``, published with its own columns."""
    from .._disclosure import Disclosable

    d = result if isinstance(result, Disclosable) else result.disclosure()
    return d.publish(gate.table(d.frame, d.spec, name=name))


def json_with_rules(gate, obj: dict, spec, *, name: str) -> dict:
    """``obj`` through ``gate`` (design parameters under ``settings``), with the sentence
    saying which output rules applied under ``output_rules``."""
    from .._disclosure import text

    columns = {**spec.columns, "output_rules": text()}
    spec = type(spec)(columns, totals=spec.totals, min_units=spec.min_units)
    return gate.json({**obj, "output_rules": gate.note_text}, spec, name=name)


def print_json(gate, obj: dict, spec, *, name: str) -> None:
    """:func:`json_with_rules` printed as indented JSON."""
    import json

    print(json.dumps(json_with_rules(gate, obj, spec, name=name), indent=2))
