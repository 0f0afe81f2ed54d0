"""The McKean–Schrader standard error of a median against its large-sample closed form."""

import numpy as np
import pytest

from youthtransitions.stats.median import median_se


@pytest.mark.parametrize("dist", ["normal", "exponential"])
def test_median_se_matches_asymptotic_form(dist):
    # closed form 1 / (2 f(m) sqrt(n)): normal f(0) = 1/sqrt(2 pi); exponential f(log 2) = 1/2
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.standard_normal(n) if dist == "normal" else rng.exponential(size=n)
    density = 1 / np.sqrt(2 * np.pi) if dist == "normal" else 0.5
    expected = 1 / (2 * density * np.sqrt(n))
    # the estimate's own relative error is about n^(-1/4) ~ 0.13 for n = 4000 (an order
    # statistic spacing); 30% is over two of those
    assert median_se(x) == pytest.approx(expected, rel=0.30)


def test_median_se_spread_over_samples():
    # over repeated samples the SD of the median is the target; the estimate's mean is close
    rng = np.random.default_rng(3)
    samples = rng.standard_normal((2000, 400))
    sd_of_median = np.median(samples, axis=1).std(ddof=1)
    mean_se = np.mean([median_se(s) for s in samples])
    # MC relative error of an SD from 2000 draws: 1/sqrt(2*1999) = 1.6%; 3 of those + 2% bias
    assert mean_se == pytest.approx(sd_of_median, rel=0.07)


def test_median_se_needs_five_values():
    assert np.isnan(median_se(np.array([1.0, 2.0, 3.0, np.nan])))
    assert np.isfinite(median_se(np.arange(9.0)))
