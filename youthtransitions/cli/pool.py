"""``yt pool``: fit one model (OLS or mixed) to each completed data set and pool by Rubin's rules."""

from __future__ import annotations

import sys
import warnings

from ._common import add_output_rules_options

FIELDS = ["term", "estimate", "std_error", "df", "statistic", "p_value", "riv", "fmi"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pool", help="pool a model over multiply imputed data sets",
        description="Fit the same model to each completed data set (CSV, Parquet, SPSS .sav "
                    "or Stata .dta): ordinary least squares, or with --group a two-level "
                    "mixed model (youthtransitions.models.fit_lmm, REML); pool the "
                    "coefficients by Rubin's rules. The files must have the same columns and "
                    "rows; two identical files are warned about. Data files carry no "
                    "synthetic marker, so the output rules apply (turn them off with "
                    "--no-output-rules).")
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
    add_output_rules_options(p)
    p.set_defaults(run=run)


def _json_spec(result):
    from .._disclosure import TableSpec, design, text

    fixed = result.disclosure_spec
    return TableSpec({"m": design(), "df_com": design(), "df_com_rule": text(),
                      "fixed": TableSpec({c: fixed.columns[c] for c in FIELDS},
                                         totals="none")}, totals="none")


def run(args) -> int:
    from ..missing.files import pool_files
    from ._common import command_gate, gate_result, print_json, table_text

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = pool_files(args.files, formula=args.formula, group=args.group,
                            random=args.random, model=args.model, df_com=args.df_com)
    for w in caught:
        print(f"yt pool: warning: {w.message}", file=sys.stderr)
    # the completed data sets are versions of one data set: the first one keys the rounding
    gate = command_gate(args, path=args.files[0])
    df_com, rule = result.df_com, result.df_com_rule
    if gate.applied and rule == "residual df":
        # the complete-data residual df is n - p: a fixed offset from a count of people
        df_com, rule = None, "residual df (withheld under the output rules)"
    if args.json:
        payload = result.to_json(settings={"m": result.m, "df_com": df_com,
                                           "df_com_rule": rule},
                                 key="fixed", columns=FIELDS)
        print_json(gate, payload, _json_spec(result), name="pool")
    else:
        shown = (rule if df_com is None and result.df_com is not None
                 else "none (Rubin 1987 df)" if df_com is None
                 else gate.value(df_com, "design"))
        header = [("imputations (m)", gate.value(result.m, "design")),
                  ("complete-data df", shown), ("convention", result.convention)]
        print(table_text(gate_result(gate, result, name="pool"), title=result.title,
                         header=header))
    return 0
