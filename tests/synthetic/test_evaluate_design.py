"""``summarise_design``: power, precision, bias and coverage with their Monte Carlo errors.

Reference: the formulas of Morris, White & Crowther (2019, Table 6) and McKean & Schrader
(1984) computed by hand on a small frame (exact to floating point).
"""

import numpy as np
import pandas as pd
import pytest

from youthtransitions.synthetic.evaluate import DESIGN_COLUMNS, summarise_design


def test_mcse_formulas_by_hand():
    est = np.array([0.10, 0.14, 0.12, 0.20, 0.16, 0.18, 0.11, 0.13])
    lo, hi = est - np.arange(1, 9) / 100, est + np.arange(1, 9) / 100
    p = np.array([0.01, 0.20, 0.03, 0.04, 0.50, 0.001, 0.06, 0.02])
    frame = pd.DataFrame({"estimand": "x", "estimate": est, "truth": 0.15, "conf_low": lo,
                          "conf_high": hi, "p_value": p})
    row = summarise_design(frame, alpha=0.05).iloc[0]
    power = 5 / 8  # p below 0.05: 0.01, 0.03, 0.04, 0.001, 0.02
    assert row["power"] == pytest.approx(power)
    assert row["power_mcse"] == pytest.approx(np.sqrt(power * (1 - power) / 8))
    assert row["bias"] == pytest.approx(est.mean() - 0.15)
    assert row["bias_mcse"] == pytest.approx(est.std(ddof=1) / np.sqrt(8))
    covered = ((lo <= 0.15) & (0.15 <= hi)).mean()
    assert row["coverage"] == pytest.approx(covered)
    assert row["coverage_mcse"] == pytest.approx(np.sqrt(covered * (1 - covered) / 8))
    assert row["median_width"] == pytest.approx(np.median(hi - lo))
    # McKean-Schrader with n = 8: c = round(4.5 - 2.576 * sqrt(2)) = 1 -> (w_(8) - w_(1))/2z
    assert row["width_mcse"] == pytest.approx((0.16 - 0.02) / (2 * 2.5758293035489))
    assert row["reps"] == 8
    err2 = (est - 0.15) ** 2
    assert row["rmse"] == pytest.approx(np.sqrt(err2.mean()))
    mse_mcse = np.sqrt(((err2 - err2.mean()) ** 2).sum() / (8 * 7))
    assert row["rmse_mcse"] == pytest.approx(mse_mcse / (2 * np.sqrt(err2.mean())))


def test_groups_keep_their_order_and_nan_p_values_are_left_out():
    frame = pd.DataFrame({"n": [600, 600, 300, 300], "estimand": "x",
                          "estimate": [0.1, 0.2, 0.3, 0.4], "truth": 0.2,
                          "conf_low": 0.0, "conf_high": 1.0,
                          "p_value": [0.01, np.nan, 0.2, 0.3]})
    out = summarise_design(frame, by=["n", "estimand"])
    assert list(out.columns) == ["n", "estimand", *DESIGN_COLUMNS]
    assert out["n"].tolist() == [600, 300]
    assert out["power"].tolist() == [1.0, 0.0]
    assert out["power_mcse"].tolist() == [0.0, 0.0]
    assert out["reps"].tolist() == [2, 2]


def test_a_failed_replicate_is_left_out_of_every_summary():
    """A replicate whose fit failed (NaN estimate) counts in no mean, SE or MCSE: the
    summary is that of the replicates with an estimate (Morris, White & Crowther 2019)."""
    good = pd.DataFrame({"estimand": "a", "estimate": [1.0, 2.0, 4.0], "truth": 2.0,
                         "conf_low": [0.0, 1.0, 3.0], "conf_high": [2.0, 3.0, 5.0],
                         "p_value": [0.01, 0.2, 0.03]})
    failed = pd.concat([good, good.iloc[:1].assign(estimate=np.nan, conf_low=np.nan,
                                                   conf_high=np.nan, p_value=np.nan)])
    want = summarise_design(good).iloc[0]
    got = summarise_design(failed).iloc[0]
    assert got["reps"] == 3
    for column in ("bias", "bias_mcse", "rmse", "rmse_mcse", "power", "coverage"):
        assert got[column] == pytest.approx(want[column], rel=1e-12), column
    # by hand: errors -1, 0, 2; bias 1/3, SD of (1, 2, 4) = sqrt(7/3), MCSE sqrt(7/9)
    assert got["bias"] == pytest.approx(1 / 3) and got["bias_mcse"] == pytest.approx(
        np.sqrt(7 / 9))


def test_a_design_cell_with_a_missing_lever_is_kept():
    reps = pd.DataFrame({"caseload": [10.0, np.nan, 10.0, np.nan], "estimand": "a",
                         "estimate": [1.0, 2.0, 3.0, 6.0], "truth": 0.0,
                         "conf_low": -1.0, "conf_high": 7.0, "p_value": [0.01, 0.2, 0.01, 0.3]})
    table = summarise_design(reps, by=["caseload", "estimand"])
    assert len(table) == 2 and table["reps"].sum() == 4
    missing = table[table["caseload"].isna()].iloc[0]
    assert missing["power"] == pytest.approx(0.0, abs=1e-12)


def test_a_cell_whose_replicates_all_failed_is_summarised_without_warnings():
    import warnings

    reps = pd.DataFrame({"estimand": "a", "estimate": [np.nan, np.nan], "truth": 0.0,
                         "conf_low": np.nan, "conf_high": np.nan, "p_value": np.nan})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = summarise_design(reps).iloc[0]
    assert row["reps"] == 0 and np.isnan(row["rmse"]) and np.isnan(row["rmse_mcse"])
