"""fit_lmm_terms against lme4 1.1.31 / lmerTest 3.1.3 (tests/reference/lme4_crossed/make.R).

Tolerances: fixed effects 1e-5 relative, standard errors 1e-4 relative, log-likelihood 1e-6
relative, variance components (vcov, sdcor) 1e-4 relative, Satterthwaite df 1e-3 relative,
conditional modes 1e-4 of the largest mode's size. Penicillin's theta varies between R runs
by 2e-7 relative (README), far inside these.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models.crossed import VARCORR_COLUMNS, fit_lmm_terms

REF = Path(__file__).resolve().parents[1] / "reference"
CROSSED = REF / "lme4_crossed"


def _data(name: str) -> pd.DataFrame:
    if name == "study_wave":
        d = pd.read_csv(REF / "shipped_study" / "headline.csv")
        return d[d["relationship_quality_within"].notna()]
    return pd.read_csv(REF / "r_datasets" / f"{name}.csv")


# model -> (formula as make.R, data file); service is a 0/1 factor in R (term "service1")
MODELS = {
    "penicillin": ("diameter ~ 1 + (1 | plate) + (1 | sample)", "penicillin"),
    "pastes": ("strength ~ 1 + (1 | batch/cask)", "pastes"),
    "insteval": ("y ~ C(service) + (1 | s) + (1 | d)", "insteval_s200"),
    "sleep_uncorr": ("Reaction ~ Days + (Days || Subject)", "sleepstudy"),
    "study_wave": ("wellbeing ~ relationship_quality_within + relationship_quality_between"
                   " + (1 | youth_id) + (1 | wave)", "study_wave"),
}
R_TERM = {"C(service)[T.1]": "service1"}
CASES = [(m, reml) for m in MODELS for reml in (True, False)]


def _ref(file: str, model: str, reml: bool) -> pd.DataFrame:
    d = pd.read_csv(CROSSED / file)
    return d[(d["model"] == model) & (d["reml"] == reml)].reset_index(drop=True)


@pytest.fixture(scope="module", params=CASES, ids=[f"{m}-{'reml' if r else 'ml'}"
                                                    for m, r in CASES])
def case(request):
    model, reml = request.param
    formula, data = MODELS[model]
    fit = fit_lmm_terms(formula, _data(data), method="reml" if reml else "ml")
    return model, reml, fit


def test_fixed_effects_se_df(case):
    model, reml, fit = case
    ref = _ref("fixef.csv", model, reml)
    tab = fit.to_frame()
    assert [R_TERM.get(t, t) for t in tab["term"]] == list(ref["term"])
    np.testing.assert_allclose(tab["estimate"], ref["estimate"], rtol=1e-5)
    np.testing.assert_allclose(tab["std_error"], ref["std_error"], rtol=1e-4)
    np.testing.assert_allclose(tab["df"], ref["df"], rtol=1e-3)
    np.testing.assert_allclose(tab["statistic"], ref["statistic"], rtol=1e-4)


def test_loglik_criteria_theta(case):
    model, reml, fit = case
    ref = _ref("fit.csv", model, reml).iloc[0]
    assert fit.n_obs == ref["nobs"]
    assert fit.converged and fit.singular == bool(ref["singular"])
    np.testing.assert_allclose(fit.loglik, ref["loglik"], rtol=1e-6)
    np.testing.assert_allclose([fit.aic, fit.bic], [ref["aic"], ref["bic"]], rtol=1e-6)
    groups = ";".join(f"{g}={n}" for g, n in fit.n_groups.items())
    assert groups == ref["ngroups"]
    theta = [float(t) for t in ref["theta"].split(";")]
    np.testing.assert_allclose(fit.theta, theta, rtol=1e-4)


def test_varcorr(case):
    model, reml, fit = case
    ref = _ref("varcorr.csv", model, reml)
    vc = fit.varcorr()
    assert list(vc.columns) == VARCORR_COLUMNS
    assert list(vc["group"]) == list(ref["group"])
    for col in ("var1", "var2"):
        expect = [None if pd.isna(v) else v for v in ref[col]]
        assert list(vc[col]) == expect
    np.testing.assert_allclose(vc["vcov"], ref["vcov"], rtol=1e-4)
    np.testing.assert_allclose(vc["sdcor"], ref["sdcor"], rtol=1e-4)


def test_conditional_modes(case):
    model, reml, fit = case
    ref = _ref("ranef.csv", model, reml)
    ours = fit.random_effects()
    ours["level"] = ours["level"].astype(str)
    ref = ref.assign(level=ref["level"].astype(str))
    m = ref.merge(ours, on=["group", "level", "term"], suffixes=("_r", ""), how="outer")
    assert len(m) == len(ref) == len(ours)
    scale = np.abs(ref["estimate"]).max()
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-4 * scale)


@pytest.mark.parametrize("reml", [True, False])
def test_superlu_path_matches_lme4(reml):
    """The sparse (SuperLU) factor of the Schur complement gives lme4's fit too."""
    fit = fit_lmm_terms(MODELS["insteval"][0], _data("insteval_s200"),
                        method="reml" if reml else "ml", dense_max=0)
    assert fit.engine_fit.optimizer["dense_schur"] is False
    ref = _ref("fixef.csv", "insteval", reml)
    np.testing.assert_allclose(fit.params, ref["estimate"], rtol=1e-5)
    np.testing.assert_allclose(fit.std_errors, ref["std_error"], rtol=1e-4)
    np.testing.assert_allclose(fit.loglik, _ref("fit.csv", "insteval", reml)["loglik"][0],
                               rtol=1e-6)


def test_missing_rows_dropped_and_counted():
    d = _data("penicillin")
    d.loc[[0, 5], "sample"] = None
    d.loc[7, "diameter"] = np.nan
    fit = fit_lmm_terms("diameter ~ 1 + (1 | plate) + (1 | sample)", d)
    assert fit.n_obs == len(d) - 3 and fit.n_dropped == 3


def test_bad_models_are_refused():
    d = _data("penicillin")
    with pytest.raises(UsageError, match="not a column"):
        fit_lmm_terms("diameter ~ 1 + (1 | nope)", d)
    with pytest.raises(UsageError, match="at least 2"):
        fit_lmm_terms("diameter ~ 1 + (1 | plate) + (1 | one)", d.assign(one="a"))
    with pytest.raises(UsageError, match="not identifiable"):
        fit_lmm_terms("diameter ~ 1 + (1 | row)", d.assign(row=np.arange(len(d))))
    with pytest.raises(UsageError, match="method"):
        fit_lmm_terms("diameter ~ 1 + (1 | plate)", d, method="bayes")
