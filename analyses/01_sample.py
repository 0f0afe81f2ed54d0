"""01 — The sample: who is in the study, the qualitative subsample, PMK availability, scales.

Writes the sample table, the subsample profile against the 506 MSU youth (standardised mean
differences), the reliability table, and the figures the replication table checks. Counts come
from the published sample description, so under the output rules the replication table shows
the same randomly rounded counts as the sample table, never the exact ones beside them.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import sample_counts


def run(ctx) -> None:
    description = yt.describe(ctx.study, output_rules=ctx.output_rules, seed=ctx.seed)
    for stem, table in description.tables().items():
        ctx.write_apa(stem, table)
    ctx.write_json("sample_counts", sample_counts(description, ctx.study,
                                                  output_rules=ctx.output_rules, seed=ctx.seed))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
