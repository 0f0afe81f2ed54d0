"""01 — The sample: who is in the study, the qualitative subsample, PMK availability, scales.

Writes the sample table, the subsample profile against the 506 MSU youth (standardised mean
differences), the reliability table, and the figures the replication table checks. Every count
passes the run's disclosure gate, so the replication table shows each count as the same value
as the sample table; pass or fail of those rows is decided on the exact values here.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import SUMMARY_SPECS, sample_counts


def run(ctx) -> None:
    description = yt.describe(ctx.study, gate=ctx.gate, name="sample_description")
    for stem, table in description.tables().items():
        ctx.write_apa(stem, table)
    # exact figures stay inside the step: the gate publishes them, the checks decide on them
    exact = yt.describe(ctx.study, output_rules=False, reliability=False)
    ctx.write_json("sample_counts", sample_counts(exact, ctx.study, checks=ctx.output_rules),
                   spec=SUMMARY_SPECS["sample_counts"])


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
