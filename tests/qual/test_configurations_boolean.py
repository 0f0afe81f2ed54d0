"""Exact Boolean minimisation against the textbook example and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.qual.configurations.boolean import (
    cube_covers,
    cube_text,
    minimal_covers,
    minimise,
    minterm_bits,
    prime_implicants,
)


def _onehot(k, minterms):
    v = np.zeros(2 ** k, bool)
    v[list(minterms)] = True
    return v


def test_quine_mccluskey_textbook_example():
    # Wikipedia "Quine-McCluskey algorithm": f(A,B,C,D) = sum m(4,8,10,11,12,15) + d(9,14);
    # prime implicants BC'D', AB', AD', AC; two minimal forms, both with BC'D' and AC
    on, dc = _onehot(4, [4, 8, 10, 11, 12, 15]), _onehot(4, [9, 14])
    primes, covers = minimise(on, dc)
    names = [cube_text(p, "ABCD") for p in primes]
    assert set(names) == {"B*~C*~D", "A*~B", "A*~D", "A*C"}
    solutions = {frozenset(names[i] for i in cover) for cover in covers}
    assert solutions == {frozenset({"B*~C*~D", "A*~B", "A*C"}),
                         frozenset({"B*~C*~D", "A*~D", "A*C"})}


def _brute_primes(on, dc, k):
    allowed = on | dc
    bits = minterm_bits(k)
    cubes = np.array(list(itertools.product((0, 1, 2), repeat=k)), dtype=np.int8)
    cov = cube_covers(cubes, bits)
    implicant = ~(cov & ~allowed).any(axis=1)
    primes = set()
    for c, ok in zip(cubes, implicant, strict=True):
        if not ok or not (cube_covers(c[None], bits)[0] & on).any():
            continue
        larger = False
        for j in np.flatnonzero(c != 2):
            d = c.copy()
            d[j] = 2
            if not (cube_covers(d[None], bits)[0] & ~allowed).any():
                larger = True
        if not larger:
            primes.add(tuple(int(v) for v in c))
    return primes


def _brute_covers(chart):
    p, m = chart.shape
    for size in range(1, p + 1):
        found = [c for c in itertools.combinations(range(p), size)
                 if chart[list(c)].any(axis=0).all()]
        if found:
            return set(found)
    return set()


@pytest.mark.parametrize("seed", range(12))
def test_primes_and_minimal_covers_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    state = rng.choice(3, size=2 ** k, p=[0.35, 0.35, 0.3])  # 0 off, 1 on, 2 don't care
    on, dc = state == 1, state == 2
    if not on.any():
        on[0] = True
    primes = prime_implicants(on, dc)
    assert {tuple(int(v) for v in p) for p in primes} == _brute_primes(on, dc, k)
    chart = cube_covers(primes, minterm_bits(k)[on])
    expected = _brute_covers(chart)
    assert set(minimal_covers(chart)) == expected
    # the integer-programming route for hard charts finds the same covers
    assert set(minimal_covers(chart, node_budget=0)) == expected


def test_minimal_covers_of_a_cyclic_chart():
    # cyclic core: 6 implicants each covering two neighbouring columns of a 6-cycle;
    # exactly two minimum covers of size 3
    chart = np.zeros((6, 6), bool)
    for i in range(6):
        chart[i, i] = chart[i, (i + 1) % 6] = True
    assert minimal_covers(chart) == [(0, 2, 4), (1, 3, 5)]


def test_uncoverable_chart_is_an_error():
    with pytest.raises(UsageError, match="no implicant covers"):
        minimal_covers(np.array([[True, False]]))


def test_eight_conditions_random_function():
    # a dense random function of 8 conditions (143 primes, 58 ON minterms, cover size 24):
    # far harder than a QCA truth table; covers are valid, all of one size, capped with a warning
    rng = np.random.default_rng(8)
    state = rng.choice(3, size=2 ** 8, p=[0.3, 0.2, 0.5])
    primes = prime_implicants(state == 1, state == 2)
    chart = cube_covers(primes, minterm_bits(8)[state == 1])
    chart = chart[chart.any(axis=1)]
    with pytest.warns(UserWarning, match="at least 20 minimal covers"):
        covers = minimal_covers(chart, max_solutions=20)
    assert len(covers) == 20
    assert all(chart[list(c)].any(axis=0).all() for c in covers)
    assert {len(c) for c in covers} == {24}
