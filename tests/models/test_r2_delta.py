"""Delta-method SEs and logit intervals of Rights & Sterba shares against simulation.

Reference: the spread of the shares over 300 datasets drawn from a known balanced
random-intercept model (predictors drawn afresh each time, so their moments vary as in a
study), and the population shares of that model in closed form. Tolerances: the mean SE
within 12% of the empirical SD (the SD's own relative MC error is 1/sqrt(2R) = 4%; 3 of
those), coverage within 3 Monte Carlo SEs of 0.95.
"""

import numpy as np
import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.models.r2_delta import share_intervals, variance_information

G, K, TAU, SIGMA2, BW, BB = 200, 3, 0.5, 0.5, 0.5, 0.6


def _data(rng):
    xb = rng.standard_normal(G)
    xw = rng.standard_normal((G, K))
    xw -= xw.mean(axis=1, keepdims=True)
    y = BB * xb[:, None] + BW * xw + rng.normal(0, np.sqrt(TAU), (G, 1)) + rng.normal(
        0, np.sqrt(SIGMA2), (G, K))
    return pd.DataFrame({"g": np.repeat(np.arange(G), K), "xb": np.repeat(xb, K),
                         "xw": xw.ravel(), "y": y.ravel()})


def _truth():
    # population: var(x_b) = 1, var(x_w) = (K - 1)/K over rows
    f1, f2 = BW**2 * (K - 1) / K, BB**2
    return {"within.f1": f1 / (f1 + SIGMA2), "between.f2": f2 / (f2 + TAU),
            "total.f": (f1 + f2) / (f1 + f2 + TAU + SIGMA2)}


@pytest.fixture(scope="module")
def draws():
    rng = np.random.default_rng(2024)
    rows = []
    for _ in range(300):
        fit = yt.fit_lmm("y ~ xw + xb", _data(rng), group="g", method="ml")
        rows.append(share_intervals(fit, list(_truth())))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("measure", ["within.f1", "between.f2", "total.f"])
def test_delta_se_matches_spread(draws, measure):
    part = draws[draws["measure"] == measure]
    assert part["std_error"].mean() == pytest.approx(part["estimate"].std(ddof=1), rel=0.12)


@pytest.mark.parametrize("measure", ["within.f1", "between.f2", "total.f"])
def test_logit_interval_covers(draws, measure):
    part = draws[draws["measure"] == measure]
    truth = _truth()[measure]
    cover = ((part["conf_low"] <= truth) & (truth <= part["conf_high"])).mean()
    assert abs(cover - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / len(part))


def test_variance_information_balanced_closed_form():
    # balanced: I_tt = G K^2 / (2 l^2), I_ts = G K / (2 l^2), I_ss = G((K-1)/s^4 + 1/l^2)/2
    lam = SIGMA2 + K * TAU
    info = variance_information(np.full(G, K), TAU, SIGMA2)
    expected = 0.5 * G * np.array([[K**2 / lam**2, K / lam**2],
                                   [K / lam**2, (K - 1) / SIGMA2**2 + 1 / lam**2]])
    np.testing.assert_allclose(info, expected, rtol=1e-12)


def test_refuses_random_slopes_and_unknown_measures():
    data = _data(np.random.default_rng(1))
    fit = yt.fit_lmm("y ~ xw + xb", data, group="g", method="ml")
    with pytest.raises(UsageError, match="unknown measure"):
        share_intervals(fit, ["within.nope"])
    with pytest.raises(UsageError, match=r"estimates has no value for \['between.f2'\]"):
        share_intervals(fit, ["within.f1", "between.f2"], estimates={"within.f1": 0.2})
    slope = yt.fit_lmm("y ~ xw + xb", data, group="g", random="1 + xw", method="ml")
    with pytest.raises(UsageError, match="random-intercept"):
        share_intervals(slope, ["within.f1"])
