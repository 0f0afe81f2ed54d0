"""A comparison model must share the outcome and rows, and should be nested (column spaces)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import NotNestedWarning, check_nested, fit_lmm, r2_difference
from youthtransitions.models.nesting import outside_column_space

DATA = pd.read_csv(Path(__file__).parents[1] / "reference" / "r2mlm" / "r2mlm_data.csv")


def _fit(formula, random="1", data=DATA):
    return fit_lmm(formula, data, group="id", random=random)


def test_column_space_by_closed_form():
    large = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    inside = large @ np.array([[2.0], [-3.0]])  # a combination of the columns: residual 0
    outside = np.array([[0.0], [1.0], [4.0], [9.0]])  # t²: not affine in t
    assert outside_column_space(np.hstack([inside, outside]), large).tolist() == [False, True]
    assert outside_column_space(np.zeros((4, 0)), large).tolist() == []
    assert outside_column_space(inside, np.zeros((4, 0))).tolist() == [True]


def test_nested_models_pass_silently():
    full = _fit("y ~ x_w + x_b + w", random="1 + x_w")
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotNestedWarning)
        assert check_nested(full, _fit("y ~ x_w"))
        assert check_nested(full, _fit("y ~ 1"))
        # x = x_w + x_b: another name for a column the full model spans
        assert check_nested(_fit("y ~ x_w + x_b"), _fit("y ~ x"))


def test_fixed_and_random_columns_outside_warn():
    full = _fit("y ~ x_w + x_b")
    with pytest.warns(NotNestedWarning, match=r"fixed column\(s\) w do not lie"):
        assert not check_nested(full, _fit("y ~ w"))
    with pytest.warns(NotNestedWarning, match=r"random column\(s\) x_w do not lie"):
        assert not check_nested(full, _fit("y ~ x_w", random="1 + x_w"))
    with pytest.warns(NotNestedWarning, match="not nested"):
        r2_difference(full, _fit("y ~ w"))


def test_other_outcome_or_rows_are_refused():
    full = _fit("y ~ x_w + x_b")
    with pytest.raises(UsageError, match="the comparison model has outcome 'x'"):
        check_nested(full, _fit("x ~ w"))
    with pytest.raises(UsageError, match=r"different rows \(576 vs 500\)"):
        check_nested(full, _fit("y ~ 1", data=DATA.iloc[:500]))
    shifted = DATA.assign(y=DATA["y"] + 1.0)
    with pytest.raises(UsageError, match="different outcome values"):
        check_nested(full, _fit("y ~ 1", data=shifted))
    with pytest.raises(UsageError, match="must be a fitted mixed model"):
        check_nested(full, full.r2())
