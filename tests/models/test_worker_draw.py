"""The worker-share bootstrap's array path against the formula path it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from youthtransitions.models import worker_share as ws
from youthtransitions.models.engine.sparse import TermSpec
from youthtransitions.models.engine.sparse_fit import fit_sparse, refit_sparse
from youthtransitions.models.worker_draw import draw_estimates, worker_arrays
from youthtransitions.study import load_study
from youthtransitions.synthetic import shipped_study_path

NAMES = {"predictor": "relationship_quality", "outcome": "wellbeing",
         "binary": "positive_change", "youth": "youth_id", "worker": "worker_id"}


@pytest.fixture(scope="module")
def frames():
    study = load_study(shipped_study_path())
    data = study.analysis_frame().merge(
        study.waves[["youth_id", "wave", "worker_id", "positive_change"]],
        on=["youth_id", "wave"], validate="one_to_one")
    return ws._frames(data, NAMES)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 9], ids=["worker variance at 0", "worker variance > 0"])
def test_array_draw_equals_the_formula_path(frames, seed):
    """The same draw (same generator) gives the formula path's three numbers to 1e-6.

    Both crossed fits stop where the same central-difference gradient vanishes (theta to
    about 1e-10; the outcome model's worker variance is 0 in draw 0, inside in draw 9,
    where the array path releases it from 0), and both GLMM fits
    end their Newton steps below 1e-7 from the same PIRLS start, so the estimands agree to
    about 1e-9 (measured); 1e-6 leaves room for the rounding of rows taken in another order.
    """
    lmm, glmm = frames
    arrays = worker_arrays(lmm, glmm, ws._fits(lmm, glmm))
    fast = draw_estimates(np.random.default_rng(seed), arrays)
    slow = ws._replicate(np.random.default_rng(seed), lmm, glmm)
    assert np.isfinite(slow).all()
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-6)


def _crossed(seed: int, n: int = 600, k: int = 80, worker_sd: float = 0.6):
    rng = np.random.default_rng(seed)
    youth = np.repeat(np.arange(n), 3)
    worker = rng.integers(0, k, size=3 * n)
    y = (rng.standard_normal(n)[youth] + worker_sd * rng.standard_normal(k)[worker]
         + rng.standard_normal(3 * n))
    one = np.ones((3 * n, 1))
    terms = [TermSpec(Z=one, codes=youth, n_levels=n), TermSpec(Z=one, codes=worker,
                                                                 n_levels=k)]
    return y, one, terms


@pytest.mark.parametrize(("worker_sd", "start"),
                         [(0.6, [1.1, 0.7]), (0.6, [0.9, 0.0]), (0.0, [1.0, 0.5])],
                         ids=["near the optimum", "released from 0", "optimum at 0"])
def test_warm_refit_finds_the_cold_fits_optimum(worker_sd, start):
    """From near the optimum (Newton), from a zero worker variance whose curvature is
    negative there (released), or towards an optimum on the boundary (the general optimiser
    takes over), theta is the cold fit's, which matches lme4 (test_crossed.py), to 1e-6:
    both stop where the same finite-difference gradient vanishes, to about 1e-9."""
    y, X, terms = _crossed(5, worker_sd=worker_sd)
    cold, _, _ = fit_sparse(y, X, terms)
    theta, state = refit_sparse(y, X, terms, np.array(start))
    np.testing.assert_allclose(theta, cold.theta, rtol=0, atol=1e-6)
    np.testing.assert_allclose(state["beta"], cold.beta, rtol=1e-6)
