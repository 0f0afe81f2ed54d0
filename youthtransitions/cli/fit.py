"""``yt fit``: fit a mixed model to a long table and report it through the disclosure gate.

A two-level linear mixed model (``--group``) with its R² measures, type III F tests,
likelihood-ratio tests, random effects and profile intervals; a linear mixed model written
with lme4 random terms (several grouping factors, crossed or nested); a binomial or Poisson
GLMM (``--family``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_output_rules_options, add_parallel_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fit", help="fit a linear or generalised linear mixed model",
        description="Fit a mixed model to a long table (CSV, Parquet, SPSS or Stata) and "
                    "report fixed effects, variance components, Nakagawa and Rights & Sterba "
                    "R², optionally a nested-model comparison (R² differences and a "
                    "likelihood-ratio test), type III F tests, random effects, profile "
                    "intervals and bootstrap confidence intervals. The random part is "
                    "--group/--random, or lme4 random terms in the formula "
                    "('y ~ x + (1 + wave | youth_id) + (1 | worker_id)'). --family fits a "
                    "binomial or Poisson GLMM. A data file carries no synthetic marker, so "
                    "the output rules apply: observations and groups rounded, degrees of "
                    "freedom from the rounded counts, random effects summarised (turn them "
                    "off with --no-output-rules).")
    p.add_argument("data", metavar="DATA", help="long table: .csv, .parquet, .sav or .dta")
    p.add_argument("--formula", required=True,
                   help="'y ~ x_within + x_between' (with --group), or with lme4 random "
                        "terms 'y ~ x + (1 | youth_id) + (1 | worker_id)'")
    p.add_argument("--group", help="column identifying the groups (youth); not with random "
                                   "terms in the formula")
    p.add_argument("--random", default=None,
                   help="random part inside ( | group), e.g. '1' or '1 + wave' (default 1)")
    p.add_argument("--method", choices=("reml", "ml"), default=None,
                   help="reml (default) or ml; GLMMs are fitted by ML")
    p.add_argument("--engine", choices=("fast", "statsmodels"), default=None,
                   help="engine of a two-level model (default fast)")
    p.add_argument("--ddf", choices=("satterthwaite", "kenward-roger"), default=None,
                   help="denominator df (and, for Kenward-Roger, adjusted standard errors) "
                        "of the coefficient table of a two-level model (default "
                        "satterthwaite)")
    p.add_argument("--family", choices=("binomial", "poisson"),
                   help="fit a GLMM (as lme4's glmer) with this family")
    p.add_argument("--link", choices=("logit", "probit", "log"),
                   help="GLMM link (default: logit for binomial, log for Poisson)")
    p.add_argument("--nagq", type=int, default=None,
                   help="GLMM quadrature points: 1 Laplace (default), up to 25 adaptive "
                        "Gauss-Hermite for one scalar random effect")
    p.add_argument("--compare", metavar="REDUCED_FORMULA",
                   help="fixed part of a nested model: report every R² difference and the "
                        "likelihood-ratio test")
    p.add_argument("--anova", nargs="?", const="satterthwaite",
                   choices=("satterthwaite", "kenward-roger"),
                   help="type III F tests per term (default satterthwaite)")
    p.add_argument("--ranef", action="store_true",
                   help="random effects: per level with the output rules off, otherwise a "
                        "binned summary")
    p.add_argument("--profile", action="store_true",
                   help="profile-likelihood intervals of fixed effects and variance "
                        "parameters at --level")
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


def _report(gate, full, reduced, boot, sections) -> dict[str, Any]:
    from .._disclosure import TableSpec
    from .._tidy import frame_to_records
    from ..models import r2_difference
    from ._common import json_with_rules
    from ._fit_sections import add_sections, sections_spec, strip_helpers

    out = full.to_json()
    out["fixed"] = frame_to_records(full.disclosure().frame)
    if reduced is not None:
        out["compare_formula"] = reduced.formula
        out["r2_difference"] = r2_difference(full, reduced).to_json()
    if boot is not None:
        out["bootstrap"] = boot.to_json()["bootstrap"]
    add_sections(out, sections)
    spec = _json_spec(full)
    spec = TableSpec({**spec.columns, **sections_spec(sections)}, totals="none")
    out = json_with_rules(gate, out, spec, name="fit")
    out["fixed"] = [{k: v for k, v in r.items() if k not in _HELPERS} for r in out["fixed"]]
    return strip_helpers(out, sections)


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


def _print(gate, full, reduced, boot, sections) -> None:
    from ..models import r2_difference
    from ._common import gate_result, table_text
    from ._fit_sections import print_sections

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
    print_sections(gate, sections)


def _check_options(args: argparse.Namespace, terms: bool) -> str:
    """Which model the options ask for (``"lmm"``, ``"terms"`` or ``"glmm"``); a
    combination that has no meaning is a UsageError (exit 2) before any work."""
    from ..errors import UsageError

    def refuse(given: dict, why: str) -> None:
        bad = [flag for flag, value in given.items() if value not in (None, False)]
        if bad:
            raise UsageError(f"{', '.join(bad)}: {why}")

    if args.family is None:
        refuse({"--link": args.link, "--nagq": args.nagq},
               "options of a GLMM; give --family binomial or --family poisson")
    if terms and (args.group is not None or args.random is not None):
        raise UsageError("the formula has lme4 random terms; give the random part either in "
                         "the formula or with --group/--random, not both")
    if args.family is not None:
        if not terms and args.group is None:
            raise UsageError("a GLMM needs random terms in the formula, e.g. "
                             "'y ~ x + (1 | youth_id)', or --group")
        refuse({"--ddf": args.ddf, "--anova": args.anova, "--profile": args.profile,
                "--engine": args.engine},
               "not available for a GLMM (Wald z tests, fitted by maximum likelihood)")
        refuse({"--method": args.method if args.method == "reml" else None},
               "a GLMM has no REML; it is fitted by maximum likelihood")
        refuse({"--bootstrap-kind": args.bootstrap_kind if args.bootstrap_kind ==
                "parametric" else None}, "the bootstrap of a GLMM's R² resamples clusters")
        if args.compare and args.bootstrap is not None:
            raise UsageError("--bootstrap with --compare: the bootstrap of an R² difference "
                             "is for linear mixed models; a GLMM comparison is the "
                             "likelihood-ratio test")
        return "glmm"
    if terms:
        refuse({"--ddf": args.ddf, "--anova": args.anova, "--profile": args.profile,
                "--compare": args.compare, "--bootstrap": args.bootstrap,
                "--engine": args.engine},
               "available for a model with one grouping factor: write it with --group "
               "and --random")
        return "terms"
    if args.group is None:
        raise UsageError("give the grouping column with --group, or lme4 random terms in "
                         "the formula, e.g. 'y ~ x + (1 | youth_id)'")
    return "lmm"


def _with_terms(formula: str, full_formula: str) -> str:
    """``formula`` with the random terms of ``full_formula`` when it has none of its own."""
    from ..models.random_terms import has_random_terms, parse_random_terms

    if has_random_terms(formula):
        return formula
    terms = " + ".join(str(t) for t in parse_random_terms(full_formula).random)
    return f"{formula} + {terms}"


def _seed(args) -> int:
    import numpy as np

    return args.seed if args.seed is not None else int(
        np.random.SeedSequence().entropy % (2**31))


def _run_lmm(args, data, gate, level) -> int:
    import json

    from ..models import bootstrap_r2, check_nested, fit_lmm
    from ._fit_sections import inference_sections

    options = {"group": args.group, "random": args.random or "1",
               "method": args.method or "reml", "engine": args.engine or "fast"}
    full = fit_lmm(args.formula, data, ci_level=level, ddf=args.ddf or "satterthwaite",
                   **options)
    reduced = None
    if args.compare:
        reduced = fit_lmm(args.compare, data.loc[full.data.index], **options)
        check_nested(full, reduced)  # another outcome or other rows: exit 2 before any work
    boot = None
    if args.bootstrap is not None:
        boot = bootstrap_r2(full, reduced, B=args.bootstrap, kind=args.bootstrap_kind,
                            seed=_seed(args), workers=args.workers,
                            scheduler=args.scheduler, level=args.level)
    sections = inference_sections(gate, args, full, reduced, main_group=args.group)
    if args.json:
        print(json.dumps(_report(gate, full, reduced, boot, sections), indent=2))
        return 0
    _print(gate, full, reduced, boot, sections)
    return 0


def _run_terms(args, data, gate, level, kind) -> int:
    import json

    from .._disclosure import TableSpec
    from ..models import fit_glmm
    from ..models.crossed import fit_lmm_terms
    from ..models.glmm.r2 import random_intercepts_only
    from . import _fit_terms as views
    from ._common import gate_result, json_with_rules, table_text
    from ._fit_sections import (
        add_sections,
        inference_sections,
        print_sections,
        sections_spec,
        strip_helpers,
    )

    formula = args.formula
    if kind == "glmm" and args.group is not None:
        formula = f"{formula} + ({args.random or '1'} | {args.group})"
    glmm = {"family": args.family, "link": args.link, "nagq": args.nagq or 1}
    if kind == "glmm":
        full = fit_glmm(formula, data, **glmm)
    else:
        full = fit_lmm_terms(formula, data, method=args.method or "reml", ci_level=level)
    reduced = fit_glmm(_with_terms(args.compare, formula),
                       data.loc[full.design.frame.index], **glmm) if args.compare else None
    r2, boot = None, None
    # R² is shown when it is defined; asked for with --bootstrap it is computed (or refused)
    if kind == "glmm" and (args.bootstrap is not None or random_intercepts_only(full)):
        if args.bootstrap is not None:
            boot = {"B": args.bootstrap, "seed": _seed(args), "level": level}
            r2 = full.r2(B=args.bootstrap, seed=boot["seed"], workers=args.workers,
                         level=level, scheduler=args.scheduler)
        else:
            r2 = full.r2()
    sections = inference_sections(gate, args, full, reduced, main_group=args.group)
    if args.json:
        out = add_sections(views.report(full, level, r2, boot), sections)
        spec = {**views.json_spec(full, args.group, r2), **sections_spec(sections)}
        out = json_with_rules(gate, out, TableSpec(spec, totals="none"), name="fit")
        if out.get("bootstrap") == {}:  # its settings moved under settings
            del out["bootstrap"]
        print(json.dumps(strip_helpers(out, sections), indent=2))
        return 0
    print(table_text(gate_result(gate, views.coefficients(full, level), name="fit_fixed"),
                     title=full.title, header=views.model_header(gate, full, args.group)))
    print()
    print(table_text(views.varcorr_table(gate, full), title="Variance components"))
    if r2 is not None:
        print()
        print(table_text(gate_result(gate, r2, name="fit_r2"), title=r2.title))
    print_sections(gate, sections)
    return 0


def run(args: argparse.Namespace) -> int:
    from .._options import check_level
    from ..models.random_terms import has_random_terms
    from ..study.datafile import read_data_file
    from ._common import command_gate

    level = check_level(args.level, "--level")
    kind = _check_options(args, has_random_terms(args.formula))
    data = read_data_file(args.data)
    gate = command_gate(args, path=args.data)
    if kind == "lmm":
        return _run_lmm(args, data, gate, level)
    return _run_terms(args, data, gate, level, kind)
