"""APA number formats and the CSV / Markdown / HTML renderings (APA Manual 7th ed., 6.36)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.output_rules import apply_output_rules
from youthtransitions.report.tables import EMPTY, apa_table, format_apa, infer_kind


@pytest.mark.parametrize("value, kind, expected", [
    (0.0004, "p", "< .001"),
    (0.001, "p", ".001"),
    (0.0312, "p", ".031"),
    (0.5, "p", ".500"),
    (0.856, "bounded", ".86"),
    (-0.234, "bounded", "-.23"),
    (-0.001, "bounded", ".00"),
    (1.0, "bounded", "1.00"),
    (1366, "count", "1,366"),
    (17.4912, "number", "17.49"),
    (-0.004, "number", "0.00"),
    (61.6822, "percent", "61.7"),
    (24.0, "df", "24"),
    (23.456, "df", "23.5"),
    (math.nan, "number", EMPTY),
    (None, "count", EMPTY),
    ("wave 1", "number", "wave 1"),
    (math.inf, "number", "\u221e"),
])
def test_format_apa(value, kind, expected):
    assert format_apa(value, kind) == expected


def test_format_apa_digits_suppressed_and_bad_kind():
    assert format_apa(0.123456, "bounded", digits=3) == ".123"
    assert format_apa(0.00004, "p", digits=4) == "< .0001"
    assert format_apa(12, "count", suppressed=True) == "S"
    with pytest.raises(UsageError, match="kind"):
        format_apa(1, "money")


@pytest.mark.parametrize("name, kind", [
    ("p_value", "p"), ("p", "p"), ("n", "count"), ("n_items", "count"), ("percent", "percent"),
    ("alpha", "bounded"), ("omega", "bounded"), ("r2", "bounded"), ("total.f1", "bounded"),
    ("df", "df"), ("estimate", "number"), ("mean", "number"), ("smd", "number")])
def test_infer_kind(name, kind):
    assert infer_kind(name) == kind


def _coef():
    return pd.DataFrame({"term": ["(Intercept)", "rq_within"], "estimate": [3.2567, 0.4012],
                         "std_error": [0.0512, 0.0301], "df": [1362.4, 2400.0],
                         "statistic": [63.6, 13.33], "p_value": [1e-12, 0.0421],
                         "r2": [0.1401, -0.05]})


def test_markdown_layout():
    md = apa_table(_coef(), title="Fixed effects <b>", number=4, note="REML; df Satterthwaite.",
                   labels={"p_value": "p"}).to_markdown()
    lines = md.splitlines()
    assert lines[0] == "**Table 4**" and lines[2] == "*Fixed effects <b>*"
    assert lines[4] == "| term | estimate | std_error | *df* | statistic | *p* | r2 |"
    assert lines[5] == "|:---|---:|---:|---:|---:|---:|---:|"
    assert lines[6] == "| (Intercept) | 3.26 | 0.05 | 1362.4 | 63.60 | < .001 | .14 |"
    assert lines[7] == "| rq_within | 0.40 | 0.03 | 2400 | 13.33 | .042 | -.05 |"
    assert lines[-1] == "*Note.* REML; df Satterthwaite."


def test_html_is_escaped_and_complete():
    table = apa_table(_coef(), title="A & B", number=1, note="x < y")
    html = table.to_html()
    assert html.startswith('<table class="apa-table">') and html.endswith("</table>")
    assert "<i>A &amp; B</i>" in html and "x &lt; y" in html and "&lt; .001" in html
    page = table.to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page


def test_suppressed_cells_show_s_and_raw_csv(tmp_path):
    counts = pd.DataFrame({"level": ["a", "b", "c"], "n": [3, 40, 9]})
    ruled = apply_output_rules(counts, seed=2, totals="columns")
    table = apa_table(ruled, title="Counts")
    assert "n_suppressed" not in table.to_frame().columns
    assert table.formatted()["n"].tolist()[0] == "S"
    csv = table.to_csv()
    assert csv.splitlines()[0] == "level,n" and csv.splitlines()[1] == "a,S"
    paths = table.write(tmp_path / "out", "counts")
    assert [p.name for p in paths] == ["counts.csv", "counts.md", "counts.html"]
    assert (tmp_path / "out" / "counts.csv").read_text() == csv
    assert "| a | S |" in (tmp_path / "out" / "counts.md").read_text()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_long_table_kinds_by_statistic():
    long = pd.DataFrame({"statistic": ["n", "percent", "alpha", "p_value", "mean"],
                         "value": [1366.0, 61.68, 0.891, 0.0002, 17.4901]})
    cells = apa_table(long, kind_column="statistic").formatted()["value"].tolist()
    assert cells == ["1,366", "61.7", ".89", "< .001", "17.49"]


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(UsageError, match="not in the table"):
        apa_table(_coef(), formats={"nope": "p"})
    with pytest.raises(UsageError, match="unknown kind"):
        apa_table(_coef(), formats={"df": "money"})
    with pytest.raises(UsageError, match="kind_column"):
        apa_table(_coef(), kind_column="nope")
    with pytest.raises(UsageError, match="DataFrame"):
        apa_table([1, 2])
    with pytest.raises(UsageError, match="stem"):
        apa_table(_coef()).write(tmp_path, "../x")
    with pytest.raises(UsageError, match="format"):
        apa_table(_coef()).write(tmp_path, "x", formats=("pdf",))


def test_tidy_views_use_apa_formatting():
    table = apa_table(_coef(), title="Coefficients")
    assert "< .001" in table.summary() and "&lt; .001" in table._repr_html_()
    assert table.to_records()[0]["p_value"] == pytest.approx(1e-12)
