"""Reliability against R psych 2.2.9 (tests/reference/psych/reliability.R).

Tolerances (absolute): alpha and its Feldt CI 1e-9 (same closed form, observed 1e-12);
omega total 1e-6 (psych's L-BFGS-B stops earlier than our fixed-point iteration; observed
5e-9).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import youthtransitions as yt
from youthtransitions.study.reliability import RELIABILITY_COLUMNS, cronbach_alpha, omega_total

REF = Path(__file__).parents[1] / "reference" / "psych"
ALPHA_TOL, OMEGA_TOL = 1e-9, 1e-6


@pytest.fixture(scope="module")
def items():
    """The R data set: it_06 is reverse-keyed on 1..5 (stored as answered)."""
    return pd.read_csv(REF / "items.csv")


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REF / "reliability.csv").set_index("data")


def _reflected(items):
    values = items.to_numpy(dtype=float)
    values[:, 5] = 1 + 5 - values[:, 5]
    return values


@pytest.mark.parametrize("data", ["pairwise", "complete"])
def test_alpha_and_omega_match_psych(data, items, reference):
    values = _reflected(items)
    if data == "complete":
        values = values[~np.isnan(values).any(axis=1)]
    ref = reference.loc[data]
    assert values.shape == (ref["n"], ref["n_items"])
    alpha, low, high = cronbach_alpha(values)
    assert alpha == pytest.approx(ref["alpha"], abs=ALPHA_TOL)
    assert low == pytest.approx(ref["alpha_low"], abs=ALPHA_TOL)
    assert high == pytest.approx(ref["alpha_high"], abs=ALPHA_TOL)
    assert omega_total(values) == pytest.approx(ref["omega"], abs=OMEGA_TOL)


def test_alpha_matches_pingouin(items):
    values = _reflected(items)
    alpha, low, high = cronbach_alpha(values)
    pg_alpha, pg_ci = pg.cronbach_alpha(pd.DataFrame(values))
    assert alpha == pytest.approx(pg_alpha, abs=1e-12)
    np.testing.assert_allclose([low, high], pg_ci, atol=5e-4)  # pingouin rounds to 3 places


def test_omega_closed_form_for_exact_one_factor_matrix():
    """For R = l l' + diag(1 - l^2), omega = (sum l)^2 / sum(R) exactly."""
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    rng = np.random.default_rng(3)
    chol = np.linalg.cholesky(corr)
    z = rng.standard_normal((4000, 4))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T  # exact identity
    values = z @ chol.T
    expected = loadings.sum() ** 2 / corr.sum()
    assert omega_total(values) == pytest.approx(expected, abs=1e-8)


def _r_study(items):
    """A study whose wave-1 relationship_quality items are the R data set."""
    n = len(items)
    ids = [f"Y{i:03d}" for i in range(n)]
    youth = pd.DataFrame({"youth_id": ids})
    waves = pd.concat([pd.DataFrame({"youth_id": ids, "wave": 1}),
                       items.rename(columns=lambda c: c.replace("it_", "rq_")).astype("Int64")],
                      axis=1)
    scales = pd.DataFrame({"scale": "relationship_quality", "table": "waves",
                           "item": [f"rq_{j:02d}" for j in range(1, 7)],
                           "reverse": [False] * 5 + [True], "min": 1, "max": 5})
    return yt.Study(youth=youth, waves=waves, scales=scales)


def test_reliability_table_matches_psych(items, reference):
    result = yt.reliability(_r_study(items))
    frame = result.to_frame()
    assert list(frame.columns) == RELIABILITY_COLUMNS
    row = frame.iloc[0]
    ref = reference.loc["pairwise"]
    assert (row["scale"], row["table"], row["wave"], row["n"], row["n_items"]) == (
        "relationship_quality", "waves", 1, 240, 6)
    for col, tol in (("alpha", ALPHA_TOL), ("alpha_low", ALPHA_TOL), ("alpha_high", ALPHA_TOL),
                     ("omega", OMEGA_TOL)):
        assert row[col] == pytest.approx(ref[col], abs=tol), col
    assert "Feldt" in result.summary()
    assert result.to_records()[0]["scale"] == "relationship_quality"


def test_reliability_per_scale_and_wave(tables, tmp_path):
    from study_fixture import write_tables

    study = yt.load_study(write_tables(tmp_path / "s", tables, "csv"))
    frame = yt.reliability(study).to_frame()
    assert len(frame) == 5 * 3 + 2 * 2  # five waves scales x 3 waves, two pmk scales x 2
    assert frame[["scale", "wave"]].drop_duplicates().shape[0] == len(frame)
    wb1 = frame[(frame["scale"] == "wellbeing") & (frame["wave"] == 1)].iloc[0]
    waves = tables["waves"]
    w1 = waves[waves["wave"] == 1][[f"wb_{j:02d}" for j in range(1, 6)]].astype(float)
    w1["wb_02"] = 6 - w1["wb_02"]
    assert wb1["n"] == len(w1)
    assert wb1["alpha"] == pytest.approx(pg.cronbach_alpha(w1)[0], abs=1e-12)


def test_reliability_level_checked(items):
    with pytest.raises(yt.UsageError, match="level"):
        yt.reliability(_r_study(items), level=95)
