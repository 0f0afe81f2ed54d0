"""``yt codes FILE``: summarise mechanism codes read from CSV, Parquet, Excel or REFI-QDA."""

from __future__ import annotations

import argparse
import json

from .._tidy import to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "codes", help="summarise mechanism codes (CSV, Parquet, Excel, REFI-QDA .qdpx)",
        description="Read qualitative mechanism codes, check them against the data contract "
                    "and print how many segments, youth and coders they hold, segments per "
                    "mechanism, and every item that could not be mapped.")
    parser.add_argument("path", metavar="FILE", help=".csv, .parquet, .xlsx, .qdpx or .qde")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..qual import read_codes

    result = read_codes(args.path)
    summary = result.summary_dict()
    if args.json:
        print(json.dumps(to_jsonable(summary), indent=2))
        return 0
    print(f"codes {args.path}")
    print(f"  segments: {summary['segments']}")
    print(f"  youth:    {summary['youth']}")
    print(f"  coders:   {', '.join(summary['coders'])}")
    print("  by mechanism: " + ", ".join(f"{m} {n}" for m, n in
                                         summary["by_mechanism"].items()))
    print(f"  unmapped: {len(summary['unmapped'])}")
    for item in summary["unmapped"]:
        print(f"    - {item}")
    return 0
