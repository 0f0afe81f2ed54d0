"""The cluster bootstrap of a GLMM's Nakagawa R²: worker-independent draws, warm starts that
reach the cold-start optimum, and an interval that covers the synthetic truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_glmm
from youthtransitions.models.bootstrap import cluster_rows
from youthtransitions.parallel import replicate_generators

from .conftest import fitted


def test_same_draws_whatever_the_workers():
    fit = fitted("cbpp_logit_laplace")
    one = fit.r2(B=4, seed=11, workers=1)
    two = fit.r2(B=4, seed=11, workers=2)
    np.testing.assert_array_equal(one.replicates, two.replicates)
    assert one.ci == two.ci and one.n_boot == 4 and one.level == 0.95
    assert one.values == fit.r2().values


def test_warm_started_replicate_equals_a_cold_fit():
    # Replicate 0 refitted from scratch on the resampled rows: the same R² within 1e-6.
    fit = fitted("cbpp_poisson_offset_laplace")
    boot = fit.r2(B=1, seed=5)
    term = fit.design.terms[0]
    rng = replicate_generators(5, 1)[0]
    rows, codes = cluster_rows(term.codes, rng.integers(0, term.n_levels, size=term.n_levels),
                               n_groups=term.n_levels)
    data = fit.design.frame.iloc[rows].assign(herd=codes).reset_index(drop=True)
    cold = fit_glmm(fit.formula, data, family="poisson").r2()
    np.testing.assert_allclose(boot.replicates[0], [cold.marginal, cold.conditional],
                               rtol=1e-6)


def test_interval_covers_the_synthetic_truth():
    rng = np.random.default_rng(2024)
    G, m, beta, sd = 150, 6, np.array([-0.3, 0.8]), 0.9
    g = np.repeat(np.arange(G), m)
    x = rng.normal(size=G * m)
    eta = beta[0] + beta[1] * x + rng.normal(0, sd, G)[g]
    y = (rng.random(G * m) < 1 / (1 + np.exp(-eta))).astype(int)
    data = pd.DataFrame({"y": y, "x": x, "g": g})
    fit = fit_glmm("y ~ x + (1 | g)", data)
    var_f = np.var(beta[1] * x, ddof=1)
    total = var_f + sd ** 2 + np.pi ** 2 / 3
    truth = {"marginal": var_f / total, "conditional": (var_f + sd ** 2) / total}
    boot = fit.r2(B=40, seed=7)
    for measure, value in truth.items():
        lo, hi = boot.ci[measure]
        assert lo < value < hi, (measure, lo, value, hi)
        assert lo < boot.values[measure] < hi
    frame = boot.to_frame()
    assert frame[["conf_low", "conf_high"]].notna().all().all()


def test_bootstrap_needs_one_grouping_factor():
    with pytest.raises(UsageError, match="resamples one grouping factor; the model has 2"):
        fitted("grouse_poisson").r2(B=2, seed=1)
    with pytest.raises(UsageError, match="B must be at least 1"):
        fitted("cbpp_logit_laplace").r2(B=-1)
