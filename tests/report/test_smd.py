"""Standardised mean differences against the closed forms of Austin (2009)."""

from __future__ import annotations

import math

import pytest

from youthtransitions.report.smd import smd_binary, smd_continuous


def test_continuous_closed_form():
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0]
    # means 2.5 and 4; sample variances 5/3 and 4; pooled sqrt((5/3 + 4) / 2)
    expected = (2.5 - 4.0) / math.sqrt((5 / 3 + 4) / 2)
    assert smd_continuous(a, b) == pytest.approx(expected, abs=1e-12)
    assert smd_continuous(b, a) == pytest.approx(-expected, abs=1e-12)


def test_continuous_drops_missing_and_degenerate_cases():
    assert smd_continuous([1.0, None, 3.0], [1.0, 3.0]) == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(smd_continuous([1.0], [1.0, 2.0]))
    assert math.isnan(smd_continuous([2.0, 2.0], [2.0, 2.0]))


def test_binary_closed_form():
    # p = .62 vs .50: (.12) / sqrt((.2356 + .25) / 2)
    assert smd_binary(0.62, 0.5) == pytest.approx(0.12 / math.sqrt(0.4856 / 2), abs=1e-12)
    assert math.isnan(smd_binary(0.0, 0.0))
    assert math.isnan(smd_binary(float("nan"), 0.3))
