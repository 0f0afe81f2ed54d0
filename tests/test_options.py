"""The one option validator: Literal choices and whole-number ranges."""

from typing import Literal

import numpy as np
import pytest

from youthtransitions._options import check_choice, check_count, choices_of
from youthtransitions.errors import UsageError

Method = Literal["reml", "ml"]


def test_choice_accepts_each_value_of_the_literal():
    assert choices_of(Method) == ("reml", "ml")
    assert check_choice("method", "ml", Method) == "ml"


def test_choice_names_option_value_and_choices():
    with pytest.raises(UsageError, match=r"method must be one of reml, ml; got 'REML'"):
        check_choice("method", "REML", Method)


def test_choice_from_tuple():
    assert check_choice("totals", "rows", ("rows", "none")) == "rows"
    with pytest.raises(UsageError):
        check_choice("totals", "both", ("rows", "none"))


def test_choices_of_refuses_a_non_literal():
    with pytest.raises(TypeError):
        choices_of(int)


@pytest.mark.parametrize("value", [1, 7, np.int64(3), 4.0])
def test_count_accepts_whole_numbers(value):
    assert check_count("B", value) == int(value)
    assert isinstance(check_count("B", value), int)


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "3", None])
def test_count_refuses(value):
    with pytest.raises(UsageError, match="B must be"):
        check_count("B", value)


def test_count_bounds():
    assert check_count("nagq", 25, maximum=25) == 25
    with pytest.raises(UsageError, match="at most 25"):
        check_count("nagq", 26, maximum=25)
    assert check_count("seed", 0, minimum=0) == 0
