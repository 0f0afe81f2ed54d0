"""fit_lmm's behaviour: options, errors, missing rows, views, warnings.

Numbers here are checked against closed forms (t quantiles, the OLS limit of a singular fit)
or against the lme4 reference fits (tests/reference/lme4/fits.json); tolerances per test.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from youthtransitions._tidy import COEF_COLUMNS
from youthtransitions.errors import UsageError
from youthtransitions.models import LMMResult, fit_lmm
from youthtransitions.models.lmm import ConvergenceWarning

REF = Path(__file__).resolve().parents[1] / "reference" / "lme4"
FITS = json.loads((REF / "fits.json").read_text())


@pytest.fixture(scope="module")
def data_b():
    return pd.read_csv(REF / "data_b.csv")


@pytest.fixture(scope="module")
def fit_b(data_b):
    return fit_lmm("y ~ x + wave", data_b, group="id", random="1 + wave")


def test_result_interface(fit_b):
    r = fit_b
    assert isinstance(r, LMMResult)
    assert r.fixed_names == ["(Intercept)", "x", "wave"]
    assert r.random_names == ["(Intercept)", "wave"]
    assert list(r.random_cov.index) == ["(Intercept)", "wave"]
    assert r.X.shape == (r.n_obs, 3) and r.Z.shape == (r.n_obs, 2)
    assert r.y.shape == (r.n_obs,) and r.groups.shape == (r.n_obs,)
    assert len(r.group_labels) == r.n_groups == r.groups.max() + 1
    assert len(r.data) == r.n_obs
    assert r.method == "REML" and r.engine == "fast"
    assert r.cov_params.shape == (3, 3)
    np.testing.assert_allclose(r.std_errors ** 2, np.diag(r.cov_params), rtol=1e-12)


def test_missing_rows_dropped_and_counted(data_b, fit_b):
    # data_b has NA in y (25 rows) and x (15 rows); lme4 used the complete rows
    n_complete = int(data_b[["y", "x", "wave", "id"]].notna().all(axis=1).sum())
    assert fit_b.n_obs == n_complete == FITS["b_slope_reml"]["n_obs"]
    assert fit_b.n_dropped == len(data_b) - n_complete
    assert fit_b.data.index.isin(data_b.index).all()
    # a missing group id drops the row too
    d = data_b.copy()
    d["id"] = d["id"].astype("float")
    d.loc[d.index[:3], "id"] = np.nan
    r = fit_lmm("y ~ x + wave", d, group="id")
    dropped = (~d[["y", "x", "wave", "id"]].notna().all(axis=1)).sum()
    assert r.n_dropped == dropped


def test_tidy_table_and_views(fit_b):
    frame = fit_b.to_frame()
    assert list(frame.columns) == COEF_COLUMNS
    assert list(frame["term"]) == fit_b.fixed_names
    # CI = estimate -/+ t_{df, .975} SE (closed form), to 1e-12
    crit = stats.t.ppf(0.975, frame["df"])
    np.testing.assert_allclose(frame["conf_low"], frame["estimate"] - crit * frame["std_error"],
                               rtol=1e-12)
    np.testing.assert_allclose(frame["p_value"],
                               2 * stats.t.sf(np.abs(frame["statistic"]), frame["df"]),
                               rtol=1e-12)
    ci90 = fit_b.conf_int(0.90)
    assert (ci90["conf_high"] < frame.set_index("term")["conf_high"]).all()
    text = fit_b.summary()
    assert "Satterthwaite" in text and "Var(wave)" in text and "(Intercept)" in text
    assert "<table" in fit_b._repr_html_()
    assert len(fit_b.to_records()) == 3
    rf = fit_b.random_frame()
    assert list(rf["group"]) == ["id", "id", "id", "Residual"]
    np.testing.assert_allclose(rf["vcov"].iloc[-1], fit_b.residual_variance)


def test_aic_bic_parameter_count(fit_b):
    # p + q(q+1)/2 + 1 = 3 + 3 + 1 (lme4's df attribute of logLik)
    assert fit_b.n_params == 7
    np.testing.assert_allclose(fit_b.aic, -2 * fit_b.loglik + 14, rtol=1e-14)
    np.testing.assert_allclose(fit_b.bic, -2 * fit_b.loglik + 7 * np.log(fit_b.n_obs),
                               rtol=1e-14)


def test_zero_between_variance_is_singular_and_equals_ols():
    # closed form: with Sigma_b = 0 the REML fit is OLS (beta, SE with s^2 = RSS/(n-p))
    d = pd.read_csv(REF / "data_e1.csv")
    r = fit_lmm("y ~ x + wave", d, group="id")
    assert r.singular and r.converged
    X = np.column_stack([np.ones(len(d)), d["x"], d["wave"]])
    beta, rss = np.linalg.lstsq(X, d["y"], rcond=None)[:2]
    s2 = rss[0] / (len(d) - 3)
    np.testing.assert_allclose(r.params, beta, rtol=1e-6)
    np.testing.assert_allclose(r.residual_variance, s2, rtol=1e-6)
    np.testing.assert_allclose(r.std_errors, np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X))),
                               rtol=1e-5)
    np.testing.assert_allclose(r.random_cov.to_numpy(), 0, atol=1e-8)


def test_ml_and_reml_differ_as_expected(data_b):
    # direction checks only; both criteria are checked against lme4 in test_lmm_reference
    reml = fit_lmm("y ~ x + wave", data_b, group="id", method="reml")
    ml = fit_lmm("y ~ x + wave", data_b, group="id", method="ML")
    assert ml.method == "ML"
    # ML shrinks variance components relative to REML
    assert ml.residual_variance < reml.residual_variance
    assert ml.loglik > reml.loglik  # the ML criterion lacks the -log|X'V^-1X|/2 term
    np.testing.assert_allclose(reml.loglik, FITS["b_ri_reml"]["loglik"], rtol=1e-5)


def test_formula_features(data_b):
    d = data_b.assign(site=np.where(data_b["id"] % 3 == 0, "a", "b"), xp=data_b["x"] + 5)
    r = fit_lmm("y ~ C(site) + np.log(xp) + x:wave", d, group="id")
    assert r.fixed_names == ["(Intercept)", "C(site)[T.b]", "np.log(xp)", "x:wave"]
    r0 = fit_lmm("y ~ x", d, group="id", random="0 + wave")
    assert r0.random_names == ["wave"]
    r1 = fit_lmm("y ~ x", d, group="id", random="wave")
    assert r1.random_names == ["(Intercept)", "wave"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(formula="y ~ nosuch"), "nosuch"),
    (dict(formula="y ~ x +"), "cannot parse"),
    (dict(formula="y x"), "response ~ terms"),
    (dict(formula="label ~ x"), "must be numeric"),
    (dict(formula="y ~ x", random="1 | id"), "right-hand side"),
    (dict(formula="y ~ x", random="nosuch"), "nosuch"),
    (dict(formula="y ~ x", group="nosuch"), "group column"),
    (dict(formula="y ~ x", method="bayes"), "method"),
    (dict(formula="y ~ x", engine="lme4"), "engine"),
    (dict(formula="y ~ x + x2"), "rank deficient"),
])
def test_bad_input_raises_usage_error(data_b, kwargs, message):
    d = data_b.assign(label="a", x2=2 * data_b["x"])
    args = dict(group="id") | kwargs
    formula = args.pop("formula")
    with pytest.raises(UsageError, match=message):
        fit_lmm(formula, d, **args)


def test_no_rows_left_and_not_a_frame(data_b):
    d = data_b.assign(y=np.nan)
    with pytest.raises(UsageError, match="no rows"):
        fit_lmm("y ~ x", d, group="id")
    with pytest.raises(UsageError, match="DataFrame"):
        fit_lmm("y ~ x", data_b.to_dict(), group="id")


def test_nonconvergence_warns_with_advice(data_b, monkeypatch):
    import youthtransitions.models.engine as eng

    real = eng.minimise_deviance

    def stalled(dev, start=None):
        out = real(dev, start=start)
        out.update(converged=False, message="iteration limit reached")
        return out

    monkeypatch.setattr(eng, "minimise_deviance", stalled)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = fit_lmm("y ~ x + wave", data_b, group="id")
    msgs = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(msgs) == 1
    # the fast engine rescales internally: the advice is the random part or the other engine
    assert "random='1'" in msgs[0] and "engine='statsmodels'" in msgs[0]
    assert "engine='fast'" not in msgs[0]
    assert not r.converged


def test_row_order_and_group_labels_do_not_matter(data_b):
    a = fit_lmm("y ~ x + wave", data_b, group="id", random="1 + wave")
    shuffled = data_b.sample(frac=1.0, random_state=3).assign(id=lambda f: "y" + f["id"].astype(str))
    b = fit_lmm("y ~ x + wave", shuffled, group="id", random="1 + wave")
    np.testing.assert_allclose(b.params, a.params, rtol=1e-7)
    np.testing.assert_allclose(b.random_cov, a.random_cov, rtol=1e-5)
    np.testing.assert_allclose(b.loglik, a.loglik, rtol=1e-10)


@pytest.mark.parametrize("random", ["1", "1 + wave"])
def test_both_evaluation_modes_give_the_same_fit(data_b, random, monkeypatch):
    import youthtransitions.models.engine as eng

    auto = fit_lmm("y ~ x + wave", data_b, group="id", random=random)
    assert auto.optimizer["evaluation"] == "patterns"
    monkeypatch.setattr(eng, "make_deviance",
                        lambda ss, reml, patterns=None: eng.ProfiledDeviance(ss, reml))
    per_group = fit_lmm("y ~ x + wave", data_b, group="id", random=random)
    assert per_group.optimizer["evaluation"] == "groups"
    np.testing.assert_allclose(per_group.params, auto.params, rtol=1e-8)
    np.testing.assert_allclose(per_group.random_cov, auto.random_cov, rtol=1e-6)
    np.testing.assert_allclose(per_group.df, auto.df, rtol=1e-5)
    np.testing.assert_allclose(per_group.loglik, auto.loglik, rtol=1e-12)


@pytest.mark.parametrize("formula, random", [
    ("y ~ x + wave", "1 + wave"), ("y ~ 0 + x + wave", "0 + wave"), ("y ~ 1 + x", "1"),
    ("y ~ wave + x + x", "wave")])
def test_simple_formulas_build_the_same_design_as_formulaic(data_b, formula, random):
    import formulaic

    from youthtransitions.models.formula import build_design

    des = build_design(formula, data_b, group="id", random=random)
    frame = des.data
    mm = formulaic.model_matrix(formula, frame)
    zz = formulaic.model_matrix(random, frame)
    np.testing.assert_array_equal(des.X, np.asarray(mm.rhs, float))
    np.testing.assert_array_equal(des.Z, np.asarray(zz, float))
    np.testing.assert_array_equal(des.y, np.asarray(mm.lhs, float).ravel())
    rename = {"Intercept": "(Intercept)"}
    assert des.fixed_names == [rename.get(c, c) for c in mm.rhs.columns]
    assert des.random_names == [rename.get(c, c) for c in zz.columns]


def test_unidentifiable_models_are_refused_as_lme4_does(data_b):
    one_per_group = data_b.drop_duplicates("id")
    with pytest.raises(UsageError, match="must be less than the number of observations"):
        fit_lmm("y ~ x", one_per_group, group="id")
    two_per_group = data_b[data_b["wave"] < 2]
    counts = two_per_group.dropna(subset=["y", "x"]).groupby("id").size()
    two = two_per_group[two_per_group["id"].isin(counts.index[counts == 2])]
    with pytest.raises(UsageError, match="number of random effects"):
        fit_lmm("y ~ x", two, group="id", random="1 + wave")
    with pytest.raises(UsageError, match="at least 2 groups"):
        fit_lmm("y ~ 1", data_b[data_b["id"] == 1], group="id")


@pytest.mark.parametrize("y_scale, x_scale", [(1e4, 1.0), (1e-4, 1.0), (1.0, 1e4), (1.0, 1e-4)])
def test_results_are_equivariant_to_rescaling(data_b, fit_b, y_scale, x_scale):
    # closed form: beta scales as y/x, variances as y^2, df are invariant (to 1e-5)
    d = data_b.assign(y=data_b["y"] * y_scale, x=data_b["x"] * x_scale)
    r = fit_lmm("y ~ x + wave", d, group="id", random="1 + wave")
    assert r.converged
    np.testing.assert_allclose(r.params, fit_b.params * y_scale / np.array([1, x_scale, 1]),
                               rtol=1e-6)
    np.testing.assert_allclose(r.random_cov, fit_b.random_cov * y_scale**2, rtol=1e-5)
    np.testing.assert_allclose(r.df, fit_b.df, rtol=1e-5)


def test_nullable_and_categorical_columns(data_b, fit_b):
    d = data_b.astype({"y": "Float64", "x": "Float64", "wave": "Int64"})
    d["id"] = data_b["id"].astype(str).astype("category")
    r = fit_lmm("y ~ x + wave", d, group="id", random="1 + wave")
    assert r.n_obs == fit_b.n_obs and r.n_dropped == fit_b.n_dropped
    np.testing.assert_allclose(r.params, fit_b.params, rtol=1e-8)
    np.testing.assert_allclose(r.loglik, fit_b.loglik, rtol=1e-12)


def test_level_convention(data_b, fit_b):
    # closed form: interval half-width = t_{df, 1/2 + level/2} SE, to 1e-12
    at80 = fit_lmm("y ~ x + wave", data_b, group="id", random="1 + wave", ci_level=0.8)
    assert at80.ci_level == 0.8 and fit_b.ci_level == 0.95
    frame = at80.to_frame()
    half = stats.t.ppf(0.9, frame["df"]) * frame["std_error"]
    np.testing.assert_allclose(frame["conf_high"] - frame["estimate"], half, rtol=1e-12)
    # level=None means ci_level; a given level is honoured by conf_int and to_frame alike
    np.testing.assert_allclose(at80.conf_int()["conf_low"], frame["conf_low"], rtol=1e-12)
    np.testing.assert_allclose(fit_b.conf_int(0.8)["conf_low"], frame["conf_low"], rtol=1e-12)
    np.testing.assert_allclose(fit_b.to_frame(0.8)["conf_high"], frame["conf_high"],
                               rtol=1e-12)
    assert list(fit_b.conf_int().index) == fit_b.fixed_names
    with pytest.raises(UsageError, match="ci_level must lie strictly between 0 and 1"):
        fit_lmm("y ~ x", data_b, group="id", ci_level=95)


def test_result_holds_its_design_and_is_immutable(fit_b):
    import dataclasses

    from youthtransitions.models.engine import EngineFit
    from youthtransitions.models.formula import Design

    assert isinstance(fit_b.design, Design) and isinstance(fit_b.engine_fit, EngineFit)
    assert fit_b.X is fit_b.design.X and fit_b.data is fit_b.design.data
    np.testing.assert_array_equal(fit_b.params.to_numpy(), fit_b.engine_fit.beta)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit_b.ci_level = 0.9
    with pytest.raises(AttributeError):
        fit_b.params = None


def test_to_json_composes_the_tidy_table(fit_b):
    out = fit_b.to_json(level=0.9)
    assert out["level"] == 0.9 and out["n_obs"] == fit_b.n_obs
    assert [r["conf_low"] for r in out["fixed"]] == pytest.approx(
        fit_b.to_frame(0.9)["conf_low"].tolist(), rel=1e-15)
    assert out["r2"] == fit_b.r2().to_json()
    json.dumps(out)


# -- lme4 random terms in the formula ------------------------------------------------------

def _crossed_data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"youth": np.repeat(np.arange(200), 3), "wave": np.tile([0, 1, 2], 200),
                      "worker": rng.integers(0, 30, 600), "x": rng.normal(size=600)})
    d["y"] = (0.5 * d["x"] + 0.2 * d["wave"] + rng.normal(size=200)[d["youth"]]
              + 0.5 * rng.normal(size=30)[d["worker"]] + rng.normal(size=600))
    return d


def test_one_random_term_goes_to_the_dense_engine_and_agrees_with_the_sparse_one():
    from youthtransitions.models.crossed import fit_lmm_terms

    d = _crossed_data()
    dense = fit_lmm("y ~ x + (1 + wave | youth)", d)
    sparse = fit_lmm_terms("y ~ x + (1 + wave | youth)", d)
    assert isinstance(dense, LMMResult) and (dense.group, dense.random) == ("youth", "1 + wave")
    # one model, two engines: the optimum agrees to the engines' tolerance against lme4
    np.testing.assert_allclose(dense.params, sparse.params, rtol=1e-5)
    np.testing.assert_allclose(dense.std_errors, sparse.std_errors, rtol=1e-4)
    assert dense.loglik == pytest.approx(sparse.loglik, rel=1e-6)
    assert dense.residual_variance == pytest.approx(sparse.residual_variance, rel=1e-4)


def test_several_random_terms_go_to_the_sparse_engine():
    from youthtransitions.models.crossed import TermsLMMResult, fit_lmm_terms

    d = _crossed_data()
    fit = fit_lmm("y ~ x + (1 | youth) + (1 | worker)", d, method="ml")
    assert isinstance(fit, TermsLMMResult) and fit.method == "ML"
    direct = fit_lmm_terms("y ~ x + (1 | youth) + (1 | worker)", d, method="ml")
    np.testing.assert_array_equal(fit.params, direct.params)
    assert isinstance(fit_lmm("y ~ x + (1 + wave || youth)", d), TermsLMMResult)


@pytest.mark.parametrize("given", [{"group": "youth"}, {"random": "1"},
                                   {"group": "youth", "random": "1 + wave"}])
def test_group_or_random_alongside_random_terms_is_refused(given):
    with pytest.raises(UsageError, match=r"not both.*\(1 \| g\).*\(1 \| a/b\)|"
                                         r"\(1 \| g\).*not both"):
        fit_lmm("y ~ x + (1 | youth)", _crossed_data(), **given)


def test_no_random_part_is_refused_with_the_supported_forms():
    with pytest.raises(UsageError, match=r"group= is missing.*\(1 \| g\)"):
        fit_lmm("y ~ x", _crossed_data())


def test_sparse_engine_options_are_checked():
    with pytest.raises(UsageError, match="engine='statsmodels'"):
        fit_lmm("y ~ x + (1 | youth) + (1 | worker)", _crossed_data(), engine="statsmodels")
    with pytest.raises(UsageError, match="kenward-roger"):
        fit_lmm("y ~ x + (1 | youth) + (1 | worker)", _crossed_data(), ddf="kenward-roger")
