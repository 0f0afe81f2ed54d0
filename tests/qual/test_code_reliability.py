"""code_reliability against R irr on the double-coded example codes, and its bootstrap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.qual import code_reliability
from youthtransitions.qual.reliability import RELIABILITY_COLUMNS

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "irr"

KEYS = ["comparison", "mechanism", "dimension", "scale", "measure"]


@pytest.fixture(scope="module")
def result(double_coded):
    return code_reliability(double_coded, B=300, seed=7)


def test_point_estimates_match_irr(result):
    ref = pd.read_csv(REFERENCE / "code_reliability.csv")
    got = result.to_frame()
    assert list(got.columns) == RELIABILITY_COLUMNS
    merged = ref.merge(got, on=KEYS, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(ref) == len(got) == 44
    # same formulas on the same data: agreement to rounding error
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=0, atol=1e-10)
    assert (merged["n_units"] == merged["n_units_r"]).all()
    assert result.n_double_coded == 82 and result.n_youth_pmk == 25


def test_bootstrap_intervals(result, double_coded):
    got = result.to_frame()
    finite = got.dropna(subset=["conf_low"])
    assert len(finite) == len(got)
    assert (finite["conf_low"] <= finite["estimate"] + 1e-12).all()
    assert (finite["estimate"] <= finite["conf_high"] + 1e-12).all()
    assert (got["n_boot"] <= 300).all()
    # reproducible for a seed
    again = code_reliability(double_coded, B=300, seed=7).to_frame()
    pd.testing.assert_frame_equal(again, got)


def test_bootstrap_standard_error_is_plausible(double_coded):
    """Percentile interval width of the presence kappa vs the delta-method SE of irr.

    irr::kappa2 gives no SE under the alternative; use Fleiss, Cohen & Everitt (1969)
    via statsmodels: the 95% bootstrap width should be within 30% of 2*1.96*SE.
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    res = code_reliability(double_coded, B=500, seed=3).to_frame()
    row = res[(res["mechanism"] == "power") & (res["dimension"] == "any")
              & (res["measure"] == "cohen_kappa")].iloc[0]
    seg = double_coded.groupby("segment_id").filter(lambda g: g["coder"].nunique() == 2)
    wide = seg.assign(p=(seg["mechanism"] == "power").astype(int)).pivot(
        index="segment_id", columns="coder", values="p")
    table = pd.crosstab(wide["coder_a"], wide["coder_b"]).to_numpy()
    se = cohens_kappa(table).std_kappa
    assert row["conf_high"] - row["conf_low"] == pytest.approx(2 * 1.96 * se, rel=0.3)


def test_no_double_coding_is_an_error(small_codes):
    single = small_codes[small_codes["coder"] == "bob"]
    single = single[single["source"] != "pmk_interview"]
    with pytest.raises(UsageError, match="no double-coded segments"):
        code_reliability(single, B=0)
    with pytest.raises(UsageError, match="B must be"):
        code_reliability(small_codes, B=-1)


def test_summary_renders(result):
    text = result.summary()
    assert "double-coded segments" in text and "alpha_ordinal" in text
    assert "<table" in result._repr_html_()


def test_synthetic_second_coder(synthetic_study):
    """The generator's second coder copies the dimension and keeps the level with
    probability second_coder_agree (else one of the two other levels at random)."""
    truth = synthetic_study.metadata["truth"]["qual"]
    res = code_reliability(synthetic_study, B=0).to_frame()
    coders = res[res["comparison"] == "coders"]
    presence = coders[coders["scale"] == "presence"]
    np.testing.assert_allclose(presence["estimate"], 1.0)   # same dimension, always
    level = coders[coders["scale"] == "level"]
    assert (level["n_units"] > 0).all()
    # raw level agreement: expected second_coder_agree; binomial 4-SE tolerance
    codes = synthetic_study.codes
    wide = codes.pivot_table(index="segment_id", columns="coder", values="level",
                             aggfunc="first").dropna()
    agree = float((wide.iloc[:, 0] == wide.iloc[:, 1]).mean())
    p = truth["parameters"]["second_coder_agree"]
    assert agree == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / len(wide)))
    assert res.loc[res["comparison"] == "youth_vs_pmk", "n_units"].gt(0).all()


def test_three_coders_alpha_uses_all_kappa_the_first_two():
    from youthtransitions.qual.agreement import cohen_kappa, krippendorff_alpha

    # 6 segments; coders amy, ben, cat; cat codes only the first four
    mech = {"amy": ["power", "power", "recognition", "mutuality", "power", "recognition"],
            "ben": ["power", "recognition", "recognition", "mutuality", "power", "power"],
            "cat": ["power", "power", "mutuality", "mutuality"]}
    dims = {"power": "care", "recognition": "recognition", "mutuality": "friend_like"}
    rows = [dict(segment_id=f"s{i}", youth_id="Y1", source="youth_interview", wave=1,
                 coder=c, mechanism=m, dimension=dims[m], level=1, instance="confirmatory")
            for c, ms in mech.items() for i, m in enumerate(ms)]
    res = code_reliability(pd.DataFrame(rows), B=0).to_frame().set_index(
        ["comparison", "mechanism", "dimension", "scale", "measure"]).sort_index()
    presence = np.array([[float(m == "power") for m in mech[c]] + [np.nan] * (6 - len(mech[c]))
                         for c in ("amy", "ben", "cat")])
    key = ("coders", "power", "any", "presence")
    assert res.loc[key + ("alpha_nominal",), "estimate"] == pytest.approx(
        krippendorff_alpha(presence), abs=1e-12)
    assert res.loc[key + ("cohen_kappa",), "estimate"] == pytest.approx(
        cohen_kappa(presence[0], presence[1]), abs=1e-12)
    assert res.loc[key + ("cohen_kappa",), "n_units"] == 6
    # nobody coded responsiveness: presence is constant and its level never observed
    never = res.loc[("coders", "responsiveness", "any")]
    assert never["estimate"].isna().all() and never.loc[("level", "alpha_ordinal"),
                                                       "n_units"] == 0


def test_codes_are_checked_once(double_coded, monkeypatch):
    import youthtransitions.study.codes as codes_module

    calls = []
    original = codes_module.check_codes
    monkeypatch.setattr(codes_module, "check_codes",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    code_reliability(double_coded, B=0)
    assert len(calls) == 1


def test_old_result_name_is_deprecated(result):
    import youthtransitions.qual as qual
    from youthtransitions.qual import CodeReliabilityResult

    with pytest.warns(DeprecationWarning, match="CodeReliabilityResult"):
        assert qual.ReliabilityResult is CodeReliabilityResult
    assert isinstance(result, CodeReliabilityResult)
