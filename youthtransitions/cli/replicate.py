"""``yt replicate``: run every scripted analysis and write the replication outputs."""

from __future__ import annotations

import argparse
import json

from ..parallel import DEFAULT_SEED
from ._common import add_output_rules_options, add_parallel_options, add_study_dir


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "replicate", help="reproduce the study's reported effects in one run",
        description="Run the numbered scripts in analyses/ in order on a study (the shipped "
        "synthetic study by default) and write the replication table, APA tables, figures, "
        "report.html and manifest.json. A rerun resumes from completed, unchanged steps.")
    add_study_dir(p, "data_dir", "DATA_DIR")
    p.add_argument("--out", default="results", help="results folder (default: results/)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"master seed (default {DEFAULT_SEED})")
    add_parallel_options(p)
    p.add_argument("--m", type=int, default=None, help="imputations (default 20)")
    p.add_argument("--bootstrap", type=int, default=None, metavar="B",
                   help="bootstrap draws (default 1000)")
    add_output_rules_options(p)
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder that holds no earlier replication")
    p.add_argument("--publish-excerpts", action="store_true",
                   help="publish verbatim interview excerpts of data not marked synthetic "
                   "(consent-cleared quotes only; otherwise each is replaced by its code and "
                   "segment id)")
    p.add_argument("--json", action="store_true", help="print the replication table as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._tidy import to_jsonable
    from ..report import replicate

    options = {k: v for k, v in (("m", args.m), ("B", args.bootstrap)) if v is not None}
    result = replicate(args.data_dir, out=args.out,
                       seed=args.seed,
                       workers=args.workers, scheduler=args.scheduler,
                       output_rules=args.output_rules, options=options, force=args.force,
                       progress=None if not args.json else False,
                       publish_excerpts=args.publish_excerpts)
    if args.json:
        print(json.dumps(to_jsonable({"out": str(result.out), "all_pass": result.all_pass,
                                      "replication": result.to_records()}), indent=2))
    else:
        print(result.summary())
        print(f"\nreport: {result.out / 'report.html'}")
    return 0 if result.all_pass else 1
