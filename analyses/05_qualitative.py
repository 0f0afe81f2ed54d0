"""05 — The qualitative mechanisms, tested against the survey.

Coder reliability of the mechanism codes, the youth-level features (activation, power
quadrant, synergy), the join to the survey, and the statistical integration tests with
permutation p-values and Holm correction, each with its reading (confirms, expands, discords).
"""

from __future__ import annotations

from dataclasses import replace

import youthtransitions as yt
from youthtransitions.qual import code_reliability, join_codes, quantitize
from youthtransitions.report import figures
from youthtransitions.report.gate import (
    TableSpec,
    binned_spec,
    estimate,
    excerpt,
    identifier,
    model_size,
    text,
)
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import (
    SUMMARY_SPECS,
    excerpt_segments,
    qualitative_summary,
)

CHANGE_SPEC = TableSpec({"power_quadrant": text(), "mean": estimate(),
                         "conf_low": estimate(), "conf_high": estimate(),
                         "n": model_size("youth")}, totals="none")
POINTS_SPEC = TableSpec({"youth_id": identifier(), "care_level": estimate(),
                         "control_level": estimate(), "wellbeing_change": estimate(),
                         "power_quadrant": text()}, totals="none")


def agreement_disclosure(reliability):
    """The agreement table as its result declares it, its statistics to three significant
    digits: a percent agreement over the youth with PMK codes (and its bootstrap limits) is a
    share of an exact count, which four digits would give away."""
    table = reliability.disclosure()
    columns = {**table.spec.columns, **{c: estimate(digits=3)
                                        for c in ("estimate", "conf_low", "conf_high")}}
    return replace(table, spec=TableSpec(columns, totals=table.spec.totals))


def joint_disclosure(display, codes):
    """The joint display as its result declares it, each excerpt's stand-in naming its
    segment as well as its mechanism (the segment ids are gated, then not written)."""
    frame = display.to_frame()
    columns = dict(display.disclosure_spec.columns)
    for kind in ("confirmatory", "counterfactual"):
        frame[f"{kind}_segment"] = excerpt_segments(codes, frame[f"{kind}_excerpt"])
        columns[f"{kind}_segment"] = text()
        columns[f"{kind}_excerpt"] = excerpt(code="mechanism", segment=f"{kind}_segment")
    return frame, TableSpec(columns, totals=display.disclosure_spec.totals)


def run(ctx) -> None:
    study = ctx.study
    reliability = code_reliability(study.codes, B=ctx.options["B"], seed=ctx.seed)
    ctx.write_table("code_reliability", agreement_disclosure(reliability),
                    caption="Agreement of double-coded segments: Cohen's kappa and "
                            "Krippendorff's alpha with bootstrap 95% CIs",
                    formats=dict.fromkeys(("estimate", "conf_low", "conf_high"), "bounded"))
    features = quantitize(study.codes)
    joined = join_codes(study, features)
    ctx.write_table("code_join", joined.to_frame()[["status", "n"]],
                    spec=joined.disclosure_spec,
                    caption="Join of the qualitative subsample to the survey")
    result = yt.integrate(study, n_perm=ctx.options["n_perm"], seed=ctx.seed,
                          B=ctx.options["B"], workers=ctx.workers)
    tests = ctx.write_table("integration", result.disclosure(),
                            caption="Statistical tests of the qualitative findings "
                                    "(permutation p, Holm-adjusted across the family)")
    display = yt.qual.joint_display(study, result)
    table, spec = joint_disclosure(display, study.codes)
    ctx.write_table("joint_display", table, spec=spec,
                    drop=["confirmatory_segment", "counterfactual_segment"],
                    caption="Joint display: quantitative results beside exemplar excerpts")
    ctx.write_figure("joint_display", display.figure(), data=tests,
                     caption="Joint display: each mechanism's quantitative results and the "
                             "reading against the qualitative claim.")
    data = result.data
    if ctx.gate.applied:  # no point per youth: youth per cell, change per quadrant
        cells = ctx.figure_data("power_quadrant", figures.quadrant_cells(
            data, care="care_level", control="control_level"), binned_spec("youth",
                                                                           two_way=True),
            mark_size="n")
        change = ctx.figure_data("power_quadrant_change", figures.quadrant_change(
            data, outcome="wellbeing_change", quadrant="power_quadrant"), CHANGE_SPEC,
            mark_size="n")
        ctx.write_figure("power_quadrant", figures.power_quadrant_cells(
            cells.frame, change.frame, quadrant="power_quadrant", outcome="wellbeing_change"),
            data=[cells, change],
            caption="Power as care and control: youth per cell of coded care and control "
                    "levels (cells of fewer than six youth not shown), and mean change in "
                    "wellbeing from wave 1 to wave 3 by quadrant with 95% CIs.")
    else:
        points = ctx.figure_data("power_quadrant", data[list(POINTS_SPEC.columns)],
                                 POINTS_SPEC)
        ctx.write_figure("power_quadrant", figures.power_quadrant(
            points.frame, care="care_level", control="control_level",
            outcome="wellbeing_change", quadrant="power_quadrant", seed=ctx.seed),
            data=points,
            caption="Power as care and control: coded levels per youth, coloured by change in "
                    "wellbeing from wave 1 to wave 3, and change by quadrant.")
    ctx.write_json("qualitative", qualitative_summary(features, result,
                                                      checks=ctx.output_rules),
                   spec=SUMMARY_SPECS["qualitative"])


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
