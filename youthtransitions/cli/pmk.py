"""``yt pmk``: the PMK relationship-quality estimate under every missing-data method."""

from __future__ import annotations

import json

from ..parallel import DEFAULT_SEED
from ._common import add_parallel_options, add_study_dir, study_dir


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pmk", help="PMK estimate by complete cases, imputation, weighting and delta grid",
        description="Slope and R² of wave-3 PMK functioning on wave-1 relationship quality "
                    "under complete cases, multiple imputation, inverse probability weighting "
                    "and a delta-adjustment grid, side by side (with the truth for a "
                    "synthetic study).")
    add_study_dir(p)
    p.add_argument("--m", type=int, default=20, help="imputations (default 20)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"imputation seed (default {DEFAULT_SEED})")
    p.add_argument("--method", choices=["norm", "pmm"], default="norm",
                   help="imputation model: normal-regression draws (default; they extrapolate "
                        "to youth unlike every donor) or predictive mean matching")
    add_parallel_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..missing import availability, compare_methods
    from ..study import load_study

    study = load_study(study_dir(args.dir))
    result = compare_methods(study, m=args.m, seed=args.seed, method=args.method,
                             workers=args.workers, scheduler=args.scheduler)
    # the wide youth frame compare_methods already built (n, availability and sample loss
    # are the same as from the study; only the wave patterns, unused here, differ)
    avail = availability(result.imputation.data)
    if args.json:
        out = result.to_dict()
        out["availability"] = {"n": avail.n, "n_available": avail.n_available,
                               "share_available": avail.share_available}
        print(json.dumps(out, indent=2))
    else:
        print(result.summary())
        print()
        print(avail.sample_loss.to_string(index=False))
    return 0
