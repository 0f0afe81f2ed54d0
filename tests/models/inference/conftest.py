"""Data and fits shared by the inference tests: the R reference data read as R reads them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from youthtransitions.models import fit_lmm

REF = Path(__file__).resolve().parents[2] / "reference"
STUDY_RHS = "relationship_quality_within + relationship_quality_between"


def read_ref(folder: str, name: str) -> pd.DataFrame:
    return pd.read_csv(REF / folder / name)


def sleep_data() -> pd.DataFrame:
    return pd.read_csv(REF / "r_datasets" / "sleepstudy.csv", dtype={"Subject": str})


def study_data(*, complete: bool = True) -> pd.DataFrame:
    d = pd.read_csv(REF / "shipped_study" / "headline.csv")
    return d[d["relationship_quality_within"].notna()].copy() if complete else d


#: name -> (formula, data loader, group, random): the models of the lme4_* references
MODELS = {
    "sleep_slope": ("Reaction ~ Days", sleep_data, "Subject", "1 + Days"),
    "sleep_ri": ("Reaction ~ Days", sleep_data, "Subject", "1"),
    "study": (f"wellbeing ~ {STUDY_RHS} + wave", study_data, "youth_id", "1"),
}


def fit_model(name: str, method: str = "reml"):
    formula, data, group, random = MODELS[name]
    return fit_lmm(formula, data(), group=group, random=random, method=method)


@pytest.fixture(scope="session")
def reml_fits():
    return {name: fit_model(name) for name in MODELS}
