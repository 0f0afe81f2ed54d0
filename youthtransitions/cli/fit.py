"""``yt fit``: fit a two-level linear mixed model to a long table and report its R² measures."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import add_parallel_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fit", help="fit a two-level linear mixed model and its R² measures",
        description="Fit a two-level linear mixed model to a long table (CSV, Parquet, SPSS "
                    "or Stata) and report fixed effects, variance components, Nakagawa and "
                    "Rights & Sterba R², optionally a nested-model difference and bootstrap "
                    "confidence intervals.")
    p.add_argument("data", metavar="DATA", help="long table: .csv, .parquet, .sav or .dta")
    p.add_argument("--formula", required=True, help="fixed part, e.g. 'y ~ x_within + x_between'")
    p.add_argument("--group", required=True, help="column identifying the groups (youth)")
    p.add_argument("--random", default="1",
                   help="random part inside ( | group), e.g. '1' or '1 + wave' (default 1)")
    p.add_argument("--method", choices=("reml", "ml"), default="reml")
    p.add_argument("--engine", choices=("fast", "statsmodels"), default="fast")
    p.add_argument("--compare", metavar="REDUCED_FORMULA",
                   help="fixed part of a nested model: report every R² difference")
    p.add_argument("--bootstrap", type=int, metavar="B",
                   help="bootstrap replicates for confidence intervals of the R² measures "
                        "(of the differences with --compare)")
    p.add_argument("--bootstrap-kind", choices=("cluster", "parametric"), default="cluster")
    p.add_argument("--seed", type=int, help="bootstrap seed (default: drawn and reported)")
    p.add_argument("--level", type=float, default=0.95,
                   help="confidence level of the fixed-effect intervals and of the bootstrap "
                        "intervals, between 0 and 1 (default 0.95)")
    add_parallel_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def _report(full, reduced, boot) -> dict[str, Any]:
    from ..models import r2_difference

    out = full.to_json()
    if reduced is not None:
        out["compare_formula"] = reduced.formula
        out["r2_difference"] = r2_difference(full, reduced).to_json()
    if boot is not None:
        out["bootstrap"] = boot.to_json()["bootstrap"]
    return out


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from .._options import check_level
    from ..models import bootstrap_r2, check_nested, fit_lmm, r2_difference
    from ..study.datafile import read_data_file

    level = check_level(args.level, "--level")
    data = read_data_file(args.data)
    full = fit_lmm(args.formula, data, group=args.group, random=args.random,
                   method=args.method, engine=args.engine, ci_level=level)
    reduced = None
    if args.compare:
        reduced = fit_lmm(args.compare, data.loc[full.data.index], group=args.group,
                          random=args.random, method=args.method, engine=args.engine)
        check_nested(full, reduced)  # another outcome or other rows: exit 2 before any work
    boot = None
    if args.bootstrap is not None:
        seed = args.seed if args.seed is not None else int(
            np.random.SeedSequence().entropy % (2**31))
        boot = bootstrap_r2(full, reduced, B=args.bootstrap, kind=args.bootstrap_kind,
                            seed=seed, workers=args.workers, scheduler=args.scheduler,
                            level=args.level)
    if args.json:
        print(json.dumps(_report(full, reduced, boot), indent=2))
        return 0
    print(full.summary())
    print()
    print(full.random_frame().to_string(index=False))
    print()
    r2 = boot if (boot is not None and reduced is None) else full.r2()
    print(r2.summary())
    if reduced is not None:
        print()
        print(f"Reduced model: {reduced.formula}")
        print((boot if boot is not None else r2_difference(full, reduced)).summary())
    return 0
