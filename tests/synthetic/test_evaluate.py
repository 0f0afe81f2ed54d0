"""Truth evaluation: flattening truth.json, comparing a table with it, and the simulation
summary against hand computations (tolerance 1e-12: the same arithmetic)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.synthetic.evaluate import (
    SIMULATION_COLUMNS,
    SimulationResult,
    compare_truth,
    flatten_truth,
    summarise_simulation,
)

TRUTH = {"headline_r2": {"value": 0.14, "definition": "..."},
         "r2_by_wave": {"value": {"1": 0.2, "2": 0.21}, "definition": "..."},
         "multilevel": {"total.f1": {"value": 0.05, "definition": "..."},
                        "delta": {"value": {"total.f1": 0.05}}},
         "pmk": {"slope": {"value": 0.3}, "r2": {"value": 0.1}},
         "note": "text is skipped", "flag": {"value": True}}


def test_flatten_truth_shapes():
    assert flatten_truth(TRUTH) == {"headline_r2": 0.14, "r2_by_wave.1": 0.2,
                                    "r2_by_wave.2": 0.21, "multilevel.total.f1": 0.05,
                                    "multilevel.delta.total.f1": 0.05, "pmk.slope": 0.3,
                                    "pmk.r2": 0.1}


def test_compare_truth_keeps_known_estimands_and_flags_coverage():
    table = pd.DataFrame({"estimand": ["headline_r2", "r2_by_wave.1", "unknown"],
                          "estimate": [0.13, 0.3, 1.0], "conf_low": [0.10, 0.25, 0.0],
                          "conf_high": [0.14, 0.35, 2.0]})
    out = compare_truth(table, {"estimands": TRUTH})
    assert list(out["estimand"]) == ["headline_r2", "r2_by_wave.1"]
    assert list(out["truth"]) == [0.14, 0.2]
    assert list(out["covered"]) == [True, False]  # a limit equal to the truth covers it
    pd.testing.assert_frame_equal(out, compare_truth(table, TRUTH))


def test_summary_by_hand():
    est = np.array([0.8, 1.2, 1.7, 1.0])
    reps = pd.DataFrame({"estimand": "a", "estimate": est, "truth": [1.0, 1.0, 1.0, 1.2],
                         "conf_low": [0.3, 0.7, 1.2, np.nan],
                         "conf_high": [1.3, 1.7, 2.2, np.nan], "se": [0.1, 0.2, 0.3, 0.4]})
    row = summarise_simulation(reps, std_error="se").iloc[0]
    err = est - [1.0, 1.0, 1.0, 1.2]
    assert row["truth"] == pytest.approx(1.05, abs=1e-12)
    assert row["bias"] == pytest.approx(err.mean(), abs=1e-12)
    assert row["rmse"] == pytest.approx(np.sqrt((err**2).mean()), abs=1e-12)
    assert row["empirical_se"] == pytest.approx(est.std(ddof=1), abs=1e-12)
    assert row["mean_se"] == pytest.approx(0.25, abs=1e-12)
    # coverage over the three replicates with an interval: 0.8 +- 0.5 and 1.2 +- 0.5 cover 1
    assert row["coverage"] == pytest.approx(2 / 3, abs=1e-12)
    assert row["coverage_mcse"] == pytest.approx(np.sqrt(2 / 9 / 3), abs=1e-12)
    assert row["mean_width"] == pytest.approx(1.0, abs=1e-12) and row["reps"] == 4


def test_summary_groups_in_order_and_result_views():
    reps = pd.DataFrame({"estimand": ["s", "s", "r", "r"], "method": ["b", "a", "b", "a"],
                         "estimate": 1.0, "truth": 1.0, "conf_low": 0.0, "conf_high": 2.0})
    table = summarise_simulation(reps, by=("estimand", "method"))
    assert list(table.columns) == ["estimand", "method", *SIMULATION_COLUMNS]
    assert list(zip(table["estimand"], table["method"], strict=True)) == [
        ("s", "b"), ("s", "a"), ("r", "b"), ("r", "a")]
    assert table["mean_se"].isna().all() and table["empirical_se"].isna().all()
    result = SimulationResult(table, reps, {"reps": 1}, title="A simulation")
    assert result.summary().startswith("A simulation") and "reps" in result.summary()
    pd.testing.assert_frame_equal(result.to_frame(), table)


def test_rows_with_a_missing_key_are_summarised_not_dropped():
    reps = pd.DataFrame({"estimand": ["a", np.nan, "a", np.nan], "estimate": [1.0, 2.0, 3.0, 6.0],
                         "truth": 0.0, "conf_low": np.nan, "conf_high": np.nan})
    table = summarise_simulation(reps)
    assert len(table) == 2 and table["reps"].sum() == 4
    missing = table[table["estimand"].isna()].iloc[0]
    assert missing["mean_estimate"] == pytest.approx(4.0, abs=1e-12)
