"""Type III hypothesis matrices and F tests against lmerTest 3.1-3
(tests/reference/lmertest_anova/make.R, models of tests/reference/r_common/lmm_models.R).

Kenward-Roger rows against pbkrtest 0.5-2 through lmerTest.

Tolerances: hypothesis matrices 1e-6 absolute (show_tests stores them to 7 digits); F 1e-4 relative; den_df 1e-3 relative;
p values 1e-3 relative (they follow F and den_df); num_df exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models.inference import anova
from youthtransitions.models.inference.contrasts import type3_contrasts

from .conftest import SHARED_LMMS, r_name, read_ref

ANOVA = read_ref("lmertest_anova", "anova.csv")
CONTRASTS = read_ref("lmertest_anova", "type3_contrasts.csv")
NAMES = sorted(SHARED_LMMS)


@pytest.mark.parametrize("name", NAMES)
def test_hypothesis_matrices(shared_fits, name):
    fit = shared_fits[name]
    data = fit.data
    ours = type3_contrasts(fit)
    ref = CONTRASTS[CONTRASTS["model"] == name]
    assert sorted(r_name(t, data) for t in ours) == sorted(ref["term"].unique())
    cols = [r_name(c, data) for c in fit.fixed_names]
    for term, L in ours.items():
        want = (ref[ref["term"] == r_name(term, data)]
                .pivot(index="row", columns="coef", values="value")[cols].to_numpy())
        np.testing.assert_allclose(L, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("ddf", ["satterthwaite", "kenward-roger"])
@pytest.mark.parametrize("name", NAMES)
def test_f_tests(shared_fits, name, ddf):
    fit = shared_fits[name]
    result = anova(fit, ddf=ddf)
    out = result.to_frame()
    assert out.index.name == "term"
    assert list(out.columns) == ["num_df", "den_df", "F", "p_value"]
    text, html = result.summary(), result._repr_html_()
    for term in out.index:  # the index is shown as a column of every view
        assert term in text and term in html
    assert [r["term"] for r in result.to_records()] == list(out.index)
    ref = ANOVA[(ANOVA["model"] == name) & (ANOVA["ddf"] == ddf)].set_index("term")
    out.index = [r_name(t, fit.data) for t in out.index]
    ref = ref.loc[out.index]
    np.testing.assert_array_equal(out["num_df"], ref["num_df"])
    np.testing.assert_allclose(out["F"], ref["F"], rtol=1e-4)
    np.testing.assert_allclose(out["den_df"], ref["den_df"], rtol=1e-3)
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-3)


def test_bad_ddf(shared_fits):
    with pytest.raises(UsageError, match="ddf"):
        anova(shared_fits["sleep_slope"], ddf="containment")
