"""Percentile intervals against R's quantile type 7 (values from ``quantile(1:101, c(.05,
.95))`` = 6 and 96, exact) and Welch intervals against scipy (tolerance 1e-10)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from youthtransitions.stats import percentile_ci, welch_ci

Y = np.array([2.1, 3.4, 1.9, 4.8, 5.2, 3.9, 2.7])
G = np.array([0, 0, 0, 1, 1, 1, 0], dtype=bool)


def test_percentile_ci_is_type7_quantile():
    reps = np.arange(1.0, 102.0)[:, None]
    lo, hi = percentile_ci(reps, 0.9)
    assert lo[0] == pytest.approx(6.0, abs=1e-12) and hi[0] == pytest.approx(96.0, abs=1e-12)
    # type 7 interpolates: quantile(1:4, .25) = 1.75 in R
    lo, _ = percentile_ci(np.array([1.0, 2.0, 3.0, 4.0]), 0.5)
    assert lo == pytest.approx(1.75, abs=1e-12)


def test_percentile_ci_ignores_nan_rows_and_all_nan_columns():
    reps = np.column_stack([np.r_[np.arange(1.0, 102.0), np.nan], np.full(102, np.nan)])
    lo, hi = percentile_ci(reps, 0.9)
    assert (lo[0], hi[0]) == pytest.approx((6.0, 96.0), abs=1e-12)
    assert np.isnan(lo[1]) and np.isnan(hi[1])


def test_welch_matches_scipy():
    lo, hi = welch_ci(Y, G, 0.95)
    ref = stats.ttest_ind(Y[G], Y[~G], equal_var=False).confidence_interval(0.95)
    assert (lo, hi) == pytest.approx((ref.low, ref.high), abs=1e-10)
    assert all(np.isnan(welch_ci(Y[:4], np.array([1, 0, 0, 0]), 0.95)))
