"""04 — PMK availability, handled honestly.

Who could nominate a person most knowledgeable (PMK), what a complete-case analysis loses,
and the relationship-quality estimate of PMK-reported functioning under complete cases,
multiple imputation, inverse-probability weighting and a delta-adjusted (not at random) grid.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions._disclosure import disclosable
from youthtransitions.report import figures
from youthtransitions.report.gate import TableSpec, design, estimate, text
from youthtransitions.report.pipeline import run_standalone


def pmk_json_spec(comparison) -> TableSpec:
    """``pmk.json``: the methods table as the result declares it, the imputations as design."""
    return TableSpec({"model": text(), "m": design(), "truth": estimate(),
                      "tipping_point": estimate(), "methods": comparison.disclosure_spec})


def run(ctx) -> None:
    diagnostics = yt.pmk.availability(ctx.study)
    tables = diagnostics.disclosure_tables()
    ctx.write_table("pmk_balance", tables["balance"],
                    caption="Youth with and without a PMK report: means and standardised "
                            "mean differences of the covariates")
    ctx.write_table("pmk_availability", tables["model"],
                    caption="Logistic model of having a PMK report: coefficients and odds "
                            "ratios", labels={"statistic": "z"})
    ctx.write_table("pmk_patterns", tables["patterns"],
                    caption="Patterns of survey-wave and PMK missingness (1 = interviewed at "
                            "waves 1, 2, 3)")
    ctx.write_table("pmk_sample_loss", tables["sample_loss"],
                    caption="Share of each analysis's sample lost by a complete-case analysis")
    comparison = yt.pmk.compare_methods(ctx.study, m=ctx.options["m"], seed=ctx.seed,
                                        workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_table("pmk_methods", comparison.disclosure(),
                    caption="Relationship quality and PMK-reported functioning under each way "
                            f"of handling missing PMK reports (MI with m = {ctx.options['m']})")
    sensitivity = comparison.sensitivity
    truth = comparison.truth or {}
    grid = ctx.figure_data("pmk_sensitivity", sensitivity.disclosure(), mark_size="n")
    ctx.write_figure("pmk_sensitivity", figures.sensitivity_plot(
        grid.frame, tipping_point=sensitivity.tipping_significance,
        truth=truth.get("slope")), data=grid,
        caption="Delta adjustment of imputed PMK reports: the relationship-quality estimate "
                "with its 95% CI across deltas, and the tipping point where the conclusion "
                "changes.")
    # the analysed PMK outcome first, then the other wave-3 PMK score; each line and density
    # of imputed values stands for the youth imputed, so a score imputed for too few youth
    # is not drawn
    imputation = comparison.imputation
    imputed = [comparison.outcome] + [
        v for v in imputation.imputed
        if v.startswith("pmk_") and v.endswith("_w3") and v != comparison.outcome]
    summary = imputation.to_frame().set_index("variable").loc[imputed].reset_index()
    drawn = ctx.figure_data("imputed_scores", disclosable(summary, imputation.disclosure_spec),
                            mark_size="n_missing")
    shown = list(drawn.frame["variable"])
    ctx.write_figure("imputation_trace", imputation.plot_trace(shown), data=drawn,
                     caption="Convergence of the chained equations: mean and SD of the imputed "
                             "PMK scores per iteration, one line per imputation.")
    ctx.write_figure("imputation_distributions", imputation.plot_distributions(shown),
                     data=drawn,
                     caption="Observed (blue) against imputed (red) PMK scores, one density "
                             "per imputation.")
    ctx.write_json("pmk", comparison.to_dict(), spec=pmk_json_spec(comparison))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
