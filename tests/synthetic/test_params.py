"""Parameters in one place, and the calibration of the headline effect."""

from __future__ import annotations

import numpy as np
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
    for waves in (1, 7, 2.5, True):
        with pytest.raises(UsageError, match="n_waves must be a whole number .* from 2 to 6"):
            make_params(n_waves=waves)
    assert make_params(n_waves=np.int64(5)).n_waves == 5
    assert type(make_params(n_waves=np.int64(5)).n_waves) is int
    assert set(SynthParams().as_dict()) == set(SynthParams.__dataclass_fields__)


@pytest.mark.parametrize(("overrides", "words"), [
    ({"gender_probs": (0.5, 0.5)}, "gender_probs must have 3 values"),
    ({"msu_service_count_probs": 0.5}, "must be a sequence of 3 numbers"),
    ({"pmk_role_probs": (0.5, 0.5, 0.2, -0.2, 0.0)}, "pmk_role_probs must be non-negative"),
    ({"ethnicity_probs_msu": (0.3, 0.3, 0.3, 0.3)}, "sum to 1"),
    ({"gender_probs": ("a", "b", "c")}, "gender_probs must hold numbers"),
    ({"icc_rq": 1.5}, "icc_rq must lie between 0 and 1"),
    ({"mech_loading": -0.1}, "mech_loading must lie between 0 and 1"),
    ({"double_code_share": 2}, "double_code_share must lie between 0 and 1"),
    ({"code_prob": (0.5, 1.2, 0.5)}, "code_prob must lie between 0 and 1"),
    ({"n_qual_pmk_nominated": 0, "n_qual_pmk_interviewed": 0},
     "n_qual_pmk_nominated must be at least 1"),
])
def test_bad_override_values_are_usage_errors(overrides, words):
    with pytest.raises(UsageError, match=words):
        make_params(**overrides)


def test_edge_values_are_accepted():
    params = make_params(icc_rq=1.0, item_missing=0.0, gender_probs=(1.0, 0.0, 0.0),
                         n_qual_pmk_nominated=1, n_qual_pmk_interviewed=1)
    assert params.icc_rq == 1.0 and params.gender_probs == (1.0, 0.0, 0.0)


@pytest.mark.slow
def test_default_b_between_is_the_calibrated_value():
    """Re-running the calibration reproduces the default ``b_between`` (4 decimals)."""
    params = make_params()
    assert calibrate_b_between(params) == pytest.approx(params.b_between, abs=1e-4)


def test_every_parameter_documented():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "synthetic.md"
    assert doc.is_file(), f"{doc} is missing from the checkout"
    text = doc.read_text(encoding="utf-8")
    missing = [name for name in SynthParams.__dataclass_fields__ if f"`{name}`" not in text]
    assert not missing, missing
