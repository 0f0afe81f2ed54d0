"""01 — The sample: who is in the study, the qualitative subsample, PMK availability, scales.

Writes the sample table, the subsample profile against the 506 MSU youth (standardised mean
differences), the reliability table, and the counts the replication table checks.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report.replicate import run_standalone


def study_counts(study) -> dict:
    """The published counts, computed from the study tables (see ``docs/methods.md``)."""
    youth, waves, codes = study.youth, study.waves, study.codes
    sub = youth[youth["qual_subsample"].astype(bool)]
    counts = {"n_youth": len(youth), "n_msu": int(youth["msu"].astype(bool).sum()),
              "n_waves": int(waves["wave"].nunique()), "n_subsample": len(sub),
              "subsample_pmk_nominated": int(sub["pmk_nominated"].astype(bool).sum())}
    counts["subsample_pmk_share"] = counts["subsample_pmk_nominated"] / max(len(sub), 1)
    if codes is not None and len(codes):
        by_source = codes.groupby("source", observed=True)["youth_id"].nunique()
        counts["youth_interviews"] = int(by_source.get("youth_interview", 0))
        counts["pmk_interviews"] = int(by_source.get("pmk_interview", 0))
        counts["case_summaries"] = int(by_source.get("case_summary", 0))
        # age at the first qualitative interview: age at wave 1 plus the time from the wave-1
        # survey interview to the survey interview of the first qualitative round
        first = codes.groupby("youth_id", observed=True)["wave"].min().rename("first_round")
        dates = waves.pivot_table(index="youth_id", columns="wave", values="interview_date",
                                  aggfunc="first", observed=True)
        ages = []
        for youth_id, round_ in first.items():
            row = youth.loc[youth["youth_id"] == youth_id].iloc[0]
            shift = 0.0
            if youth_id in dates.index and round_ != 1:
                days = (dates.loc[youth_id, round_] - dates.loc[youth_id, 1]).days
                shift = days / 365.25
            ages.append(float(row["age_w1"]) + shift)
        counts["subsample_mean_age"] = sum(ages) / len(ages) if ages else float("nan")
    return counts


def run(ctx) -> None:
    description = yt.describe(ctx.study, output_rules=ctx.output_rules, seed=ctx.seed)
    for stem, table in description.tables().items():
        ctx.write_apa(stem, table)
    ctx.write_json("sample_counts", study_counts(ctx.study))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
