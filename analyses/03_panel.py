"""03 — Panel cross-checks: fixed effects, random effects and the mixed model side by side.

The within (fixed-effects) estimate uses only change within youth; the Mundlak test asks
whether the between-youth part of relationship quality differs from the within part.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report.pipeline import run_standalone


def run(ctx) -> None:
    frame = ctx.study.analysis_frame()
    comparison = yt.panel_compare(frame, outcome="wellbeing", predictor="relationship_quality",
                                  entity="youth_id", time="wave")
    ctx.write_table("panel_comparison", comparison.disclosure(),
                    caption="Relationship-quality effect on wellbeing: fixed effects, random "
                            "effects, mixed model and the Mundlak test",
                    labels={"statistic": "t"})


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
