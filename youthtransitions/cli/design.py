"""``yt design``: power and precision of the headline estimands over a grid of designs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..parallel import DEFAULT_SEED
from ._common import add_output_rules_options, add_parallel_options


def _numbers(kind):
    def parse(text: str) -> list:
        try:
            return [kind(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {kind.__name__} values, got {text!r}") from None
    return parse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "design", help="power and precision of the headline estimands for a planned study",
        description="Simulate synthetic studies over a grid of designs (youth, effect size, "
        "MSU share, attrition, PMK rates, waves, caseload), run the headline analysis on "
        "each, and report per estimand the power of its test, the median interval width, "
        "bias, RMSE and coverage, with Monte Carlo standard errors. Without --n, --share "
        "and --reps: a quick look (yt.design's defaults: a coarse grid, few replicates per "
        "cell).")
    p.add_argument("--n", type=_numbers(int), default=None, metavar="N,N,...",
                   help="youth in the study (default 300,600,1366)")
    p.add_argument("--share", type=_numbers(float), default=None, metavar="S,S,...",
                   help="population share explained (published 0.14; default 0.07,0.14)")
    for name, text in (("msu-share", "share of multiple-service users"),
                       ("attrition", "per-wave dropout probability"),
                       ("pmk-nomination", "probability of nominating a PMK"),
                       ("pmk-response", "probability a nominated PMK is interviewed")):
        p.add_argument(f"--{name}", type=_numbers(float), default=None, metavar="P,P,...",
                       help=f"{text} (default: as published)")
    # read as numbers, so that 2.5 reaches yt.design and its message on whole numbers
    p.add_argument("--waves", type=_numbers(float), default=None, metavar="W,W,...",
                   help="annual waves, whole numbers 2-6 (default: 3, as published); the "
                        "headline is then the last wave's wellbeing on wave-1 "
                        "relationship quality")
    p.add_argument("--caseload", type=_numbers(float), default=None, metavar="C,C,...",
                   help="youth per worker, at least 1 (published 1,366 / 300 = 4.55): the "
                        "study has round(n / caseload) workers; given, the worker share of "
                        "relationship-quality variance is planned too (bias and RMSE)")
    p.add_argument("--reps", type=int, default=None,
                   help="replicates per cell (default 25: a quick look)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"master seed (default {DEFAULT_SEED})")
    p.add_argument("--alpha", type=float, default=0.05, help="level of the tests")
    p.add_argument("--pmk-method", choices=["complete_cases", "multiple_imputation"],
                   default="complete_cases",
                   help="missing PMK reports: complete cases (default, fast) or MI")
    add_parallel_options(p)
    p.add_argument("--out", default=None, metavar="DIR",
                   help="keep finished cells here (a rerun skips them) and write "
                        "design.csv, design.json and power_curve.png")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_output_rules_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from .._disclosure import TableSpec, design
    from ..report.gate import Gate
    from ..report.planning import design as plan
    from ._common import gate_result, json_with_rules, table_text

    given = {k: v for k, v in (("n", args.n), ("share", args.share), ("reps", args.reps))
             if v is not None}  # the rest: the quick look's defaults
    result = plan(**given, msu_share=args.msu_share, attrition=args.attrition,
                  pmk_nomination=args.pmk_nomination, pmk_response=args.pmk_response,
                  waves=args.waves, caseload=args.caseload,
                  seed=args.seed, alpha=args.alpha,
                  pmk_method=args.pmk_method, workers=args.workers,
                  scheduler=args.scheduler, progress=None if not args.json else False,
                  out=args.out)
    key = f"design\0{json.dumps(result.settings, sort_keys=True, default=str)}"
    gate = Gate(key, synthetic=True, rules=args.output_rules)  # every study is synthetic
    spec = TableSpec({"rows": result.disclosure_spec,
                      **{k: design() for k in result.settings}}, totals="none")
    payload = json_with_rules(gate, {"rows": result.to_records(), **result.settings}, spec,
                              name="design")
    gated = gate_result(gate, result, name="design")
    if args.out is not None:
        _write(Path(args.out), gated, payload, result)
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        header = [(k, gate.value(v, "design")) for k, v in result.settings.items()]
        print(table_text(gated, title=result.title, header=header))
    return 0


def _write(out: Path, gated, payload: dict, result) -> None:
    """The gated table, the JSON and the power curve, each written atomically."""
    import io
    import json

    from .._atomic import atomic_write_bytes, atomic_write_text
    from ..report.figures import _pyplot

    atomic_write_text(out / "design.csv", gated.marked().to_csv(index=False))
    atomic_write_text(out / "design.json", json.dumps(payload, indent=2))
    figure = result.plot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight",
                   metadata={"Software": None})
    _pyplot().close(figure)
    atomic_write_bytes(out / "power_curve.png", buffer.getvalue())
