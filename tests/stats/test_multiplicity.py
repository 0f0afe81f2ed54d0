"""Holm's adjustment against statsmodels ``multipletests(method="holm")`` (tolerance 1e-15:
the same arithmetic)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from youthtransitions.stats import holm


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.2], [0.5, 0.5, 0.001], [0.04],
                               [0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.9]])
def test_holm_matches_statsmodels(p):
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected, rtol=0, atol=1e-15)


def test_holm_keeps_nan():
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], multipletests([0.01, 0.04], method="holm")[1])
    assert np.isnan(holm([np.nan, np.nan])).all()
