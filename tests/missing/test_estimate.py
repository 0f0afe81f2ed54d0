"""cc_estimate() against statsmodels OLS (its Fisher-z limits: ``tests/stats/test_fisher.py``).

Reference: statsmodels ``smf.ols`` on ``tests/reference/mitml/nhanes_imp_1.csv`` (one of
mice's completed nhanes sets) with a few values blanked, so that complete-case dropping is
exercised. Tolerance 1e-10 relative for slope, SE, t limits, p value and R² (both are exact
least squares on the same rows); the Fisher-z limits are checked by hand to 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from youthtransitions.errors import UsageError
from youthtransitions.missing.estimate import cc_estimate
from youthtransitions.stats import fisher_ci

REF = Path(__file__).resolve().parents[1] / "reference" / "mitml"


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REF / "nhanes_imp_1.csv").astype(float)
    d.loc[[2, 7], "chl"] = np.nan
    d.loc[[4, 7, 11], "bmi"] = np.nan
    return d


@pytest.mark.parametrize("level", [0.95, 0.9])
def test_cc_estimate_matches_statsmodels(data, level):
    fit = smf.ols("chl ~ bmi", data=data).fit()  # drops the rows with either missing
    got = cc_estimate(data, outcome="chl", predictor="bmi", level=level)
    ci = fit.conf_int(alpha=1 - level).loc["bmi"]
    assert got["n"] == fit.nobs == len(data) - 4
    assert got["df"] == fit.df_resid
    for key, ref in (("estimate", fit.params["bmi"]), ("std_error", fit.bse["bmi"]),
                     ("p_value", fit.pvalues["bmi"]), ("conf_low", ci.iloc[0]),
                     ("conf_high", ci.iloc[1]), ("r2", fit.rsquared)):
        assert got[key] == pytest.approx(ref, rel=1e-10), key
    lo, hi = fisher_ci(fit.rsquared, fit.nobs, level)
    assert (got["r2_low"], got["r2_high"]) == pytest.approx((lo, hi), rel=1e-10)


@pytest.mark.parametrize("level", [95, 0, 1, -0.1])
def test_cc_estimate_level_is_checked(data, level):
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        cc_estimate(data, outcome="chl", predictor="bmi", level=level)
