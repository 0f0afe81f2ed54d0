"""``yt pool``: fit one model (OLS or mixed) to each completed data set and pool by Rubin's rules."""

from __future__ import annotations

import json
import sys
import warnings

FIELDS = ["term", "estimate", "std_error", "df", "statistic", "p_value", "riv", "fmi"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pool", help="pool a model over multiply imputed data sets",
        description="Fit the same model to each completed data set (CSV, Parquet, SPSS .sav "
                    "or Stata .dta): ordinary least squares, or with --group a two-level "
                    "mixed model (youthtransitions.models.fit_lmm, REML); pool the "
                    "coefficients by Rubin's rules. The files must have the same columns and "
                    "rows; two identical files are warned about.")
    p.add_argument("files", nargs="+", metavar="FILE", help="completed data sets (2 or more)")
    p.add_argument("--formula", required=True, help='model formula, e.g. "y ~ x1 + x2"')
    p.add_argument("--model", choices=["ols", "lmm"], default=None,
                   help="ols or lmm (default: lmm when --group is given, else ols)")
    p.add_argument("--group", default=None, help="grouping column of a mixed model (e.g. "
                                                 "youth_id)")
    p.add_argument("--random", default=None,
                   help='random part of a mixed model inside ( | group), default "1"')
    p.add_argument("--df-com", default=None, dest="df_com", metavar="N",
                   help="complete-data df of the Barnard-Rubin df (default: the residual df "
                        "of the complete-data fit, as mice::pool; inf: the large-sample df)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..missing.files import pool_files

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = pool_files(args.files, formula=args.formula, group=args.group,
                            random=args.random, model=args.model, df_com=args.df_com)
    for w in caught:
        print(f"yt pool: warning: {w.message}", file=sys.stderr)
    if args.json:
        payload = result.to_json(settings={"m": result.m, "df_com": result.df_com,
                                           "df_com_rule": result.df_com_rule},
                                 key="fixed", columns=FIELDS)
        print(json.dumps(payload, indent=2))
    else:
        print(result.summary())
    return 0
