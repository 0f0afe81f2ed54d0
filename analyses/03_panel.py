"""03 — Panel cross-checks: fixed effects, random effects and the mixed model side by side.

The within (fixed-effects) estimate uses only change within youth; the Mundlak test asks
whether the between-youth part of relationship quality differs from the within part.
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.report.gate import TableSpec, estimate, text
from youthtransitions.report.pipeline import run_standalone

#: the table holds no count its df are an offset of (within df = observations - youth - k),
#: so df are published to two significant digits, t and p to three
PANEL_SPEC = TableSpec({"estimator": text(), "term": text(), "estimate": estimate(),
                        "std_error": estimate(), "df": estimate(digits=2),
                        "statistic": estimate(digits=3), "p_value": estimate(digits=3),
                        "conf_low": estimate(), "conf_high": estimate()}, totals="none")


def run(ctx) -> None:
    frame = ctx.study.analysis_frame()
    comparison = yt.panel_compare(frame, outcome="wellbeing", predictor="relationship_quality",
                                  entity="youth_id", time="wave")
    ctx.write_table("panel_comparison", comparison.to_frame(), spec=PANEL_SPEC,
                    caption="Relationship-quality effect on wellbeing: fixed effects, random "
                            "effects, mixed model and the Mundlak test")


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
