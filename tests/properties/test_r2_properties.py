"""The R² measures of models.r2 add up as Rights & Sterba's decomposition says (hypothesis).

With a cluster-mean-centred level-1 predictor x_w, its cluster mean x_b and a random
intercept (and optionally a random x_w slope), the outcome variance splits into a within
part W = phi_w + v + sigma^2 and a between part B = phi_b + tau00. With omega = W / (W + B)
= 1 - total.f2 - total.m, every total measure is the within or between measure scaled by its
part's share: total.f1 = omega within.f1, total.v = omega within.v, the residual
1 - total.fvm = omega (1 - within.fv), total.f2 = (1 - omega) between.f2, total.m =
(1 - omega) between.m, and between.f2 + between.m = 1. With a random intercept only,
Nakagawa's marginal and conditional R² are total.f and total.fvm (x_w and x_b are
uncorrelated, so var(X beta) = phi_w + phi_b). Tolerance 1e-10 absolute (sums of products of
numbers below 1).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from youthtransitions.models.r2 import r2_from_parts

coef = st.floats(min_value=-5, max_value=5, allow_nan=False)


@st.composite
def models(draw):
    sizes = draw(st.lists(st.integers(2, 6), min_size=3, max_size=30))
    groups = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=len(sizes))[groups] + rng.normal(size=groups.size)
    x_b = np.bincount(groups, x)[groups] / np.bincount(groups)[groups]
    x_w = x - x_b
    X = np.column_stack([np.ones(groups.size), x_w, x_b])
    slope = draw(st.booleans())
    Z = X[:, :2] if slope else X[:, :1]
    q = Z.shape[1]
    a = np.array(draw(st.lists(coef, min_size=q * q, max_size=q * q))).reshape(q, q)
    tau = a @ a.T + 1e-3 * np.eye(q)
    beta = np.array(draw(st.lists(coef, min_size=3, max_size=3)))
    sigma2 = draw(st.floats(min_value=1e-3, max_value=10))
    return dict(X=X, Z=Z, groups=groups, beta=beta, tau=tau, sigma2=sigma2), slope


@settings(max_examples=200, deadline=None, database=None)
@given(spec=models())
def test_measures_follow_the_decomposition(spec):
    parts, slope = spec
    res = r2_from_parts(**parts, fixed_names=["(Intercept)", "x_w", "x_b"])
    r = res.values
    assert res.classification == {"(Intercept)": "intercept", "x_w": "within", "x_b": "between"}
    omega = 1 - r["total.f2"] - r["total.m"]
    tol = 1e-10
    assert abs(r["total.f1"] - omega * r["within.f1"]) < tol
    assert abs(r["total.v"] - omega * r["within.v"]) < tol
    assert abs((1 - r["total.fvm"]) - omega * (1 - r["within.fv"])) < tol
    assert abs(r["total.f2"] - (1 - omega) * r["between.f2"]) < tol
    assert abs(r["total.m"] - (1 - omega) * r["between.m"]) < tol
    assert abs(r["between.f2"] + r["between.m"] - 1) < tol
    assert abs(r["total.f"] - (r["total.f1"] + r["total.f2"])) < tol
    assert abs(r["total.fv"] - (r["total.f"] + r["total.v"])) < tol
    assert abs(r["total.fvm"] - (r["total.fv"] + r["total.m"])) < tol
    assert abs(r["within.fv"] - (r["within.f1"] + r["within.v"])) < tol
    assert all(-tol <= r[k] <= 1 + tol for k in r if r[k] is not None)
    if not slope:
        assert r["total.v"] == 0.0 and r["within.v"] == 0.0
        assert abs(r["marginal"] - r["total.f"]) < tol
        assert abs(r["conditional"] - r["total.fvm"]) < tol
