"""``yt simulate``: same numbers serially, with workers and on a local Dask cluster."""

import json

import numpy as np
import pandas as pd
import pytest

from youthtransitions.cli import main
from youthtransitions.errors import UsageError
from youthtransitions.report.simulation import simulate, summarise_replicates

pytestmark = pytest.mark.slow


def test_summary_closed_form():
    reps = [pd.DataFrame({"estimand": ["a"], "truth": [1.0], "estimate": [e],
                          "conf_low": [e - 0.5], "conf_high": [e + 0.5]})
            for e in (0.8, 1.2, 1.7)]
    row = summarise_replicates(reps).iloc[0]
    assert row["bias"] == pytest.approx((0.8 + 1.2 + 1.7) / 3 - 1)
    assert row["rmse"] == pytest.approx(np.sqrt((0.04 + 0.04 + 0.49) / 3))
    assert row["coverage"] == pytest.approx(2 / 3)
    assert row["coverage_mcse"] == pytest.approx(np.sqrt(2 / 9 / 3))


def test_serial_workers_and_dask_agree():
    distributed = pytest.importorskip("distributed")
    serial = simulate(2, seed=5, B=10)
    assert set(serial.to_frame()["estimand"]) >= {"headline_r2", "multilevel.delta.within.f1"}
    assert (serial.to_frame()["reps"] == 2).all()
    local = simulate(2, seed=5, B=10, workers=2)
    pd.testing.assert_frame_equal(serial.to_frame(), local.to_frame())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        dask = simulate(2, seed=5, B=10, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(serial.to_frame(), dask.to_frame())


def test_cli_json_and_errors(capsys):
    assert main(["simulate", "--reps", "1", "--bootstrap", "5", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"] == "headline" and out["rows"][0]["reps"] == 1
    with pytest.raises(UsageError):
        simulate(0)
    assert main(["simulate", "--reps", "0"]) == 2
