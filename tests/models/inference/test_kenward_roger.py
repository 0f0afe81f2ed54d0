"""Kenward-Roger coefficient tables and adjusted covariance against pbkrtest 0.5-2 /
lmerTest 3.1-3 (tests/reference/pbkrtest/make.R, models of r_common/lmm_models.R).

Tolerances: adjusted covariance 1e-4 relative to its largest |entry|; standard errors 1e-4
relative; df 1e-3 relative; t statistics 1e-4 relative; p values 1e-3 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions._tidy import COEF_COLUMNS
from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm
from youthtransitions.models.inference.kenward_roger import (
    KenwardRoger,
    kenward_roger_table,
    use_kenward_roger,
)

from .conftest import SHARED_LMMS, fit_model, r_name, read_ref

COEF = read_ref("pbkrtest", "coefficients_kr.csv")
VCOV = read_ref("pbkrtest", "vcov.csv")
NAMES = sorted(SHARED_LMMS)


@pytest.mark.parametrize("name", NAMES)
def test_coefficient_table(shared_fits, name):
    fit = shared_fits[name]
    out = kenward_roger_table(fit)
    assert list(out.columns) == COEF_COLUMNS
    ref = COEF[COEF["model"] == name].set_index("term").loc[
        [r_name(t, fit.data) for t in out["term"]]]
    np.testing.assert_allclose(out["std_error"], ref["std_error"], rtol=1e-4)
    np.testing.assert_allclose(out["df"], ref["df"], rtol=1e-3)
    np.testing.assert_allclose(out["statistic"], ref["statistic"], rtol=1e-4)
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-3)


@pytest.mark.parametrize("name", NAMES)
def test_adjusted_covariance(shared_fits, name):
    fit = shared_fits[name]
    kr = KenwardRoger(fit)
    names = [r_name(t, fit.data) for t in fit.fixed_names]
    for kind, ours in [("unadjusted", kr.Phi), ("kenward-roger", kr.PhiA)]:
        ref = (VCOV[(VCOV["model"] == name) & (VCOV["kind"] == kind)]
               .pivot(index="row", columns="col", values="value").loc[names, names])
        scale = np.abs(ref.to_numpy()).max()
        np.testing.assert_allclose(ours, ref.to_numpy(), rtol=1e-4, atol=1e-4 * scale)


def test_needs_reml():
    with pytest.raises(UsageError, match="REML"):
        KenwardRoger(fit_model("sleep_slope", method="ml"))


def test_use_kenward_roger_gives_the_fit_the_table():
    name = "cake_unbalanced"
    formula, data, group, random = SHARED_LMMS[name]
    fit = use_kenward_roger(fit_lmm(formula, data(), group=group, random=random))
    assert fit.df_method == "Kenward-Roger"
    out = fit.to_frame()
    ref = COEF[COEF["model"] == name].set_index("term").loc[
        [r_name(t, fit.data) for t in out["term"]]]
    np.testing.assert_allclose(out["std_error"], ref["std_error"], rtol=1e-4)
    np.testing.assert_allclose(out["df"], ref["df"], rtol=1e-3)
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-3)
    # the unadjusted covariance is kept (lme4's vcov)
    unadj = (VCOV[(VCOV["model"] == name) & (VCOV["kind"] == "unadjusted")]
             .pivot(index="row", columns="col", values="value"))
    names = [r_name(t, fit.data) for t in fit.fixed_names]
    np.testing.assert_allclose(np.diag(fit.cov_params), np.diag(unadj.loc[names, names]),
                               rtol=1e-4)
