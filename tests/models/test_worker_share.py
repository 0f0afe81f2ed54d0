"""worker_share on data drawn from the crossed model itself, where the estimands are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models.worker_share import ESTIMANDS, worker_rq_share, worker_share


def _crossed(seed: int, n: int = 1500, k: int = 250) -> pd.DataFrame:
    """rq = a + c + e with variances 0.5, 0.2, 0.3: worker share 0.2 of rq."""
    rng = np.random.default_rng(seed)
    youth = np.repeat(np.arange(n), 3)
    worker = rng.integers(0, k, size=3 * n)
    rq = (np.sqrt(0.5) * rng.standard_normal(n)[youth]
          + np.sqrt(0.2) * rng.standard_normal(k)[worker]
          + np.sqrt(0.3) * rng.standard_normal(3 * n))
    wb = 0.5 * rq + rng.standard_normal(3 * n)
    change = (rng.random(3 * n) < 0.5).astype(float)  # unrelated to rq: R2 difference 0
    return pd.DataFrame({"youth_id": youth.astype(str), "worker_id": worker.astype(str),
                         "relationship_quality": rq, "wellbeing": wb,
                         "positive_change": change})


def test_worker_rq_share_is_the_variance_share():
    # REML share of 250 workers x 18 rows: SE about 0.02 (from repeated draws), 3 SE = 0.06
    fit = worker_share(_crossed(1))
    assert fit.estimates["worker_rq_share"] == pytest.approx(0.2, abs=0.06)
    # no relation of the binary outcome with rq: the marginal R2 is below 0.01 (3 SE)
    assert 0 <= fit.estimates["binary_r2_difference"] < 0.01
    assert list(fit.to_frame()["estimand"]) == list(ESTIMANDS)
    assert fit.n_obs["n_workers"] == 250 and fit.n_boot == 0


def test_worker_rq_share_alone_is_the_variance_share():
    """The single-fit estimate: share 0.2 by construction, SE about 0.02, 3 SE = 0.06; rows
    without a worker are left out (a None worker read as a worker would pool them)."""
    data = _crossed(1).drop(columns=["wellbeing", "positive_change"])
    data.loc[::7, "worker_id"] = None
    assert worker_rq_share(data) == pytest.approx(0.2, abs=0.06)
    with pytest.raises(UsageError, match="needs the column"):
        worker_rq_share(data, worker="caseworker")


def test_worker_mean_share_without_a_worker_mean_effect():
    """wb depends on rq only through rq itself: f_wm = b^2 var(rq_wm) / var(wb).

    With b = 0.5 on both parts, var(rq_wm) = 0.2 + 0.8 / 18 (about 0.244) and var(wb) =
    0.25 + 1 = 1.25, so f_wm = 0.25 * 0.244 / 1.25 = 0.049; tolerance 0.02 (3 SE).
    """
    fit = worker_share(_crossed(2))
    assert fit.estimates["worker_mean_share"] == pytest.approx(0.049, abs=0.02)


def test_missing_worker_rows_are_left_out_of_the_worker_models():
    data = _crossed(3, n=600, k=100)
    data.loc[::10, "worker_id"] = None
    fit = worker_share(data)
    assert fit.n_obs["n_obs_workers"] == len(data) - len(data[::10])
    assert fit.n_obs["n_obs_binary"] == len(data)


def test_bootstrap_interval_brackets_the_estimate():
    data = _crossed(4, n=400, k=60)
    fit = worker_share(data, B=3, seed=1)
    assert fit.n_boot == 3 and fit.replicates.shape == (3, 3)
    again = worker_share(data, B=3, seed=1)
    np.testing.assert_array_equal(fit.replicates, again.replicates)


def test_usage_errors():
    with pytest.raises(UsageError, match="worker_id"):
        worker_share(_crossed(5, n=50, k=10).drop(columns="worker_id"))
    with pytest.raises(UsageError, match="DataFrame"):
        worker_share([1, 2, 3])
    with pytest.raises(UsageError):
        worker_share(_crossed(5, n=50, k=10), B=-1)


def test_a_column_that_is_not_numeric_names_its_row_and_value():
    data = _crossed(5, n=50, k=10)
    data["relationship_quality"] = data["relationship_quality"].astype(object)
    data.loc[3, "relationship_quality"] = "high"
    with pytest.raises(UsageError, match=r"'relationship_quality' must hold numbers; row 4 "
                                          r"holds 'high'"):
        worker_share(data)
    with pytest.raises(UsageError, match="worker_rq_share: column 'relationship_quality'"):
        worker_rq_share(data)


def test_on_real_data_an_estimand_resting_on_few_workers_is_withheld():
    """The table declares the youth and workers each estimand rests on: a study naming 4
    workers publishes neither worker estimand (the binary outcome's, on 50 youth and no
    worker term, stays), and the sizes are rounded to base 3."""
    from youthtransitions.report.gate import Gate

    result = worker_share(_crossed(5, n=50, k=4))
    assert result.to_frame()["n_workers"].tolist()[:2] == [4, 4]
    gate = Gate("fp", synthetic=False, secret=bytes(range(32)))
    table = gate.table(result.to_frame(), result.disclosure_spec, name="worker_share").frame
    rows = table.set_index("estimand")
    assert rows.loc[["worker_rq_share", "worker_mean_share"], "estimate"].isna().all()
    assert np.isfinite(rows.loc["binary_r2_difference", "estimate"])
    assert rows.loc["binary_r2_difference", "n_youth"] % 3 == 0
    assert "model rests on fewer than 10 worker" in gate.table(
        result.to_frame(), result.disclosure_spec, name="again").record.reasons


def test_worker_rq_share_keeps_rows_whose_outcome_is_missing():
    """worker_rq_share needs a worker and a predictor value only; worker_share's first
    estimand also needs the outcome (the rows of its worker models), as documented."""
    from youthtransitions.models.worker_share import _frames

    rng = np.random.default_rng(3)
    n_youth, waves = 120, 3
    youth = np.repeat(np.arange(n_youth), waves)
    worker = rng.integers(0, 15, youth.size)
    x = rng.normal(size=youth.size) + rng.normal(size=15)[worker]
    y = x + rng.normal(size=youth.size)
    y[::4] = np.nan
    data = pd.DataFrame({"youth_id": youth, "worker_id": worker, "relationship_quality": x,
                         "wellbeing": y, "positive_change": (y > 0).astype(float)})
    alone = worker_rq_share(data)
    on_all = worker_rq_share(data.assign(wellbeing=0.0))
    complete = worker_rq_share(data.dropna(subset=["wellbeing"]))
    assert alone == pytest.approx(on_all, abs=1e-12)
    assert abs(alone - complete) > 1e-6
    lmm, _ = _frames(data, {"youth": "youth_id", "worker": "worker_id",
                            "predictor": "relationship_quality", "outcome": "wellbeing",
                            "binary": "positive_change"})
    assert len(lmm) == int(np.isfinite(y).sum())
