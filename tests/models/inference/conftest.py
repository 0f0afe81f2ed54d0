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


def cbpp_data() -> pd.DataFrame:
    """lme4's cbpp (period as R's factor: its levels sort as strings)."""
    return pd.read_csv(REF / "r_datasets" / "cbpp.csv", dtype={"period": str})


def binary_study_data() -> pd.DataFrame:
    """The shipped study's rows with the within part, ``high_wellbeing = wellbeing >= 3.5``
    (as tests/reference/glmer/models.R)."""
    d = study_data()
    return d.assign(high_wellbeing=(d["wellbeing"] >= 3.5).astype(int))


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


def cake_data(*, unbalanced: bool = False) -> pd.DataFrame:
    d = pd.read_csv(REF / "r_datasets" / "cake.csv")
    d["recipe_replicate"] = d["recipe"] + ":" + d["replicate"].astype(str)
    return d.drop(index=d.index[::7]) if unbalanced else d


CAKE = "angle ~ C(recipe) * C(temperature)"
CAKE_SUM = "angle ~ C(recipe, contr.sum) * C(temperature, contr.sum)"
#: the models of tests/reference/r_common/lmm_models.R: (formula, data, group, random)
SHARED_LMMS = {
    "sleep_slope": ("Reaction ~ Days", sleep_data, "Subject", "1 + Days"),
    "cake": (CAKE, cake_data, "recipe_replicate", "1"),
    "cake_sum": (CAKE_SUM, cake_data, "recipe_replicate", "1"),
    "cake_unbalanced": (CAKE, lambda: cake_data(unbalanced=True), "recipe_replicate", "1"),
    "study": (f"wellbeing ~ {STUDY_RHS} + C(wave) + C(ethnicity)",
              lambda: study_data(complete=False), "youth_id", "1"),
}
R_PREFIX = {"recipe": "recipe", "temperature": "temperature", "wave": "factor(wave)",
            "ethnicity": "ethnicity"}


@pytest.fixture(scope="session")
def shared_fits():
    return {name: fit_lmm(f, data(), group=g, random=r)
            for name, (f, data, g, r) in SHARED_LMMS.items()}


def _r_part(part: str, data: pd.DataFrame) -> str:
    import re

    m = re.match(r"^C\((\w+)(, contr\.sum)?\)(\[(T|S)\.(.+)\])?$", part)
    if not m:
        return part
    prefix = R_PREFIX[m.group(1)]
    if m.group(3) is None:  # a term, not a column
        return prefix
    if m.group(4) == "T":
        return prefix + m.group(5)
    levels = [str(v) for v in sorted(data[m.group(1)].dropna().unique())]
    return prefix + str(levels.index(m.group(5)) + 1)


def r_name(name: str, data: pd.DataFrame) -> str:
    """The R (lme4) name of a formulaic column or term name."""
    return ":".join(_r_part(p, data) for p in name.split(":"))
