"""lrt against lme4 1.1-31's anova(m0, m1, ...) (tests/reference/lme4_lrt/make.R).

Tolerances: log-likelihood, AIC and BIC 1e-6 relative; chi-square 1e-4 relative; p values
1e-4 relative (absolute 1e-12 for those below double precision's reach); n_params and df
exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm
from youthtransitions.models.inference import lrt

from .conftest import read_ref, sleep_data, study_data

REF = read_ref("lme4_lrt", "lrt.csv")
STUDY_BASE = "relationship_quality_within + relationship_quality_between + C(wave)"
#: comparison -> data loader, group, models as (formula, random)
COMPARISONS = {
    "sleep": (sleep_data, "Subject", [("Reaction ~ 1", "1"), ("Reaction ~ Days", "1"),
                                      ("Reaction ~ Days", "1 + Days")]),
    "sleep_reml": (sleep_data, "Subject", [("Reaction ~ Days", "1"),
                                           ("Reaction ~ Days", "1 + Days")]),
    "study": (study_data, "youth_id", [("wellbeing ~ C(wave)", "1"),
                                       (f"wellbeing ~ {STUDY_BASE}", "1"),
                                       (f"wellbeing ~ {STUDY_BASE} + C(ethnicity)", "1")]),
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_matches_lme4(name):
    loader, group, specs = COMPARISONS[name]
    data = loader()
    fits = [fit_lmm(f, data, group=group, random=r) for f, r in specs]
    ref = REF[REF["comparison"] == name].reset_index(drop=True)
    out = lrt(*fits, refit=bool(ref["refit"].iloc[0])).to_frame()
    assert list(out.columns) == ["n_params", "loglik", "aic", "bic", "chisq", "df", "p_value"]
    assert list(out.index) == list(ref["model"])
    np.testing.assert_array_equal(out["n_params"], ref["npar"])
    for ours, theirs in [("loglik", "logLik"), ("aic", "AIC"), ("bic", "BIC")]:
        np.testing.assert_allclose(out[ours], ref[theirs], rtol=1e-6)
    np.testing.assert_allclose(out["chisq"], ref["Chisq"], rtol=1e-4)
    np.testing.assert_array_equal(out["df"], ref["Df"])
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-4, atol=1e-12)


def test_refuses_other_outcome_or_rows():
    data = sleep_data()
    m0 = fit_lmm("Reaction ~ 1", data, group="Subject")
    other = data.assign(R2=data["Reaction"] * 2)
    with pytest.raises(UsageError, match="outcome"):
        lrt(m0, fit_lmm("R2 ~ Days", other, group="Subject"))
    with pytest.raises(UsageError, match="different data"):
        lrt(m0, fit_lmm("Reaction ~ Days", data.iloc[10:], group="Subject"))
    with pytest.raises(UsageError, match="at least two"):
        lrt(m0)



def test_table_views(reml_fits):
    result = lrt(reml_fits["sleep_ri"], reml_fits["sleep_slope"])
    text, html = result.summary(), result._repr_html_()
    for label in ("m0", "m1", "(1 + Days | Subject)", "chisq"):
        assert label in text and label in html
    assert [r["model"] for r in result.to_records()] == ["m0", "m1"]
    assert result["chisq"].iloc[1] == result.to_frame().loc["m1", "chisq"]
