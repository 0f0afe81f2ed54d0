"""The shipped synthetic study conforms to the data contract (docs/data-contract.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.study import load_study, score_scales, validate_study
from youthtransitions.synthetic import SHIPPED_STUDY
from youthtransitions.synthetic.latent import score_items
from youthtransitions.synthetic.params import SCALE_SPECS

ID = r"^[A-Za-z0-9_-]{1,64}$"
SCALES = {"relationship_quality", "resilience", "contextual_risk", "individual_risk",
          "wellbeing", "pmk_relationship", "pmk_functioning"}
DIMENSIONS = {"power": {"care", "control"}, "recognition": {"recognition"},
              "responsiveness": {"responsiveness"},
              "mutuality": {"friend_like", "professional"}}


def test_youth_table(shipped):
    youth = shipped["youth"]
    assert list(youth.columns) == [
        "youth_id", "svc_welfare", "svc_justice", "svc_mental_health", "svc_alt_education",
        "msu", "gender", "ethnicity", "age_w1", "pmk_nominated", "qual_subsample"]
    assert youth["youth_id"].str.match(ID).all()
    assert list(youth["gender"].cat.categories) == ["female", "male", "another"]
    assert list(youth["ethnicity"].cat.categories) == ["maori", "pakeha", "pasifika", "other"]
    assert youth["age_w1"].between(10, 25).all()
    assert not youth.loc[youth["qual_subsample"], "msu"].eq(False).any()
    for col in ("svc_welfare", "msu", "pmk_nominated", "qual_subsample"):
        assert youth[col].dtype == bool


def test_scales_table(shipped):
    scales = shipped["scales"]
    assert list(scales.columns) == ["scale", "table", "item", "reverse", "min", "max"]
    assert set(scales["scale"]) == SCALES
    assert scales["item"].is_unique
    assert scales.groupby("scale")["table"].nunique().eq(1).all()
    assert scales["reverse"].any()
    assert (scales.loc[scales["scale"] == "resilience", "item"]
            == [f"res_{j:02d}" for j in range(1, 29)]).all()


@pytest.mark.parametrize("table", ["waves", "pmk"])
def test_items_declared_and_in_range(shipped, table):
    frame, scales = shipped[table], shipped["scales"]
    declared = scales[scales["table"] == table]
    head = ["youth_id", "wave", "interview_date", "worker_id", "positive_change"] \
        if table == "waves" else [
        "youth_id", "wave", "pmk_role"]
    assert list(frame.columns) == head + list(declared["item"])
    assert not frame.duplicated(["youth_id", "wave"]).any()
    assert frame["wave"].isin([1, 2, 3]).all()
    assert frame["youth_id"].isin(shipped["youth"]["youth_id"]).all()
    for row in declared.itertuples(index=False):
        values = frame[row.item].dropna()
        assert values.between(row.min, row.max).all(), row.item
    share_missing = frame[list(declared["item"])].isna().to_numpy().mean()
    assert 0.005 < share_missing < 0.05  # some item-level missingness


def test_dates_strictly_increasing(shipped):
    waves = shipped["waves"].sort_values(["youth_id", "wave"])
    gaps = waves.groupby("youth_id")["interview_date"].diff().dropna()
    assert (gaps > pd.Timedelta(0)).all()
    assert pd.Timedelta(days=200) <= gaps.min() and gaps.max() <= pd.Timedelta(days=2 * 530)


def test_pmk_only_for_nominated(shipped):
    youth = shipped["youth"].set_index("youth_id")
    pmk = shipped["pmk"]
    assert youth.loc[pmk["youth_id"].unique(), "pmk_nominated"].all()
    assert set(pmk["pmk_role"].cat.categories) == {"parent", "whanau", "caregiver", "worker",
                                                   "other"}
    waves = shipped["waves"].set_index(["youth_id", "wave"]).index
    assert pmk.set_index(["youth_id", "wave"]).index.isin(waves).all()


def test_codes_table(shipped):
    codes, youth = shipped["codes"], shipped["youth"].set_index("youth_id")
    assert list(codes.columns) == ["segment_id", "youth_id", "source", "wave", "coder",
                                   "mechanism", "dimension", "level", "instance", "actor",
                                   "excerpt"]
    assert not codes.duplicated(["segment_id", "coder"]).any()
    assert youth.loc[codes["youth_id"].unique(), "qual_subsample"].all()
    pmk_youth = codes.loc[codes["source"] == "pmk_interview", "youth_id"].unique()
    assert youth.loc[pmk_youth, "pmk_nominated"].all()
    for mech, dims in DIMENSIONS.items():
        assert set(codes.loc[codes["mechanism"] == mech, "dimension"]) == dims
    assert set(codes["level"]) == {0, 1, 2}
    assert set(codes["wave"]) == {1, 2, 3}
    assert set(codes["instance"]) == {"confirmatory", "counterfactual"}
    assert codes["excerpt"].str.startswith("[synthetic] ").all()
    assert set(codes["actor"].cat.categories) == {"social_worker", "youth_worker", "justice",
                                                  "income_support", "health", "education",
                                                  "other"}


def test_validate_study_finds_no_problem():
    problems = validate_study(SHIPPED_STUDY)
    assert problems == [], [str(p) for p in problems[:10]]


def test_load_study_marks_synthetic():
    study = load_study(SHIPPED_STUDY)
    assert study.synthetic is True
    assert study.metadata["truth"]["seed"] == 20240517
    assert np.isclose(study.metadata["truth"]["estimands"]["headline_r2"]["value"], 0.14,
                      atol=2e-4)


@pytest.mark.parametrize("table", ["waves", "pmk"])
def test_generator_scoring_equals_score_scales(shipped, scored, table):
    """The generator's internal scoring (used for MAR and truth) is the contract's rule."""
    study = load_study(SHIPPED_STUDY)
    theirs = score_scales(study, table=table).set_index(["youth_id", "wave"])
    ours = scored(shipped[table], table).set_index(["youth_id", "wave"])
    frame = shipped[table].set_index(["youth_id", "wave"])
    for spec in SCALE_SPECS:
        if spec.table != table:
            continue
        generator = score_items(frame[spec.items].to_numpy(dtype=float, na_value=np.nan), spec)
        assert np.isnan(generator).any()  # the 80% rule is exercised
        assert np.allclose(theirs.loc[frame.index, spec.scale], generator, equal_nan=True,
                           rtol=0, atol=1e-12), spec.scale
        assert np.allclose(ours.loc[frame.index, spec.scale], generator, equal_nan=True,
                           rtol=0, atol=1e-12), spec.scale


def test_loaded_study_equals_synthesized(study):
    """Reading the shipped files gives back the synthesized tables, dtypes included."""
    loaded = load_study(SHIPPED_STUDY)
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        pd.testing.assert_frame_equal(getattr(loaded, name).reset_index(drop=True),
                                      getattr(study, name).reset_index(drop=True),
                                      obj=name)
    assert loaded.metadata["truth"] == study.metadata["truth"]
