"""Rubin's rules (missing.pooling) with m identical completed-data fits (hypothesis).

With every imputation giving the same estimates and covariance, nothing varies between
imputations: B = 0, so the pooled estimate is that estimate, T = U-bar = U, r = 0, lambda = 0
and, under the mitml convention, df = nu_obs = (nu_com + 1) / (nu_com + 3) nu_com (infinite
without nu_com) and FMI = 2 / (nu + 3) (0 at infinite df).

Tolerances: the mean of m equal numbers may differ from them in the last bit, so B is zero
up to (4 eps |Q|)^2 (measured: 4e-21 at |Q| = 4e5), r up to that over U, and the df without
nu_com is (m - 1) / lambda^2, above 1e20 rather than infinite; the rest 1e-12 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthtransitions.missing import pool

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def fits(draw):
    k = draw(st.integers(1, 4))
    params = np.array(draw(st.lists(finite, min_size=k, max_size=k)))
    a = np.array(draw(st.lists(st.floats(-3, 3), min_size=k * k, max_size=k * k))).reshape(k, k)
    cov = a @ a.T + np.diag(draw(st.lists(st.floats(1e-3, 10), min_size=k, max_size=k)))
    terms = [f"t{j}" for j in range(k)]
    return pd.Series(params, index=terms), pd.DataFrame(cov, index=terms, columns=terms)


# a lambda below ~1e-154 (B at the rounding level of a tiny estimate) overflows
# (m - 1) / lambda^2 to the infinite df it stands for; numpy warns about the overflow
@pytest.mark.filterwarnings("ignore:overflow encountered in divide:RuntimeWarning")
@settings(max_examples=150, deadline=None, database=None)
@given(fit=fits(), m=st.integers(2, 50),
       df_com=st.one_of(st.none(), st.floats(min_value=1.0, max_value=1e5)))
def test_identical_imputations_have_no_between_variance(fit, m, df_com):
    params, cov = fit
    res = pool([(params.copy(), cov.copy()) for _ in range(m)],
               df_com=float("inf") if df_com is None else df_com, convention="mitml")
    rounding = (4 * np.finfo(float).eps * np.abs(params.to_numpy())) ** 2
    u = np.diag(cov)
    assert np.all(res.b.to_numpy() <= rounding)
    np.testing.assert_allclose(res.params.to_numpy(), params.to_numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(res.total.to_numpy(), u, rtol=1e-12)
    np.testing.assert_allclose(res.std_errors.to_numpy(), np.sqrt(u), rtol=1e-12)
    assert np.all(res.riv.to_numpy() <= 2 * rounding / u)
    if df_com is None:
        assert np.all(res.df.to_numpy() > 1e20)
        np.testing.assert_allclose(res.fmi.to_numpy(), 0.0, rtol=0, atol=1e-12)
    else:
        nu = (df_com + 1) / (df_com + 3) * df_com
        np.testing.assert_allclose(res.df.to_numpy(), nu, rtol=1e-12)
        # fmi = (r + 2/(nu+3)) / (r + 1) moves with the rounding-sized r by about r itself
        np.testing.assert_allclose(res.fmi.to_numpy(), 2 / (nu + 3), rtol=1e-12,
                                   atol=float(np.max(2 * rounding / u)))
