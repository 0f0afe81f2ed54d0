"""Fixtures of the reporting tests: the small study of :mod:`report_fixture` and its
descriptions (session-scoped: tests must not mutate them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from youthtransitions.study.study import Study

# report_fixture.py sits beside this file; found in both pytest import modes
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_fixture import make_study  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _private_disclosure_secret(tmp_path_factory):
    """Every gate of the reporting tests reads a secret of the test session, never the
    user's own configuration directory."""
    from youthtransitions.report.gate import SECRET_ENV

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, str(tmp_path_factory.mktemp("config") / "disclosure-secret"))
        yield


@pytest.fixture(scope="session")
def small_study() -> Study:
    """The fixture study (shared by the tests: do not mutate its tables)."""
    return make_study()


@pytest.fixture(scope="session")
def small_synthetic_study() -> Study:
    return make_study(synthetic=True)


@pytest.fixture(scope="session")
def exact(small_study):
    """Description of the fixture study without output rules."""
    from youthtransitions.report import describe

    return describe(small_study, output_rules=False)


@pytest.fixture(scope="session")
def ruled(small_study):
    """Description of the fixture study with the default (applied) output rules."""
    from youthtransitions.report import describe

    return describe(small_study)
