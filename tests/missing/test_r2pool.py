"""Pooled R²: Fisher-z (Harel 2009) against a hand computation; bootstrap stacking."""

from __future__ import annotations

import math

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import pool_r2


def test_fisher_z_closed_form():
    vals = [0.12, 0.15, 0.14, 0.13]
    n = 400
    # hand computation, tolerance 1e-12
    z = [math.atanh(math.sqrt(v)) for v in vals]
    zbar = sum(z) / 4
    b = sum((x - zbar) ** 2 for x in z) / 3
    t = 1 / (n - 3) + (1 + 1 / 4) * b
    half = 1.959963984540054 * math.sqrt(t)
    res = pool_r2(vals, n=n)
    assert res.method == "fisher_z"
    assert res.estimate == pytest.approx(math.tanh(zbar) ** 2, abs=1e-12)
    assert res.conf_low == pytest.approx(math.tanh(zbar - half) ** 2, abs=1e-12)
    assert res.conf_high == pytest.approx(math.tanh(zbar + half) ** 2, abs=1e-12)
    assert list(res.to_frame().columns[:4]) == ["measure", "estimate", "conf_low", "conf_high"]


def test_bootstrap_stacked_percentiles():
    rng = np.random.default_rng(1)
    boot = [rng.uniform(0.1, 0.2, 500) for _ in range(3)]
    res = pool_r2([0.14, 0.15, 0.16], boot=boot)
    stacked = np.concatenate(boot)
    assert res.estimate == pytest.approx(0.15, abs=1e-12)
    assert res.conf_low == pytest.approx(np.quantile(stacked, 0.025), abs=1e-12)
    assert res.conf_high == pytest.approx(np.quantile(stacked, 0.975), abs=1e-12)


def test_errors():
    with pytest.raises(UsageError, match="sample size"):
        pool_r2([0.1, 0.2])
    with pytest.raises(UsageError, match=r"\[0, 1\)"):
        pool_r2([0.1, 1.2], n=50)
    with pytest.raises(UsageError, match="one array"):
        pool_r2([0.1, 0.2], boot=[[0.1]], method="bootstrap")
