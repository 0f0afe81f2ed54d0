"""Bootstrap resampling weights: the counts are those of the index draw (exact)."""

from __future__ import annotations

import numpy as np

from youthtransitions.stats import bootstrap_counts


def test_counts_are_the_index_draw_counted():
    counts = bootstrap_counts(np.random.default_rng(4), 9)
    draw = np.random.default_rng(4).integers(0, 9, 9)
    np.testing.assert_array_equal(counts, np.bincount(draw, minlength=9))
    assert counts.sum() == 9 and counts.shape == (9,)


def test_no_units_draws_nothing():
    rng = np.random.default_rng(1)
    assert bootstrap_counts(rng, 0).shape == (0,)
    # no random numbers were consumed
    assert rng.integers(0, 10**9) == np.random.default_rng(1).integers(0, 10**9)
