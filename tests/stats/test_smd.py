"""Standardised mean differences against the closed forms of Austin (2009) and the
Hedges & Olkin (1985) interval; exact arithmetic, so tolerance 1e-12 (interval 1e-6, the
normal quantile written to seven digits)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from youthtransitions.stats import smd, smd_binary, smd_ci


def test_continuous_closed_form():
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0]
    # means 2.5 and 4; sample variances 5/3 and 4; pooled sqrt((5/3 + 4) / 2)
    expected = (2.5 - 4.0) / math.sqrt((5 / 3 + 4) / 2)
    assert smd(a, b) == pytest.approx(expected, abs=1e-12)
    assert smd(b, a) == pytest.approx(-expected, abs=1e-12)


def test_undefined_is_nan():
    assert smd([1.0, None, 3.0], [1.0, 3.0]) == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(smd([1.0], [1.0, 2.0]))
    # both samples constant: 0/0 (or an infinite difference) is undefined, never 0
    assert math.isnan(smd([2.0, 2.0], [2.0, 2.0]))
    assert math.isnan(smd([1.0, 1.0], [0.0, 0.0], weights_a=[1.0, 2.0]))
    assert all(math.isnan(v) for v in smd_ci([2.0, 2.0], [2.0, 2.0]))


def test_weighted_means_unweighted_yardstick():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    sd = np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)
    assert smd(a, b, weights_a=[1.0, 1.0, 2.0]) == pytest.approx(((1 + 2 + 6) / 4 - 5) / sd,
                                                                 abs=1e-12)
    # a missing value drops its weight with it
    assert smd([1.0, np.nan, 2.0, 3.0], b, weights_a=[1.0, 9.0, 1.0, 2.0]) == pytest.approx(
        ((1 + 2 + 6) / 4 - 5) / sd, abs=1e-12)


def test_interval_closed_form():
    y = np.array([2.1, 3.4, 1.9, 4.8, 5.2, 3.9, 2.7])
    g = np.array([0, 0, 0, 1, 1, 1, 0], dtype=bool)
    d, lo, hi = smd_ci(y[g], y[~g])
    a, b = y[g], y[~g]
    d_ref = (a.mean() - b.mean()) / np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    se = np.sqrt((3 + 4) / 12 + d_ref**2 / 14)
    assert d == pytest.approx(d_ref, abs=1e-12)
    assert (lo, hi) == pytest.approx((d_ref - 1.959964 * se, d_ref + 1.959964 * se), abs=1e-5)


def test_binary_closed_form():
    # p = .62 vs .50: (.12) / sqrt((.2356 + .25) / 2)
    assert smd_binary(0.62, 0.5) == pytest.approx(0.12 / math.sqrt(0.4856 / 2), abs=1e-12)
    assert math.isnan(smd_binary(0.0, 0.0))
    assert math.isnan(smd_binary(float("nan"), 0.3))
