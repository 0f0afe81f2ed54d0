"""Panel cross-checks against R's plm 2.6.2 (tests/reference/plm/) and closed forms.

Tolerances: estimates, standard errors, t statistics, p values, 95% limits and the phtest p
value 1e-6 relative, df.residual exact, to plm (fixed effects, Swamy-Arora random effects,
Mundlak); p values and 95%/90% limits 1e-10 relative to linearmodels fitted directly; within
estimator 1e-10 relative to OLS on entity-demeaned data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm, panel_compare

REF = Path(__file__).parents[1] / "reference" / "plm"
DATA = pd.read_csv(REF / "panel_data.csv")
PLM = json.loads((REF / "plm_reference.json").read_text())


@pytest.fixture(scope="module")
def result():
    return panel_compare(DATA, outcome="y", predictor="x", entity="youth_id", time="wave",
                         covariates=["c"])


@pytest.mark.parametrize("estimator, key", [("fixed_effects", "fixed_effects"),
                                            ("random_effects", "random_effects"),
                                            ("mundlak", "mundlak"),
                                            ("mundlak_test", "mundlak_mean")])
def test_matches_plm(result, estimator, key):
    row = result.to_frame().set_index("estimator").loc[estimator]
    assert row["estimate"] == pytest.approx(PLM[key]["estimate"], rel=1e-6)
    assert row["std_error"] == pytest.approx(PLM[key]["std_error"], rel=1e-6)


@pytest.mark.parametrize("estimator, key", [("fixed_effects", "fixed_effects"),
                                            ("random_effects", "random_effects"),
                                            ("mundlak", "mundlak"),
                                            ("mundlak_test", "mundlak_mean")])
def test_df_and_statistic_match_plm(result, estimator, key):
    row = result.to_frame().set_index("estimator").loc[estimator]
    assert row["df"] == PLM[key]["df_residual"]
    assert row["statistic"] == pytest.approx(PLM[key]["statistic"], rel=1e-6)


ROWS = [("fixed_effects", "fixed_effects"), ("random_effects", "random_effects"),
        ("mundlak", "mundlak"), ("mundlak_test", "mundlak_mean")]


@pytest.fixture(scope="module")
def linearmodels_fits():
    """The same four regressions fitted by linearmodels directly (its defaults: debiased,
    t(df_resid) p values and intervals)."""
    from linearmodels.panel import PanelOLS, RandomEffects

    d = DATA.assign(x_mean=DATA.groupby("youth_id")["x"].transform("mean"), const=1.0)
    p = d.set_index(["youth_id", "wave"])
    fe = PanelOLS(p["y"], p[["x", "c"]], entity_effects=True).fit()
    re = RandomEffects(p["y"], p[["const", "x", "c"]]).fit()
    mu = RandomEffects(p["y"], p[["const", "x", "c", "x_mean"]]).fit()
    return {"fixed_effects": (fe, "x"), "random_effects": (re, "x"), "mundlak": (mu, "x"),
            "mundlak_test": (mu, "x_mean")}


def test_fixed_effects_p_value_matches_plm(result):
    """plm's within model reports t(df.residual) p values, as panel_compare does."""
    row = result.to_frame().set_index("estimator").loc["fixed_effects"]
    assert row["p_value"] == pytest.approx(PLM["fixed_effects"]["p_value"], rel=1e-6, abs=0)


@pytest.mark.parametrize("estimator, key", ROWS[1:])
def test_random_effects_normal_p_value_matches_plm(result, estimator, key):
    """plm's summary of a random-effects model uses the normal distribution: the normal p of
    our estimate and SE is plm's (1e-6 relative, at p values down to 1e-59)."""
    row = result.to_frame().set_index("estimator").loc[estimator]
    z_p = 2 * stats.norm.sf(abs(row["estimate"] / row["std_error"]))
    assert z_p == pytest.approx(PLM[key]["p_value"], rel=1e-6, abs=0)


@pytest.mark.parametrize("estimator", [r[0] for r in ROWS])
def test_p_values_and_intervals_match_linearmodels(result, linearmodels_fits, estimator):
    """panel_compare reports t(df_resid) p values and intervals, as linearmodels does by
    default; at 95% and 90% (both levels' intervals, 1e-10 relative)."""
    fit, term = linearmodels_fits[estimator]
    row = result.to_frame().set_index("estimator").loc[estimator]
    assert row["p_value"] == pytest.approx(fit.pvalues[term], rel=1e-10, abs=0)
    for level in (0.95, 0.9):
        got = result.to_frame(level).set_index("estimator").loc[estimator]
        ci = fit.conf_int(level).loc[term]
        assert got["conf_low"] == pytest.approx(ci["lower"], rel=1e-10)
        assert got["conf_high"] == pytest.approx(ci["upper"], rel=1e-10)


@pytest.mark.parametrize("estimator, key", ROWS)
def test_intervals_match_plm(result, estimator, key):
    """95% limits against R: est -+ qt(0.975, df.residual) se (the table's t interval) and
    plm's confint() (normal quantiles) against est -+ qnorm(0.975) se; 1e-6 relative."""
    row = result.to_frame().set_index("estimator").loc[estimator]
    assert row["conf_low"] == pytest.approx(PLM[key]["conf_t_low"], rel=1e-6)
    assert row["conf_high"] == pytest.approx(PLM[key]["conf_t_high"], rel=1e-6)
    half = stats.norm.ppf(0.975) * row["std_error"]
    assert row["estimate"] - half == pytest.approx(PLM[key]["confint_low"], rel=1e-6)
    assert row["estimate"] + half == pytest.approx(PLM[key]["confint_high"], rel=1e-6)


