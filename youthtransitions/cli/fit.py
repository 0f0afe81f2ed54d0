"""``yt fit``: fit a two-level linear mixed model to a long table and report its R² measures."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_output_rules_options, add_parallel_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fit", help="fit a two-level linear mixed model and its R² measures",
        description="Fit a two-level linear mixed model to a long table (CSV, Parquet, SPSS "
                    "or Stata) and report fixed effects, variance components, Nakagawa and "
                    "Rights & Sterba R², optionally a nested-model difference and bootstrap "
                    "confidence intervals. A data file carries no synthetic marker, so the "
                    "output rules apply: observations and groups rounded, degrees of freedom "
                    "from the rounded counts (turn them off with --no-output-rules).")
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
    add_output_rules_options(p)
    p.set_defaults(run=run)


#: helper columns of the coefficient records, dropped after the gate
_HELPERS = ("n_obs", "n_groups", "df_obs", "df_groups")


def _boot_columns(key: str) -> dict:
    from .._disclosure import design, estimate, text

    return {f"{key}.B": design(), f"{key}.seed": design(), f"{key}.kind": text(),
            f"{key}.level": design(), f"{key}.failed": design(), f"{key}.of": text(),
            f"{key}.ci": estimate()}


def _r2_columns(key: str) -> dict:
    from .._disclosure import estimate

    return {f"{key}.marginal": estimate(), f"{key}.conditional": estimate(),
            f"{key}.rights_sterba": estimate(), **_boot_columns(f"{key}.bootstrap")}


def _json_spec(full):
    from .._disclosure import TableSpec, count, design, estimate, model_size, text

    fixed = full.disclosure_spec
    return TableSpec({"engine": text(), "method": text(), "formula": text(), "group": text(),
                      "random_formula": text(), "n_obs": model_size("observation"),
                      "n_groups": model_size("youth"), "n_dropped": count("observation"),
                      "converged": text(), "singular": text(),
                      # BIC - AIC = k (log n - 2): four significant digits keep n unsolvable
                      "loglik": estimate(digits=4), "aic": estimate(digits=4),
                      "bic": estimate(digits=4), "level": design(), "fixed": fixed,
                      "random.terms": text(), "random.cov": estimate(),
                      "residual_variance": estimate(), **_r2_columns("r2"),
                      "compare_formula": text(), **_r2_columns("r2_difference"),
                      **_boot_columns("bootstrap")}, totals="none")


def _report(gate, full, reduced, boot) -> dict[str, Any]:
    from .._tidy import frame_to_records
    from ..models import r2_difference
    from ._common import json_with_rules

    out = full.to_json()
    out["fixed"] = frame_to_records(full.disclosure().frame)
    if reduced is not None:
        out["compare_formula"] = reduced.formula
        out["r2_difference"] = r2_difference(full, reduced).to_json()
    if boot is not None:
        out["bootstrap"] = boot.to_json()["bootstrap"]
    out = json_with_rules(gate, out, _json_spec(full), name="fit")
    out["fixed"] = [{k: v for k, v in r.items() if k not in _HELPERS} for r in out["fixed"]]
    return out


def _model_header(gate, full) -> list:
    """The model's summary header with its counts and information criteria gated (the
    other entries are estimates, words and settings)."""
    gated = {"Observations": gate.value(full.n_obs, "model_size", unit="observation"),
             "Groups": gate.value(full.n_groups, "model_size", unit="youth"),
             "Rows dropped (missing)": gate.value(full.n_dropped, "count",
                                                  unit="observation"),
             "Log-likelihood": gate.value(full.loglik, "estimate", digits=4),
             "AIC": gate.value(full.aic, "estimate", digits=4),
             "BIC": gate.value(full.bic, "estimate", digits=4)}
    return [(label, gated.get(label, value)) for label, value in full._summary_header()]


def _r2_header(gate, r2, n_obs) -> list:
    observations = gate.value(n_obs, "model_size", unit="observation")
    return [(label, observations if label == "Observations" else value)
            for label, value in r2._summary_header()]


def _random_table(gate, full):
    from .._disclosure import TableSpec, estimate, text

    spec = TableSpec({"group": text(), "term1": text(), "term2": text(), "vcov": estimate(),
                      "sdcor": estimate()}, totals="none")
    return gate.table(full.random_frame(), spec, name="fit_random")


def _print(gate, full, reduced, boot) -> None:
    from ..models import r2_difference
    from ._common import gate_result, table_text

    print(table_text(gate_result(gate, full, name="fit_fixed"), title=full.title,
                     header=_model_header(gate, full)))
    print()
    print(table_text(_random_table(gate, full)))
    print()
    r2 = boot if (boot is not None and reduced is None) else full.r2()
    print(table_text(gate_result(gate, r2, name="fit_r2"), title=r2.title,
                     header=_r2_header(gate, r2, full.n_obs)))
    if reduced is not None:
        print()
        print(f"Reduced model: {reduced.formula}")
        diff = boot if boot is not None else r2_difference(full, reduced)
        print(table_text(gate_result(gate, diff, name="fit_r2_difference"), title=diff.title,
                         header=_r2_header(gate, diff, full.n_obs)))


def run(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from .._options import check_level
    from ..models import bootstrap_r2, check_nested, fit_lmm
    from ..study.datafile import read_data_file
    from ._common import command_gate

    level = check_level(args.level, "--level")
    data = read_data_file(args.data)
    gate = command_gate(args, path=args.data)
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
        print(json.dumps(_report(gate, full, reduced, boot), indent=2))
        return 0
    _print(gate, full, reduced, boot)
    return 0
