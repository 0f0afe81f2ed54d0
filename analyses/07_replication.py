"""07 — The replication table and the self-contained report.

One row per figure the paper reports (Sanders & Liebenberg 2024) with the reproduced value,
its interval, the tolerance and pass/fail; when step 02 estimated the worker share (the study
names workers), its table, last so that no other table's number depends on it; then
``report.html`` with every table and figure.
"""

from __future__ import annotations

import math

import pandas as pd

from youthtransitions._atomic import atomic_write_text
from youthtransitions.models.worker_share import WORKER_SHARE_SPEC
from youthtransitions.report.gate import TableSpec, text
from youthtransitions.report.html import build_report
from youthtransitions.report.manifest import Manifest
from youthtransitions.report.pipeline import run_standalone
from youthtransitions.report.replication import PUBLISHED, replication_table
from youthtransitions.report.summaries import WORKER_SHARE_B

#: every cell is text: reported figures are the paper's, reproduced values passed the gate in
#: the step that computed them
REPLICATION_SPEC = TableSpec({c: text() for c in ("figure", "reported", "reproduced",
                                                  "conf_low", "conf_high", "tolerance",
                                                  "status")}, totals="none")


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers, everything else to four decimals, blanks for no interval."""
    counts = {f for f, (_, kind) in PUBLISHED.items() if kind == "count"}

    def fmt(value, figure):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, str):
            return value
        return f"{value:.0f}" if figure in counts else f"{value:.4f}"

    out = table.copy()
    for column in ("reproduced", "conf_low", "conf_high"):
        out[column] = [fmt(v, f) for v, f in zip(table[column], table["figure"], strict=True)]
    out["reported"] = out["reported"].astype(str)
    return out


def run(ctx) -> None:
    table = replication_table(ctx.read_json("sample_counts"), ctx.read_json("headline"),
                              ctx.read_json("qualitative"), rounded=ctx.output_rules)
    ctx.write_table("replication", display(table), spec=REPLICATION_SPEC,
                    caption="Replication of the figures reported by Sanders & Liebenberg "
                            "(2024)",
                    note="Synthetic data: reproduced values come from the shipped synthetic "
                         "study generated to match the published figures."
                    if ctx.study.synthetic else None)
    manifest = Manifest(ctx.results_dir).data
    title = "Youth Transitions: replication report"
    intro = (f"Every analysis of the scripted replication, in order. Table "
             f"{ctx.next_table_number() - 1}, shown first, sets each figure the paper reports "
             "beside the value reproduced here; the other tables and the figures follow the "
             "analysis steps.")
    if any("workers.json" in step.get("outputs", [])
           for step in manifest.get("steps", {}).values()):
        write_worker_table(ctx)
    ctx.gate.artefact("report", "report", files=["report.html"], comments=[
        "assembles the gated tables and figures of the folder and this log; no values of "
        "its own"])
    page = build_report([ctx.out, ctx.results_dir], manifest, title=title, intro=intro,
                        first=ctx.catalog, gate=ctx.gate)
    atomic_write_text(ctx.out / "report.html", page)
    ctx.catalog.append({"kind": "report", "name": "report", "caption": title,
                        "files": ["report.html"]})


def write_worker_table(ctx) -> None:
    """The worker share of step 02 (``workers.json``) as a table."""
    shares = ctx.read_json("workers")
    B = shares.get("settings", shares).get("B")
    draws = f"{B:.0f}-draw " if isinstance(B, (int, float)) else ""
    ctx.write_table(
        "worker_share", pd.DataFrame(shares["estimates"], columns=list(
            WORKER_SHARE_SPEC.columns)).astype({"n_youth": "Int64", "n_workers": "Int64"}),
        spec=WORKER_SHARE_SPEC,
        caption="Youth who share workers: the worker share of relationship-quality variance, "
                "the share of wellbeing variance explained by the worker-mean part of "
                "relationship quality, and the positive-change outcome's marginal R² with "
                f"relationship quality minus without, with {draws}cluster bootstrap 95% "
                "intervals (youth resampled, a youth's second copy meeting second copies of "
                f"its workers; at most {WORKER_SHARE_B} draws, fewer when B is smaller)",
        formats=dict.fromkeys(("estimate", "conf_low", "conf_high"), "bounded"))


if __name__ == "__main__":
    raise SystemExit(run_standalone(__file__))
