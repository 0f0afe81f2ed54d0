"""Fixtures of the synthetic-study tests: the default draw and the shipped files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.study.scales import score_matrix
from youthtransitions.synthetic import DEFAULT_SEED, SHIPPED_STUDY, synthesize
from youthtransitions.synthetic.params import SCALE_SPECS

TABLES = ("youth", "waves", "pmk", "scales", "codes")


@pytest.fixture(scope="session")
def study():
    """The default-seed synthetic study (the one shipped in synthetic_data/)."""
    return synthesize(DEFAULT_SEED)


@pytest.fixture(scope="session")
def shipped():
    """The shipped study's tables, read straight from its Parquet files."""
    assert (SHIPPED_STUDY / "study.json").is_file(), "synthetic_data/ is missing"
    return {name: pd.read_parquet(SHIPPED_STUDY / f"{name}.parquet") for name in TABLES}


def add_scores(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` with one score column per scale of ``table`` (contract scoring rule).

    Reverse-keyed items are reflected here and scored by the contract's own
    :func:`~youthtransitions.study.scales.score_matrix` (the generator's ``score_items`` is
    checked against ``score_scales`` in ``test_contract.py``).
    """
    out = frame[["youth_id", "wave"]].copy()
    for spec in SCALE_SPECS:
        if spec.table == table:
            items = frame[spec.items].to_numpy(dtype=float, na_value=np.nan)
            rev = np.isin(np.arange(1, spec.n_items + 1), spec.reverse)
            items[:, rev] = spec.min + spec.max - items[:, rev]
            out[spec.scale] = score_matrix(items)
    return out


@pytest.fixture(scope="session")
def scored():
    """The scoring helper :func:`add_scores`, for tests that draw their own samples."""
    return add_scores


@pytest.fixture(scope="session")
def wave_scores(study):
    return add_scores(study.waves, "waves")


@pytest.fixture(scope="session")
def wide(wave_scores):
    """Youth x (scale, wave) scores."""
    return wave_scores.pivot(index="youth_id", columns="wave")


@pytest.fixture(scope="session")
def truth(study):
    return study.metadata["truth"]
