"""``yt codes FILE``: summarise mechanism codes read from CSV, Parquet, Excel or REFI-QDA."""

from __future__ import annotations

import argparse

from ._common import add_output_rules_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "codes", help="summarise mechanism codes (CSV, Parquet, Excel, REFI-QDA .qdpx)",
        description="Read qualitative mechanism codes, check them against the data contract "
                    "and print how many segments, youth and coders they hold, segments per "
                    "mechanism and dimension, and every item that could not be mapped. A "
                    "codes file carries no synthetic marker, so the output rules apply "
                    "(turn them off with --no-output-rules).")
    parser.add_argument("path", metavar="FILE", help=".csv, .parquet, .xlsx, .qdpx or .qde")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    add_output_rules_options(parser)
    parser.set_defaults(run=run)


def _summary_spec():
    from .._disclosure import TableSpec, count, text

    return TableSpec({"segments": count("segment"), "youth": count("youth"),
                      "coders": text(), "by_mechanism": count("segment"),
                      "unmapped": text()}, totals="none")


def run(args: argparse.Namespace) -> int:
    from ..qual import read_codes
    from ._common import command_gate, gate_result, print_json, table_text

    result = read_codes(args.path)
    gate = command_gate(args, path=args.path)
    if args.json:
        print_json(gate, result.summary_dict(), _summary_spec(), name="codes")
        return 0
    s = result.summary_dict()
    by = ", ".join(f"{m} {gate.value(n, 'count', unit='segment')}"
                   for m, n in s["by_mechanism"].items())
    header = [("file", result.path), ("segments", gate.value(s["segments"], "count",
                                                           unit="segment")),
              ("youth", gate.value(s["youth"], "count", unit="youth")),
              ("coders", ", ".join(s["coders"])), ("segments by mechanism", by),
              ("unmapped items", gate.value(len(result.unmapped), "design"))]
    print(table_text(gate_result(gate, result, name="codes"), title=result.title,
                     header=header))
    if result.unmapped:
        print("\nNot mapped:\n" + "\n".join(f"  - {u}" for u in result.unmapped))
    return 0
