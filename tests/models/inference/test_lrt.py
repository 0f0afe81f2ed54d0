"""lrt against lme4 1.1-31's anova(m0, m1, ...) (tests/reference/lme4_lrt/make.R for
linear mixed models, tests/reference/glmer_lrt/make.R for GLMMs).

Tolerances: log-likelihood, AIC and BIC 1e-6 relative; chi-square 1e-4 relative; p values
1e-4 relative (absolute 1e-12 for those below double precision's reach); n_params and df
exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_glmm, fit_lmm
from youthtransitions.models.inference import lrt

from .conftest import binary_study_data, cbpp_data, read_ref, sleep_data, study_data

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


def _assert_matches(out, ref):
    """One lrt table against the rows of lme4's anova table, at the module's tolerances."""
    assert list(out.index) == list(ref["model"])
    np.testing.assert_array_equal(out["n_params"], ref["npar"])
    for ours, theirs in [("loglik", "logLik"), ("aic", "AIC"), ("bic", "BIC")]:
        np.testing.assert_allclose(out[ours], ref[theirs], rtol=1e-6)
    np.testing.assert_allclose(out["chisq"], ref["Chisq"], rtol=1e-4)
    np.testing.assert_array_equal(out["df"], ref["Df"])
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-4, atol=1e-12)


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_matches_lme4(name):
    loader, group, specs = COMPARISONS[name]
    data = loader()
    fits = [fit_lmm(f, data, group=group, random=r) for f, r in specs]
    ref = REF[REF["comparison"] == name].reset_index(drop=True)
    out = lrt(*fits, refit=bool(ref["refit"].iloc[0])).to_frame()
    assert list(out.columns) == ["n_params", "loglik", "aic", "bic", "chisq", "df", "p_value"]
    _assert_matches(out, ref)


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


GLMER_REF = read_ref("glmer_lrt", "lrt.csv")
CB = "cbind(incidence, size - incidence) ~ {} + (1 | herd)"
ST = "high_wellbeing ~ {}wave + (1 | youth_id)"
#: comparison -> data loader, nagq, the two formulas (as glmer_lrt/make.R)
GLMM_COMPARISONS = {
    "cbpp_laplace": (cbpp_data, 1, [CB.format("1"), CB.format("period")]),
    "cbpp_agq10": (cbpp_data, 10, [CB.format("1"), CB.format("period")]),
    "study_laplace": (binary_study_data, 1, [ST.format(""), ST.format(
        "relationship_quality_within + relationship_quality_between + ")]),
}


@pytest.mark.parametrize("name", sorted(GLMM_COMPARISONS))
def test_glmm_matches_lme4(name):
    loader, nagq, formulas = GLMM_COMPARISONS[name]
    data = loader()
    fits = [fit_glmm(f, data, family="binomial", nagq=nagq) for f in formulas]
    ref = GLMER_REF[GLMER_REF["comparison"] == name].reset_index(drop=True)
    out = lrt(*fits).to_frame()
    _assert_matches(out, ref)
    # the closed form of the second row, from lme4's stored log-likelihoods
    ll = ref["logLik"].to_numpy()
    assert out["chisq"].iloc[1] == pytest.approx(2 * (ll[1] - ll[0]), rel=1e-4)


def test_refuses_lmm_beside_glmm_and_other_quadrature():
    data = binary_study_data()
    glmm = fit_glmm(ST.format(""), data, family="binomial")
    lmm = fit_lmm("high_wellbeing ~ wave", data, group="youth_id")
    with pytest.raises(UsageError, match="linear mixed model"):
        lrt(lmm, glmm)
    cbpp = cbpp_data()
    laplace = fit_glmm(CB.format("1"), cbpp, family="binomial")
    agq = fit_glmm(CB.format("period"), cbpp, family="binomial", nagq=10)
    with pytest.raises(UsageError, match="nagq"):
        lrt(laplace, agq)
    with pytest.raises(UsageError, match="not a fitted mixed model"):
        lrt(laplace, cbpp)


def test_table_views(reml_fits):
    result = lrt(reml_fits["sleep_ri"], reml_fits["sleep_slope"])
    text, html = result.summary(), result._repr_html_()
    for label in ("m0", "m1", "(1 + Days | Subject)", "chisq"):
        assert label in text and label in html
    assert [r["model"] for r in result.to_records()] == ["m0", "m1"]
    assert result["chisq"].iloc[1] == result.to_frame().loc["m1", "chisq"]
