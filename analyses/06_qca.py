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
from youthtransitions.report.replicate import run_standalone


def run(ctx) -> None:
    features = quantitize(ctx.study.codes)
    outcomes = youth_outcomes(ctx.study)
    outcomes = outcomes.assign(positive_change=(outcomes["change"] > 0).astype(float))
    result = mechanism_configurations(features, outcome_col="positive_change",
                                      outcomes=outcomes[["youth_id", "positive_change"]],
                                      dir_exp=list(MECHANISMS))
    ctx.write_table("qca_truth_table", result.truth_table,
                    caption="Truth table of the four mechanisms for positive change",
                    counts=["n"])
    ctx.write_table("qca_solutions", result.to_frame(),
                    caption="QCA solutions: mechanism combinations sufficient for positive "
                            "change (inclusion, PRI, raw and unique coverage)")
    ctx.write_figure("qca_solutions", figures.qca_solution_plot(result.to_frame()),
                     caption="Consistency and coverage of each solution term.")


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
