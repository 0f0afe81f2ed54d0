"""icc against performance 0.10.2 / insight (tests/reference/performance_icc/make.R).

Tolerances: adjusted and unadjusted ICC and the variance components behind them 1e-4
relative (the variance components are lme4's to 1e-4, tests/models/test_lmm_reference.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.models.inference import icc
from youthtransitions.models.inference.icc import variance_components

from .conftest import MODELS, read_ref

REF = read_ref("performance_icc", "icc.csv").set_index("model")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_icc(reml_fits, name):
    fit = reml_fits[name]
    ref = REF.loc[name]
    out = icc(fit)
    assert set(out) == {"adjusted", "unadjusted"}
    np.testing.assert_allclose(out["adjusted"], ref["icc_adjusted"], rtol=1e-4)
    np.testing.assert_allclose(out["unadjusted"], ref["icc_unadjusted"], rtol=1e-4)
    v = variance_components(fit)
    for key in ("var_fixed", "var_random", "var_residual"):
        np.testing.assert_allclose(v[key], ref[key], rtol=1e-4)
