"""Youth-level features from codes (hand-computed) and the join report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.qual import join_codes, quantitize
from youthtransitions.qual.quantitize import primary_coding
from youthtransitions.study import Study


def test_features_by_hand(small_codes):
    f = quantitize(small_codes).set_index("youth_id")
    # Y1: s1 (ann's coding, power/care 2; bob's second coding ignored), s2 recognition 0 cf.
    y1 = f.loc["Y1"]
    assert y1["n_segments"] == 2
    assert y1["power_active"] and not y1["recognition_active"]
    assert y1["power_level"] == 2.0 and y1["recognition_level"] == 0.0
    assert np.isnan(y1["mutuality_level"])
    assert y1["care_level"] == 2.0 and np.isnan(y1["control_level"])
    assert y1["power_quadrant"] == "enabling" and not y1["power_trap"]
    assert y1["n_active"] == 1 and not y1["all_active"] and y1["any_counterfactual"]
    # Y2: mutuality/friend_like 2, power/control 2 (counterfactual), power/care 0
    y2 = f.loc["Y2"]
    assert y2["n_segments"] == 3
    assert y2["mutuality_active"] and not y2["power_active"]  # control 2 is counterfactual
    assert y2["power_level"] == pytest.approx(1.0)
    assert y2["power_quadrant"] == "trap" and y2["power_trap"]
    assert y2["mutuality_balance"] != y2["mutuality_balance"]  # NaN: professional not coded
    assert y2["mutuality_state"] == "friend_like_only"
    assert y2["n_active"] == 1


def test_sources_are_separated(small_codes):
    youth = quantitize(small_codes, source="youth_interview").set_index("youth_id")
    assert list(youth.index) == ["Y1", "Y2"]
    assert youth.loc["Y2", "n_segments"] == 1 and not youth.loc["Y2", "mutuality_active"]
    pmk = quantitize(small_codes, source="pmk_interview")
    assert list(pmk["youth_id"]) == ["Y2"] and pmk["mutuality_active"].item()
    summary = quantitize(small_codes, source="case_summary")
    assert summary["power_quadrant"].item() == "trap"
    with pytest.raises(UsageError, match="source must be"):
        quantitize(small_codes, source="diary")


def test_activation_rules():
    base = dict(youth_id="Y1", source="youth_interview", wave=1, coder="c",
                mechanism="recognition", dimension="recognition", actor=None, excerpt=None)
    codes = pd.DataFrame([dict(base, segment_id=f"s{i}", level=lv, instance=inst)
                          for i, (lv, inst) in enumerate([(2, "confirmatory"),
                                                          (0, "counterfactual"),
                                                          (0, "counterfactual")])])
    assert quantitize(codes)["recognition_active"].item()            # any
    assert not quantitize(codes, activation="majority")["recognition_active"].item()
    with pytest.raises(UsageError, match="activation"):
        quantitize(codes, activation="all")


def test_quadrants_and_balance():
    rows = []
    for youth, care, control, friend, prof in [("E", 2, 0, 2, 2), ("P", 1, 2, 2, 0),
                                               ("T", 0, 1, 0, 2), ("A", 0, 0, 0, 0)]:
        for dim, lv, mech in [("care", care, "power"), ("control", control, "power"),
                              ("friend_like", friend, "mutuality"),
                              ("professional", prof, "mutuality")]:
            rows.append(dict(segment_id=f"{youth}-{dim}", youth_id=youth,
                             source="case_summary", wave=2, coder="c", mechanism=mech,
                             dimension=dim, level=lv, instance="confirmatory"))
    f = quantitize(pd.DataFrame(rows)).set_index("youth_id")
    assert f["power_quadrant"].to_dict() == {"A": "absent", "E": "enabling", "P": "protective",
                                             "T": "trap"}
    assert f["mutuality_balance"].to_dict() == {"A": 0.0, "E": 0.0, "P": 2.0, "T": -2.0}
    assert f["mutuality_state"].to_dict() == {"A": "neither", "E": "balanced",
                                              "P": "friend_like_only", "T": "professional_only"}


def test_primary_coder_is_the_youths_main_coder():
    # youth Y1 coded by "zed" (3 segments); "amy" codes most segments overall but only
    # second-codes one of Y1's: zed's coding must be kept
    rows = [dict(segment_id=f"a{i}", youth_id="Y2", coder="amy", level=0) for i in range(5)]
    rows += [dict(segment_id=f"z{i}", youth_id="Y1", coder="zed", level=2) for i in range(3)]
    rows += [dict(segment_id="z0", youth_id="Y1", coder="amy", level=0)]
    codes = pd.DataFrame(rows).assign(source="youth_interview", wave=1, mechanism="power",
                                      dimension="care", instance="confirmatory")
    kept = primary_coding(codes)
    assert kept.loc[kept["segment_id"] == "z0", "coder"].item() == "zed"
    assert len(kept) == 8


def test_join_report_accounts_for_everyone(small_codes):
    youth = pd.DataFrame({"youth_id": ["Y1", "Y3", "Y4"], "qual_subsample": [True, True, False],
                          "msu": [True, True, False]})
    study = Study(youth=youth, waves=pd.DataFrame(), scales=pd.DataFrame(), codes=small_codes)
    features = quantitize(study)
    join = join_codes(study, features)
    assert join.joined == ["Y1"] and join.no_codes == ["Y3"] and join.unknown == ["Y2"]
    assert join.outside_subsample == []
    assert list(join.data["youth_id"]) == ["Y1"] and "power_active" in join.data
    frame = join.to_frame()
    assert frame["n"].tolist() == [1, 1, 1, 0]
    extra = features.assign(youth_id=features["youth_id"].replace({"Y2": "Y4"}))
    assert join_codes(study, extra).outside_subsample == ["Y4"]
    with pytest.raises(UsageError, match="youth_id"):
        join_codes(study, features.drop(columns="youth_id"))
    bare = Study(youth=youth.drop(columns="qual_subsample"), waves=pd.DataFrame(),
                 scales=pd.DataFrame())
    with pytest.raises(UsageError, match="lacks qual_subsample"):
        join_codes(bare, features)


def test_synthetic_features(synthetic_study):
    f = quantitize(synthetic_study)
    sub = synthetic_study.youth.loc[synthetic_study.youth["qual_subsample"], "youth_id"]
    assert set(f["youth_id"]) == set(sub)  # every subsample youth has codes
    assert f["n_active"].between(0, 4).all()
    assert (f["all_active"] == (f["n_active"] == 4)).all()
