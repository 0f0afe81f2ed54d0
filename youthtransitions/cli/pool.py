"""``yt pool``: fit one mixed model to each completed data set and pool by Rubin's rules."""

from __future__ import annotations

from ._common import add_output_rules_options

FIELDS = ["term", "estimate", "std_error", "df", "statistic", "p_value", "riv", "fmi"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pool", help="pool a mixed model over multiply imputed data sets",
        description="Fit the same two-level mixed model (youthtransitions.models.fit_lmm) to "
                    "each completed data set (CSV, Parquet, SPSS .sav or Stata .dta) and pool "
                    "the fixed effects by Rubin's rules. Data files carry no synthetic marker, "
                    "so the output rules apply (turn them off with --no-output-rules).")
    p.add_argument("files", nargs="+", metavar="FILE", help="completed data sets (2 or more)")
    p.add_argument("--formula", required=True, help='fixed part, e.g. "y ~ x1 + x2"')
    p.add_argument("--group", required=True, help="grouping column (e.g. youth_id)")
    p.add_argument("--random", default="1", help='random part inside ( | group), default "1"')
    p.add_argument("--df-com", type=float, default=None, dest="df_com",
                   help="complete-data df (Barnard-Rubin small-sample df)")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_output_rules_options(p)
    p.set_defaults(run=run)


def _json_spec(result):
    from .._disclosure import TableSpec, design

    fixed = result.disclosure_spec
    return TableSpec({"m": design(), "df_com": design(),
                      "fixed": TableSpec({c: fixed.columns[c] for c in FIELDS},
                                         totals="none")}, totals="none")


def run(args) -> int:
    from ..missing.files import pool_files
    from ._common import command_gate, gate_result, print_json, table_text

    result = pool_files(args.files, formula=args.formula, group=args.group,
                        random=args.random, df_com=args.df_com)
    # the completed data sets are versions of one data set: the first one keys the rounding
    gate = command_gate(args, path=args.files[0])
    if args.json:
        payload = result.to_json(settings={"m": result.m, "df_com": result.df_com},
                                 key="fixed", columns=FIELDS)
        print_json(gate, payload, _json_spec(result), name="pool")
    else:
        df_com = ("none (Rubin 1987 df)" if result.df_com is None
                  else gate.value(result.df_com, "design"))
        header = [("imputations (m)", gate.value(result.m, "design")),
                  ("complete-data df", df_com), ("convention", result.convention)]
        print(table_text(gate_result(gate, result, name="pool"), title=result.title,
                         header=header))
    return 0
