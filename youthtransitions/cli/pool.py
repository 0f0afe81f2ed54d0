"""``yt pool``: fit one mixed model to each completed data set and pool by Rubin's rules."""

from __future__ import annotations

import json

FIELDS = ["term", "estimate", "std_error", "df", "statistic", "p_value", "riv", "fmi"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pool", help="pool a mixed model over multiply imputed data sets",
        description="Fit the same two-level mixed model (youthtransitions.models.fit_lmm) to "
                    "each completed data set (CSV, Parquet, SPSS .sav or Stata .dta) and pool "
                    "the fixed effects by Rubin's rules.")
    p.add_argument("files", nargs="+", metavar="FILE", help="completed data sets (2 or more)")
    p.add_argument("--formula", required=True, help='fixed part, e.g. "y ~ x1 + x2"')
    p.add_argument("--group", required=True, help="grouping column (e.g. youth_id)")
    p.add_argument("--random", default="1", help='random part inside ( | group), default "1"')
    p.add_argument("--df-com", type=float, default=None, dest="df_com",
                   help="complete-data df (Barnard-Rubin small-sample df)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..missing.files import pool_files

    result = pool_files(args.files, formula=args.formula, group=args.group,
                        random=args.random, df_com=args.df_com)
    if args.json:
        payload = result.to_json(settings={"m": result.m, "df_com": result.df_com},
                                 key="fixed", columns=FIELDS)
        print(json.dumps(payload, indent=2))
    else:
        print(result.summary())
    return 0
