"""The report package's public names are the functions, and importing any submodule leaves
them so (no submodule is named like a public function)."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import youthtransitions as yt
import youthtransitions.report as report


def test_public_names_are_the_functions():
    assert callable(yt.apply_output_rules) and yt.apply_output_rules is report.apply_output_rules
    assert yt.describe is report.describe


def test_submodule_imports_do_not_shadow_functions():
    names = [m.name for m in pkgutil.iter_modules(report.__path__)]
    assert not set(names) & set(report.__all__), "a submodule would hide a public name"
    for name in names:
        importlib.import_module(f"youthtransitions.report.{name}")
    for name in ("describe", "replicate", "simulate"):
        value = getattr(report, name)
        assert isinstance(value, types.FunctionType), name
    assert yt.replicate is report.replicate and yt.simulate is report.simulate


def test_unknown_name():
    with pytest.raises(AttributeError, match="no attribute"):
        report.does_not_exist  # noqa: B018
