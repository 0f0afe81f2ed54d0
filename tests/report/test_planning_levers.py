"""The ``waves`` and ``caseload`` levers of ``yt.design``: they reach the generator and the truth.

References:
* waves: the share of the last wave's wellbeing explained by wave-1 relationship quality in a
  large study drawn from the cell's generator and read back from its tables (an estimate
  independent of the population truth's draw), against the cell's truth; with a large
  growth SD the wave-3 share differs from the wave-6 share by 0.07, so a truth (or a
  calibration) still reading wave 3 fails.
* caseload: the number of distinct workers named in a drawn study (all are named:
  P(a worker unnamed) is about exp(-29)); the published caseload's truth equals the shipped
  study's truth.json (the same regions and fit); the bias of the estimate within Monte
  Carlo error of that truth.
"""

from __future__ import annotations

import numpy as np
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.report.planning.analysis import WORKER_ESTIMANDS, _draw
from youthtransitions.report.planning.levers import (
    PUBLISHED,
    cell_overrides,
    cell_truth,
    grid_cells,
)


def _cell(**levers):
    cells, _ = grid_cells(levers)
    assert len(cells) == 1
    return cells[0]


def test_waves_reach_the_drawn_study():
    cell = _cell(n=300, share=0.14, waves=5)
    overrides = cell_overrides(cell, {})
    assert overrides["n_waves"] == 5
    study = _draw(np.random.default_rng(1), overrides)
    assert sorted(study.waves["wave"].unique()) == [1, 2, 3, 4, 5]
    assert set(study.pmk["wave"].unique()) <= {1, 2, 3, 4, 5}
    dates = study.waves.pivot(index="youth_id", columns="wave", values="interview_date")
    gaps = dates.diff(axis=1).iloc[:, 1:].stack().dropna().dt.days
    assert gaps.between(200, 530).all()  # one interview gap per later wave
    # monotone dropout at 6% a wave: every youth present at wave 5 was there at wave 4
    seen = study.waves.groupby("youth_id")["wave"].agg(["max", "count"])
    assert (seen["max"] == seen["count"]).all()


@pytest.mark.slow
def test_truth_follows_the_waves():
    """Six waves, share 0.05 at wave 6 (growth SD 0.8, so later waves drift from wave 1).

    A study of 6,000 youth without attrition or item missingness: the r² of wave-6
    wellbeing on wave-1 relationship quality has SE about 2 r (1 - r²) / sqrt(n) = 0.0055;
    the truth's MC error is 0.002 and the calibration's 0.003; tolerance 0.02. Its wave-3
    r² is about 0.12, so a truth or calibration at wave 3 is off by 0.07.
    """
    cell = _cell(n=6000, share=0.05, waves=6, attrition=1e-6)
    fixed = {"growth_sd": 0.8, "population_size": 50_000, "item_missing": 0.0,
             "scale_skip": 0.0}
    truth = cell_truth(cell, fixed)
    assert truth["headline_r2"]["value"] == pytest.approx(0.05, abs=0.005)
    assert set(truth["r2_by_wave"]["value"]) == {"1", "2", "3", "4", "5", "6"}
    assert "wave-6 wellbeing" in truth["headline_r2"]["definition"]
    study = _draw(np.random.default_rng(11), cell_overrides(cell, fixed))
    wide = study.analysis_frame().pivot(index="youth_id", columns="wave")
    rq1 = wide[("relationship_quality", 1)]

    def r2(wave: int) -> float:
        return float(np.corrcoef(rq1, wide[("wellbeing", wave)])[0, 1] ** 2)

    assert r2(6) == pytest.approx(truth["headline_r2"]["value"], abs=0.02)
    assert r2(3) - truth["headline_r2"]["value"] > 0.04


