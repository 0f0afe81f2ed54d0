"""Fisher-z intervals of R² against their closed form (tolerance 1e-12)."""

from __future__ import annotations

import math

import pytest

from youthtransitions.stats import fisher_ci, fisher_z_limits

Z975 = 1.959963984540054


def test_fisher_ci_closed_form():
    r2, n = 0.2, 50
    z = math.atanh(math.sqrt(r2))
    half = Z975 / math.sqrt(n - 3)
    lo, hi = fisher_ci(r2, n, 0.95)
    assert lo == pytest.approx(math.tanh(z - half) ** 2, abs=1e-12)
    assert hi == pytest.approx(math.tanh(z + half) ** 2, abs=1e-12)
    # a small R² whose lower z limit falls below 0 is floored at 0
    lo, hi = fisher_ci(0.01, 30, 0.95)
    z = math.atanh(0.1)
    assert lo == 0.0
    assert hi == pytest.approx(math.tanh(z + Z975 / math.sqrt(27)) ** 2, abs=1e-12)


def test_limits_on_the_z_scale():
    lo, hi = fisher_z_limits(0.5, 0.1, 0.95)
    assert lo == pytest.approx(math.tanh(0.5 - Z975 * 0.1) ** 2, abs=1e-12)
    assert hi == pytest.approx(math.tanh(0.5 + Z975 * 0.1) ** 2, abs=1e-12)
