"""``yt simulate``: bias, RMSE and coverage over synthetic studies (headline or PMK)."""

from __future__ import annotations

import argparse

from ..parallel import DEFAULT_SEED
from ._common import add_output_rules_options, add_parallel_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate", help="bias, RMSE and CI coverage over simulated synthetic studies",
        description="Generate synthetic studies, run the headline analyses (or, with 'pmk', "
        "the PMK missing-data methods) on each, and report bias, RMSE and 95%% CI coverage "
        "against the generator's truth.")
    p.add_argument("target", nargs="?", choices=["headline", "pmk"], default="headline",
                   help="what to simulate (default: the headline estimands)")
    p.add_argument("--reps", type=int, default=200, help="number of synthetic studies")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"master seed (default {DEFAULT_SEED})")
    p.add_argument("--bootstrap", type=int, default=200, metavar="B",
                   help="bootstrap draws per study for the headline intervals (default 200)")
    add_parallel_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_output_rules_options(p)
    p.set_defaults(run=run)


def _gate(args: argparse.Namespace, result):
    """Every simulated study is synthetic: the rules are off unless forced on."""
    from ..report.gate import Gate

    key = f"simulate\0{args.target}\0{sorted(result.settings.items())!r}"
    return Gate(key, synthetic=True, rules=args.output_rules)


def run(args: argparse.Namespace) -> int:
    from .._disclosure import TableSpec, design, text
    from ._common import gate_result, print_json, table_text

    if args.target == "pmk":
        from ..missing import simulate_pmk

        result = simulate_pmk(args.reps, seed=args.seed, workers=args.workers,
                              scheduler=args.scheduler)
    else:
        from ..report import simulate

        result = simulate(args.reps, seed=args.seed, B=args.bootstrap, workers=args.workers,
                          scheduler=args.scheduler, progress=None if not args.json else False)
    gate = _gate(args, result)
    if args.json:
        # the run's settings are design parameters: the gate moves them under settings
        spec = TableSpec({"target": text(), "rows": result.disclosure_spec,
                          **{k: design() for k in result.settings}}, totals="none")
        print_json(gate, {"target": args.target, "rows": result.to_records(),
                          **result.settings}, spec, name="simulate")
    else:
        header = [(k, gate.value(v, "design")) for k, v in result.settings.items()]
        print(table_text(gate_result(gate, result, name="simulate"), title=result.title,
                         header=header))
    return 0
