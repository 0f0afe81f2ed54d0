"""fit_lmm's log-likelihood under rescaling a predictor (hypothesis).

Multiplying a fixed-effect column by c != 0 reparametrises beta (beta_j / c) and leaves the
model's fitted distribution as it was, so the ML log-likelihood is invariant. The REML
criterion is not: it carries -1/2 log|X'V^{-1}X|, and |D X'V^{-1}X D| = c^2 |X'V^{-1}X|, so the
REML log-likelihood changes by exactly -log|c| (as lme4's REML logLik does). A random slope
on the rescaled predictor is itself rescaled (theta by 1/c), so the same holds with it.
Tolerance 1e-7 relative: both fits reach the optimum to ~1e-9 in theta, and the
log-likelihood is flat there.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthtransitions.models import fit_lmm

scales = st.floats(min_value=1e-3, max_value=1e3).flatmap(
    lambda c: st.sampled_from([c, -c]))


def _panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(25), 4)
    x = rng.normal(size=g.size) + rng.normal(size=25)[g]
    y = 1 + 0.5 * x + rng.normal(size=25)[g] + 0.3 * rng.normal(size=25)[g] * x \
        + rng.normal(size=g.size)
    return pd.DataFrame({"id": g, "x": x, "w": rng.normal(size=g.size), "y": y})


@pytest.mark.parametrize("random", ["1", "1 + x"])
@pytest.mark.parametrize("method", ["ml", "reml"])
@settings(max_examples=15, deadline=None, database=None)
@given(c=scales, seed=st.integers(0, 10_000))
def test_loglik_under_rescaling_a_predictor(method, random, c, seed):
    data = _panel(seed)
    base = fit_lmm("y ~ x + w", data, group="id", random=random, method=method)
    scaled = fit_lmm("y ~ x + w", data.assign(x=c * data["x"]), group="id", random=random,
                     method=method)
    shift = 0.0 if method == "ml" else -math.log(abs(c))
    assert scaled.loglik == pytest.approx(base.loglik + shift, rel=1e-7)
    assert scaled.params["x"] == pytest.approx(base.params["x"] / c, rel=1e-5)
