"""``yt qca``: crisp- or fuzzy-set qualitative comparative analysis of a table of set scores."""

from __future__ import annotations

import json
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "qca", help="qualitative comparative analysis (crisp and fuzzy sets)",
        description="Truth table and Boolean minimisation (conservative, parsimonious and, with "
                    "--dir-exp, intermediate solutions) of calibrated set-membership scores in "
                    "[0, 1], one row per case (CSV, Parquet, SPSS or Stata).")
    p.add_argument("data", metavar="FILE", help="table of membership scores: .csv, .parquet, "
                                                ".sav or .dta")
    p.add_argument("--outcome", required=True, help="outcome column; '~Y' for its negation")
    p.add_argument("--conditions", required=True,
                   help="condition columns, comma-separated, in the order terms use")
    p.add_argument("--incl-cut", type=_cuts, default=0.8, metavar="IC1[,IC0]",
                   help="inclusion cut-off for a positive row (default 0.8); a second value "
                        "marks rows with inclusion between the two as contradictions")
    p.add_argument("--n-cut", type=int, default=1,
                   help="rows with fewer cases are remainders (default 1)")
    p.add_argument("--pri-cut", type=float, default=0.0, help="PRI cut-off (default 0)")
    p.add_argument("--dir-exp", metavar="EXPECTATIONS",
                   help="directional expectations for the intermediate solution, e.g. "
                        "'DEV,URB,~IND' (conditions not named: no expectation)")
    p.add_argument("--cases", metavar="COLUMN", help="column labelling the cases")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def _cuts(text: str) -> float | tuple[float, ...]:
    import argparse

    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or pair of numbers: {text!r}") from None
    return values[0] if len(values) == 1 else values


def run(args: Any) -> int:
    from ..qual.configurations import qca
    from ..study.datafile import read_data_file

    data = read_data_file(args.data)
    data.index = range(1, len(data) + 1)  # cases are file rows (1-based, header excluded)
    result = qca(data, outcome=args.outcome, conditions=args.conditions,
                 incl_cut=args.incl_cut, n_cut=args.n_cut, pri_cut=args.pri_cut,
                 dir_exp=args.dir_exp, cases=args.cases)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(result.truth_table.summary())
    print()
    print(result.summary())
    return 0
