"""RR3 (report.output_rules) as invariants over many counts (hypothesis).

Exact: every rounded count is one of the two multiples of 3 around the count (a multiple
stays as it is); a published table never shows a count from 1 to 5. In expectation: the
mean of N independent roundings of x is x, within 4 binomial standard errors
(3 sqrt(p (1 - p) / N), p = (x mod 3) / 3 the chance of rounding up).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from youthtransitions.report.output_rules import apply_output_rules, random_round

counts = st.integers(min_value=0, max_value=10**9)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=300, deadline=None, database=None)
@given(xs=st.lists(counts, min_size=1, max_size=50), seed=seeds,
       base=st.integers(min_value=2, max_value=10))
def test_rounded_to_a_neighbouring_multiple(xs, seed, base):
    x = np.array(xs, dtype=float)
    out = random_round(x, seed=seed, base=base)
    assert np.all(out % base == 0)
    assert np.all(np.abs(out - x) < base)
    lower = x - x % base
    assert np.all((out == lower) | (out == lower + base))
    multiple = x % base == 0
    np.testing.assert_array_equal(out[multiple], x[multiple])


N = 20_000


@settings(max_examples=40, deadline=None, database=None)
@given(x=counts, seed=seeds)
def test_rr3_keeps_the_expectation(x, seed):
    out = random_round(np.full(N, x, dtype=float), seed=seed)
    p = (x % 3) / 3
    se = 3 * np.sqrt(p * (1 - p) / N)
    assert abs(out.mean() - x) <= 4 * se  # exact (se = 0) for multiples of 3


@settings(max_examples=100, deadline=None, database=None)
@given(cells=st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=4), min_size=2,
                      max_size=5).filter(lambda rows: len({len(r) for r in rows}) == 1),
       seed=seeds)
def test_published_table_never_shows_1_to_5(cells, seed):
    table = pd.DataFrame(cells, columns=[f"c{j}" for j in range(len(cells[0]))])
    out = apply_output_rules(table, seed=seed, totals="none")
    shown = out[table.columns].to_numpy(dtype=float)
    shown = shown[~np.isnan(shown)]
    assert not np.any((shown >= 1) & (shown <= 5))
    assert np.all(shown % 3 == 0)
