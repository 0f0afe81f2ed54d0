"""02 — The headline: the share of outcome variance explained by relationship quality.

Two-level models of wellbeing over the three waves with relationship quality split into its
within- and between-youth parts, their Rights & Sterba decomposition beside the model without
relationship quality, the share at each wave, and the wave-3 outcome explained by wave-1
relationship quality ("14% of positive outcomes three years after services"), with cluster
bootstrap intervals. When the study names each youth's worker (``worker_id`` and
``positive_change`` in waves), the worker share of relationship quality, what its worker-mean
part explains and the positive-change outcome's R² difference (``workers.json``; step 07
tables it after every other table, so the numbers of the tables do not depend on whether a
study names workers).
"""

from __future__ import annotations

import pandas as pd

import youthtransitions as yt
from youthtransitions.report import figures
from youthtransitions.report.gate import TableSpec, estimate, identifier, model_size, text
from youthtransitions.report.pipeline import run_standalone, step_seed
from youthtransitions.report.summaries import (
    SUMMARY_SPECS,
    WORKER_SHARE_B,
    headline_summary,
    worker_share_summary,
)

OUTCOME, PREDICTOR, GROUP, WAVE = "wellbeing", "relationship_quality", "youth_id", "wave"
WORKER, CHANGE = "worker_id", "positive_change"

DECOMPOSITION_SPEC = TableSpec({"model": text(), "level": text(), "component": text(),
                                "value": estimate(), "n": model_size("youth")},
                               totals="none")
TRAJECTORY_MEANS_SPEC = TableSpec({WAVE: text(), "tertile": text(), "mean": estimate(),
                                   "conf_low": estimate(), "conf_high": estimate(),
                                   "n": model_size("youth")}, totals="none")
TRAJECTORY_LINES_SPEC = TableSpec({GROUP: identifier(), WAVE: text(), OUTCOME: estimate(),
                                   PREDICTOR: estimate()}, totals="none")


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
    gate = ctx.gate
    frame = ctx.study.analysis_frame()
    rows = frame.dropna(subset=[OUTCOME, PREDICTOR])
    centred = yt.center_within(rows, [PREDICTOR], GROUP)
    full = yt.fit_lmm(f"{OUTCOME} ~ {PREDICTOR}_within + {PREDICTOR}_between", centred,
                      group=GROUP)
    null = yt.fit_lmm(f"{OUTCOME} ~ 1", centred, group=GROUP)
    ctx.write_table("headline_model", full.disclosure(),
                    caption="Mixed model of wellbeing on relationship quality (within and "
                            "between youth), REML, Satterthwaite df",
                    labels={"statistic": "t"},
                    note=gate.note(
                        "{n_obs} observations of {n_groups} youth; random intercept variance "
                        "{tau:.3f}, residual variance {sigma:.3f}.",
                        n_obs=gate.value(full.n_obs, "model_size", unit="observation"),
                        n_groups=gate.value(full.n_groups, "model_size", unit="youth"),
                        tau=gate.value(full.random_cov.iloc[0, 0], "estimate"),
                        sigma=gate.value(full.residual_variance, "estimate")))
    shares = yt.variance_explained(frame, outcome=OUTCOME, predictor=PREDICTOR, group=GROUP,
                                   wave=WAVE, B=ctx.options["B"], seed=ctx.seed,
                                   workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_table("variance_explained", shares.disclosure(),
                    caption="Share of wellbeing variance explained by relationship quality, "
                            f"with {ctx.options['B']}-draw cluster bootstrap 95% intervals",
                    formats=dict.fromkeys(("estimate", "conf_low", "conf_high"), "bounded"))
    r2 = {"without\nrelationship quality": null.r2().values,
          "with\nrelationship quality": full.r2().values}
    decomposition = ctx.figure_data(
        "variance_decomposition", decomposition_frame(r2).assign(n=full.n_groups),
        DECOMPOSITION_SPEC, mark_size="n")
    ctx.write_figure("variance_decomposition", figures.variance_decomposition(
        decomposition.frame), data=decomposition,
        caption="Rights & Sterba decomposition of wellbeing variance: f1 within-youth and f2 "
                "between-youth fixed parts, v random slopes, m random intercepts, residual.")
    if gate.applied:  # no line per youth: means with intervals by tertile
        means = ctx.figure_data("trajectories", figures.trajectory_means(
            frame, outcome=OUTCOME, predictor=PREDICTOR, group=GROUP, wave=WAVE),
            TRAJECTORY_MEANS_SPEC, mark_size="n")
        figure = figures.mean_trajectories(means.frame, outcome=OUTCOME, predictor=PREDICTOR,
                                           wave=WAVE)
        caption = ("Wellbeing over the three waves: means with 95% CIs by tertile of wave-1 "
                   "relationship quality.")
    else:
        means = ctx.figure_data("trajectories", frame[[GROUP, WAVE, OUTCOME, PREDICTOR]],
                                TRAJECTORY_LINES_SPEC)
        figure = figures.trajectories(means.frame, outcome=OUTCOME, predictor=PREDICTOR,
                                      group=GROUP, wave=WAVE, seed=ctx.seed)
        caption = ("Wellbeing over the three waves: individual youth (grey) and means with "
                   "95% CIs by tertile of wave-1 relationship quality.")
    ctx.write_figure("trajectories", figure, caption=caption, data=means)
    ctx.write_json("headline", headline_summary(shares), spec=SUMMARY_SPECS["headline"])
    if {WORKER, CHANGE} <= set(ctx.study.waves.columns):
        write_worker_share(ctx, frame)


def write_worker_share(ctx, frame: pd.DataFrame) -> None:
    """The worker share with its cluster-bootstrap intervals, in ``workers.json``.

    Its seed is a sub-stream of the step's (``step_seed(ctx.seed, 1)``), so the draws of
    the analyses above stay those of a study without workers.
    """
    waves = ctx.study.waves[[GROUP, WAVE, WORKER, CHANGE]]
    data = frame.merge(waves, on=[GROUP, WAVE], how="left", validate="one_to_one")
    B = min(ctx.options["B"], WORKER_SHARE_B)
    shares = yt.worker_share(data, predictor=PREDICTOR, outcome=OUTCOME, binary=CHANGE,
                             youth=GROUP, worker=WORKER, B=B, seed=step_seed(ctx.seed, 1),
                             workers=ctx.workers, scheduler=ctx.scheduler)
    ctx.write_json("workers", worker_share_summary(shares, B))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
