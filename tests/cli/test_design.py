"""``yt design``: the JSON it prints, the files it writes, and the same numbers on Dask.

Reference: the synthetic truth (truth.json) for the published cell; the statistics are
tested in tests/report/test_planning*.py.
"""

from __future__ import annotations

import json

import pytest

import youthtransitions as yt
from youthtransitions.cli import main

ARGS = ["design", "--n", "300", "--share", "0.14", "--reps", "2", "--seed", "9", "--json"]


def _run(capsys, *extra):
    status = main([*ARGS, *extra])
    out = capsys.readouterr().out
    assert status == 0
    return json.loads(out)


@pytest.fixture(scope="module")
def serial_payload():
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(ARGS) == 0
    return json.loads(buffer.getvalue())


def test_json_shape(serial_payload):
    payload = serial_payload
    assert set(payload) == {"rows", "settings", "output_rules"}
    row = payload["rows"][0]
    assert list(row)[:4] == ["n", "share", "estimand", "power"]
    assert {"power_mcse", "median_width", "width_mcse", "bias", "bias_mcse", "coverage",
            "coverage_mcse", "reps"} <= set(row)
    assert row["n"] == 300 and row["share"] == 0.14 and row["estimand"] == "headline_r2"
    assert row["truth"] == yt.load_truth()["estimands"]["headline_r2"]["value"]
    settings = payload["settings"]
    assert settings["reps"] == 2 and settings["seed"] == 9
    assert settings["n"] == "300" and settings["pmk_method"] == "complete_cases"
    assert not any("second" in k or "time" in k for k in settings)


def test_out_folder_files(tmp_path, capsys):
    status = main([*ARGS[:-1], "--out", str(tmp_path)])
    assert status == 0
    assert "Planned study" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {"cells", "design.csv", "design.json",
                                                    "power_curve.png"}
    assert len(list((tmp_path / "cells").glob("*.json"))) == 1


def test_bad_share_exits_2(capsys):
    status = main(["design", "--share", "2", "--reps", "1"])
    assert status == 2
    assert "share must lie strictly between 0 and 1" in capsys.readouterr().err


@pytest.mark.slow
def test_same_json_with_two_workers(serial_payload, capsys):
    assert _run(capsys, "--workers", "2") == serial_payload


def test_same_json_on_a_dask_cluster(serial_payload, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        assert _run(capsys, "--scheduler", cluster.scheduler_address) == serial_payload


@pytest.mark.parametrize(("option", "words"), [
    ("--waves=2.5", "waves must hold whole numbers of annual waves from 2 to 6, got 2.5"),
    ("--waves=7", "waves must hold whole numbers of annual waves from 2 to 6, got 7"),
    ("--caseload=0.5", "caseload must hold numbers of youth per worker of at least 1"),
])
def test_bad_waves_and_caseload_exit_2(capsys, option, words):
    status = main(["design", option, "--reps", "1"])
    assert status == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_waves_and_caseload_are_levers_in_the_json(capsys):
    payload = _run(capsys, "--waves", "2", "--caseload", "10")
    rows = payload["rows"]
    assert list(rows[0])[:5] == ["n", "share", "waves", "caseload", "estimand"]
    assert {r["waves"] for r in rows} == {2} and {r["caseload"] for r in rows} == {10}
    # the worker estimand is planned with the caseload: bias and RMSE, no test
    worker = [r for r in rows if r["estimand"] == "worker_rq_share"]
    assert len(worker) == 1 and worker[0]["power"] is None and worker[0]["rmse"] >= 0
    assert payload["settings"]["waves"] == "2" and payload["settings"]["caseload"] == "10"