def test_bad_waves_and_caseloads_are_refused():
    for waves, words in ((2.5, "got 2.5"), (7, "from 2 to 6, got 7"), (1, "got 1")):
        with pytest.raises(UsageError, match=f"waves must hold whole numbers.*{words}"):
            yt.design(n=300, share=0.14, waves=waves, reps=1)
    with pytest.raises(UsageError, match="caseload must hold numbers of youth per worker"):
        yt.design(n=300, share=0.14, caseload=0.5, reps=1)
    with pytest.raises(UsageError, match="gives 1 worker"):
        yt.design(n=10, share=0.14, caseload=8, reps=1)
    with pytest.raises(UsageError, match="n_waves is set by the 'waves' lever"):
        yt.design(n=300, share=0.14, reps=1, n_waves=4)
    with pytest.raises(UsageError, match="n_workers is set by the 'caseload' lever"):
        yt.design(n=300, share=0.14, reps=1, n_workers=40)


def test_caseload_reaches_the_drawn_study():
    overrides = cell_overrides(_cell(n=600, share=0.14, caseload=10), {})
    assert overrides["n_workers"] == 60
    study = _draw(np.random.default_rng(2), overrides)
    assert study.waves["worker_id"].nunique() == 60
    published = cell_overrides(_cell(n=1366, share=0.14), {})
    assert published["n_workers"] == 300  # the shipped study's workforce


def test_published_caseload_truth_is_the_shipped_truth():
    truth = cell_truth(_cell(n=600, share=0.14, caseload=PUBLISHED["caseload"]), {},
                       workers=True)
    shipped = yt.load_truth()["workers"]["estimands"]["worker_rq_share"]
    assert truth["worker_rq_share"]["value"] == pytest.approx(shipped["value"], abs=1e-6)
    assert truth["worker_rq_share"]["mc_se"] == pytest.approx(shipped["mc_se"], abs=1e-6)
    assert "worker_rq_share" not in cell_truth(_cell(n=600, share=0.14), {})


@pytest.mark.slow
def test_worker_estimand_rows():
    """worker_rq_share at two caseloads: bias within 3 MCSE of the truth plus its own
    3 MC SEs (8 regions); no test, so power and coverage are empty, and only with the
    lever (the other rows are the design without it)."""
    result = yt.design(n=1366, share=0.14, caseload=[2.5, 10], reps=6, seed=3,
                       progress=False)
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["n", "share", "caseload"]
    rows = frame[frame["estimand"].isin(WORKER_ESTIMANDS)]
    assert rows["caseload"].tolist() == [2.5, 10.0]
    assert rows["power"].isna().all() and rows["coverage"].isna().all()
    assert (rows["rmse"] >= rows["bias"].abs()).all()
    for caseload, row in zip((2.5, 10.0), rows.itertuples(), strict=True):
        mc = cell_truth(_cell(n=1366, share=0.14, caseload=caseload), {},
                        workers=True)["worker_rq_share"]["mc_se"]
        assert abs(row.bias) <= 3 * row.bias_mcse + 3 * mc
    plain = yt.design(n=1366, share=0.14, reps=6, seed=3, progress=False).to_frame()
    same = frame[(frame["caseload"] == 2.5) & ~frame["estimand"].isin(WORKER_ESTIMANDS)]
    assert same["bias"].tolist() == plain["bias"].tolist()
    assert result.settings["caseload"] == "2.5,10"
    assert set(result.to_json()) == {"rows", "settings"}


def test_multiple_imputation_plans_the_last_waves_pmk_outcome():
    """With two waves the PMK outcome is wave 2's (missing.frames.pmk_outcome), so the
    imputation has a PMK outcome to impute (it used to fail on an empty wave-3 column)."""
    from youthtransitions.missing.frames import pmk_outcome, youth_wide
    from youthtransitions.synthetic import synthesize

    study = synthesize(seed=4, n_waves=2)
    assert pmk_outcome(study) == "pmk_functioning_w2"
    wide = youth_wide(study)
    assert "pmk_functioning_w3" not in wide
    assert wide["pmk_available"].sum() == wide["pmk_functioning_w2"].notna().sum() > 0
    assert pmk_outcome(yt.load_study(yt.SHIPPED_STUDY)) == "pmk_functioning_w3"
    result = yt.design(n=300, waves=2, pmk_method="multiple_imputation", reps=2, seed=1)
    pmk = result.to_frame().query("estimand == 'pmk.slope'")
    assert len(pmk) and pmk["median_width"].notna().all()
