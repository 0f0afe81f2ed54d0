"""Fixtures of the gate tests: a private secret file per test (never the user's own)."""

from __future__ import annotations

import pytest

from youthtransitions.report.gate import SECRET_ENV, Gate


@pytest.fixture
def secret_file(tmp_path, monkeypatch):
    """Where the secret of this test lives (created by the gate on first use)."""
    path = tmp_path / "config" / "disclosure-secret"
    monkeypatch.setenv(SECRET_ENV, str(path))
    return path


@pytest.fixture
def real_gate(secret_file):
    """A gate on data not marked synthetic, rules on by default."""
    return Gate("study-fingerprint", synthetic=False)


@pytest.fixture
def make_gate():
    """Gates sharing one fixed secret: ``make_gate(synthetic=False, **options)``."""
    def make(synthetic: bool = False, **options):
        return Gate("fp", synthetic=synthetic, secret=bytes(range(32)), **options)
    return make
