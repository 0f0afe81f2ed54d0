"""The inference methods of a fitted LMMResult and yt.lrt, against the same R references as
the functions behind them (tolerances as there: F 1e-4, den_df 1e-3, ICC 1e-4, modes 1e-4,
profile limits 1e-3, Kenward-Roger SEs 1e-4 and df 1e-3 relative)."""

from __future__ import annotations

import numpy as np
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError

from .conftest import SHARED_LMMS, fit_model, r_name, read_ref, sleep_data


def test_anova_method(shared_fits):
    fit = shared_fits["study"]
    ref = read_ref("lmertest_anova", "anova.csv")
    for ddf in ("satterthwaite", "kenward-roger"):
        out = fit.anova(ddf)
        want = ref[(ref["model"] == "study") & (ref["ddf"] == ddf)].set_index("term").loc[
            [r_name(t, fit.data) for t in out.index]]
        np.testing.assert_allclose(out["F"], want["F"], rtol=1e-4)
        np.testing.assert_allclose(out["den_df"], want["den_df"], rtol=1e-3)


def test_fit_lmm_kenward_roger_table():
    formula, data, group, random = SHARED_LMMS["sleep_slope"]
    fit = yt.fit_lmm(formula, data(), group=group, random=random, ddf="kenward-roger")
    ref = read_ref("pbkrtest", "coefficients_kr.csv")
    ref = ref[ref["model"] == "sleep_slope"]
    out = fit.to_frame()
    np.testing.assert_allclose(out["std_error"], ref["std_error"], rtol=1e-4)
    np.testing.assert_allclose(out["df"], ref["df"], rtol=1e-3)
    with pytest.raises(UsageError, match="ddf"):
        yt.fit_lmm(formula, data(), group=group, ddf="kr")


def test_random_effects_predict_residuals_icc(reml_fits):
    fit = reml_fits["sleep_ri"]
    ranef = read_ref("lme4_ranef", "ranef.csv")
    ranef = ranef[ranef["model"] == "sleep_ri"]
    out = fit.random_effects()
    np.testing.assert_allclose(out["estimate"], ranef["estimate"], rtol=1e-4)
    np.testing.assert_allclose(out["std_error"], ranef["std_error"], rtol=1e-4)
    pred = read_ref("lme4_ranef", "predictions.csv")
    pred = pred[pred["model"] == "sleep_ri"]
    np.testing.assert_allclose(fit.fitted(), pred["fitted"], rtol=1e-4)
    np.testing.assert_allclose(fit.predict(random=False), pred["population"], rtol=1e-4)
    np.testing.assert_allclose(fit.residuals("pearson"), pred["resid_pearson"], rtol=1e-4,
                               atol=1e-4 * float(np.std(fit.y)))
    icc = read_ref("performance_icc", "icc.csv").set_index("model").loc["sleep_ri"]
    np.testing.assert_allclose(fit.icc()["adjusted"], icc["icc_adjusted"], rtol=1e-4)


def test_conf_int_method_and_lrt_export():
    fit = fit_model("study")
    ref = read_ref("lme4_profile", "confint.csv")
    ref = ref[(ref["model"] == "study") & ref["reml"] & (ref["method"] == "profile")
              & (ref["level"] == 0.95)]
    out = fit.conf_int(method="profile")
    np.testing.assert_allclose(out["conf_low"], ref["conf_low"], rtol=1e-3)
    assert list(fit.conf_int().index) == fit.fixed_names
    lrt_ref = read_ref("lme4_lrt", "lrt.csv")
    lrt_ref = lrt_ref[lrt_ref["comparison"] == "sleep"]
    d = sleep_data()
    fits = [yt.fit_lmm(f, d, group="Subject", random=r)
            for f, r in [("Reaction ~ 1", "1"), ("Reaction ~ Days", "1"),
                         ("Reaction ~ Days", "1 + Days")]]
    np.testing.assert_allclose(yt.lrt(*fits)["chisq"], lrt_ref["Chisq"], rtol=1e-4)
    assert "lrt" in yt.__all__
