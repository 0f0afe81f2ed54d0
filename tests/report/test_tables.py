"""APA number formats and the CSV / Markdown / HTML renderings (APA Manual 7th ed., 6.36)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.output_rules import apply_output_rules
from youthtransitions.report.tables import (
    COLUMN_LABELS,
    EMPTY,
    INTERVALS,
    apa_table,
    column_label,
    format_apa,
    infer_kind,
    spec_formats,
)


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
    assert lines[4] == "| Term | Estimate | *SE* | *df* | Statistic | *p* | *R²* |"
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


@pytest.mark.parametrize("name, label", [
    ("std_error", "SE"), ("p_value", "p"), ("p_holm", "p (Holm)"), ("num_df", "df1"),
    ("den_df", "df2"), ("n_boot", "Bootstrap draws"), ("share_active", "Proportion active"),
    ("wellbeing_change", "Wellbeing change"), ("r2_by_wave.1", "R2 by wave 1")])
def test_column_labels(name, label):
    assert column_label(name) == label


def test_no_label_is_snake_case():
    labels = [*COLUMN_LABELS.values(), *INTERVALS.values()]
    assert not [lab for lab in labels if "_" in lab or not lab]


def test_interval_limits_are_joined_and_keep_their_marks():
    frame = pd.DataFrame({"term": ["a", "b", "c", "d"], "estimate": [0.5, 1.0, 2.0, None],
                          "conf_low": [0.1234, 0.5, 1.0, None],
                          "conf_high": [0.9, 1.5, 3.0, None],
                          "conf_low_suppressed": [False, True, False, False],
                          "conf_high_withheld": [False, False, True, False]})
    table = apa_table(frame, title="Intervals", number=2)
    shown = table.display()
    assert list(shown.columns) == ["Term", "Estimate", "95% CI"]
    assert shown["95% CI"].tolist() == ["[0.12, 0.90]", "S", "withheld", EMPTY]
    # the CSV keeps both limits under their own names
    assert table.to_csv().splitlines()[0] == "term,estimate,conf_low,conf_high"
    md = table.to_markdown().splitlines()
    assert md[4] == "| Term | Estimate | 95% CI |" and md[6].endswith("| [0.12, 0.90] |")
    relabelled = apa_table(frame.iloc[:, :4], labels={"conf_low": "90% CI"}).display()
    assert list(relabelled.columns) == ["Term", "Estimate", "90% CI"]


def test_whole_numbers_and_logicals():
    frame = pd.DataFrame({"row": [4, 12], "power": [0, 1], "n": [1, 1366],
                          "covers_truth": [True, False], "score": [2.0, 3.5]})
    cells = apa_table(frame).formatted()
    assert cells["row"].tolist() == ["4", "12"] and cells["power"].tolist() == ["0", "1"]
    assert cells["n"].tolist() == ["1", "1,366"]
    assert cells["covers_truth"].tolist() == ["yes", "no"]
    assert cells["score"].tolist() == ["2.00", "3.50"]  # a float column keeps its decimals
    assert format_apa(4.0, "integer") == "4" and format_apa(2.5, "integer") == "2.50"


def test_p_values_in_text_cells_are_rewritten_in_the_views_only():
    frame = pd.DataFrame({"effect": ["+0.13 [-0.50, 0.76], p_holm = 0.612",
                                     "-1.12 [-1.55, -0.69], p_holm = 0.000",
                                     "p = 0.5 said the youth", "p_perm = 0.05"]})
    table = apa_table(frame, title="Effects")
    assert table.formatted()["effect"].tolist() == [
        "+0.13 [-0.50, 0.76], p (Holm) = .612", "-1.12 [-1.55, -0.69], p (Holm) < .001",
        "p = 0.5 said the youth", "p (permutation) = .05"]
    assert "p_holm = 0.612" in table.to_csv()


def test_headers_italicise_their_symbol():
    frame = pd.DataFrame({"p_holm": [0.2], "n_with": [3], "mean": [1.0], "smd": [0.1]})
    table = apa_table(frame, title="Symbols")
    html_text = table.to_html()
    assert "<i>p</i> (Holm)</th>" in html_text and "<i>n</i> with</th>" in html_text
    assert "<i>M</i></th>" in html_text and ">SMD</th>" in html_text
    assert "| *p* (Holm) | *n* with | *M* | SMD |" in table.to_markdown()


def test_spec_formats_follow_the_gate_declarations():
    from youthtransitions._disclosure import (
        TableSpec,
        count,
        design,
        df,
        estimate,
        model_size,
        share,
        text,
    )

    frame = pd.DataFrame({"group": ["a"], "n": [3.0], "n_obs": [40.0], "draws": [1000.0],
                          "df": [38.0], "share": [0.5], "pct": [50.0], "estimate": [0.4]})
    spec = TableSpec({"group": text(), "n": count("youth"), "n_obs": model_size("youth"),
                      "draws": design(), "df": df("n_obs"),
                      "share": share("n", "n_obs"),
                      "pct": share("n", "n_obs", scale=100),
                      "estimate": estimate(), "absent": estimate()}, totals="none")
    assert spec_formats(spec, frame) == {"n": "count", "n_obs": "count", "draws": "count",
                                         "df": "df", "share": "bounded", "pct": "percent"}
    cells = apa_table(frame, formats=spec_formats(spec, frame)).formatted().iloc[0].tolist()
    assert cells == ["a", "3", "40", "1,000", "38", ".50", "50.0", "0.40"]


def test_step_tables_are_numbered_in_run_order_after_resumed_ones(tmp_path):
    from youthtransitions.report.gate import ArtefactRecord, TableSpec, count, text
    from youthtransitions.report.step import StepContext

    ctx = StepContext(name="02_x", index=2, study=None, data_dir=tmp_path, out=tmp_path,
                      results_dir=tmp_path, seed=1, output_rules=True)
    # a resumed earlier step's table, as the run carries it over from disclosure.json
    ctx.gate.log.add(ArtefactRecord("earlier", "table", True, "", files=[
        "earlier.csv", "earlier.md", "earlier.html"]))
    spec = TableSpec({"group": text(), "n": count("youth")}, totals="none")
    counts = pd.DataFrame({"group": ["a", "b"], "n": [2, 30]})
    ctx.write_table("first", counts, spec=spec, caption="First counts")
    ctx.write_table("second", counts, spec=spec, caption="Second counts")
    first = (tmp_path / "first.md").read_text().splitlines()
    assert first[:3] == ["**Table 2**", "", "*First counts*"]
    assert (tmp_path / "second.md").read_text().startswith("**Table 3**\n")
    assert '<b>Table 3</b><br>' in (tmp_path / "second.html").read_text()
    # the rules suppress the small count, and the views keep the mark where the CSV has it
    assert "a,S" in (tmp_path / "first.csv").read_text()
    assert "| a | S |" in (tmp_path / "first.md").read_text()
    assert ctx.next_table_number() == 4
