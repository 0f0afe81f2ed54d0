"""01 — The sample: who is in the study, the qualitative subsample, PMK availability, scales.

Writes the sample table, the subsample profile against the 506 MSU youth (standardised mean
differences), the reliability table, and the figures the replication table checks. Counts come
from the published sample description, so under the output rules the replication table shows
the same randomly rounded counts as the sample table, never the exact ones beside them.
"""

from __future__ import annotations

import pandas as pd

import youthtransitions as yt
from youthtransitions.report.output_rules import apply_output_rules
from youthtransitions.report.pipeline import run_standalone


def first_interview_age(study) -> float:
    """Mean age at the first qualitative interview of the subsample youth with codes.

    Age at wave 1 plus the time from the wave-1 survey interview to the survey interview of
    the youth's first qualitative round (qualitative round r is survey wave r).
    """
    codes, waves = study.codes, study.waves
    first = codes.groupby("youth_id", observed=True)["wave"].min().rename("round")
    dates = waves.pivot_table(index="youth_id", columns="wave", values="interview_date",
                              aggfunc="first", observed=True)
    ages = study.youth.set_index("youth_id")["age_w1"].astype(float)
    frame = first.to_frame().join(ages)
    shift = [0.0 if r == 1 or y not in dates.index
             else (dates.loc[y, r] - dates.loc[y, 1]).days / 365.25
             for y, r in frame["round"].items()]
    return float((frame["age_w1"] + shift).mean())


def code_counts(study, *, output_rules: bool, seed: int) -> dict[str, float]:
    """Youth with youth-interview, PMK-interview and case-summary codes (output rules applied
    when on: these are published counts that the sample description does not hold)."""
    by_source = study.codes.groupby("source", observed=True)["youth_id"].nunique()
    names = {"youth_interviews": "youth_interview", "pmk_interviews": "pmk_interview",
             "case_summaries": "case_summary"}
    table = pd.DataFrame({"n": [int(by_source.get(s, 0)) for s in names.values()]})
    if output_rules:
        table = apply_output_rules(table, count_columns=["n"], seed=seed, totals="none")
    return dict(zip(names, table["n"].astype(float), strict=True))


def study_counts(description, study, *, output_rules: bool, seed: int) -> dict:
    """The published figures of the sample, as the sample description publishes them."""
    value = description.value
    n_subsample = value("sample", "qual_subsample", group="msu")
    counts = {"n_youth": value("sample", "youth"), "n_msu": value("sample", "msu"),
              "n_waves": value("sample", "waves", "number"), "n_subsample": n_subsample,
              "subsample_pmk_share": value("pmk", "pmk_nominated", "percent",
                                           group="subsample") / 100}
    if study.codes is not None and len(study.codes):
        counts.update(code_counts(study, output_rules=output_rules, seed=seed))
        counts["subsample_mean_age"] = first_interview_age(study)
    return counts


def run(ctx) -> None:
    description = yt.describe(ctx.study, output_rules=ctx.output_rules, seed=ctx.seed)
    for stem, table in description.tables().items():
        ctx.write_apa(stem, table)
    ctx.write_json("sample_counts", study_counts(description, ctx.study,
                                                 output_rules=ctx.output_rules, seed=ctx.seed))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
