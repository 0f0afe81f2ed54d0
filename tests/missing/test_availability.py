"""availability(): logistic model against R glm, SMDs, patterns and sample loss by hand.

Tolerances: log-odds, SEs, z, odds ratios and Wald limits 1e-5 relative (R glm IRLS vs
statsmodels Newton both converge to ~1e-8; the data CSV, exported from the shipped study by
tests/reference/mitml_availability/export_data.py, is rounded to 6 decimals for both);
p values 1e-5 relative; SMD, patterns and counts exact (closed form, 1e-12).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import availability

REF = Path(__file__).resolve().parents[1] / "reference" / "mitml_availability"
COVS = ["age_w1", "gender_male", "qual_subsample", "contextual_risk_w1", "individual_risk_w1",
        "resilience_w1", "wellbeing_w1", "relationship_quality_w1"]


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF / "availability_data.csv")


def test_logit_matches_r_glm(data):
    ref = pd.read_csv(REF / "availability_glm.csv")
    res = availability(data, covariates=COVS)
    model = res.to_frame().assign(term=lambda f: f["term"].replace({"const": "(Intercept)"}))
    model = model.set_index("term").loc[ref["term"]]
    for col in ("estimate", "std_error", "statistic", "conf_low", "conf_high", "odds_ratio",
                "or_low", "or_high"):
        np.testing.assert_allclose(model[col], ref[col].to_numpy(), rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(model["p_value"], ref["p_value"].to_numpy(), rtol=1e-5, atol=1e-12)
    assert res.n_model == ref["nobs"].iloc[0]


def test_balance_smd_closed_form(data):
    res = availability(data, covariates=COVS)
    row = res.balance.set_index("covariate").loc["contextual_risk_w1"]
    x = data["contextual_risk_w1"]
    x1 = x[data["pmk_available"] == 1].dropna()
    x0 = x[data["pmk_available"] == 0].dropna()
    expected = (x1.mean() - x0.mean()) / np.sqrt((x1.var() + x0.var()) / 2)
    assert row["smd"] == pytest.approx(expected, abs=1e-12)
    assert row["n_with"] == len(x1) and row["n_without"] == len(x0)
    # youth without a PMK report carry more contextual risk (the MAR mechanism)
    assert row["smd"] < -0.1


def test_patterns_and_sample_loss(data):
    res = availability(data, covariates=COVS)
    assert res.patterns["n"].sum() == len(data)
    assert res.patterns["share"].sum() == pytest.approx(1.0, abs=1e-12)
    loss = res.sample_loss.set_index("analysis")
    pmk = loss.loc[[i for i in loss.index if i.startswith("pmk_functioning_w3")][0]]
    n_cc = int(data[["pmk_functioning_w3", "relationship_quality_w1"]].notna().all(axis=1).sum())
    assert pmk["n_complete"] == n_cc
    assert pmk["share_lost"] == pytest.approx(1 - n_cc / len(data), abs=1e-12)
    assert pmk["share_lost"] > 0.4  # about half the youth lack a wave-3 PMK report
    assert res.n_available == int(data["pmk_available"].sum())
    assert "PMK availability" in res.summary()


def test_bad_indicator(data):
    with pytest.raises(UsageError, match="not a column"):
        availability(data, indicator="nope", covariates=COVS)
    with pytest.raises(UsageError, match="0/1"):
        availability(data.assign(age=data["age_w1"]), indicator="age", covariates=COVS)
    with pytest.raises(UsageError, match="covariates not in the data"):
        availability(data, covariates=["missing_column"])


def test_patterns_from_study_rows():
    from types import SimpleNamespace

    from youthtransitions.missing.availability import _patterns
    waves = pd.DataFrame({"youth_id": ["a", "a", "b", "c", "c", "c"],
                          "wave": [1, 2, 1, 1, 2, 3]})
    pmk = pd.DataFrame({"youth_id": ["a", "c"], "wave": [2, 3]})
    wide = pd.DataFrame({"youth_id": ["a", "b", "c"]})
    pat = _patterns(SimpleNamespace(waves=waves, pmk=pmk), wide)
    assert list(pat["waves"]) == ["110", "100", "111"]
    assert list(pat["pmk"]) == ["010", "000", "001"]


def test_public_aliases():
    import youthtransitions as yt
    assert yt.pmk.pool is yt.pool
    assert yt.pmk.impute is yt.impute
    for name in ("availability", "impute", "pool", "ipw", "delta_sensitivity",
                 "compare_methods", "simulate_pmk"):
        assert callable(getattr(yt.pmk, name))


@pytest.mark.parametrize("level", [95, 0, 1, -0.1])
def test_level_is_checked(data, level):
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        availability(data, covariates=COVS, level=level)
