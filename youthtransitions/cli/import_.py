"""``yt import MAPPING.toml --out DIR``: a study folder from raw exports, by a mapping file."""

from __future__ import annotations

import argparse
import json

from ._common import add_output_rules_options, command_gate

#: the unit each table's rows count, for the disclosure gate
ROW_UNITS = {"youth": "youth", "waves": "youth-wave", "pmk": "PMK interview",
             "scales": "item", "codes": "coded segment"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import a study from raw exports (SPSS, Stata, CSV, Excel, REFI-QDA)",
        description="Read the raw exports a mapping file names, reshape them into the data "
                    "contract's tables, report what was mapped and what was left out, and "
                    "validate. Writes the study folder only when every rule holds (exit 2 "
                    "with the problems otherwise); without --out nothing is written. The "
                    "mapping format is in docs/data-contract.md.")
    parser.add_argument("mapping", metavar="MAPPING.toml", help="the import mapping")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="study folder to write (missing, empty, or holding a study)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder that holds no study")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_output_rules_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..study.mapping import import_study

    result = import_study(args.mapping, args.out, force=args.force)
    gate = command_gate(args, study=result.study)

    def count(n: int, table: str):
        return gate.value(n, "count", unit=ROW_UNITS[table])

    if args.json:
        report = result.report.to_dict()
        for name, table in report["tables"].items():
            table["rows"] = count(table["rows"], name).value
        print(json.dumps({"valid": True, "written": str(result.path) if result.path else None,
                          **report, "output_rules": gate.note_text}, indent=2))
        return 0
    print("\n".join(result.report.lines(count)))
    print("valid: the study meets the data contract; "
          + (f"written to {result.path}" if result.path else "nothing written (no --out)"))
    print(gate.note_text)
    return 0
