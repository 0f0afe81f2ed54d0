"""The step summaries: declared keys checked on write and read, and their builders against
hand computations (exact arithmetic: tolerance 1e-12)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.pipeline import StepContext
from youthtransitions.report.summaries import (
    check_summary,
    first_interview_age,
    qualitative_summary,
)

SYNERGY = {"estimate": 1.0, "conf_low": 0.5, "conf_high": 1.5, "p_holm": 0.01}


def test_declared_keys_pass_and_others_fail():
    ok = {"all_four_share": 0.6, "n_youth": 10, "synergy": SYNERGY}
    assert check_summary("qualitative", ok) is ok
    with pytest.raises(UsageError, match=r"qualitative.json lacks n_youth .*QualitativeSummary"):
        check_summary("qualitative", {"all_four_share": 0.6, "synergy": SYNERGY})
    with pytest.raises(UsageError, match="has undeclared all_four"):
        check_summary("qualitative", {**ok, "all_four": 0.6})
    with pytest.raises(UsageError, match=r"key 'synergy', lacks p_holm"):
        check_summary("qualitative", {**ok, "synergy": {k: v for k, v in SYNERGY.items()
                                                        if k != "p_holm"}})
    with pytest.raises(UsageError, match=r"estimates\[1\], lacks conf_high"):
        check_summary("headline", {"estimates": [
            {"estimand": "a", "estimate": 1, "conf_low": 0, "conf_high": 2},
            {"estimand": "b", "estimate": 1, "conf_low": 0}]})
    with pytest.raises(UsageError, match="not a declared step summary"):
        check_summary("nothing", {})


def test_read_json_checks_what_an_earlier_step_wrote(tmp_path):
    ctx = StepContext(name="07_replication", index=7, study=None, data_dir=tmp_path,
                      out=tmp_path, results_dir=tmp_path, seed=1)
    (tmp_path / "headline.json").write_text(json.dumps({"estimate": []}))
    with pytest.raises(UsageError, match="step 07_replication: .*headline.json lacks estimates"):
        ctx.read_json("headline")
    with pytest.raises(UsageError, match="undeclared synergy_p"):
        ctx.write_json("qualitative", {"all_four_share": 0.5, "n_youth": 2,
                                       "synergy": SYNERGY, "synergy_p": 0.1})


def test_first_interview_age_closed_form():
    youth = pd.DataFrame({"youth_id": ["a", "b"], "age_w1": [16.0, 18.0]})
    waves = pd.DataFrame({"youth_id": ["a", "a", "b", "b"], "wave": [1, 2, 1, 3],
                          "interview_date": pd.to_datetime(["2020-01-01", "2021-01-01",
                                                            "2020-03-01", "2022-03-01"])})
    codes = pd.DataFrame({"youth_id": ["a", "a", "b"], "wave": [2, 3, 1]})
    study = SimpleNamespace(youth=youth, waves=waves, codes=codes)
    # a: first coded round 2, 366 days after wave 1; b: round 1, no shift
    expected = ((16.0 + 366 / 365.25) + 18.0) / 2
    assert first_interview_age(study) == pytest.approx(expected, abs=1e-12)


def test_qualitative_summary():
    features = pd.DataFrame({"all_active": [True, False, True, True]})
    integration = SimpleNamespace(to_frame=lambda: pd.DataFrame([
        {"family": "convergence", "estimate": 9.0, "conf_low": 0.0, "conf_high": 0.0,
         "p_holm": 1.0}, {"family": "synergy", **SYNERGY}]))
    out = qualitative_summary(features, integration)
    assert out == {"all_four_share": 0.75, "n_youth": 4, "synergy": SYNERGY}
    empty = SimpleNamespace(to_frame=lambda: pd.DataFrame({"family": ["convergence"]}))
    with pytest.raises(UsageError, match="no synergy test"):
        qualitative_summary(features, empty)
