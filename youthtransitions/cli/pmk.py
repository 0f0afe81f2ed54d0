"""``yt pmk``: the PMK relationship-quality estimate under every missing-data method."""

from __future__ import annotations

from ..parallel import DEFAULT_SEED
from ._common import add_output_rules_options, add_parallel_options, add_study_dir, study_dir


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
    add_output_rules_options(p)
    p.set_defaults(run=run)


def _json_spec(result):
    from .._disclosure import TableSpec, denominator, design, estimate, share, text

    return TableSpec({"model": text(), "m": design(), "truth": estimate(),
                      "methods": result.disclosure_spec, "tipping_point": estimate(),
                      "availability.n": denominator("youth"),
                      "availability.n_available": denominator("youth"),
                      "availability.share_available": share("n_available", "n")},
                     totals="none")


def _header(gate, result) -> list:
    tipping = result.sensitivity.tipping_significance
    head = [("model", f"{result.outcome} ~ {result.predictor}"),
            ("imputations", gate.value(result.imputation.m, "design")),
            ("tipping point (significance)",
             gate.value(tipping, "estimate") if tipping is not None else "none in grid")]
    if result.truth:
        head += [("true slope", gate.value(result.truth["slope"], "estimate")),
                 ("true R²", gate.value(result.truth["r2"], "estimate"))]
    return head


def run(args) -> int:
    from ..missing import availability, compare_methods
    from ..study import load_study
    from ._common import command_gate, gate_result, print_json, table_text

    study = load_study(study_dir(args.dir))
    gate = command_gate(args, study=study)
    result = compare_methods(study, m=args.m, seed=args.seed, method=args.method,
                             workers=args.workers, scheduler=args.scheduler)
    # the wide youth frame compare_methods already built (n, availability and sample loss
    # are the same as from the study; only the wave patterns, unused here, differ)
    avail = availability(result.imputation.data)
    if args.json:
        out = result.to_dict()
        out["availability"] = {"n": avail.n, "n_available": avail.n_available,
                               "share_available": avail.share_available}
        print_json(gate, out, _json_spec(result), name="pmk")
    else:
        print(table_text(gate_result(gate, result, name="pmk_methods"), title=result.title,
                         header=_header(gate, result)))
        print()
        print(table_text(gate_result(gate, avail.disclosure_tables()["sample_loss"],
                                     name="pmk_sample_loss")))
    return 0
