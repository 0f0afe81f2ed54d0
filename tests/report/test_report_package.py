"""The report package's public names stay functions even when a same-named submodule loads."""

from __future__ import annotations

import importlib
import types

import pytest

import youthtransitions as yt
import youthtransitions.report as report


def test_public_names_are_the_functions():
    assert callable(yt.apply_output_rules) and yt.apply_output_rules is report.apply_output_rules
    importlib.import_module("youthtransitions.report.describe")
    assert isinstance(report.describe, types.FunctionType)
    assert yt.describe is report.describe


@pytest.mark.parametrize("name", ["replicate", "simulate"])
def test_lazy_names_survive_submodule_import(name):
    try:
        importlib.import_module(f"youthtransitions.report.{name}")
    except ModuleNotFoundError as exc:  # not written yet: the package must still import
        assert exc.name == f"youthtransitions.report.{name}"
        return
    value = getattr(report, name)
    assert callable(value) and not isinstance(value, types.ModuleType)
    report.__setattr__(name, types.ModuleType("x"))  # what the import system does
    assert not isinstance(getattr(report, name), types.ModuleType)


def test_unknown_name():
    with pytest.raises(AttributeError, match="no attribute"):
        report.does_not_exist  # noqa: B018
