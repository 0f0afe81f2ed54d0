"""Cluster and parametric bootstrap of R² measures.

Checks: the resampling index (closed form), that a replicate equals a full refit of the
resampled data with fit_lmm (to 1e-6 absolute: both reach the same optimum), identical
results for a seed whatever the workers (joblib 1 vs 2, Dask LocalCluster), and errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import bootstrap_r2, fit_lmm, r2_difference
from youthtransitions.models.bootstrap import cluster_rows
from youthtransitions.models.r2 import MEASURES
from youthtransitions.parallel import replicate_generators

DATA = pd.read_csv(Path(__file__).parents[1] / "reference" / "r2mlm" / "r2mlm_data.csv")

SMALL = DATA[DATA["id"] <= 60].reset_index(drop=True)


@pytest.fixture(scope="module")
def fits():
    full = fit_lmm("y ~ x_w + x_b + w", SMALL, group="id")
    reduced = fit_lmm("y ~ 1", SMALL, group="id")
    return full, reduced


def test_cluster_rows_closed_form():
    groups = np.array([1, 0, 1, 2, 0, 1])  # group 0: rows 1,4; group 1: rows 0,2,5; 2: row 3
    rows, codes = cluster_rows(groups, np.array([1, 1, 2]))
    assert rows.tolist() == [0, 2, 5, 0, 2, 5, 3]
    assert codes.tolist() == [0, 0, 0, 1, 1, 1, 2]
    # a group without rows adds nothing and codes stay consecutive
    rows, codes = cluster_rows(np.array([0, 0, 2]), np.array([1, 2, 0]), n_groups=3)
    assert rows.tolist() == [2, 0, 1] and codes.tolist() == [0, 1, 1]


def _refit_replicate(i, seed, B, full_formula, reduced_formula):
    """Replicate i by hand: the same draw, a resampled DataFrame, fit_lmm, r2_difference."""
    rng = replicate_generators(seed, B)[i]
    ids = np.sort(SMALL["id"].unique())
    draw = rng.integers(0, ids.size, size=ids.size)
    parts = [SMALL[SMALL["id"] == ids[k]].assign(id=pos) for pos, k in enumerate(draw)]
    boot = pd.concat(parts, ignore_index=True)
    return r2_difference(fit_lmm(full_formula, boot, group="id"),
                         fit_lmm(reduced_formula, boot, group="id"))


def test_cluster_replicate_equals_refit_of_resampled_data(fits):
    full, reduced = fits
    res = bootstrap_r2(full, reduced, B=4, seed=11)
    reps = res.bootstrap["replicates"]
    for i in (0, 3):
        expected = _refit_replicate(i, 11, 4, "y ~ x_w + x_b + w", "y ~ 1")
        for j, m in enumerate(MEASURES):
            assert reps[i, j] == pytest.approx(expected.values[m], abs=1e-6), (i, m)


def test_intervals_and_shape(fits):
    full, reduced = fits
    res = bootstrap_r2(full, reduced, B=30, seed=3)
    assert res.difference and res.bootstrap["B"] == 30 and res.bootstrap["failed"] == 0
    frame = res.to_frame()
    assert list(frame.columns) == ["measure", "estimate", "conf_low", "conf_high"]
    reps = res.bootstrap["replicates"]
    for m in ("total.f1", "total.f2", "within.f1", "between.f2", "marginal"):
        lo, hi = res.ci[m]
        # the percentile interval: R type-7 quantiles of the 30 replicates (1e-12)
        want = np.quantile(reps[:, MEASURES.index(m)], [0.025, 0.975], method="linear")
        np.testing.assert_allclose([lo, hi], want, rtol=1e-12, atol=0)
        assert lo < res[m] < hi, m
    single = bootstrap_r2(full, B=10, seed=3)
    assert not single.difference and set(single.ci) == set(MEASURES)


def test_parametric_replicate_reproduced_by_hand(fits):
    full, _ = fits
    res = bootstrap_r2(full, B=3, kind="parametric", seed=5)
    rng = replicate_generators(5, 3)[2]
    g = full.groups
    sd_u = np.sqrt(full.random_cov.iloc[0, 0])  # random intercept: b_i = sd_u * N(0, 1)
    b = rng.standard_normal((full.n_groups, 1))[:, 0] * sd_u
    y = full.X @ full.params.to_numpy() + b[g] + rng.normal(0, np.sqrt(full.residual_variance),
                                                            g.size)
    sim = full.data.assign(y=y)
    expected = fit_lmm("y ~ x_w + x_b + w", sim, group="id").r2()
    for j, m in enumerate(MEASURES):
        assert res.bootstrap["replicates"][2, j] == pytest.approx(expected.values[m], abs=1e-6)


@pytest.mark.slow  # starts two loky worker processes (~15 s on a loaded 2-core machine)
def test_same_results_whatever_the_workers(fits):
    full, reduced = fits
    one = bootstrap_r2(full, reduced, B=12, seed=7, workers=1).bootstrap["replicates"]
    two = bootstrap_r2(full, reduced, B=12, seed=7, workers=2).bootstrap["replicates"]
    np.testing.assert_array_equal(one, two)


def test_same_results_on_dask(fits):
    import distributed  # the test extra installs it
    full, reduced = fits
    one = bootstrap_r2(full, reduced, B=6, seed=7).bootstrap["replicates"]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = bootstrap_r2(full, reduced, B=6, seed=7, scheduler=client)
    np.testing.assert_array_equal(one, dask.bootstrap["replicates"])


def test_bad_options(fits):
    full, reduced = fits
    with pytest.raises(UsageError, match="kind"):
        bootstrap_r2(full, B=10, kind="wild")
    with pytest.raises(UsageError, match="B must"):
        bootstrap_r2(full, B=1)
    with pytest.raises(UsageError, match="level"):
        bootstrap_r2(full, B=10, level=95)
    other = fit_lmm("y ~ 1", DATA, group="id")
    with pytest.raises(UsageError, match="same rows"):
        bootstrap_r2(full, other, B=10)
    with pytest.raises(UsageError, match="fitted mixed model"):
        bootstrap_r2(object(), B=10)


def test_random_slope_replicate_equals_refit():
    """Random slope (general optimiser path); tolerance 1e-5: two optimiser runs (warm- and
    cold-started) agree to about 1e-6 in the variance components."""
    full = fit_lmm("y ~ x_w + x_b", SMALL, group="id", random="1 + x_w")
    res = bootstrap_r2(full, B=2, seed=21)
    rng = replicate_generators(21, 2)[1]
    ids = np.sort(SMALL["id"].unique())
    draw = rng.integers(0, ids.size, size=ids.size)
    boot = pd.concat([SMALL[SMALL["id"] == ids[k]].assign(id=pos) for pos, k in enumerate(draw)],
                     ignore_index=True)
    expected = fit_lmm("y ~ x_w + x_b", boot, group="id", random="1 + x_w").r2()
    for j, m in enumerate(MEASURES):
        assert res.bootstrap["replicates"][1, j] == pytest.approx(expected.values[m], abs=1e-5), m


def test_level_convention_and_json(fits):
    # the same draws at another level: to_frame(level) equals bootstrap_r2(level=...)
    full, reduced = fits
    res = bootstrap_r2(full, reduced, B=20, seed=5)
    at80 = bootstrap_r2(full, reduced, B=20, seed=5, level=0.8)
    assert res.ci_level == 0.95 and at80.ci_level == 0.8
    np.testing.assert_allclose(res.to_frame(0.8)[["conf_low", "conf_high"]],
                               at80.to_frame()[["conf_low", "conf_high"]], rtol=1e-14)
    boot = res.to_json()["bootstrap"]
    assert boot["of"] == "r2_difference" and boot["B"] == 20 and boot["level"] == 0.95
    assert boot["ci"]["total.f1"] == pytest.approx(list(res.ci["total.f1"]), rel=1e-15)


@pytest.mark.parametrize("random", ["1", "1 + x_w"])
def test_replicates_equal_refits_of_the_resampled_rows(resampled_refit, random):
    """The weighted-statistics replicates against refits of the copied rows of the same draws,
    every measure and draw, to 1e-8 absolute (both optima within about 1e-10 of the exact
    one); a group drawn twice is two groups in both."""
    full = fit_lmm("y ~ x_w + x_b + w", SMALL, group="id", random=random)
    reduced = fit_lmm("y ~ x_b", SMALL, group="id", random=random)
    res = bootstrap_r2(full, reduced, B=6, seed=13)
    G = full.n_groups
    for i, rng in enumerate(replicate_generators(13, 6)):
        draw = rng.integers(0, G, size=G)
        want = [resampled_refit(m.y, m.X, m.Z, m.groups, draw, reml=True, start=m.theta,
                                kinds=[m.r2().classification[k] for k in m.fixed_names])
                for m in (full, reduced)]
        np.testing.assert_allclose(res.bootstrap["replicates"][i], want[0] - want[1],
                                   rtol=0, atol=1e-8, err_msg=f"draw {i}")
