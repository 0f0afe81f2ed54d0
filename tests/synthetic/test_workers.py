"""Workers and the positive-change outcome: their columns, the design, and their truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models.worker_share import ESTIMANDS, worker_share
from youthtransitions.study.contract import ID_PATTERN
from youthtransitions.synthetic import synthesize


def _design(waves: pd.DataFrame) -> dict[str, float]:
    named = waves.dropna(subset=["worker_id"])
    ordered = waves.sort_values(["youth_id", "wave"])
    previous = ordered.groupby("youth_id")["worker_id"].shift()
    pairs = ordered["worker_id"].notna() & previous.notna()
    return {"missing": float(waves["worker_id"].isna().mean()),
            "n_workers": int(named["worker_id"].nunique()),
            "youth_per_worker": float(named.groupby("worker_id")["youth_id"].nunique().median()),
            "switch": float((ordered["worker_id"] != previous)[pairs].mean())}


def analysis_frame(study) -> pd.DataFrame:
    return study.analysis_frame().merge(
        study.waves[["youth_id", "wave", "worker_id", "positive_change"]],
        on=["youth_id", "wave"], validate="one_to_one")


def test_worker_columns_follow_their_rules(shipped):
    waves = shipped["waves"]
    named = waves["worker_id"].dropna()
    assert named.map(lambda v: bool(ID_PATTERN.fullmatch(v))).all()
    # a youth-wave names no worker with probability 0.03: 3,847 rows give SE 0.003
    assert 0.02 < waves["worker_id"].isna().mean() < 0.05
    assert waves["positive_change"].notna().all()
    assert set(waves["positive_change"].unique()) == {0, 1}


@pytest.mark.parametrize("seed", [None, 1])
def test_worker_design(study, seed):
    waves = (study if seed is None else synthesize(seed)).waves
    d = _design(waves)
    # 300 workers with about 12.8 youth-waves each: every worker is named (P(none) ~ e^-13)
    assert 290 <= d["n_workers"] <= 300
    # about 3.7 x 3 youth-waves per worker over 2-3 waves: several youth each
    assert 4 <= d["youth_per_worker"] <= 9
    # switching probability 0.25 on about 2,400 consecutive-wave pairs: SE 0.009
    assert 0.21 < d["switch"] < 0.29


def test_worker_truth_is_recorded(truth):
    workers = truth["workers"]
    assert set(workers["estimands"]) == set(ESTIMANDS)
    for entry in workers["estimands"].values():
        assert 0 < entry["value"] < 1 and 0 < entry["mc_se"] < 0.01 and entry["definition"]
    assert workers["parameters"]["n_workers"] == 300


def test_existing_truth_is_unchanged_by_workers(truth):
    """The workers are drawn last, so the published calibration stays exact."""
    assert truth["estimands"]["headline_r2"]["value"] == pytest.approx(0.14, abs=2e-4)


def test_shipped_estimates_recover_the_truth(study, truth):
    """Point estimates within 3 SE of a study-sized estimate (plus the truth's MC error).

    The SE of a study-sized estimate is the spread over the truth's regions, each a study
    of the shipped design: ``mc_se * sqrt(regions)``.
    """
    fit = worker_share(analysis_frame(study))
    regions = truth["workers"]["parameters"]["worker_population_regions"]
    for key in ESTIMANDS:
        entry = truth["workers"]["estimands"][key]
        se = entry["mc_se"] * np.sqrt(regions)
        tol = 3 * np.hypot(se, entry["mc_se"])
        assert fit.estimates[key] == pytest.approx(entry["value"], abs=tol), key


@pytest.mark.slow
def test_bootstrap_intervals_contain_the_truth(study, truth):
    """40 replicates (about 2 minutes) keep the suite short; B = 200 is recorded in the
    synthetic study's documentation."""
    fit = worker_share(analysis_frame(study), B=40, seed=20240517)
    assert fit.n_boot >= 38
    for key in ESTIMANDS:
        low, high = fit.ci[key]
        assert low < truth["workers"]["estimands"][key]["value"] < high, key


def test_worker_truth_can_be_left_out_for_simulations():
    # planning and simulation runs draw many parameter sets; the worker truth costs seconds
    # per set, so 0 regions leaves it out (and 1 region, with no Monte Carlo error, is refused)
    import pytest

    import youthtransitions as yt
    from youthtransitions.errors import UsageError

    study = yt.synthesize(seed=3, n_youth=300, n_msu=120, worker_population_regions=0)
    assert study.metadata["truth"]["workers"]["estimands"] == {}
    assert "worker_id" in study.waves.columns
    with pytest.raises(UsageError, match="worker_population_regions"):
        yt.synthesize(seed=3, worker_population_regions=1)


@pytest.mark.slow
def test_replication_reports_the_worker_truth_inside_its_intervals(tmp_path):
    """``yt replicate`` on the shipped study (default seed): its worker_share table holds
    each estimand's population truth (truth.json) inside the 95% interval.

    B = 200 is the replication's number of worker-share draws whatever larger B it is given
    (WORKER_SHARE_B), so this run's table is the default run's; the fewest imputations and
    permutations keep the other steps short (about a minute in all).
    """
    import json

    import youthtransitions as yt
    from youthtransitions.report.summaries import WORKER_SHARE_B

    out = tmp_path / "results"
    yt.replicate(out=out, options={"m": 2, "B": WORKER_SHARE_B, "n_perm": 1}, progress=False)
    table = pd.read_csv(out / "worker_share.csv")
    assert list(table["estimand"]) == list(ESTIMANDS)
    truth = json.loads((yt.shipped_study_path() / "truth.json").read_text())
    for row in table.itertuples():
        value = truth["workers"]["estimands"][row.estimand]["value"]
        assert row.conf_low < value < row.conf_high, row.estimand
    published = json.loads((out / "workers.json").read_text())
    assert published["settings"]["B"] == WORKER_SHARE_B
    assert [r["estimate"] for r in published["estimates"]] == list(table["estimate"])
    assert "worker_share" in (out / "report.html").read_text()
