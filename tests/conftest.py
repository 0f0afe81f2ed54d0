"""Fixtures of every test: the disclosure secret lives in the test's own folder, never in the
user's configuration directory (commands on loose files apply the output rules)."""

from __future__ import annotations

import pytest

from youthtransitions.report.gate import SECRET_ENV


@pytest.fixture(autouse=True)
def _private_disclosure_secret(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, str(tmp_path_factory.getbasetemp() / "disclosure-secret"))
