"""simulate_pmk(): summary measures by hand (1e-12) and identical numbers for 1 and 2 workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.missing import simulate_pmk
from youthtransitions.missing.simulation import _summary


def test_summary_closed_form():
    est = np.array([0.1, 0.3, 0.5, 0.2])
    reps = pd.DataFrame({
        "rep": [1, 2, 3, 4], "seed": 0, "method": "complete_cases", "estimate": est,
        "std_error": [0.1, 0.1, 0.2, 0.2], "conf_low": est - 0.15, "conf_high": est + 0.15,
        "r2": 0.05, "r2_low": 0.01, "r2_high": 0.06, "n": 100, "truth_slope": 0.3,
        "truth_r2": 0.07})
    table = _summary(reps)
    assert list(table[["estimand", "method"]].itertuples(index=False, name=None)) == [
        ("slope", "complete_cases"), ("r2", "complete_cases")]
    row = table.iloc[0]
    assert row["bias"] == pytest.approx(est.mean() - 0.3, abs=1e-12)
    assert row["rmse"] == pytest.approx(np.sqrt(((est - 0.3) ** 2).mean()), abs=1e-12)
    assert row["coverage"] == pytest.approx(0.5, abs=1e-12)  # 0.1 and 0.5 (+- 0.15) miss 0.3
    assert row["coverage_mcse"] == pytest.approx(np.sqrt(0.5 * 0.5 / 4), abs=1e-12)
    assert row["mean_width"] == pytest.approx(0.3, abs=1e-12)
    assert row["mean_se"] == pytest.approx(0.15, abs=1e-12)
    assert np.isnan(table.iloc[1]["mean_se"])  # R² has no standard error


@pytest.mark.slow
def test_workers_give_identical_numbers():
    a = simulate_pmk(2, seed=3, m=2, n_iter=2, workers=1)
    b = simulate_pmk(2, seed=3, m=2, n_iter=2, workers=2)
    pd.testing.assert_frame_equal(a.replicates, b.replicates)
    assert set(a.replicates["method"]) == {"complete_cases", "multiple_imputation", "ipw",
                                           "ipw_trimmed"}
    assert a.replicates["seed"].nunique() == 2


def test_errors():
    with pytest.raises(UsageError, match="reps"):
        simulate_pmk(0)
    with pytest.raises(UsageError, match="method must be one of pmm, norm"):
        simulate_pmk(1, method="mean")
