"""Binned diagnostics: every bin holds enough people, bins partition the rows, bin means are
the means of lme4's residuals (tests/reference/lme4_ranef/predictions.csv), and on data drawn
from the model the binned QQ points lie on the identity line (the synthetic truth).

Tolerances: bin means of the residuals 1e-4 relative to the residual SD; QQ points of normal
draws within 0.35 of the identity (200 groups of 5 rows: outer bins of 50 normal order
statistics have a Monte Carlo SD of about 0.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm
from youthtransitions.models.inference import diagnostics_figure, diagnostics_frame

from .conftest import read_ref

PRED = read_ref("lme4_ranef", "predictions.csv")


def test_bins_hold_enough_rows_and_match_lme4_residuals(reml_fits):
    fit = reml_fits["study"]
    frame = diagnostics_frame(fit, n_bins=20, min_count=6)
    assert list(frame.columns) == ["panel", "bin", "count", "x", "y", "y_sd"]
    assert (frame["count"] >= 6).all()
    for _panel, d in frame.groupby("panel"):
        assert d["count"].sum() in (fit.n_obs, fit.n_groups)
    ref = PRED[PRED["model"] == "study"]
    order = np.argsort(ref["fitted"].to_numpy(), kind="stable")
    res = ref["resid_response"].to_numpy()[order]
    rvf = frame[frame["panel"] == "residuals_vs_fitted"]
    want = [chunk.mean() for chunk in np.array_split(res, len(rvf))]
    np.testing.assert_allclose(rvf["y"], want, rtol=0, atol=1e-4 * res.std())


def test_qq_of_normal_draws_is_the_identity():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"g": np.repeat(np.arange(200), 5), "x": rng.normal(size=1000)})
    d["y"] = 1 + d["x"] + rng.normal(size=200)[d["g"]] + rng.normal(size=1000)
    frame = diagnostics_frame(fit_lmm("y ~ x", d, group="g"), n_bins=10, min_count=6)
    qq = frame[frame["panel"].str.startswith("qq_")]
    assert set(qq["panel"]) == {"qq_residuals", "qq_random:(Intercept)"}
    np.testing.assert_allclose(qq["y"], qq["x"], atol=0.35)


def test_figure_and_bad_input(reml_fits):
    fit = reml_fits["sleep_slope"]
    fig = diagnostics_figure(fit)
    assert len(fig.axes) == 2 + len(fit.random_names)
    import matplotlib.pyplot as plt

    plt.close(fig)
    with pytest.raises(UsageError, match="min_count"):
        diagnostics_frame(fit, min_count=0)
