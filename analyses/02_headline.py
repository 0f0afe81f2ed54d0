"""02 — The headline: the share of outcome variance explained by relationship quality.

Two-level models of wellbeing over the three waves with relationship quality split into its
within- and between-youth parts, their Rights & Sterba decomposition beside the model without
relationship quality, the share at each wave, and the wave-3 outcome explained by wave-1
relationship quality ("14% of positive outcomes three years after services"), with cluster
bootstrap intervals.
"""

from __future__ import annotations

import pandas as pd

import youthtransitions as yt
from youthtransitions.report import figures
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import headline_summary

OUTCOME, PREDICTOR, GROUP, WAVE = "wellbeing", "relationship_quality", "youth_id", "wave"


def decomposition_frame(r2_by_model: dict) -> pd.DataFrame:
    """Rights & Sterba components per model and level, residual share included."""
    parts = {"total": ("f1", "f2", "v", "m"), "within": ("f1", "v"), "between": ("f2", "m")}
    rows = []
    for model, values in r2_by_model.items():
        for level, comps in parts.items():
            shares = {c: values.get(f"{level}.{c}") for c in comps}
            if any(v is None for v in shares.values()):
                continue
            for comp, value in shares.items():
                rows.append({"model": model, "level": level, "component": comp, "value": value})
            if level != "between":
                rows.append({"model": model, "level": level, "component": "residual",
                             "value": 1 - sum(shares.values())})
    return pd.DataFrame(rows)


def run(ctx) -> None:
    frame = ctx.study.analysis_frame()
    rows = frame.dropna(subset=[OUTCOME, PREDICTOR])
    centred = yt.center_within(rows, [PREDICTOR], GROUP)
    full = yt.fit_lmm(f"{OUTCOME} ~ {PREDICTOR}_within + {PREDICTOR}_between", centred,
                      group=GROUP)
    null = yt.fit_lmm(f"{OUTCOME} ~ 1", centred, group=GROUP)
    ctx.write_table("headline_model", full.to_frame(),
                    caption="Mixed model of wellbeing on relationship quality (within and "
                            "between youth), REML, Satterthwaite df",
                    note=f"{full.n_obs} observations of {full.n_groups} youth; random "
                         f"intercept variance {full.random_cov.iloc[0, 0]:.3f}, residual "
                         f"variance {full.residual_variance:.3f}.")
    shares = yt.variance_explained(frame, outcome=OUTCOME, predictor=PREDICTOR, group=GROUP,
                                   wave=WAVE, B=ctx.options["B"], seed=ctx.seed,
                                   workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_table("variance_explained", shares.to_frame(),
                    caption="Share of wellbeing variance explained by relationship quality, "
                            f"with {ctx.options['B']}-draw cluster bootstrap 95% intervals")
    r2 = {"without\nrelationship quality": null.r2().values,
          "with\nrelationship quality": full.r2().values}
    ctx.write_figure("variance_decomposition", figures.variance_decomposition(
        decomposition_frame(r2)), caption="Rights & Sterba decomposition of wellbeing "
        "variance: f1 within-youth and f2 between-youth fixed parts, v random slopes, m "
        "random intercepts, residual.")
    ctx.write_figure("trajectories", figures.trajectories(
        frame, outcome=OUTCOME, predictor=PREDICTOR, group=GROUP, wave=WAVE, seed=ctx.seed),
        caption="Wellbeing over the three waves: individual youth (grey) and means with 95% "
                "CIs by tertile of wave-1 relationship quality.")
    ctx.write_json("headline", headline_summary(shares))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
