"""``yt simulate``: bias, RMSE and coverage over synthetic studies (headline or PMK)."""

from __future__ import annotations

import argparse
import json

from ..parallel import DEFAULT_SEED
from ._common import add_parallel_options


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
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._tidy import to_jsonable
    if args.target == "pmk":
        from ..missing import simulate_pmk

        result = simulate_pmk(args.reps, seed=args.seed, workers=args.workers,
                              scheduler=args.scheduler)
    else:
        from ..report import simulate

        result = simulate(args.reps, seed=args.seed, B=args.bootstrap, workers=args.workers,
                          scheduler=args.scheduler, progress=None if not args.json else False)
    if args.json:
        print(json.dumps(to_jsonable({"target": args.target, "rows": result.to_records()}),
                         indent=2))
    else:
        print(result.summary())
    return 0
