"""``yt codes FILE``: summarise mechanism codes read from CSV, Parquet, Excel or REFI-QDA."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "codes", help="summarise mechanism codes (CSV, Parquet, Excel, REFI-QDA .qdpx)",
        description="Read qualitative mechanism codes, check them against the data contract "
                    "and print how many segments, youth and coders they hold, segments per "
                    "mechanism and dimension, and every item that could not be mapped.")
    parser.add_argument("path", metavar="FILE", help=".csv, .parquet, .xlsx, .qdpx or .qde")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._tidy import to_jsonable
    from ..qual import read_codes

    result = read_codes(args.path)
    if args.json:
        print(json.dumps(to_jsonable(result.summary_dict()), indent=2))
        return 0
    print(result.summary())
    return 0
