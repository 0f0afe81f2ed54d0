"""QCA of the relational mechanisms: constructed data with known sufficient configurations,
and the synergy built into the shipped synthetic study."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.qual.configurations import MECHANISMS, mechanism_configurations
from youthtransitions.qual.configurations.mechanisms import mechanism_sets


def features(rule, copies=3, seed=0):
    """Every configuration of the four mechanisms, ``copies`` youth each; the outcome (a raw
    change score) is positive exactly when ``rule`` holds."""
    rng = np.random.default_rng(seed)
    rows = []
    for n, combo in enumerate(itertools.product((False, True), repeat=4)):
        for c in range(copies):
            active = dict(zip(MECHANISMS, combo, strict=True))
            row = {"youth_id": f"Y{n:02d}{c}"}
            for m in MECHANISMS:
                row[f"{m}_active"] = active[m]
                row[f"{m}_level"] = 2.0 if active[m] else (0.0 if c else np.nan)
            row["change"] = rng.uniform(0.5, 2.0) * (1 if rule(**active) else -1)
            rows.append(row)
    return pd.DataFrame(rows)


def test_known_sufficient_combinations_are_recovered():
    data = features(lambda power, recognition, responsiveness, mutuality:
                    (recognition and responsiveness) or (power and mutuality))
    result = mechanism_configurations(data, outcome_col="change", outcome_calibration=0.0)
    want = ["power*mutuality", "recognition*responsiveness"]
    assert [m.terms for m in result.solutions["conservative"]] == [want]
    assert [m.terms for m in result.solutions["parsimonious"]] == [want]
    model = result.solutions["conservative"][0]
    assert (model.incl, model.cov) == (1.0, 1.0)
    assert set(result.truth_table.data.cases) == set(data["youth_id"])


def test_synergy_only_with_remainders_and_dir_exp():
    # only the all-four corner is positive; two corners have no youth (remainders)
    data = features(lambda **m: all(m.values()))
    unseen = data["power_active"] & data["recognition_active"] & ~data["mutuality_active"]
    data = data[~unseen]
    result = mechanism_configurations(data, outcome_col="change", outcome_calibration=0.0,
                                      dir_exp=list(MECHANISMS))
    assert result.solutions["conservative"][0].terms == [
        "power*recognition*responsiveness*mutuality"]
    # parsimonious may use the remainders; intermediate keeps what the expectations allow
    pars = result.solutions["parsimonious"]
    assert all(len(m.terms) == 1 for m in pars)
    assert result.solutions["intermediate"][0].terms == [
        "power*recognition*responsiveness*mutuality"]
    assert result.solutions["intermediate"][0].easy_counterfactuals == []


def test_fuzzy_levels_and_joined_outcomes():
    data = features(lambda power, recognition, responsiveness, mutuality:
                    recognition and responsiveness)
    outcomes = data[["youth_id", "change"]].copy()
    feats = data.drop(columns="change")
    # fuzzy: the 0.047 memberships of the 45 youth outside a corner lower its inclusion to
    # 0.698 for the positive corners (0.154 for the others), hence incl_cut 0.65
    result = mechanism_configurations(feats, outcomes=outcomes, outcome_col="change",
                                      membership="level", outcome_calibration=(-0.5, 0, 0.5),
                                      incl_cut=0.65)
    incl = result.truth_table.to_frame().set_index("row")["incl"]
    x = mechanism_sets(feats, membership="level").min(axis=1).to_numpy()  # corner 16
    y = 1 / (1 + np.exp(-3 * data["change"].to_numpy() / 0.5))
    assert incl[16] == pytest.approx(np.minimum(x, y).sum() / x.sum(), abs=1e-12)
    positive = [7, 8, 15, 16]  # the rows with recognition and responsiveness
    assert incl[positive].min() > 0.65 > incl.drop(positive).max()
    assert [m.terms for m in result.solutions["parsimonious"]] == [
        ["recognition*responsiveness"]]
    sets = mechanism_sets(feats, membership="level")
    # level 2 sits at the inclusion anchor (log odds 3); an uncoded mechanism counts as level 0
    np.testing.assert_allclose(sets.loc[feats["power_active"], "power"], 1 / (1 + np.exp(-3)))
    assert sets.loc[feats["power_level"].isna(), "power"].iloc[0] == pytest.approx(
        1 / (1 + np.exp(3 * 0.9 / 0.9)))


def test_errors_name_the_problem():
    data = features(lambda **m: m["power"])
    with pytest.raises(UsageError, match="not a membership score"):
        mechanism_configurations(data, outcome_col="change")
    with pytest.raises(UsageError, match="no column 'agency_active'"):
        mechanism_configurations(data, outcome_col="change", outcome_calibration=0,
                                 conditions=("power", "agency"))
    with pytest.raises(UsageError, match="no outcome column 'nope'"):
        mechanism_configurations(data, outcome_col="nope")
    with pytest.raises(UsageError, match="membership must be"):
        mechanism_configurations(data, outcome_col="change", outcome_calibration=0,
                                 membership="mean")


def test_synthetic_study_synergy_row_has_highest_inclusion():
    # truth.json qual.built_in includes "synergy": youth with all four mechanisms active
    # change more, so their truth-table row is the most consistent with positive change
    from youthtransitions.qual.integrate import youth_outcomes
    from youthtransitions.qual.quantitize import quantitize
    from youthtransitions.study import load_study
    from youthtransitions.synthetic import shipped_study_path

    study = load_study(shipped_study_path())
    assert "synergy" in study.metadata["truth"]["qual"]["built_in"]
    outcomes = youth_outcomes(study)
    change = outcomes["wellbeing_change"]
    outcomes["positive_change"] = (change > 0).astype(float).where(change.notna())
    result = mechanism_configurations(quantitize(study.codes), outcomes=outcomes,
                                      outcome_col="positive_change")
    tt = result.truth_table.to_frame()
    tt = tt[tt["n"] >= 5]
    top = tt.loc[tt["incl"].idxmax()]
    assert all(top[m] == 1 for m in MECHANISMS)


def test_bad_outcome_threshold_is_a_usage_error():
    data = features(lambda power, recognition, responsiveness, mutuality: power)
    with pytest.raises(UsageError, match="threshold must be a number, got 'abc'"):
        mechanism_configurations(data, outcome_col="change", outcome_calibration="abc")


def test_default_conditions_are_the_contract_mechanisms():
    from youthtransitions.study import contract

    assert MECHANISMS is contract.MECHANISMS
