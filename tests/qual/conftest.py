"""Shared fixtures of the qualitative tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "irr"


@pytest.fixture
def small_codes() -> pd.DataFrame:
    """Six codings of four segments by two coders (s1 double-coded)."""
    return pd.DataFrame({
        "segment_id": ["s1", "s1", "s2", "s3", "s4", "s5"],
        "youth_id": ["Y1", "Y1", "Y1", "Y2", "Y2", "Y2"],
        "source": ["youth_interview", "youth_interview", "youth_interview", "pmk_interview",
                   "case_summary", "youth_interview"],
        "wave": [1, 1, 2, 1, 3, 2],
        "coder": ["ann", "bob", "ann", "bob", "bob", "bob"],
        "mechanism": ["power", "power", "recognition", "mutuality", "power", "power"],
        "dimension": ["care", "care", "recognition", "friend_like", "control", "care"],
        "level": [2, 1, 0, 2, 2, 0],
        "instance": ["confirmatory", "confirmatory", "counterfactual", "confirmatory",
                     "counterfactual", "counterfactual"],
        "actor": ["social_worker", None, "justice", None, "justice", None],
        "excerpt": ["She listened.", "She listened.", None, "Like a mate.", "Rules only.",
                    "Nobody cared."]})


@pytest.fixture(scope="session")
def double_coded() -> pd.DataFrame:
    """The double-coded example codes of tests/reference/irr/ (make_codes.py)."""
    return pd.read_csv(REFERENCE / "double_coded.csv")


@pytest.fixture(scope="session")
def synthetic_study():
    """The shipped synthetic study, built straight from its Parquet tables.

    ``load_study`` (tested by the study suite) validates every row and takes several
    seconds; these tests only need the tables, which the generator wrote valid.
    """
    from youthtransitions.study import Study

    folder = ROOT / "synthetic_data"
    assert (folder / "codes.parquet").exists(), "synthetic_data/ is missing"
    tables = {name: pd.read_parquet(folder / f"{name}.parquet")
              for name in ("youth", "waves", "pmk", "scales", "codes")}
    truth = json.loads((folder / "truth.json").read_text())
    return Study(**tables, synthetic=True, source=str(folder), metadata={"truth": truth})
