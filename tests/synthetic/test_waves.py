"""Studies of other than three waves: every table and the truth follow ``n_waves``.

The three-wave study itself is pinned by the shipped folder, which equals a fresh draw
(test_determinism.py), so extending the generator left it as it was.
"""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.synthetic import synthesize


def test_a_two_wave_study():
    study = synthesize(3, n_waves=2, population_size=50_000, worker_population_regions=0)
    assert sorted(study.waves["wave"].unique()) == [1, 2]
    assert set(study.pmk["wave"].unique()) <= {1, 2}
    assert set(study.codes["wave"].unique()) == {1, 2}  # the qualitative rounds at 1 and 2
    assert study.waves["worker_id"].notna().mean() > 0.9
    # the subsample is interviewed every year: both waves for each of its 107 youth
    sub = study.youth.loc[study.youth["qual_subsample"], "youth_id"]
    assert (study.waves[study.waves["youth_id"].isin(sub)].groupby("youth_id").size() == 2).all()
    truth = study.metadata["truth"]["estimands"]
    assert set(truth["r2_by_wave"]["value"]) == {"1", "2"}
    assert "wave-2 wellbeing" in truth["headline_r2"]["definition"]
    assert "waves 1-2" in truth["multilevel"]["definition"]


def test_dropout_compounds_over_six_waves():
    """The same hazard before every later wave: P(present at wave t) = (1 - h)^(t-1) for a
    youth of average risk; over all youth the share present falls every wave (about 6% a
    wave: 1,259 youth outside the subsample, SE of a share about 0.014)."""
    study = synthesize(4, n_waves=6, population_size=50_000, worker_population_regions=0)
    outside = ~study.youth.set_index("youth_id")["qual_subsample"]
    waves = study.waves[study.waves["youth_id"].map(outside)]
    share = waves.groupby("wave").size() / outside.sum()
    assert share.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert share.iloc[0] == 1.0 and (np.diff(share.to_numpy()) < 0).all()
    assert 0.65 < share.iloc[-1] < 0.80  # 0.94^5 = 0.73 (larger hazard at high risk)


def test_a_study_of_other_than_three_waves_is_not_written_as_a_folder(tmp_path):
    """load_study reads the contract's waves 1-3 only: writing a 5-wave study is refused
    before anything is written, not left as a folder that cannot be read."""
    from youthtransitions.errors import UsageError
    from youthtransitions.synthetic import synthesize, write_study

    study = synthesize(seed=3, n_waves=5)
    out = tmp_path / "five"
    with pytest.raises(UsageError, match=r"table waves: column 'wave' holds 4"):
        write_study(study, out)
    assert not out.exists()


def test_the_pmk_simulation_refuses_other_than_three_waves():
    from youthtransitions.errors import UsageError
    from youthtransitions.missing import simulate_pmk

    with pytest.raises(UsageError, match="wave 3 of the study's three waves"):
        simulate_pmk(2, n_waves=5)
