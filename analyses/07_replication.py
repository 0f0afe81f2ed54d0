"""07 — The replication table and the self-contained report.

One row per figure the paper reports (Sanders & Liebenberg 2024) with the reproduced value,
its interval, the tolerance and pass/fail; then ``report.html`` with every table and figure.
"""

from __future__ import annotations

from youthtransitions._atomic import atomic_write_text
from youthtransitions.report.html import build_report
from youthtransitions.report.manifest import Manifest
from youthtransitions.report.replicate import run_standalone
from youthtransitions.report.replication import replication_table


def run(ctx) -> None:
    table = replication_table(ctx.read_json("sample_counts"), ctx.read_json("headline"),
                              ctx.read_json("qualitative"), rounded=ctx.output_rules)
    ctx.write_table("replication", table,
                    caption="Replication of the figures reported by Sanders & Liebenberg "
                            "(2024)",
                    note="Synthetic data: reproduced values come from the shipped synthetic "
                         "study generated to match the published figures."
                    if ctx.study.synthetic else None)
    manifest = Manifest(ctx.results_dir).data
    title = "Youth Transitions: replication report"
    intro = ("Every analysis of the scripted replication, in order. The first table sets each "
             "figure the paper reports beside the value reproduced here.")
    page = build_report([ctx.out, ctx.results_dir], manifest, title=title, intro=intro,
                        first=ctx.catalog)
    atomic_write_text(ctx.out / "report.html", page)
    ctx.catalog.append({"kind": "report", "name": "report", "caption": title,
                        "files": ["report.html"]})


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
