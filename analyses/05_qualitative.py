"""05 — The qualitative mechanisms, tested against the survey.

Coder reliability of the mechanism codes, the youth-level features (activation, power
quadrant, synergy), the join to the survey, and the statistical integration tests with
permutation p-values and Holm correction, each with its reading (confirms, expands, discords).
"""

from __future__ import annotations

import youthtransitions as yt
from youthtransitions.qual import code_reliability, join_codes, quantitize
from youthtransitions.report import figures
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.summaries import qualitative_summary


def run(ctx) -> None:
    study = ctx.study
    reliability = code_reliability(study.codes, B=ctx.options["B"], seed=ctx.seed)
    ctx.write_table("code_reliability", reliability.to_frame(), counts=["n_units"],
                    caption="Agreement of double-coded segments: Cohen's kappa and "
                            "Krippendorff's alpha with bootstrap 95% CIs")
    features = quantitize(study.codes)
    joined = join_codes(study, features)
    ctx.write_table("code_join", joined.to_frame()[["status", "n"]], counts=["n"],
                    caption="Join of the qualitative subsample to the survey")
    result = yt.integrate(study, n_perm=ctx.options["n_perm"], seed=ctx.seed,
                          B=ctx.options["B"], workers=ctx.workers)
    ctx.write_table("integration", result.to_frame(), counts=["n"],
                    caption="Statistical tests of the qualitative findings (permutation p, "
                            "Holm-adjusted across the family)")
    display = yt.qual.joint_display(study, result)
    ctx.write_table("joint_display", display.to_frame(),
                    caption="Joint display: quantitative results beside exemplar excerpts")
    ctx.write_figure("joint_display", display.figure(),
                     caption="Joint display: each mechanism's quantitative results and the "
                             "reading against the qualitative claim.")
    data = result.data
    ctx.write_figure("power_quadrant", figures.power_quadrant(
        data, care="care_level", control="control_level", outcome="wellbeing_change",
        quadrant="power_quadrant", seed=ctx.seed),
        caption="Power as care and control: coded levels per youth, coloured by change in "
                "wellbeing from wave 1 to wave 3, and change by quadrant.")
    ctx.write_json("qualitative", qualitative_summary(features, result))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
