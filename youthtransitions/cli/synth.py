"""``yt synth``: draw a synthetic study and write it to a folder."""

from __future__ import annotations

import argparse
import json

__all__ = ["register", "run"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "synth", help="draw a synthetic study (Parquet, data dictionary, truth.json)",
        description="Draw a complete synthetic study from the documented generative model "
                    "and write it to a folder. One seed always gives byte-identical files.")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the draw (default: the shipped study's seed)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder that holds no study")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..synthetic import DEFAULT_SEED, synthesize, write_study
    from ..synthetic.io import check_target

    seed = DEFAULT_SEED if args.seed is None else args.seed
    check_target(args.out, force=args.force)  # a bad --out fails before the draw
    study = synthesize(seed=seed)
    out = write_study(study, args.out, force=args.force)
    truth = study.metadata["truth"]
    summary = {
        "out": str(out), "seed": seed,
        "rows": {name: int(len(getattr(study, name))) for name in
                 ("youth", "waves", "pmk", "scales", "codes")},
        "headline_r2": truth["estimands"]["headline_r2"]["value"],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items())
        print(f"wrote synthetic study (seed {seed}) to {out}: {rows}; "
              f"population headline R2 {summary['headline_r2']:.3f}")
    return 0
