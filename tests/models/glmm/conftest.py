"""The reference GLMMs of tests/reference/glmer/models.R and glmer_terms/make.R, fitted once
per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from youthtransitions.models import fit_glmm

REF = Path(__file__).resolve().parents[2] / "reference"
GLMER = REF / "glmer"
GLMER_TERMS = REF / "glmer_terms"

CB = "cbind(incidence, size - incidence) ~ period + (1 | herd)"
PO = "incidence ~ period + offset(log(size)) + (1 | herd)"
ST = ("high_wellbeing ~ relationship_quality_within + relationship_quality_between + wave + "
      "(1 | youth_id)")

#: model name -> (formula, data set, family, link, nagq), as models.R fits them
MODELS = {
    "cbpp_logit_laplace": (CB, "cbpp", "binomial", None, 1),
    "cbpp_logit_agq10": (CB, "cbpp", "binomial", None, 10),
    "cbpp_probit_laplace": (CB, "cbpp", "binomial", "probit", 1),
    "cbpp_probit_agq10": (CB, "cbpp", "binomial", "probit", 10),
    "cbpp_binary_laplace": ("incidence01 ~ period + (1 | herd)", "binary", "binomial", None, 1),
    "cbpp_poisson_offset_laplace": (PO, "cbpp", "poisson", None, 1),
    "cbpp_poisson_offset_agq10": (PO, "cbpp", "poisson", None, 10),
    "grouse_poisson": ("TICKS ~ YEAR + scale(HEIGHT) + (1 | BROOD) + (1 | LOCATION)", "grouse",
                       "poisson", None, 1),
    "study_binary_laplace": (ST, "study", "binomial", None, 1),
    "study_binary_agq10": (ST, "study", "binomial", None, 10),
}

#: the uncorrelated (||) and nested (/) random terms of glmer_terms/make.R, same layout
TERM_MODELS = {
    "bacteria_uncorrelated_laplace": ("y01 ~ trt + week + (1 + week || ID)", "bacteria",
                                      "binomial", None, 1),
    "cbpp_nested_laplace": ("cbind(incidence, size - incidence) ~ period + (1 | herd/period)",
                            "cbpp", "binomial", None, 1),
    "grouse_nested_poisson": ("TICKS ~ YEAR + scale(HEIGHT) + (1 | LOCATION/BROOD)", "grouse",
                              "poisson", None, 1),
}


@cache
def dataset(name: str) -> pd.DataFrame:
    """The data sets of models.R (factors as strings; R's level order is the sorted one)."""
    if name == "cbpp":
        return pd.read_csv(REF / "r_datasets" / "cbpp.csv", dtype={"period": str})
    if name == "bacteria":
        return pd.read_csv(GLMER_TERMS / "bacteria.csv")
    if name == "binary":
        return pd.read_csv(GLMER / "cbpp_binary.csv", dtype={"period": str})
    if name == "grouse":
        return pd.read_csv(REF / "r_datasets" / "grouseticks.csv",
                           dtype={"BROOD": str, "LOCATION": str, "YEAR": str})
    study = pd.read_csv(REF / "shipped_study" / "headline.csv")
    study = study[study["relationship_quality_within"].notna()].reset_index(drop=True)
    study["high_wellbeing"] = (study["wellbeing"] >= 3.5).astype(int)
    return study


@cache
def fitted(name: str):
    formula, data, family, link, nagq = {**MODELS, **TERM_MODELS}[name]
    return fit_glmm(formula, dataset(data), family=family, link=link, nagq=nagq)


@pytest.fixture(scope="session")
def glmer_ref():
    return {f: pd.concat([pd.read_csv(folder / f"{f}.csv") for folder in (GLMER, GLMER_TERMS)],
                         ignore_index=True)
            for f in ("fixef", "fit", "varcorr", "ranef", "predictions")}
