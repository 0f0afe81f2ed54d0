"""QCA against R's QCA package (3.23) on the Lipset benchmark data.

Reference: tests/reference/qca/qca_reference.R and its output qca_reference.json; the data
(LC crisp, LF fuzzy, LR raw) as shipped with QCA (Dusa 2019, "QCA with R").
Tolerances: inclusion, PRI and coverage 1e-9 (both sides compute the same sums in double
precision; QCA only rounds when printing); solutions and truth-table outputs exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.qual.configurations import calibrate, minimize, necessity, qca, truth_table

REF = Path(__file__).resolve().parents[1] / "reference" / "qca"
RESULTS = json.loads((REF / "qca_reference.json").read_text())
CASES = {c["name"]: c for c in RESULTS["cases"]}
TOL = 1e-9


def lipset(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"lipset_{name}.csv", index_col="case")


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    c = CASES[request.param]
    cut = c["incl_cut"] if len(c["incl_cut"]) > 1 else c["incl_cut"][0]
    result = qca(lipset(c["data"]), outcome=c["outcome"], conditions=c["conditions"],
                 incl_cut=cut, n_cut=c["n_cut"], pri_cut=c["pri_cut"],
                 dir_exp=c["dir_exp"])
    return c, result


def test_truth_table_matches_qca(case):
    ref, result = case
    tt = result.truth_table.to_frame(complete=True)
    want = ref["truth_table"]
    assert tt["row"].tolist() == want["row"]
    assert tt[ref["conditions"]].to_numpy().tolist() == want["conf"]
    assert tt["out"].tolist() == want["out"]
    assert tt["n"].tolist() == want["n"]
    assert tt["cases"].tolist() == want["cases"]
    observed = tt["n"] > 0
    for col in ("incl", "pri"):
        expected = np.array([np.nan if v == "-" else float(v) for v in want[col]])
        np.testing.assert_allclose(tt.loc[observed, col], expected[observed.to_numpy()],
                                   atol=TOL, rtol=0)
        assert tt.loc[~observed, col].isna().all()


@pytest.mark.parametrize("solution", ["conservative", "parsimonious"])
def test_solutions_match_qca(case, solution):
    ref, result = case
    mine = result.solutions[solution]
    want = ref[solution]
    # every minimal cover, in QCA's order, with the terms in QCA's order
    assert [m.terms for m in mine] == [w["terms"] for w in want]
    for m, w in zip(mine, want, strict=True):
        for key in ("incl", "pri", "cov"):
            assert getattr(m, key) == pytest.approx(w[key], abs=TOL)
            np.testing.assert_allclose(m.term_fit[key], w["term_fit"][key], atol=TOL, rtol=0)
        np.testing.assert_allclose(m.term_fit["cov_unique"], w["term_fit"]["cov_unique"],
                                   atol=TOL, rtol=0)


def test_intermediate_matches_qca(case):
    ref, result = case
    mine = result.solutions["intermediate"]
    want = [(label, w) for label, ws in ref["intermediate"].items() for w in ws]
    assert [(m.label, m.terms) for m in mine] == [(lab, w["terms"]) for lab, w in want]
    for m, (_, w) in zip(mine, want, strict=True):
        assert m.easy_counterfactuals == w["easy_counterfactuals"]
        for key in ("incl", "pri", "cov"):
            assert getattr(m, key) == pytest.approx(w[key], abs=TOL)
            np.testing.assert_allclose(m.term_fit[key], w["term_fit"][key], atol=TOL, rtol=0)
        np.testing.assert_allclose(m.term_fit["cov_unique"], w["term_fit"]["cov_unique"],
                                   atol=TOL, rtol=0)


def test_documented_lipset_solutions():
    # the ?minimize examples of QCA 3.23 (ttLC): crisp conservative and parsimonious for SURV
    result = qca(lipset("LC"), outcome="SURV", conditions="DEV,URB,LIT,IND,STB")
    assert result.solutions["conservative"][0].expression == \
        "DEV*~URB*LIT*STB + DEV*LIT*IND*STB"
    assert result.solutions["parsimonious"][0].expression == "DEV*STB"


def test_necessity_matches_qca():
    data = lipset("LF")
    for outcome in ("SURV", "~SURV"):
        got = necessity(data, outcome, ["DEV", "URB", "LIT", "IND", "STB"]).to_frame()
        want = pd.DataFrame([r for r in RESULTS["necessity"] if r["outcome"] == outcome])
        assert got["condition"].tolist() == want["condition"].tolist()
        for col in ("incl", "ron", "cov"):
            np.testing.assert_allclose(got[col], want[col], atol=TOL, rtol=0)


def test_necessity_of_terms_closed_form():
    data = lipset("LF")
    got = necessity(data, "SURV", "DEV,STB", terms=["DEV*STB", "DEV + ~STB"]).to_frame()
    y = data["SURV"].to_numpy()
    x1 = np.minimum(data["DEV"], data["STB"]).to_numpy()
    x2 = np.maximum(data["DEV"], 1 - data["STB"]).to_numpy()
    for row, x in zip(got.itertuples(), (x1, x2), strict=True):
        assert row.incl == pytest.approx(np.minimum(x, y).sum() / y.sum(), abs=1e-12)
        assert row.cov == pytest.approx(np.minimum(x, y).sum() / x.sum(), abs=1e-12)
        assert row.ron == pytest.approx((1 - x).sum() / (1 - np.minimum(x, y)).sum(),
                                        abs=1e-12)


@pytest.mark.parametrize("entry", RESULTS["calibration"],
                         ids=lambda e: f"{e['variable']}-{e['idm']:.4f}")
def test_fuzzy_calibration_matches_qca_and_closed_form(entry):
    x = np.array(entry["x"], dtype=float)
    lo = np.log(entry["idm"] / (1 - entry["idm"]))
    got = calibrate(x, exclusion=entry["exclusion"], crossover=entry["crossover"],
                    inclusion=entry["inclusion"], log_odds=lo)
    want = np.array(entry["membership"])
    # QCA::calibrate truncates scores below 1e-4 to 0 and above 0.9999 to 1; we keep the
    # exact logistic, so compare there only on the side of the truncation
    inner = (want > 0) & (want < 1)
    np.testing.assert_allclose(got[inner], want[inner], atol=1e-9, rtol=0)
    assert np.all(got[want == 0] < 1e-4) and np.all(got[want == 1] > 0.9999)
    e, c, i = entry["exclusion"], entry["crossover"], entry["inclusion"]
    # closed form at the anchors: 1/(1+exp(+-lo)) and 0.5
    anchors = calibrate(np.array([e, c, i]), exclusion=e, crossover=c, inclusion=i,
                        log_odds=lo)
    np.testing.assert_allclose(anchors, [1 / (1 + np.exp(lo)), 0.5, 1 / (1 + np.exp(-lo))],
                               atol=1e-12)


def test_calibration_default_is_ragin_log_odds_3():
    got = calibrate(pd.Series([0.0, 5.0, 10.0, 7.5], name="v"), exclusion=0, crossover=5,
                    inclusion=10)
    assert got.name == "v"
    np.testing.assert_allclose(got, [1 / (1 + np.exp(3)), 0.5, 1 / (1 + np.exp(-3)),
                                     1 / (1 + np.exp(-1.5))], atol=1e-12)
    # a set that falls as x rises
    down = calibrate(np.array([10.0, 5.0, 0.0]), exclusion=10, crossover=5, inclusion=0)
    np.testing.assert_allclose(down, [1 / (1 + np.exp(3)), 0.5, 1 / (1 + np.exp(-3))])


def test_crisp_calibration_matches_qca():
    crisp = RESULTS["crisp"]
    got = calibrate(np.array(crisp["x"], float), threshold=crisp["threshold"])
    assert got.tolist() == crisp["membership"]


def test_calibration_errors():
    with pytest.raises(UsageError, match="between exclusion and inclusion"):
        calibrate([1, 2], exclusion=0, crossover=5, inclusion=3)
    with pytest.raises(UsageError, match="needs exclusion, crossover and inclusion"):
        calibrate([1, 2], crossover=5)
    with pytest.raises(UsageError, match="not both"):
        calibrate([1, 2], threshold=1, crossover=5)


def test_bad_input_is_named():
    data = lipset("LF")
    with pytest.raises(UsageError, match="'NOPE' not found"):
        qca(data, outcome="SURV", conditions=["DEV", "NOPE"])
    bad = data.copy()
    bad.loc["AU", "URB"] = 1.4
    with pytest.raises(UsageError, match=r"column 'URB'.*row AU has 1\.4"):
        qca(bad, outcome="SURV", conditions=["DEV", "URB"])
    bad.loc["AU", "URB"] = np.nan
    with pytest.raises(UsageError, match=r"'URB' has 1 missing value\(s\) \(rows AU\)"):
        truth_table(bad, "SURV", ["DEV", "URB"])
    with pytest.raises(UsageError, match="also listed as a condition"):
        qca(data, outcome="SURV", conditions=["DEV", "SURV"])
    with pytest.raises(UsageError, match="incl_cut"):
        qca(data, outcome="SURV", conditions=["DEV"], incl_cut=1.5)
    with pytest.raises(UsageError, match="lower cut-off 0.9 exceeds the upper 0.8"):
        qca(data, outcome="SURV", conditions=["DEV"], incl_cut=(0.8, 0.9))
    with pytest.raises(UsageError, match="n_cut"):
        qca(data, outcome="SURV", conditions=["DEV"], n_cut=0)
    with pytest.raises(UsageError, match="dir_exp names 'XYZ'"):
        qca(data, outcome="SURV", conditions=["DEV", "URB"], dir_exp=["XYZ"])


def test_no_positive_rows_gives_empty_solutions():
    data = lipset("LF")
    result = qca(data, outcome="SURV", conditions=["DEV", "URB"], incl_cut=1.0,
                 dir_exp=["DEV"])
    assert result.solutions == {"conservative": [], "parsimonious": [], "intermediate": []}
    assert len(result.to_frame()) == 0


def test_result_views_derive_from_the_frame():
    result = qca(lipset("LF"), outcome="SURV", conditions="DEV,URB,LIT,IND,STB",
                 dir_exp="DEV, URB, LIT, IND, STB")
    frame = result.to_frame()
    assert frame.columns.tolist() == ["solution", "model", "term", "incl", "pri", "cov_raw",
                                      "cov_unique"]
    pars = frame[(frame["solution"] == "parsimonious") & (frame["term"] != "(model)")]
    assert pars["term"].tolist() == ["DEV*~IND", "URB*STB"]
    assert set(frame.loc[frame["solution"] == "intermediate", "model"]) == {"C1P1"}
    d = result.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["solutions"]["parsimonious"][0]["terms"] == ["DEV*~IND", "URB*STB"]
    assert len(d["truth_table"]) == 9  # observed rows only
    assert "DEV*~IND + URB*STB" in result.summary()
    assert "<table" in result._repr_html_()


def test_minimize_on_truth_table_directly():
    tt = truth_table(lipset("LC"), "SURV", ["DEV", "URB", "LIT", "IND", "STB"])
    sols = minimize(tt)
    assert set(sols) == {"conservative", "parsimonious"}
    assert sols["parsimonious"][0].terms == ["DEV*STB"]
