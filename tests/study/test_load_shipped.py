"""The shipped synthetic study (``synthetic_data/``) loads under the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

import youthtransitions as yt

SHIPPED = Path(__file__).resolve().parents[2] / "synthetic_data"


@pytest.fixture(scope="module")
def study():
    assert (SHIPPED / "youth.parquet").exists(), "synthetic_data/ is missing"
    return yt.load_study(SHIPPED)


def test_loads_as_synthetic(study):
    assert study.synthetic is True
    assert "estimands" in study.metadata["truth"]
    assert set(study.metadata["files"]) == {"youth", "waves", "pmk", "scales", "codes"}


def test_scores_and_frame(study):
    scales = ["relationship_quality", "resilience", "contextual_risk", "individual_risk",
              "wellbeing"]
    frame = study.analysis_frame()
    assert len(frame) == len(study.waves)
    assert set(scales) <= set(frame.columns)
    assert frame[scales].notna().mean().min() > 0.9
    assert list(study.pmk_scores().columns[3:]) == ["pmk_relationship", "pmk_functioning"]


@pytest.mark.slow
def test_reliability_table(study):
    frame = yt.reliability(study).to_frame()
    assert len(frame) == 5 * 3 + 2 * 3
    assert frame["alpha"].between(0, 1).all() and frame["omega"].between(0, 1).all()
    assert (frame["alpha_low"] < frame["alpha"]).all()
    assert (frame["alpha"] < frame["alpha_high"]).all()
