"""center_within against its closed form (exact, 1e-12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import center_within


def test_person_means_and_deviations():
    df = pd.DataFrame({"id": ["a", "a", "b", "b", "b", "c"],
                       "x": [1.0, 3.0, 2.0, np.nan, 5.0, 4.0], "z": [1, 1, 2, 2, 2, 9]})
    out = center_within(df, ["x", "z"], "id")
    assert out["x_between"].tolist() == pytest.approx([2.0, 2.0, 3.5, 3.5, 3.5, 4.0])
    assert out["x_within"].iloc[[0, 1, 2, 4, 5]].tolist() == pytest.approx([-1, 1, -1.5, 1.5, 0])
    assert np.isnan(out["x_within"].iloc[3])  # missing stays missing
    assert (out["z_within"] == 0).all()
    assert list(df.columns) == ["id", "x", "z"]  # input untouched


def test_single_column_name_and_group_means_zero():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"g": rng.integers(0, 20, 200), "x": rng.normal(size=200)})
    out = center_within(df, "x", "g")
    assert out.groupby("g")["x_within"].mean().abs().max() < 1e-12
    assert (out["x_between"] + out["x_within"] - out["x"]).abs().max() < 1e-12


def test_errors():
    df = pd.DataFrame({"g": [1, 1], "x": ["a", "b"], "y": [1.0, 2.0]})
    with pytest.raises(UsageError, match="not in the data"):
        center_within(df, ["q"], "g")
    with pytest.raises(UsageError, match="numeric"):
        center_within(df, ["x"], "g")
    with pytest.raises(UsageError, match="DataFrame"):
        center_within([1, 2], ["x"], "g")


def test_missing_group_rows_get_nan_not_a_pooled_person():
    df = pd.DataFrame({"id": ["a", "a", None, None], "x": [1.0, 3.0, 10.0, 20.0]})
    out = center_within(df, "x", "id")
    assert out["x_between"].iloc[:2].tolist() == [2.0, 2.0]
    assert out[["x_between", "x_within"]].iloc[2:].isna().all().all()


def test_existing_output_column_is_usage_error():
    df = pd.DataFrame({"id": ["a", "a"], "x": [1.0, 3.0], "x_within": [0.0, 0.0]})
    with pytest.raises(UsageError, match="already exist"):
        center_within(df, "x", "id")
    with pytest.raises(UsageError, match="collide"):
        center_within(df[["id", "x"]], "x", "id", suffixes=("_m", "_m"))


def test_array_form_matches_center_within():
    # center_codes sums with bincount, center_within with pandas: equal to rounding (1e-12)
    from youthtransitions.models.centering import center_codes

    rng = np.random.default_rng(4)
    df = pd.DataFrame({"g": rng.integers(0, 30, 200), "x": rng.normal(size=200)})
    codes, labels = pd.factorize(df["g"], sort=True)
    between, within = center_codes(df["x"].to_numpy(), codes, len(labels))
    ref = center_within(df, "x", "g")
    np.testing.assert_allclose(between, ref["x_between"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(within, ref["x_within"], rtol=0, atol=1e-12)
