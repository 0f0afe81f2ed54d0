"""``yt pmk``: the side-by-side comparison on the shipped synthetic study, as JSON.

Reference: truth.json (estimands.pmk); the MI interval must contain the true slope (the
statistical claims are tested in tests/missing/test_compare.py and the simulation).
"""

from __future__ import annotations

import json

import pytest

from youthtransitions.cli import main


@pytest.mark.slow
def test_pmk_json_on_shipped_study(capsys):
    from youthtransitions.synthetic import shipped_study_path

    status = main(["pmk", str(shipped_study_path()), "--m", "3", "--seed", "5", "--json"])
    out = capsys.readouterr().out
    assert status == 0
    payload = json.loads(out)
    truth = payload["truth"]
    assert set(truth) == {"slope", "r2"}
    methods = {row["method"]: row for row in payload["methods"] if row["method"] != "mi_delta"}
    assert set(methods) == {"complete_cases", "multiple_imputation", "ipw", "ipw_trimmed"}
    mi = methods["multiple_imputation"]
    assert mi["conf_low"] <= truth["slope"] <= mi["conf_high"]
    assert payload["settings"]["m"] == 3  # design parameters sit under settings
    assert 0 < payload["availability"]["share_available"] < 1
    assert "significance" in payload["tipping_point"]


def test_pmk_missing_folder_exits_2(capsys, tmp_path):
    status = main(["pmk", str(tmp_path / "nope"), "--m", "2"])
    err = capsys.readouterr().err
    assert status == 2
    assert "yt pmk: error" in err


@pytest.mark.slow
def test_imputations_do_not_pile_up_at_the_floor():
    """Youth without any PMK report are predicted low; neither imputation model may put
    them on the lowest observed score wholesale (a clipped PMM donor window once put a
    quarter of them there). Normal-regression draws extrapolate below it."""
    import youthtransitions as yt

    study = yt.load_study(yt.shipped_study_path())
    shares = {}
    for method in ("pmm", "norm"):
        imp = yt.pmk.compare_methods(study, m=3, seed=5, method=method).imputation
        v = "pmk_relationship_w3"
        miss = imp.data[v].isna()
        floor = imp.data.loc[~miss, v].min()
        shares[method] = sum(float((d.loc[miss, v] <= floor).mean())
                             for d in imp.datasets) / len(imp.datasets)
    assert shares["pmm"] < 0.10 and shares["norm"] < 0.05, shares


def test_pmk_method_option_is_checked(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["pmk", "--method", "forest"])
    assert stop.value.code == 2


@pytest.mark.parametrize(("extra", "workers", "scheduler"), [
    ([], 1, None), (["--workers", "2"], 2, None),
    (["--scheduler", "tcp://127.0.0.1:8786"], 1, "tcp://127.0.0.1:8786")])
def test_pmk_parallel_options_reach_compare_methods(monkeypatch, capsys, extra, workers,
                                                    scheduler):
    import youthtransitions.missing as missing
    from youthtransitions.errors import UsageError

    seen = {}

    def fake_compare(study, **kwargs):
        seen.update(kwargs)
        raise UsageError("stop here")

    monkeypatch.setattr(missing, "compare_methods", fake_compare)
    assert main(["pmk", "--m", "2", *extra]) == 2
    assert "stop here" in capsys.readouterr().err
    assert seen["workers"] == workers and seen["scheduler"] == scheduler


def test_pmk_workers_and_scheduler_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["pmk", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert stop.value.code == 2
