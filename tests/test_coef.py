"""The one coefficient table, checked against hand computations and R's quantiles."""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions._coef import COEF_COLUMNS, coef_table
from youthtransitions.errors import UsageError


def test_t_and_normal_rows_by_hand():
    # R: 2 * pt(-2, 10) = 0.07338803; qt(0.975, 10) = 2.228139;
    #    2 * pnorm(-2) = 0.04550026; qnorm(0.975) = 1.959964
    frame = coef_table(["a", "b"], [2.0, -1.0], [1.0, 0.5], [10.0, None], level=0.95)
    assert list(frame.columns) == COEF_COLUMNS
    a, b = frame.iloc[0], frame.iloc[1]
    assert a["statistic"] == 2.0 and b["statistic"] == -2.0  # estimate / se, exact
    assert a["p_value"] == pytest.approx(0.07338803, abs=5e-9)
    assert a["conf_low"] == pytest.approx(2.0 - 2.228139, abs=5e-7)
    assert a["conf_high"] == pytest.approx(2.0 + 2.228139, abs=5e-7)
    assert np.isnan(b["df"])  # None: the normal reference
    assert b["p_value"] == pytest.approx(0.04550026, abs=5e-9)
    assert b["conf_low"] == pytest.approx(-1.0 - 0.5 * 1.959964, abs=5e-7)


def test_scalar_df_level_and_degenerate_se():
    # R: qt(0.95, 4) = 2.131847 for a 90% interval
    frame = coef_table(["x", "y"], [1.0, 3.0], [0.25, 0.0], 4, level=0.9)
    assert frame["df"].tolist() == [4.0, 4.0]
    assert frame.loc[0, "conf_high"] - frame.loc[0, "estimate"] == pytest.approx(
        0.25 * 2.131847, abs=5e-7)
    assert np.isnan(frame.loc[1, "statistic"]) and np.isnan(frame.loc[1, "p_value"])


def test_infinite_df_is_the_normal_limit():
    t_inf = coef_table(["x"], [1.0], [1.0], np.inf)
    normal = coef_table(["x"], [1.0], [1.0], None)
    np.testing.assert_allclose(t_inf[["p_value", "conf_low"]], normal[["p_value", "conf_low"]],
                               rtol=1e-14)


@pytest.mark.parametrize("level", [0, 1, 95, "0.95", True])
def test_bad_level(level):
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        coef_table(["x"], [1.0], [1.0], level=level)


def test_mismatched_lengths():
    with pytest.raises(UsageError, match="one of each per term"):
        coef_table(["x", "y"], [1.0], [1.0])
