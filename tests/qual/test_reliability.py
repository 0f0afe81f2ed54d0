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