def test_mundlak_test_statistic(result):
    expected = (PLM["mundlak_mean"]["estimate"] / PLM["mundlak_mean"]["std_error"]) ** 2
    assert result.mundlak_chi2 == pytest.approx(expected, rel=1e-6)
    assert result.mundlak_p < 1e-6  # the person mean is correlated with the youth effect


def _within_closed_form(df, covs):
    cols = ["y", "x", *covs]
    dm = df[cols] - df.groupby("youth_id")[cols].transform("mean")
    beta, *_ = np.linalg.lstsq(dm[["x", *covs]].to_numpy(), dm["y"].to_numpy(), rcond=None)
    return beta[0]


def test_within_estimator_closed_form_unbalanced(result):
    unbalanced = DATA.drop(index=DATA.index[::7]).reset_index(drop=True)
    res = panel_compare(unbalanced, outcome="y", predictor="x", entity="youth_id", time="wave")
    fe = res.to_frame().set_index("estimator").loc["fixed_effects", "estimate"]
    assert fe == pytest.approx(_within_closed_form(unbalanced, []), rel=1e-10)
    assert res.n_obs == len(unbalanced)


def test_mixed_model_row_is_fit_lmm(result):
    mm = fit_lmm("y ~ x + c", DATA, group="youth_id")
    row = result.to_frame().set_index("estimator").loc["mixed_model"]
    assert row["estimate"] == pytest.approx(mm.params["x"], rel=1e-12)
    assert row["df"] == pytest.approx(mm.df["x"], rel=1e-12)


def test_views(result):
    frame = result.to_frame()
    assert list(frame.columns) == ["estimator", "term", "estimate", "std_error", "df",
                                   "statistic", "p_value", "conf_low", "conf_high"]
    assert "Mundlak" in result.summary() and "<table" in result._repr_html_()


def test_bad_input():
    with pytest.raises(UsageError, match="not in the data"):
        panel_compare(DATA, outcome="nope", predictor="x", entity="youth_id", time="wave")
    with pytest.raises(UsageError, match="not unique"):
        panel_compare(pd.concat([DATA, DATA]), outcome="y", predictor="x", entity="youth_id",
                      time="wave")
    with pytest.raises(UsageError, match="numeric"):
        panel_compare(DATA.assign(x="a"), outcome="y", predictor="x", entity="youth_id",
                      time="wave")


def test_hausman_matches_phtest(result):
    assert result.hausman_chi2 == pytest.approx(PLM["hausman"]["statistic"], rel=1e-6)
    assert result.hausman_df == PLM["hausman"]["df"]
    assert result.hausman_p == pytest.approx(PLM["hausman"]["p_value"], rel=1e-6, abs=0)


@pytest.mark.parametrize("level", [95, 0, 1, -0.5, True, "0.95"])
def test_bad_level(level):
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        panel_compare(DATA, outcome="y", predictor="x", entity="youth_id", time="wave",
                      level=level)


def test_string_wave_labels_match_numeric(result):
    labels = DATA.assign(wave="w" + DATA["wave"].astype(str))
    res = panel_compare(labels, outcome="y", predictor="x", entity="youth_id", time="wave",
                        covariates=["c"])
    pd.testing.assert_frame_equal(res.to_frame(), result.to_frame())


def test_predictor_constant_within_entities():
    const = DATA.assign(x=DATA.groupby("youth_id")["x"].transform("mean"))
    with pytest.raises(UsageError, match="constant within every 'youth_id'"):
        panel_compare(const, outcome="y", predictor="x", entity="youth_id", time="wave")


def test_one_entity():
    one = DATA[DATA["youth_id"] == DATA["youth_id"].iloc[0]]
    with pytest.raises(UsageError, match="at least 2"):
        panel_compare(one, outcome="y", predictor="x", entity="youth_id", time="wave")


def test_column_in_two_roles():
    with pytest.raises(UsageError, match="more than one role"):
        panel_compare(DATA, outcome="y", predictor="x", entity="youth_id", time="wave",
                      covariates=["x"])


def test_reserved_column_names():
    with pytest.raises(UsageError, match="used internally"):
        panel_compare(DATA.assign(x_mean=DATA["c"]), outcome="y", predictor="x",
                      entity="youth_id", time="wave", covariates=["x_mean"])


def test_level_convention(result):
    # to_frame(level) recomputes the intervals as panel_compare(level=...) makes them (1e-12)
    at90 = panel_compare(DATA, outcome="y", predictor="x", entity="youth_id", time="wave",
                         covariates=["c"], level=0.9)
    assert result.ci_level == 0.95 and at90.ci_level == 0.9
    np.testing.assert_allclose(result.to_frame(0.9)[["conf_low", "conf_high"]],
                               at90.to_frame()[["conf_low", "conf_high"]], rtol=1e-12)
    assert list(result.to_frame(0.9)) == list(result.to_frame())
