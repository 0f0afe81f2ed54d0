"""Shared reference for the cluster-bootstrap tests: a refit of the resampled rows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from youthtransitions.models.bootstrap import cluster_rows
from youthtransitions.models.engine import make_deviance, refit, sufficient_statistics
from youthtransitions.models.engine.deviance import theta_to_lambda
from youthtransitions.models.r2 import MEASURES, measures_from_parts


def refit_resampled_rows(y, X, Z, groups, draw, *, reml, start, kinds):
    """R² measures of a refit of the rows of a cluster draw (each copy of a group a new
    group), the way every draw was refitted before the weighted statistics: the rows copied
    (:func:`cluster_rows`), the fit_lmm path on them, and the optimum finished at the root of
    the deviance's analytic gradient (optimisers that compare deviance values stop about
    1e-8 short of it, the deviance being flat to rounding there). Returns the measures in
    :data:`MEASURES` order."""
    rows, codes = cluster_rows(groups, draw, n_groups=len(draw))
    yr, Xr, Zr = y[rows], X[rows], Z[rows]
    theta = refit(yr, Xr, Zr, codes, reml=reml, start=start).theta
    dev = make_deviance(sufficient_statistics(yr, Xr, Zr, codes, int(codes.max()) + 1),
                        reml=reml)
    if np.all(theta[[r == c for r, c in dev.positions]] > 1e-4):
        theta = optimize.root(lambda t: dev.value_and_grad(t)[1], theta, tol=1e-14).x
    st = dev.state(theta)
    sigma2 = st["pwrss"] / dev.dof
    lam = theta_to_lambda(theta, dev.q)
    values = measures_from_parts(X=Xr, Z=Zr, beta=st["beta"], tau=sigma2 * lam @ lam.T,
                                 sigma2=sigma2, kinds=kinds)
    return np.array([np.nan if values[m] is None else values[m] for m in MEASURES])


@pytest.fixture(scope="session")
def resampled_refit():
    """:func:`refit_resampled_rows`."""
    return refit_resampled_rows
