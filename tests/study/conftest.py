"""Fixtures: the small valid study of :mod:`study_fixture`, written to ``tmp_path``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# study_fixture.py sits beside this file; found in both pytest import modes
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from study_fixture import make_tables, write_tables  # noqa: E402


@pytest.fixture
def tables():
    """Fresh copies of the valid fixture study's tables (mutate freely)."""
    return make_tables()


@pytest.fixture
def study_dir(tmp_path, tables):
    """The valid fixture study written as CSV."""
    return write_tables(tmp_path / "study", tables, "csv")
