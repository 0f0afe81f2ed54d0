"""The rendered views of a ``yt replicate`` run: every table APA-styled (numbered, titled,
readable headers, p and whole numbers formatted, marks kept), every figure with alt text,
labelled axes and a legend that explains itself.

One run per output-rules setting is shared by the tests (module fixture): the run without
rules publishes exact values and per-youth figures, the run with rules suppressed cells
(``S``) and the aggregate figure forms. Figures are checked as matplotlib objects, captured
just before they are saved.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.report import figures
from youthtransitions.report.html import alt_text
from youthtransitions.report.tables import EMPTY, INTERVALS, WITHHELD, column_label

pytestmark = pytest.mark.slow

TINY = {"m": 2, "B": 10, "n_perm": 19}
#: an APA p value: three decimals without a leading zero, "< .001", or a mark
P_CELL = re.compile(r"^(< \.001|\.\d{3}|1\.000|—|S|withheld)$")


def _axes_record(ax) -> dict:
    """What the tests need of one Axes (the figure is closed once saved)."""
    from matplotlib.collections import QuadMesh

    siblings = [a for a in ax.get_shared_y_axes().get_siblings(ax) if a is not ax]
    legend = ax.get_legend()
    return {"xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "colorbar": ax.get_label() == "<colorbar>",
            "heatmap": any(isinstance(c, QuadMesh) for c in ax.collections),
            "xticklabels": [t.get_text() for t in ax.get_xticklabels() if t.get_text()],
            "yticklabels": [t.get_text() for t in ax.get_yticklabels() if t.get_text()],
            "shared_y_labelled": any(a.get_ylabel() for a in siblings),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else []}


@pytest.fixture(scope="module", params=[False, True], ids=["exact", "output-rules"])
def run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("views")
    drawn: dict[str, dict] = {}
    original = figures.save_figure

    def capture(figure, folder, name):
        drawn[name] = {"axes": [_axes_record(ax) for ax in figure.axes],
                       "legends": [t.get_text() for lg in figure.legends
                                   for t in lg.get_texts()]}
        return original(figure, folder, name)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(figures, "save_figure", capture)
        yt.replicate(out=out, options=TINY, seed=3, progress=False,
                     output_rules=request.param)
    return out, drawn


def _md_tables(out: Path) -> dict[str, tuple[list[str], list[str], list[list[str]]]]:
    """Per Markdown file: its lines before the table, header cells and body rows."""
    tables = {}
    for path in sorted(out.glob("*.md")):
        lines = path.read_text().splitlines()
        rows = [line for line in lines if line.startswith("|")]
        cells = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", r)[1:-1]]
                 for r in rows]
        tables[path.stem] = (lines[: lines.index(rows[0])], cells[0], cells[2:])
    return tables


def _shown_at(column: str, headers: list[str]) -> int | None:
    """Position of a CSV column in a rendered table (an interval limit: its joined column)."""
    label = next((head for pair, head in INTERVALS.items() if column in pair),
                 column_label(column))
    return headers.index(label) if label in headers else None


def _plain(header: str) -> str:
    return re.sub(r"<[^>]+>|\*", "", html.unescape(header)).strip()


def _html_tables(text: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, header cells, body rows) of every APA table in an HTML text."""
    out = []
    for table in re.findall(r'<table class="apa-table">.*?</table>', text, flags=re.S):
        caption = _plain(re.search(r"<caption>(.*?)</caption>", table, flags=re.S).group(1))
        heads = [_plain(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
        body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S).group(1)
        rows = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]
        out.append((caption, heads, rows))
    return out


def test_every_table_is_numbered_and_titled(run):
    out, _ = run
    md = _md_tables(out)
    numbers = {}
    for stem, (before, _, _) in md.items():
        assert re.fullmatch(r"\*\*Table \d+\*\*", before[0]), stem
        assert re.fullmatch(r"\*[^*]+\*", before[2]), stem  # the italic title
        numbers[stem] = int(re.search(r"\d+", before[0]).group())
        (caption, _, _), = _html_tables((out / f"{stem}.html").read_text())
        assert caption.startswith(f"Table {numbers[stem]}") and len(caption) > 12, stem
    assert sorted(numbers.values()) == list(range(1, len(md) + 1))
    # the replication table follows every analysis table, and the worker share (when the
    # study names workers) follows it, so that no other table's number depends on workers
    tail = ["replication"] + (["worker_share"] if "worker_share" in numbers else [])
    assert numbers["sample"] == 1
    assert [numbers[s] for s in tail] == list(range(len(md) - len(tail) + 1, len(md) + 1))
    # the report shows every table as its file numbers it, and nothing else as a table
    report = (out / "report.html").read_text()
    shown = [int(re.search(r"Table (\d+)", c).group(1)) for c, _, _ in _html_tables(report)]
    assert sorted(shown) == sorted(numbers.values())
    outside_log = report.split('<section id="disclosure">')[0]
    assert outside_log.count("<table") == len(shown)


