"""``yt qca``: crisp- or fuzzy-set qualitative comparative analysis of a table of set scores."""

from __future__ import annotations

from typing import Any

from ._common import add_output_rules_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "qca", help="qualitative comparative analysis (crisp and fuzzy sets)",
        description="Truth table and Boolean minimisation (conservative, parsimonious and, with "
                    "--dir-exp, intermediate solutions) of calibrated set-membership scores in "
                    "[0, 1], one row per case (CSV, Parquet, SPSS or Stata). A data file "
                    "carries no synthetic marker, so the output rules apply: case counts "
                    "ruled, case labels withheld (turn them off with --no-output-rules).")
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
    add_output_rules_options(p)
    p.set_defaults(run=run)


def _cuts(text: str) -> float | tuple[float, ...]:
    import argparse

    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or pair of numbers: {text!r}") from None
    return values[0] if len(values) == 1 else values


def _json_spec(result):
    from .._disclosure import TableSpec, design, estimate, text

    fit = estimate(digits=2)
    columns = {"outcome": text(), "conditions": text(), "incl_cut": design(),
               "n_cut": design(), "pri_cut": design(),
               "truth_table": result.truth_table.disclosure_spec}
    for name in result.solutions:  # one list of models per solution type
        key = f"solutions.{name}"
        columns.update({f"{key}.terms": text(), f"{key}.label": text(),
                        f"{key}.easy_counterfactuals": text(), f"{key}.incl": fit,
                        f"{key}.pri": fit, f"{key}.cov": fit, f"{key}.term_fit.term": text(),
                        f"{key}.term_fit": fit})
    return TableSpec(columns, totals="none")


def _header(gate, result) -> list:
    tt = result.truth_table
    return [("Outcome", tt.outcome), ("Conditions", ", ".join(tt.conditions)),
            ("Cases", gate.value(len(tt.data.cases), "count", unit="case")),
            ("Inclusion cut-off", gate.value(tt.incl_cut, "design")),
            ("Frequency cut-off", gate.value(tt.n_cut, "design"))]


def run(args: Any) -> int:
    from ..qual.configurations import qca
    from ..study.datafile import read_data_file
    from ._common import command_gate, gate_result, print_json, table_text

    data = read_data_file(args.data)
    data.index = range(1, len(data) + 1)  # cases are file rows (1-based, header excluded)
    result = qca(data, outcome=args.outcome, conditions=args.conditions,
                 incl_cut=args.incl_cut, n_cut=args.n_cut, pri_cut=args.pri_cut,
                 dir_exp=args.dir_exp, cases=args.cases)
    gate = command_gate(args, path=args.data)
    if args.json:
        print_json(gate, result.to_dict(), _json_spec(result), name="qca")
        return 0
    truth = gate_result(gate, result.truth_table, name="qca_truth_table")
    truth.frame["cases"] = [c if not isinstance(c, str) or len(c) <= 40 else c[:37] + "..."
                            for c in truth.frame["cases"]]
    print(table_text(truth, title=result.truth_table.title, header=_header(gate, result)[:2]))
    print()
    header = _header(gate, result) + [
        (name.capitalize(), " | ".join(m.expression for m in models) or "(no positive rows)")
        for name, models in result.solutions.items()]
    print(table_text(gate_result(gate, result, name="qca_solutions"), title=result.title,
                     header=header))
    return 0
