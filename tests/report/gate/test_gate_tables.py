"""Tables through the gate: counts, shares, model sizes, df, small models, ids, excerpts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions._disclosure import coef_columns, split_rows
from youthtransitions.errors import UsageError
from youthtransitions.report.gate import (
    TableSpec,
    count,
    denominator,
    design,
    df,
    estimate,
    excerpt,
    find_leaks,
    identifier,
    mean_indicator,
    model_size,
    share,
    text,
)
from youthtransitions.report.output_rules import secondary_suppression


def _pmk():
    # 66 of 107 could nominate a PMK: the exact share 0.617 must not be published
    frame = pd.DataFrame({"group": ["msu", "all"], "k": [66, 700], "n": [107, 1366],
                          "share": [66 / 107, 700 / 1366]})
    spec = TableSpec({"group": text(), "k": count("youth"), "n": denominator("youth"),
                      "share": share("k", "n")}, totals="none")
    return frame, spec


def test_shares_are_recomputed_from_the_published_counts(make_gate):
    gate = make_gate()
    frame, spec = _pmk()
    out = gate.table(frame, spec, name="pmk").frame
    assert (out["k"] % 3 == 0).all() and (out["n"] % 3 == 0).all()
    np.testing.assert_allclose(out["share"], out["k"] / out["n"], rtol=1e-12)
    assert not find_leaks(out, spec, exact_denominators=[107, 1366])
    # the scanner does see the exact shares of the unruled frame
    leaks = find_leaks(frame, spec, exact_denominators=[107, 1366])
    assert sorted(lk.rule for lk in leaks if lk.where.endswith("share")) == [
        "share of an exact denominator 107", "share of an exact denominator 1366"]


def test_mean_of_an_indicator_uses_the_published_count_of_ones(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"covariate": ["female"], "mean": [40 / 107], "n": [107]})
    spec = TableSpec({"covariate": text(), "mean": mean_indicator("n"),
                      "n": model_size("youth")})
    out = gate.table(frame, spec, name="balance").frame
    k = gate.value(40, "count", unit="youth").value
    assert out["mean"].iloc[0] == pytest.approx(k / out["n"].iloc[0], rel=1e-12)
    with pytest.raises(UsageError, match="not a mean of a 0/1 variable"):
        gate.table(frame.assign(mean=0.3333), spec, name="bad")


def test_share_of_a_small_count_suppressed_with_it_by_the_shared_rule(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"group": ["a", "b", "c"], "k": [4, 17, 30], "n": [51, 51, 51],
                          "share": [4 / 51, 17 / 51, 30 / 51]})
    spec = TableSpec({"group": text(), "k": count("youth"), "n": denominator("youth"),
                      "share": share("k", "n")}, totals="columns")
    table = gate.table(frame, spec, name="t")
    expected = secondary_suppression(frame[["k"]].to_numpy(), frame[["k"]].to_numpy() < 6,
                                     totals="columns")[:, 0]
    assert list(table.flags["k"] == "S") == list(expected) == [True, True, False]
    assert table.frame["share"].isna().tolist() == [True, True, False]
    assert list(table.marked()["k"][:2]) == ["S", "S"]


def test_model_sizes_rounded_df_from_the_rounded_count_small_models_withheld(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"model": ["cc", "panel", "tiny"], "estimate": [0.41, 0.2, 1.0],
                          "n_obs": [686, 3807, 9], "n_youth": [686, 1366, 9],
                          "df": [684, 3807 - 1366 - 2, 7]})
    spec = TableSpec({"model": text(), "estimate": estimate(), "n_obs":
                      model_size("observation"), "n_youth": model_size("youth"),
                      "df": df("n_obs", ("n_youth", -1))})
    frame.loc[0, "df"] = 684  # complete case: n - 2, declared per row below
    spec_cc = TableSpec({**spec.columns, "df": df("n_obs")})
    cc = gate.table(frame.iloc[:1], spec_cc, name="cc")
    n_pub = cc.frame["n_obs"].iloc[0]
    assert n_pub % 3 == 0 and cc.frame["df"].iloc[0] == n_pub - 2  # same offset, rounded n
    panel = gate.table(frame.iloc[1:], spec, name="panel")
    row = panel.frame.iloc[0]
    assert row["df"] == row["n_obs"] - row["n_youth"] - 2
    tiny = panel.frame.iloc[1]
    assert tiny.drop("model").isna().all()  # 9 < 10 units: the whole model withheld
    assert "model rests on fewer than 10 observation" in panel.record.reasons


def test_values_resting_on_a_suppressed_count_are_withheld(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"row": ["r1", "r2"], "n": [3, 30], "incl": [1 / 3, 0.9]})
    spec = TableSpec({"row": text(), "n": count("case"), "incl": estimate(rests_on="n")},
                     totals="none")
    out = gate.table(frame, spec, name="qca")
    assert out.flags["incl"].tolist() == ["W", ""]
    assert pd.isna(out.frame["incl"].iloc[0]) and out.frame["incl"].iloc[1] == 0.9


def test_identifiers_and_excerpts_stay_out_of_real_data(make_gate):
    frame = pd.DataFrame({"youth_id": ["YT0001"], "segment_id": ["SEG1"], "code": ["power"],
                          "excerpt": ["He said I could go home."]})
    spec = TableSpec({"youth_id": identifier(), "segment_id": text(), "code": text(),
                      "excerpt": excerpt(code="code", segment="segment_id")})
    out = make_gate().table(frame, spec, name="quotes")
    assert out.frame["youth_id"].isna().all()
    assert out.frame["excerpt"].iloc[0] == "[excerpt withheld: power, SEG1]"
    assert not find_leaks(out.frame.to_csv(), forbidden=["YT0001", "He said"],
                          design_values=range(10))
    opted = make_gate(publish_excerpts=True, excerpt_cap=10).table(frame, spec, name="quotes")
    assert opted.frame["excerpt"].iloc[0] == "He said I…"
    assert len(opted.frame["excerpt"].iloc[0]) == 10
    assert opted.record.status == "review"  # consent is for the checker to confirm


def test_excerpts_capped_even_with_the_rules_off(make_gate):
    long = "x" * 5_000_000
    spec = TableSpec({"excerpt": excerpt()})
    out = make_gate(synthetic=True).table(pd.DataFrame({"excerpt": [long, "short"]}), spec,
                                      name="e")
    assert out.frame["excerpt"].str.len().tolist() == [280, 5]


def test_synthetic_passes_through_unchanged_but_is_logged(make_gate):
    frame, spec = _pmk()
    gate = make_gate(synthetic=True)
    out = gate.table(frame, spec, name="pmk")
    pd.testing.assert_frame_equal(out.frame, frame)
    assert gate.log["pmk"].rules_applied is False
    assert out.note == "Output rules not applied (synthetic data): counts are exact."


def test_explicitly_off_on_real_data_is_said_on_every_artefact(make_gate):
    frame, spec = _pmk()
    gate = make_gate(rules=False)
    out = gate.table(frame, spec, name="pmk")
    pd.testing.assert_frame_equal(out.frame, frame)
    assert "turned off" in out.note and "not for release" in out.note
    assert gate.log["pmk"].status == "review"
    assert "turned off" in gate.log.to_dict()["results"]["output_0"]["properties"]["note"]


def test_every_column_must_be_declared(make_gate):
    gate = make_gate()
    with pytest.raises(UsageError, match="n_youth.*no declared kind"):
        gate.table(pd.DataFrame({"n": [7], "n_youth": [9]}), TableSpec({"n": count("youth")}),
                   name="t")
    with pytest.raises(UsageError, match="whole number"):
        gate.table(pd.DataFrame({"n": [7.5]}), TableSpec({"n": count("youth")}), name="t")
    with pytest.raises(UsageError, match="needs a unit"):
        count("")
    with pytest.raises(UsageError, match="offset_of"):
        df()


def test_design_and_estimates_are_published_as_they_are(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"draws": [999], "r2": [0.123456], "p": [0.0123456]})
    spec = TableSpec({"draws": design(), "r2": estimate(), "p": estimate(digits=3)})
    out = gate.table(frame, spec, name="t").frame
    assert out["draws"].iloc[0] == 999 and out["r2"].iloc[0] == 0.123456
    assert out["p"].iloc[0] == 0.0123


def test_total_rows_by_label_are_ruled_but_not_interior(make_gate):
    frame = pd.DataFrame({"n": [4, 17, 30, 51]}, index=["a", "b", "c", "Total"])
    spec = TableSpec({"n": count("youth")}, totals="columns", total_rows=("Total",))
    out = make_gate().table(frame, spec, name="t")
    assert list(out.frame.index) == ["a", "b", "c", "Total"]
    assert out.flags["n"].tolist() == ["S", "S", "", ""]  # 4 and its protector; total shown
    with pytest.raises(UsageError, match="not a count"):
        make_gate().table(pd.DataFrame({"g": ["a"], "x": [1.0]}),
                          TableSpec({"g": text(), "x": estimate(rests_on="g")}), name="t")


def test_coefficient_tables_publish_tests_to_3_and_intervals_to_4_significant_digits(make_gate):
    # enough digits of t, p or an interval limit would solve for the exact df behind them
    frame = pd.DataFrame({"term": ["x"], "estimate": [0.123456789], "std_error": [0.0456789123],
                          "df": [684], "statistic": [2.70274], "p_value": [0.00705321],
                          "conf_low": [0.0337654], "conf_high": [0.2131481], "n_obs": [686]})
    spec = TableSpec({**coef_columns(df("n_obs")), "n_obs": model_size("observation")})
    row = make_gate().table(frame, spec, name="coefs").frame.iloc[0]
    assert row["estimate"] == 0.123456789
    assert (row["std_error"], row["conf_low"], row["conf_high"]) == (0.04568, 0.03377, 0.2131)
    assert (row["statistic"], row["p_value"]) == (2.7, 0.00705)


def test_a_bad_single_value_is_named_as_the_value(make_gate):
    with pytest.raises(UsageError, match=r"table 'value', row 1, column 'value'.*whole number"):
        make_gate().value(7.5, "count", unit="youth")


def test_published_excerpts_ask_the_checker_for_consent_once_per_artefact(make_gate):
    gate = make_gate(publish_excerpts=True)
    spec = TableSpec({"quotes": TableSpec({"excerpt": excerpt()}, totals="none"),
                      "more": TableSpec({"excerpt": excerpt()}, totals="none")})
    gate.json({"quotes": [{"excerpt": "a"}], "more": [{"excerpt": "b"}]}, spec, name="q")
    record = gate.log["q"]
    assert record.status == "review"
    assert record.comments == ["verbatim excerpts published under --publish-excerpts: "
                               "check consent"]


def test_the_log_states_the_mode_the_rules_ran_in(make_gate):
    modes = {(False, None): "applied", (True, None): "synthetic", (False, False): "turned off"}
    for (synthetic, rules), mode in modes.items():
        gate = make_gate(synthetic=synthetic, rules=rules)
        assert gate.mode == mode and gate.log.rules["mode"] == mode


def test_undeclared_and_by_columns_are_named(make_gate):
    gate = make_gate()
    with pytest.raises(UsageError, match="column.s. a, b have no declared kind"):
        gate.table(pd.DataFrame({"a": [1], "b": [2], "n": [30]}),
                   TableSpec({"n": count("youth")}), name="t")
    with pytest.raises(UsageError, match="by column.s. wave not in the table"):
        gate.table(pd.DataFrame({"n": [30]}), TableSpec({"n": count("youth")}, by=("wave",)),
                   name="t")


def test_apa_frame_flags_every_column_after_an_excerpt(make_gate):
    frame = pd.DataFrame({"code": ["power", "care", "time"], "excerpt": ["a", "b", "c"],
                          "n": [4, 30, 31], "p": [0.1, 0.2, 0.3]})
    spec = TableSpec({"code": text(), "excerpt": excerpt(code="code"), "n": count("segment"),
                      "p": estimate(rests_on="n")}, totals="columns")
    out = make_gate().table(frame, spec, name="quotes").apa_frame()
    assert list(out.columns) == ["code", "excerpt", "n", "p", "n_suppressed", "p_withheld"]
    assert out["n_suppressed"].tolist() == [True, True, False]
    assert out["p_withheld"].tolist() == [True, True, False]


def test_reasons_count_the_cells_each_rule_hit(make_gate):
    frame = pd.DataFrame({"g": ["a", "b", "c"], "n": [4, 30, 31], "id": ["x", "y", "z"]})
    spec = TableSpec({"g": text(), "n": count("youth"), "id": identifier()}, totals="columns")
    record = make_gate().table(frame, spec, name="t").record
    assert record.reasons == {
        "count from 1 to 5, or protecting one from subtraction": 2,
        "identifiers are published only for synthetic data": 3}


def test_split_rows_keeps_whole_numbers_whole_in_both_columns():
    frame = pd.DataFrame({"n": [3807, 1366], "mean": [0.4, 2.5]})
    out = split_rows(frame, [False, True], ["n", "mean"], "_youth")
    assert out["n"].dtype == "Int64" and out["n_youth"].dtype == "Int64"
    assert out["n"].tolist() == [3807, pd.NA] and out["n_youth"].tolist() == [pd.NA, 1366]
    assert out["mean_youth"].dtype == float
