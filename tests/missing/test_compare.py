"""compare_methods() on the shipped synthetic study, against its truth.json.

Reference: the population truth ``estimands.pmk`` (slope, R²). Claims checked: the MI and
IPW 95% intervals contain the true slope; the complete-case estimate lies more than one of
its standard errors below the truth (PMK availability is MAR given wave-1 risk and
wellbeing, which also predict PMK functioning). The simulation in docs/missing-data.md
gives bias, RMSE and coverage over 200 studies.
"""

from __future__ import annotations

import pytest

import youthtransitions as yt
from youthtransitions.missing import compare_methods

pytestmark = pytest.mark.slow  # one imputation run on the shipped study (~10 s on 2 cores)


@pytest.fixture(scope="module")
def study():
    from youthtransitions.study import load_study
    from youthtransitions.synthetic import shipped_study_path
    return load_study(shipped_study_path())


@pytest.fixture(scope="module")
def comparison(study):
    return compare_methods(study, m=5, seed=11, n_iter=5)


def test_truth_and_methods(comparison, study):
    truth = study.metadata["truth"]["estimands"]["pmk"]["value"]
    assert comparison.truth == pytest.approx({"slope": truth["slope"], "r2": truth["r2"]})
    t = comparison.to_frame().set_index("method")
    for method in ("multiple_imputation", "ipw"):
        row = t.loc[method]
        assert row["conf_low"] <= truth["slope"] <= row["conf_high"], method
        assert row["covers_truth"]
    cc = t.loc["complete_cases"]
    assert truth["slope"] - cc["estimate"] > cc["std_error"]
    assert cc["n"] < t.loc["multiple_imputation", "n"] == len(study.youth)


def test_delta_rows_and_json(comparison):
    t = comparison.to_frame()
    delta = t[t["method"] == "mi_delta"]
    assert len(delta) == 31
    mi = t[t["method"] == "multiple_imputation"].iloc[0]
    zero = delta[delta["delta"] == 0.0].iloc[0]
    assert zero["estimate"] == pytest.approx(mi["estimate"], rel=1e-12)
    out = comparison.to_dict()
    assert set(out) == {"model", "m", "truth", "methods", "tipping_point"}
    assert out["methods"][0]["method"] == "complete_cases"


def test_pmk_alias_availability(study):
    res = yt.pmk.availability(study)
    assert res.n == len(study.youth)
    assert 0.3 < res.share_available < 0.7
    bal = res.balance.set_index("covariate")
    assert bal.loc["wellbeing_w1", "smd"] > 0.1  # youth with a PMK report fare better


@pytest.mark.parametrize(("options", "message"), [
    ({"level": 95}, "level must lie strictly between 0 and 1"),
    ({"trim": (0.01,)}, "trim must be two percentiles")])
def test_options_checked_before_imputing(monkeypatch, options, message):
    import pandas as pd

    from youthtransitions.errors import UsageError
    from youthtransitions.missing import compare as compare_module

    def no_impute(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("imputed before checking the options")

    monkeypatch.setattr(compare_module, "impute", no_impute)
    wide = pd.DataFrame({"pmk_functioning_w3": [1.0, None, 2.0, 3.0, 4.0],
                         "relationship_quality_w1": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(UsageError, match=message):
        compare_methods(wide, m=2, **options)
