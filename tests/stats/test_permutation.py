"""Permutation p-values and Freedman-Lane null distributions against exact enumeration
(Monte Carlo tolerance: four binomial standard errors plus 1/P), and the draws' seeding."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.stats import (
    freedman_lane,
    mean_difference,
    ols,
    permutation_p,
    permutations,
)

Y = np.array([2.1, 3.4, 1.9, 4.8, 5.2, 3.9, 2.7])
G = np.array([0, 0, 0, 1, 1, 1, 0], dtype=bool)
X1 = np.array([1.0, 2.0, 0.5, 2.5, 3.0, 1.5, 0.0])


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


def test_permutation_p_counts_the_observed():
    assert permutation_p(2.0, np.array([0.5, -3.0, 1.0])) == pytest.approx(2 / 4)
    assert permutation_p(2.0, np.array([0.5, 1.0, np.nan])) == pytest.approx(1 / 3)
    assert np.isnan(permutation_p(np.nan, np.array([1.0])))
    with pytest.raises(UsageError, match="n_perm"):
        permutations(5, 0, seed=1)


def test_permutations_are_reproducible_rows():
    a = permutations(6, 50, seed=3)
    assert (np.sort(a, axis=1) == np.arange(6)).all()
    np.testing.assert_array_equal(a, permutations(6, 50, seed=3))
    np.testing.assert_array_equal(a, permutations(6, 50, seed=3, workers=2))
