"""Nakagawa's R² against performance 0.10.2 / insight 0.19.0
(tests/reference/performance_r2_glmm/r2_nakagawa.csv). Tolerance 1e-4 relative on both R²
and on every variance component; 1e-4 on the Poisson null model's intercept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_glmm

from .conftest import MODELS, REF, dataset, fitted

R2 = pd.read_csv(REF / "performance_r2_glmm" / "r2_nakagawa.csv").set_index("model")


@pytest.mark.parametrize("name", list(MODELS))
def test_r2_nakagawa(name):
    ref = R2.loc[name]
    r2 = fitted(name).r2()
    assert r2.marginal == pytest.approx(ref["r2_marginal"], rel=1e-4)
    assert r2.conditional == pytest.approx(ref["r2_conditional"], rel=1e-4)
    for key in ("var_fixed", "var_random", "var_distribution", "var_residual"):
        assert r2.components[key] == pytest.approx(ref[key], rel=1e-4), key
    if np.isfinite(ref["null_intercept"]):
        assert r2.components["null_intercept"] == pytest.approx(ref["null_intercept"],
                                                                rel=1e-4)
    frame = r2.to_frame()
    assert list(frame["measure"]) == ["marginal", "conditional"]
    assert frame[["conf_low", "conf_high"]].isna().all().all()


def test_r2_refuses_random_slopes():
    d = dataset("cbpp").assign(t=lambda f: f["period"].astype(int))
    fit = fit_glmm("cbind(incidence, size - incidence) ~ t + (1 + t | herd)", d)
    with pytest.raises(UsageError, match="random intercepts only"):
        fit.r2()
