"""04 — PMK availability, handled honestly.

Who could nominate a person most knowledgeable (PMK), what a complete-case analysis loses,
and the relationship-quality estimate of PMK-reported functioning under complete cases,
multiple imputation, inverse-probability weighting and a delta-adjusted (not at random) grid.
"""

from __future__ import annotations

import pandas as pd

import youthtransitions as yt
from youthtransitions.report import figures
from youthtransitions.report.gate import (
    TableSpec,
    count,
    denominator,
    design,
    df,
    estimate,
    mean_indicator,
    model_size,
    share,
    text,
)
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import indicator_rows

BALANCE_COLUMNS = {"covariate": text(), "n_with": count("youth"),
                   "n_without": count("youth"), "smd": estimate()}
#: rows of 0/1 covariates: their means are shares of the group's youth
BALANCE_INDICATORS = TableSpec({**BALANCE_COLUMNS, "mean_with": mean_indicator("n_with"),
                                "mean_without": mean_indicator("n_without")}, totals="none")
BALANCE_SCORES = TableSpec({**BALANCE_COLUMNS, "mean_with": estimate(rests_on="n_with"),
                            "mean_without": estimate(rests_on="n_without")}, totals="none")
AVAILABILITY_SPEC = TableSpec({c: estimate(digits=3) if c in ("statistic", "p_value")
                               else estimate() for c in (
                                   "estimate", "std_error", "df", "statistic", "p_value",
                                   "conf_low", "conf_high", "odds_ratio", "or_low", "or_high")}
                              | {"term": text()}, totals="none")


def patterns_spec(n_youth: int) -> TableSpec:
    return TableSpec({"waves": text(), "pmk": text(), "n": count("youth"),
                      "share": share("n", population=n_youth, unit="youth")},
                     totals="columns")


def loss_spec(unit: str) -> TableSpec:
    return TableSpec({"analysis": text(), "n_total": denominator(unit),
                      "n_complete": count(unit), "share_lost": share("n_complete", "n_total")},
                     totals="none")


METHODS_SPEC = TableSpec({
    "method": text(), "delta": estimate(), "estimate": estimate(), "std_error": estimate(),
    "df": df("n"), "p_value": estimate(digits=3), "conf_low": estimate(),
    "conf_high": estimate(), "r2": estimate(), "r2_low": estimate(), "r2_high": estimate(),
    "n": model_size("youth"), "truth_slope": estimate(), "truth_r2": estimate(),
    "covers_truth": text()}, totals="none")
SENSITIVITY_SPEC = TableSpec({
    "delta": estimate(), "estimate": estimate(), "std_error": estimate(), "df": df("n"),
    "p_value": estimate(digits=3), "conf_low": estimate(), "conf_high": estimate(),
    "r2": estimate(), "r2_low": estimate(), "r2_high": estimate(), "n": model_size("youth"),
    "fmi": estimate(), "significant": text()}, totals="none")
TRACE_SPEC = TableSpec({"imputation": design(), "iteration": design(), "variable": text(),
                        "mean": estimate(rests_on="n"), "sd": estimate(rests_on="n"),
                        "n": count("youth")}, totals="none")
DENSITY_SPEC = TableSpec({"variable": text(), "values": text(), "n": count("youth")},
                         totals="none")
PMK_JSON_SPEC = TableSpec({"model": text(), "m": design(), "truth": estimate(),
                           "tipping_point": estimate(), "methods": METHODS_SPEC})


def run(ctx) -> None:
    diagnostics = yt.pmk.availability(ctx.study)
    balance = diagnostics.balance
    indicators = indicator_rows(ctx.study, balance["covariate"])
    ctx.write_table("pmk_balance", balance,
                    spec=[(indicators, BALANCE_INDICATORS), (~indicators, BALANCE_SCORES)],
                    caption="Youth with and without a PMK report: means and standardised "
                            "mean differences of the covariates")
    ctx.write_table("pmk_availability", diagnostics.to_frame(), spec=AVAILABILITY_SPEC,
                    caption="Logistic model of having a PMK report: coefficients and odds "
                            "ratios")
    ctx.write_table("pmk_patterns", diagnostics.patterns, spec=patterns_spec(diagnostics.n),
                    caption="Patterns of survey-wave and PMK missingness (1 = interviewed at "
                            "waves 1, 2, 3)")
    loss = diagnostics.sample_loss
    waves = loss["n_total"] != diagnostics.n  # youth-wave rows: three records per youth
    ctx.write_table("pmk_sample_loss", loss, complements=["share_lost"],
                    spec=[(~waves, loss_spec("youth")), (waves, loss_spec("observation"))],
                    caption="Share of each analysis's sample lost by a complete-case analysis")
    comparison = yt.pmk.compare_methods(ctx.study, m=ctx.options["m"], seed=ctx.seed,
                                        workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_table("pmk_methods", comparison.to_frame(), spec=METHODS_SPEC,
                    caption="Relationship quality and PMK-reported functioning under each way "
                            f"of handling missing PMK reports (MI with m = {ctx.options['m']})")
    sensitivity = comparison.sensitivity
    truth = comparison.truth or {}
    grid = ctx.figure_data("pmk_sensitivity", sensitivity.to_frame(), SENSITIVITY_SPEC,
                           mark_size="n")
    ctx.write_figure("pmk_sensitivity", figures.sensitivity_plot(
        grid.frame, tipping_point=sensitivity.tipping_significance,
        truth=truth.get("slope")), data=grid,
        caption="Delta adjustment of imputed PMK reports: the relationship-quality estimate "
                "with its 95% CI across deltas, and the tipping point where the conclusion "
                "changes.")
    # the analysed PMK outcome first, then the other wave-3 PMK score
    imputation = comparison.imputation
    imputed = [comparison.outcome] + [
        v for v in imputation.imputed
        if v.startswith("pmk_") and v.endswith("_w3") and v != comparison.outcome]
    n_missing = imputation.data[imputed].isna().sum()
    trace = ctx.figure_data("imputation_trace", imputation.trace[
        imputation.trace["variable"].isin(imputed)].assign(
            n=lambda t: t["variable"].map(n_missing)), TRACE_SPEC, mark_size="n")
    shown = list(dict.fromkeys(trace.frame["variable"]))
    ctx.write_figure("imputation_trace", imputation.plot_trace(shown), data=trace,
                     caption="Convergence of the chained equations: mean and SD of the imputed "
                             "PMK scores per iteration, one line per imputation.")
    densities = ctx.figure_data("imputation_distributions", pd.DataFrame(
        [{"variable": v, "values": part, "n": int(n)} for v in imputed
         for part, n in (("observed", len(imputation.data) - n_missing[v]),
                         ("imputed", n_missing[v]))]), DENSITY_SPEC, mark_size="n")
    drawn = [v for v in imputed if (densities.frame["variable"] == v).sum() == 2]
    ctx.write_figure("imputation_distributions", imputation.plot_distributions(drawn),
                     data=densities,
                     caption="Observed (blue) against imputed (red) PMK scores, one density "
                             "per imputation.")
    ctx.write_json("pmk", comparison.to_dict(), spec=PMK_JSON_SPEC)


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
