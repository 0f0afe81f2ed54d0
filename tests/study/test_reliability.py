"""The study's reliability table against R psych 2.2.9 (tests/reference/psych/reliability.R);
the estimators themselves are tested in tests/stats/test_reliability.py.

Tolerances (absolute): alpha and its Feldt CI 1e-9 (same closed form, observed 1e-12);
omega total 1e-6 (psych's L-BFGS-B stops earlier than our fixed-point iteration; observed
5e-9).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pingouin as pg
import pytest

import youthtransitions as yt
from youthtransitions.study.reliability import RELIABILITY_COLUMNS

REF = Path(__file__).parents[1] / "reference" / "psych"
ALPHA_TOL, OMEGA_TOL = 1e-9, 1e-6


@pytest.fixture(scope="module")
def items():
    """The R data set: it_06 is reverse-keyed on 1..5 (stored as answered)."""
    return pd.read_csv(REF / "items.csv")


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REF / "reliability.csv").set_index("data")


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
