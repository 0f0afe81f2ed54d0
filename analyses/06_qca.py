"""06 — Configurations: which combinations of mechanisms are sufficient for positive change.

Crisp-set QCA over the four mechanisms' activation, with positive change in wellbeing (wave 3
above wave 1) as the outcome: truth table, conservative and parsimonious solutions, and the
intermediate solution under the qualitative claim that each mechanism, when present, helps.
"""

from __future__ import annotations

from youthtransitions.qual import quantitize
from youthtransitions.qual.configurations import MECHANISMS, mechanism_configurations
from youthtransitions.qual.integrate import youth_outcomes
from youthtransitions.report import figures
from youthtransitions.report.pipeline import run_standalone


def run(ctx) -> None:
    features = quantitize(ctx.study.codes)
    outcomes = youth_outcomes(ctx.study)
    outcomes = outcomes.assign(positive_change=(outcomes["wellbeing_change"] > 0).astype(float))
    result = mechanism_configurations(features, outcome_col="positive_change",
                                      outcomes=outcomes[["youth_id", "positive_change"]],
                                      dir_exp=list(MECHANISMS))
    truth_table = result.truth_table.to_frame().drop(columns=["cases"], errors="ignore")
    spec = result.truth_table.disclosure_spec
    ctx.write_table("qca_truth_table", truth_table, spec=spec,
                    caption="Truth table of the four mechanisms (crisp sets: active or not) "
                            "for positive change in wellbeing from wave 1 to wave 3")
    solutions = result.to_frame()
    ctx.write_table("qca_solutions", result.disclosure(),
                    caption="QCA solutions: mechanism combinations sufficient for positive "
                            "change (inclusion, PRI, raw and unique coverage)",
                    formats=dict.fromkeys(("incl", "pri", "cov_raw", "cov_unique"), "bounded"),
                    note=None if len(solutions) else "No configuration reached the inclusion "
                    "cut-off of 0.8, so there is no sufficient combination to minimise.")
    drawn = ctx.figure_data("qca_truth_table_plot", truth_table, spec, mark_size="n")
    ctx.write_figure("qca_truth_table", figures.truth_table_plot(
        drawn.frame, conditions=list(MECHANISMS)), data=drawn,
        caption="Sufficiency inclusion of each observed configuration of the four mechanisms "
                "for positive change.")


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
