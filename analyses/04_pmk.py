"""04 — PMK availability, handled honestly.

Who could nominate a person most knowledgeable (PMK), what a complete-case analysis loses,
and the relationship-quality estimate of PMK-reported functioning under complete cases,
multiple imputation, inverse-probability weighting and a delta-adjusted (not at random) grid.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report import figures
from youthtransitions.report.pipeline import run_standalone


def run(ctx) -> None:
    diagnostics = yt.pmk.availability(ctx.study)
    ctx.write_table("pmk_balance", diagnostics.balance, counts=["n_with", "n_without"],
                    caption="Youth with and without a PMK report: means and standardised "
                            "mean differences of the covariates")
    ctx.write_table("pmk_availability", diagnostics.to_frame(),
                    caption="Logistic model of having a PMK report: coefficients and odds "
                            "ratios")
    ctx.write_table("pmk_patterns", diagnostics.patterns, counts=["n"],
                    derived={"share": "n"},
                    caption="Patterns of survey-wave and PMK missingness (1 = interviewed at "
                            "waves 1, 2, 3)")
    ctx.write_table("pmk_sample_loss", diagnostics.sample_loss,
                    counts=["n_total", "n_complete"],
                    caption="Share of each analysis's sample lost by a complete-case analysis")
    comparison = yt.pmk.compare_methods(ctx.study, m=ctx.options["m"], seed=ctx.seed,
                                        workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_table("pmk_methods", comparison.to_frame(), counts=["n"],
                    caption="Relationship quality and PMK-reported functioning under each way "
                            f"of handling missing PMK reports (MI with m = {ctx.options['m']})")
    sensitivity = comparison.sensitivity
    truth = comparison.truth or {}
    ctx.write_figure("pmk_sensitivity", figures.sensitivity_plot(
        sensitivity.to_frame(), tipping_point=sensitivity.tipping_significance,
        truth=truth.get("slope")),
        caption="Delta adjustment of imputed PMK reports: the relationship-quality estimate "
                "with its 95% CI across deltas, and the tipping point where the conclusion "
                "changes.")
    # the analysed PMK outcome first, then the other wave-3 PMK score
    imputed = [comparison.outcome] + [
        v for v in comparison.imputation.imputed
        if v.startswith("pmk_") and v.endswith("_w3") and v != comparison.outcome]
    ctx.write_figure("imputation_trace", comparison.imputation.plot_trace(imputed),
                     caption="Convergence of the chained equations: mean and SD of the imputed "
                             "PMK scores per iteration, one line per imputation.")
    ctx.write_figure("imputation_distributions",
                     comparison.imputation.plot_distributions(imputed),
                     caption="Observed (blue) against imputed (red) PMK scores, one density "
                             "per imputation.")
    ctx.write_json("pmk", comparison.to_dict())


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
