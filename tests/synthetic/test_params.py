"""Parameters in one place, and the calibration of the headline effect."""

from __future__ import annotations

import pytest

from youthtransitions.errors import UsageError
from youthtransitions.synthetic.params import SynthParams, make_params
from youthtransitions.synthetic.truth import calibrate_b_between


def test_overrides_and_checks():
    params = make_params(nominate_coefs=[0.0, 0.0, 0.0, 0.0], n_youth=2000)
    assert params.nominate_coefs == (0.0, 0.0, 0.0, 0.0) and params.n_youth == 2000
    hash(params)  # lists become tuples so the truth cache works
    with pytest.raises(UsageError, match="n_qual <= n_msu"):
        make_params(n_msu=50)
    with pytest.raises(UsageError, match="3 waves"):
        make_params(n_waves=4)
    assert set(SynthParams().as_dict()) == set(SynthParams.__dataclass_fields__)


@pytest.mark.slow
def test_default_b_between_is_the_calibrated_value():
    """Re-running the calibration reproduces the default ``b_between`` (4 decimals)."""
    params = make_params()
    assert calibrate_b_between(params) == pytest.approx(params.b_between, abs=1e-4)


def test_every_parameter_documented():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "synthetic.md"
    if not doc.is_file():
        pytest.skip("docs/ not present")
    text = doc.read_text(encoding="utf-8")
    missing = [name for name in SynthParams.__dataclass_fields__ if f"`{name}`" not in text]
    assert not missing, missing
