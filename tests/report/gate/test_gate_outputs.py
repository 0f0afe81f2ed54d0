"""JSON objects, notes, figures and the log through the gate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.gate import (
    ArtefactRecord,
    TableSpec,
    bin_counts,
    binned_spec,
    count,
    denominator,
    design,
    df,
    estimate,
    find_leaks,
    identifier,
    model_size,
    share,
    text,
)

OBJ = {"n": 686, "draws": 999, "fit": {"n_obs": 3807, "n_youth": 1366, "df": 3805, "r2": 0.31},
       "rows": [{"k": 5, "n": 20, "share": 0.25}, {"k": 10, "n": 20, "share": 0.5}]}
SPEC = TableSpec({"n": count("youth"), "draws": design(), "fit.n_obs": model_size("observation"),
                  "fit.n_youth": model_size("youth"), "fit.df": df("fit.n_obs"),
                  "fit.r2": estimate(), "rows.k": count("pmk"), "rows.n": denominator("pmk"),
                  "rows.share": share("k", "n")})


def test_json_keeps_keys_moves_design_under_settings_and_rules_every_leaf(make_gate):
    gate = make_gate()
    out = gate.json(OBJ, SPEC, name="pmk.json")
    assert list(out) == ["n", "fit", "rows", "settings"]
    assert out["settings"] == {"draws": 999}
    assert out["fit"]["df"] == out["fit"]["n_obs"] - 2
    assert out["rows"][0]["k"] is None and out["rows"][0]["share"] is None
    assert out["rows"][1]["share"] == pytest.approx(out["rows"][1]["k"] / out["rows"][1]["n"])
    assert out["n"] == gate.value(686, "count", unit="youth").value  # one count, one value
    text_ = json.dumps(out)
    # df are published as the rounded count less the parameters: declared, so allowed here
    assert not find_leaks(text_, design_values=[999, out["fit"]["df"]],
                          exact_denominators=[686, 1366, 20])
    assert find_leaks(json.dumps(OBJ), design_values=[999])  # the raw object does leak
    with pytest.raises(UsageError, match="key.s. fit.extra have no declared kind; declare every published key in its TableSpec"):
        gate.json({**OBJ, "fit": {**OBJ["fit"], "extra": 3}}, SPEC, name="x")


def test_json_nested_table_spec_rules_a_list_of_records_with_its_margins(make_gate):
    gate = make_gate()
    rows = [{"g": "a", "n": 4}, {"g": "b", "n": 30}, {"g": "c", "n": 31}]
    spec = TableSpec({"rows": TableSpec({"g": text(), "n": count("youth")}, totals="columns")})
    out = gate.json({"rows": rows}, spec, name="j")
    assert [r["n"] for r in out["rows"]][:2] == [None, None]  # 4 and its protector


def test_notes_take_gated_values_only(make_gate):
    gate = make_gate()
    n_obs = gate.value(3807, "model_size", unit="observation")
    n_youth = gate.value(1366, "model_size", unit="youth")
    note = gate.note("{n_obs:,} observations of {n_youth:,} youth", n_obs=n_obs,
                     n_youth=n_youth)
    assert not find_leaks(note)
    assert gate.note("{n} youth", n=gate.value(4, "count", unit="youth")) == "S youth"
    with pytest.raises(UsageError, match="did not pass the gate"):
        gate.note("{n} youth", n=1365)
    with pytest.raises(UsageError, match="did not pass the gate"):
        gate.note("{n} youth", n="1365")
    with pytest.raises(UsageError, match="needs value"):
        gate.note("{n} youth")
    with pytest.raises(UsageError, match="^a df value needs the count it is an offset from"):
        gate.value(684, "df", unit="observation")
    assert gate.value(0.51234, "estimate", digits=2).value == 0.51
    assert gate.value(None, "share", unit="youth", numerator=66, denominator=107).value == \
        pytest.approx(gate.value(66, "count", unit="youth").value
                      / gate.value(107, "count", unit="youth").value)
    assert gate.value(684, "df", unit="observation", of=686).value == \
        gate.value(686, "model_size", unit="observation").value - 2


def test_find_leaks_sees_small_counts_exact_counts_and_shares():
    leaks = find_leaks("3808 observations of 1,365 youth; n = 4; share 0.6168; 12 and 0.61")
    assert [lk.value for lk in leaks] == [3808, 4]
    shares = find_leaks("share 0.6168 of all", exact_denominators=[107])
    assert [lk.rule for lk in shares] == ["share of an exact denominator 107"]
    assert not find_leaks("share 0.6111", exact_denominators=[107])  # 66/108, published
    assert not find_leaks("999 draws", design_values=[999])


def test_figures_refuse_one_mark_per_person_and_drop_small_marks(make_gate):
    gate = make_gate()
    lines = pd.DataFrame({"youth_id": ["a", "b"], "wave": [1, 1], "y": [0.1, 0.2]})
    spec = TableSpec({"youth_id": identifier(), "wave": design(), "y": estimate()})
    with pytest.raises(UsageError, match="one mark per person"):
        gate.figure_data(lines, spec, name="traj")
    rng = np.random.default_rng(1)
    points = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    bins = bin_counts(points, "x", "y", bins=6)
    fig = gate.figure_data(bins, binned_spec("youth", two_way=True), name="quadrant",
                           mark_size="n")
    assert (fig.frame["n"] >= 6).all() and (fig.frame["n"] % 3 == 0).all()
    assert len(fig.frame) < len(bins)  # the sparse outer bins are not drawn
    assert fig.record.withheld and fig.record.type == "figure"
    synthetic = make_gate(synthetic=True).figure_data(lines, spec, name="traj")
    pd.testing.assert_frame_equal(synthetic.frame, lines)  # individual lines on synthetic


def test_log_lists_every_artefact_with_rules_cells_and_reasons(make_gate):
    gate = make_gate()
    frame = pd.DataFrame({"g": ["a", "b", "c"], "n": [4, 30, 31]})
    spec = TableSpec({"g": text(), "n": count("youth")}, totals="columns")
    gate.table(frame, spec, name="sample", files=["sample.csv"])
    gate.json(OBJ, SPEC, name="pmk")
    gate.log.attach("pmk", "pmk.json")
    log = json.loads(gate.log.to_json())
    assert log["rules"]["applied"] is True and log["rules"]["threshold"] == 6
    results = list(log["results"].values())
    assert [r["name"] for r in results] == ["sample", "pmk"]
    assert results[0]["files"] == ["sample.csv"] and results[1]["files"] == ["pmk.json"]
    assert results[0]["sdc"]["summary"] == {"suppressed": 2, "withheld": 0}
    assert results[0]["sdc"]["cells"]["suppressed"] == [[0, "n"], [1, "n"]]
    assert "counts rounded to base 3 (consistent by cell)" in results[0]["properties"]["rules"]
    assert all(r["status"] == "pass" for r in results)
    html = gate.log.to_html()
    assert '<section id="disclosure">' in html and "sample.csv" in html
    assert ("<td>counts from 1 to 5 suppressed, with secondary suppression; counts rounded to "
            "base 3 (consistent by cell)</td>") in html
    assert not find_leaks(gate.log.to_json(), design_values=[0, 1, 2, 3, 5, 6, 10, 280])


def test_json_model_withheld_below_the_specs_own_min_units(make_gate):
    # the object's spec asks for 20 units: a model of 15 is withheld though the gate's
    # default threshold (10) would let it through
    obj = {"fit": {"n_obs": 15, "r2": 0.3}}
    columns = {"fit.n_obs": model_size("observation"), "fit.r2": estimate()}
    strict = make_gate().json(obj, TableSpec(columns, min_units=20), name="strict")
    assert strict["fit"] == {"n_obs": None, "r2": None}
    default = make_gate().json(obj, TableSpec(columns), name="default")
    assert default["fit"]["r2"] == 0.3 and default["fit"]["n_obs"] % 3 == 0


def test_log_records_say_what_each_artefact_is(make_gate):
    gate = make_gate()
    gate.table(pd.DataFrame({"n": [30]}), TableSpec({"n": count("youth")}), name="t")
    gate.json(OBJ, SPEC, name="j")
    bins = bin_counts(pd.DataFrame({"x": np.arange(60.0)}), "x", bins=2)
    gate.figure_data(bins, binned_spec(), name="f", mark_size="n")
    gate.artefact("report", "report", files=["report.html"])
    assert [r["type"] for r in gate.log.to_dict()["results"].values()] == [
        "table", "json", "figure", "report"]


def test_a_logged_record_read_back_is_the_same_record(make_gate):
    # a resumed run carries the records of its finished steps over from disclosure.json
    gate = make_gate()
    frame = pd.DataFrame({"g": ["a", "b", "c"], "n": [4, 30, 31], "id": ["x", "y", "z"]})
    spec = TableSpec({"g": text(), "n": count("youth"), "id": identifier()},
                     totals="columns")
    gate.table(frame, spec, name="sample", files=["sample.csv"])
    record = gate.log["sample"]
    record.step = "02_sample"
    record.status = "review"
    record.comments.append("checked by hand")
    written = json.loads(json.dumps(record.to_dict("output_0")))
    again = ArtefactRecord.from_dict(written)
    assert again == record
    assert again.to_dict("output_0") == written
    assert again.suppressed == [[0, "n"], [1, "n"]] and len(again.withheld) == 3
    # a record holding only its name and type reads as an empty one
    assert ArtefactRecord.from_dict({"name": "t", "type": "table"}) == ArtefactRecord(
        "t", "table", rules_applied=False, note="")


def test_json_log_lists_the_columns_of_a_nested_table_and_names_it_in_errors(make_gate):
    gate = make_gate()
    spec = TableSpec({"draws": design(),
                      "rows": TableSpec({"g": text(), "n": count("youth")}, totals="none")})
    gate.json({"draws": 99, "rows": [{"g": "a", "n": 30}]}, spec, name="j")
    assert gate.log["j"].columns == {"draws": "design", "rows.g": "text",
                                     "rows.n": "count (youth)"}
    with pytest.raises(UsageError, match=r"table 'pmk.json', row 1, column 'rows.0.n'"):
        gate.json({"rows": [{"n": 7.5}]}, TableSpec({"rows.n": count("youth")}),
                  name="pmk.json")


def test_scanner_with_a_spec_judges_declared_counts_whatever_their_dtype():
    frame = pd.DataFrame({"n": [7.0, 30.0], "draws": [1000, 1000]})
    spec = TableSpec({"n": count("youth"), "draws": design()})
    leaks = find_leaks(frame, spec)
    assert [(lk.where, lk.value) for lk in leaks] == [("row 0, column n", 7.0)]


def test_json_values_resting_on_a_small_count_are_withheld_in_each_record(make_gate):
    rows = [{"n": 4, "incl": 0.75}, {"n": 30, "incl": 0.9}]
    spec = TableSpec({"rows.n": count("case"), "rows.incl": estimate(rests_on="n")})
    out = make_gate().json({"rows": rows}, spec, name="qca")
    assert out["rows"][0] == {"n": None, "incl": None}
    assert out["rows"][1]["incl"] == 0.9


def test_html_log_marks_an_artefact_with_no_rules(make_gate):
    gate = make_gate(synthetic=True)
    gate.table(pd.DataFrame({"n": [4]}), TableSpec({"n": count("youth")}), name="t")
    assert "<td>pass</td><td>&ndash;</td>" in gate.log.to_html()
