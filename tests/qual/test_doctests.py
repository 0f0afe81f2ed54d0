"""The docstring examples of the codes modules (reading, writing, analyses) run on the shipped
synthetic study."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = ["study.codes", "study.refi_qda.write", "qual.quantitize", "qual.reliability",
           "qual.integrate", "qual.joint_display"]
SLOW = {"qual.integrate", "qual.joint_display"}  # these load and validate the whole study


@pytest.mark.parametrize("name", [pytest.param(m, marks=pytest.mark.slow) if m in SLOW else m
                                  for m in MODULES])
def test_docstring_examples(name):
    shipped = Path(__file__).resolve().parents[2] / "synthetic_data" / "codes.parquet"
    assert shipped.exists(), "synthetic_data/ is missing"
    module = importlib.import_module(f"youthtransitions.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