def test_headers_are_readable(run):
    out, _ = run
    heads = [(stem, h) for stem, (_, hs, _) in _md_tables(out).items() for h in hs]
    report = (out / "report.html").read_text()
    heads += [("report.html", h) for _, hs, _ in _html_tables(report) for h in hs]
    assert len(heads) > 100
    assert not [(stem, h) for stem, h in heads if "_" in h or not h]


def test_p_values_are_apa(run):
    out, _ = run
    checked = 0
    for stem, (_, heads, rows) in _md_tables(out).items():
        for j, head in enumerate(map(_plain, heads)):
            if head == "p" or head.startswith("p ("):
                cells = [r[j] for r in rows]
                assert all(P_CELL.match(c) for c in cells), (stem, head, cells)
                checked += len(cells)
        # p values written into text cells are APA too
        assert not [c for r in rows for c in r if re.search(r"p_[a-z]+ =", c)], stem
    assert checked > 40


def test_whole_numbers_show_no_decimals(run):
    out, _ = run
    checked = set()
    for stem, (_, heads, rows) in _md_tables(out).items():
        csv = pd.read_csv(out / f"{stem}.csv", dtype=str, keep_default_na=False)
        plain = [_plain(h) for h in heads]
        for c in csv.columns:
            values = [v for v in csv[c] if v not in ("", "S", WITHHELD)]
            if not values or not all(re.fullmatch(r"-?\d+", v) for v in values):
                continue
            j = _shown_at(c, plain)
            if j is None:  # a table with labels of its own
                continue
            assert not [r[j] for r in rows if "." in r[j]], (stem, c)
            checked.add((stem, c))
    # counts, model sizes, draws, and the truth table's rows and crisp memberships
    assert {("qca_truth_table", "row"), ("qca_truth_table", "power"),
            ("pmk_patterns", "n"), ("code_reliability", "n_boot")} <= checked


def test_suppressed_and_withheld_cells_keep_their_marks(run, request):
    out, _ = run
    marks = 0
    for stem, (_, heads, rows) in _md_tables(out).items():
        csv = pd.read_csv(out / f"{stem}.csv", dtype=str, keep_default_na=False)
        plain = [_plain(h) for h in heads]
        assert len(rows) == len(csv), stem
        for c in csv.columns:
            j = _shown_at(c, plain)
            if j is None:  # a table with labels of its own
                continue
            for i, value in enumerate(csv[c]):
                if value in ("S", WITHHELD):
                    assert rows[i][j] == value, (stem, c, i)
                    marks += 1
    if "output-rules" in request.node.callspec.id:
        assert marks > 0  # the rules suppress some small cells of the synthetic study


def test_report_figures_are_embedded_with_alt_text(run):
    out, _ = run
    report = (out / "report.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    figs = [item for step in manifest["steps"].values() for item in step["catalog"]
            if item["kind"] == "figure"]
    images = re.findall(r"<img ([^>]*)>", report)
    assert len(images) == len(figs) >= 6
    alts = []
    for attrs in images:
        alt = html.unescape(re.search(r'alt="([^"]*)"', attrs).group(1))
        assert "src='data:image/png;base64," in attrs
        assert alt and "_" not in alt and not alt.endswith((".png", ".svg"))
        alts.append(alt)
    for item in figs:
        assert alt_text(item["caption"]) in alts
        assert item["name"] not in alts and item["name"].replace("_", " ") not in alts
    assert re.findall(r"<figcaption><b>Figure (\d+)\.</b>", report) == [
        str(i) for i in range(1, len(figs) + 1)]


def test_every_figure_axis_is_labelled(run):
    _, drawn = run
    assert {"variance_decomposition", "trajectories", "pmk_sensitivity", "imputation_trace",
            "imputation_distributions", "joint_display", "power_quadrant",
            "qca_truth_table"} <= set(drawn)
    for name, fig in drawn.items():
        for k, ax in enumerate(fig["axes"]):
            where = (name, k)
            if ax["colorbar"]:  # a colorbar is labelled along its length
                assert ax["ylabel"] or ax["xlabel"], where
                continue
            if ax["heatmap"] and ax["xticklabels"] and ax["yticklabels"]:
                continue  # a heatmap's rows and columns are named by its tick labels
            assert ax["xlabel"], where
            # panels sharing a labelled y axis need not repeat it
            assert ax["ylabel"] or ax["shared_y_labelled"], where


def test_variance_decomposition_legend_explains_itself(run):
    _, drawn = run
    legend = drawn["variance_decomposition"]["legends"]
    assert any(t.startswith("f1: ") and "within-youth" in t and "fixed" in t for t in legend)
    assert any(t.startswith("f2: ") and "between-youth" in t and "fixed" in t for t in legend)
    assert any(t.startswith("m: ") and "intercept" in t for t in legend)
    assert all(": " in t for t in legend), legend


def test_empty_cells_are_dashes_not_blank(run):
    out, _ = run
    _, heads, rows = _md_tables(out)["replication"]
    ci = [_plain(h) for h in heads].index("95% CI")
    assert {r[ci] for r in rows} - {EMPTY} and EMPTY in {r[ci] for r in rows}
