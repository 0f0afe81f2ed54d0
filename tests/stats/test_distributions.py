"""The distribution functions equal scipy.stats' to the last bit, without importing it."""

import subprocess
import sys

import numpy as np
from scipy import stats

from youthtransitions.stats.distributions import chi2_sf, f_sf, norm_ppf, t_ppf, t_sf

RNG = np.random.default_rng(20240501)
Q = RNG.uniform(1e-6, 1 - 1e-6, 500)
DF = np.concatenate([RNG.uniform(0.5, 10, 250), RNG.uniform(10, 5000, 250)])
X = RNG.uniform(0, 40, 500)
DF2 = RNG.uniform(1, 400, 500)


def test_equal_to_scipy_stats_bit_for_bit():
    assert np.array_equal(norm_ppf(Q), stats.norm.ppf(Q))
    assert np.array_equal(t_ppf(Q, DF), stats.t.ppf(Q, DF))
    assert np.array_equal(t_sf(X - 20, DF), stats.t.sf(X - 20, DF))
    assert np.array_equal(chi2_sf(X, DF), stats.chi2.sf(X, DF))
    assert np.array_equal(f_sf(X, DF, DF2), stats.f.sf(X, DF, DF2))


def test_known_values():
    # tables: z(0.975) = 1.959964, t_10(0.975) = 2.228139, chi2_1 tail at 3.841459 = 0.05,
    # F(2, 10) tail at 4.102821 = 0.05
    assert abs(float(norm_ppf(0.975)) - 1.959964) < 1e-6
    assert abs(float(t_ppf(0.975, 10)) - 2.228139) < 1e-6
    assert abs(float(chi2_sf(3.841459, 1)) - 0.05) < 1e-7
    assert abs(float(f_sf(4.102821, 2, 10)) - 0.05) < 1e-7
    assert abs(float(t_sf(0.0, 7)) - 0.5) < 1e-15


def test_fitting_a_model_does_not_import_scipy_stats():
    # scipy.stats costs about half a second at every start of yt fit
    code = ("import sys, youthtransitions.cli.fit, youthtransitions.models; "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
