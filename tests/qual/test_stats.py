"""Holm, permutation p-values (against exact enumeration), OLS, Freedman-Lane, SMD."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from youthtransitions.errors import UsageError
from youthtransitions.qual._stats import (
    freedman_lane,
    holm,
    mean_difference,
    ols,
    permutation_p,
    permutations,
    smd,
    welch_ci,
)

Y = np.array([2.1, 3.4, 1.9, 4.8, 5.2, 3.9, 2.7])
G = np.array([0, 0, 0, 1, 1, 1, 0], dtype=bool)
X1 = np.array([1.0, 2.0, 0.5, 2.5, 3.0, 1.5, 0.0])


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.2], [0.5, 0.5, 0.001], [0.04],
                               [0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.9]])
def test_holm_matches_statsmodels(p):
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected, rtol=0, atol=1e-15)


def test_holm_keeps_nan():
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], multipletests([0.01, 0.04], method="holm")[1])


def _tolerance(p: float, n: int) -> float:
    # Monte Carlo p vs exact: 4 binomial standard errors
    return 4 * np.sqrt(p * (1 - p) / n) + 1 / n


def test_group_permutation_p_against_exact_enumeration():
    obs = mean_difference(Y, G)
    exact = []
    for idx in itertools.combinations(range(7), 3):
        g = np.zeros(7, dtype=bool)
        g[list(idx)] = True
        exact.append(mean_difference(Y, g))
    p_exact = np.mean(np.abs(exact) >= abs(obs) - 1e-12)
    n = 10000
    perms = permutations(7, n, seed=11)
    p_mc = permutation_p(obs, mean_difference(Y, G, perms))
    assert p_mc == pytest.approx(p_exact, abs=_tolerance(p_exact, n))


def test_freedman_lane_against_exact_enumeration():
    X = np.column_stack([np.ones(7), X1, G.astype(float)])
    t_obs = ols(Y, X)["t"][2, 0]
    all_perms = np.array(list(itertools.permutations(range(7))))
    t_all = freedman_lane(Y, X, 2, all_perms)
    p_exact = np.mean(np.abs(t_all) >= abs(t_obs) - 1e-9)
    n = 5000
    p_mc = permutation_p(t_obs, freedman_lane(Y, X, 2, permutations(7, n, seed=5)))
    assert p_mc == pytest.approx(p_exact, abs=_tolerance(p_exact, n))


def test_freedman_lane_without_nuisance_is_simple_permutation():
    X = np.column_stack([np.ones(7), X1])
    perms = permutations(7, 200, seed=1)
    t_fl = freedman_lane(Y, X, 1, perms)
    t_simple = ols(Y[perms.T], X)["t"][1]
    np.testing.assert_allclose(t_fl, t_simple, atol=1e-10)


def test_ols_matches_statsmodels():
    X = np.column_stack([np.ones(7), X1, G.astype(float)])
    fit = ols(Y, X)
    ref = sm.OLS(Y, X).fit()
    np.testing.assert_allclose(fit["beta"][:, 0], ref.params, atol=1e-12)
    np.testing.assert_allclose(fit["se"][:, 0], ref.bse, atol=1e-12)
    np.testing.assert_allclose(fit["t"][:, 0], ref.tvalues, atol=1e-10)
    with pytest.raises(UsageError, match="too few"):
        ols(Y[:2], X[:2])


def test_permutation_p_counts_the_observed():
    assert permutation_p(2.0, np.array([0.5, -3.0, 1.0])) == pytest.approx(2 / 4)
    assert permutation_p(2.0, np.array([0.5, 1.0, np.nan])) == pytest.approx(1 / 3)
    assert np.isnan(permutation_p(np.nan, np.array([1.0])))
    with pytest.raises(UsageError):
        permutations(5, 0, seed=1)


def test_permutations_are_reproducible_rows():
    a = permutations(6, 50, seed=3)
    assert (np.sort(a, axis=1) == np.arange(6)).all()
    np.testing.assert_array_equal(a, permutations(6, 50, seed=3))


def test_welch_and_smd_closed_forms():
    lo, hi = welch_ci(Y, G, 0.95)
    ref = stats.ttest_ind(Y[G], Y[~G], equal_var=False).confidence_interval(0.95)
    assert (lo, hi) == pytest.approx((ref.low, ref.high), abs=1e-10)
    d, dlo, dhi = smd(Y, G)
    a, b = Y[G], Y[~G]
    d_ref = (a.mean() - b.mean()) / np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    se = np.sqrt((3 + 4) / 12 + d_ref**2 / 14)
    assert (d, dlo, dhi) == pytest.approx((d_ref, d_ref - 1.959964 * se,
                                           d_ref + 1.959964 * se), abs=1e-5)
