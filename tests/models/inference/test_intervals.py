"""Confidence intervals: profile against lme4 1.1-31's confint(profile(m))
(tests/reference/lme4_profile/make.R); Wald against lmerTest's Satterthwaite table; the
parametric bootstrap against the profile limits within its Monte Carlo error.

Tolerances: profile limits 1e-3 relative; Wald limits 1e-4 relative (from lmerTest's
estimate, SE and df); bootstrap percentile limits of the fixed effects within 0.35 standard
errors of the profile limits (200 replicates: the Monte Carlo SD of a 2.5% quantile of a
normal sample of 200 is about 0.17 SE) and identical with one or two workers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import special

from youthtransitions.errors import UsageError
from youthtransitions.models.inference import conf_int

from .conftest import fit_model, read_ref

PROFILE = read_ref("lme4_profile", "confint.csv")
SATT = read_ref("lmertest_anova", "coefficients_satterthwaite.csv")
CASES = [("sleep_slope", True, 0.95), ("sleep_slope", True, 0.90), ("study", True, 0.95),
         ("study", True, 0.90), ("sleep_slope", False, 0.95), ("study", False, 0.95)]


@pytest.mark.parametrize(("name", "reml", "level"), CASES)
def test_profile_matches_lme4(name, reml, level):
    fit = fit_model(name, method="reml" if reml else "ml")
    out = conf_int(fit, level, method="profile")
    ref = PROFILE[(PROFILE["model"] == name) & (PROFILE["reml"] == reml)
                  & (PROFILE["method"] == "profile") & (PROFILE["level"] == level)]
    assert list(out.index) == list(ref["parameter"])
    assert list(out.columns) == ["conf_low", "conf_high"]
    np.testing.assert_allclose(out["conf_low"], ref["conf_low"], rtol=1e-3)
    np.testing.assert_allclose(out["conf_high"], ref["conf_high"], rtol=1e-3)


def test_wald_uses_the_fit_df(shared_fits):
    fit = shared_fits["sleep_slope"]
    ref = SATT[SATT["model"] == "sleep_slope"].set_index("term")
    half = special.stdtrit(ref["df"], 0.95) * ref["std_error"]
    out = conf_int(fit, 0.90)
    np.testing.assert_allclose(out["conf_low"], ref["estimate"] - half, rtol=1e-4)
    np.testing.assert_allclose(out["conf_high"], ref["estimate"] + half, rtol=1e-4)
    at_90 = dataclasses.replace(fit, ci_level=0.90)
    np.testing.assert_allclose(conf_int(at_90)["conf_low"], out["conf_low"], rtol=0)


def test_bootstrap_near_profile_and_worker_free():
    fit = fit_model("sleep_slope")
    one = conf_int(fit, method="bootstrap", n_boot=200, seed=11)
    two = conf_int(fit, method="bootstrap", n_boot=200, seed=11, workers=2)
    np.testing.assert_array_equal(one.to_numpy(), two.to_numpy())
    assert one.attrs["n_failed"] == 0
    ref = PROFILE[(PROFILE["model"] == "sleep_slope") & PROFILE["reml"]
                  & (PROFILE["method"] == "profile") & (PROFILE["level"] == 0.95)]
    ref = ref.set_index("parameter")
    se = fit.std_errors
    for term in fit.fixed_names:
        for side in ("conf_low", "conf_high"):
            assert abs(one.loc[term, side] - ref.loc[term, side]) < 0.35 * se[term]
    assert list(one.index) == list(ref.index)


def test_bad_input(shared_fits):
    fit = shared_fits["sleep_slope"]
    with pytest.raises(UsageError, match="method"):
        conf_int(fit, method="boot")
    with pytest.raises(UsageError, match="level"):
        conf_int(fit, 1.5)
    with pytest.raises(UsageError, match="n_boot"):
        conf_int(fit, method="bootstrap", n_boot=0)




def test_profile_limit_that_cannot_be_bracketed_is_a_clear_error():
    # a profile above its cut-off at the inner end (restricted refits off the minimum)
    # is reported, not handed to brentq as a raw ValueError
    from youthtransitions.errors import UsageError
    from youthtransitions.models.inference.profile import _root

    with pytest.raises(UsageError, match="does not cross its cut-off"):
        _root(lambda x: 1.0 + x * x, 0.0, 2.0, 1.0)
    assert _root(lambda x: x - 0.5, 0.0, 2.0, 1.0) == pytest.approx(0.5, abs=1e-8)
