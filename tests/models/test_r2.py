"""R² measures against r2mlm 0.3.8 and performance::r2_nakagawa (tests/reference/r2mlm/).

The R script fitted each model with lme4 and stored its parameters; the measures are computed
here from those parameters and the committed data, so these tests check the R² formulas alone.
Tolerance: 1e-4 absolute on every measure (observed agreement is ~1e-12).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models.r2 import (
    MEASURES,
    R2Result,
    classify_predictors,
    r2,
    r2_difference,
    r2_from_parts,
)

REF = Path(__file__).parents[1] / "reference" / "r2mlm"
DATA = pd.read_csv(REF / "r2mlm_data.csv")
REFERENCE = json.loads((REF / "r2mlm_reference.json").read_text())
TOL = 1e-4


def _column(name: str) -> np.ndarray:
    return np.ones(len(DATA)) if name == "(Intercept)" else DATA[name].to_numpy(float)


def _fake_fit(model: dict) -> SimpleNamespace:
    """An object with LMMResult's attributes, holding lme4's estimates."""
    fixed = list(model["fixef"])
    rnames = model["random_names"]
    rnames = [rnames] if isinstance(rnames, str) else list(rnames)  # R unboxes length-1
    return SimpleNamespace(
        X=np.column_stack([_column(c) for c in fixed]),
        Z=np.column_stack([_column(c) for c in rnames]),
        groups=DATA["id"].to_numpy(), fixed_names=fixed, random_names=rnames,
        params=pd.Series(model["fixef"]),
        random_cov=pd.DataFrame(np.array(model["tau"], ndmin=2), index=rnames, columns=rnames),
        residual_variance=model["sigma2"])


def _expected(tables: dict) -> dict[str, float | None]:
    out = dict.fromkeys(MEASURES[2:])
    for part, values in tables.items():
        for key, value in values.items():
            out[f"{part}.{key}"] = value
    return out


@pytest.mark.parametrize("name", sorted(REFERENCE["models"]))
def test_measures_match_r2mlm_and_performance(name):
    model = REFERENCE["models"][name]
    result = r2(_fake_fit(model))
    assert result.marginal == pytest.approx(model["nakagawa"]["marginal"], abs=TOL)
    assert result.conditional == pytest.approx(model["nakagawa"]["conditional"], abs=TOL)
    for measure, value in _expected(model["r2mlm"]).items():
        if value is None:  # r2mlm gives NA: a mixed predictor
            assert result[measure] is None, measure
        else:
            assert result[measure] == pytest.approx(value, abs=TOL), measure


@pytest.mark.parametrize("comp", REFERENCE["comparisons"], ids=lambda c: f"{c['full']}-{c['reduced']}")
def test_difference_matches_r2mlm_comp(comp):
    full = r2(_fake_fit(REFERENCE["models"][comp["full"]]))
    reduced = r2(_fake_fit(REFERENCE["models"][comp["reduced"]]))
    diff = r2_difference(full, reduced)
    assert diff.difference
    for measure, value in _expected(comp["delta"]).items():
        assert diff[measure] == pytest.approx(value, abs=TOL), measure
    # Nakagawa differences are the differences of the two models' values (closed form)
    assert diff.marginal == pytest.approx(full.marginal - reduced.marginal, abs=1e-12)


def test_mixed_predictor_gives_totals_only():
    result = r2(_fake_fit(REFERENCE["models"]["mixed"]))
    assert not result.centered_within
    assert result.classification["x"] == "mixed"
    assert result.rights_sterba["within"] == {"f1": None, "v": None, "fv": None}
    assert result.rights_sterba["total"]["f1"] is None
    assert result.rights_sterba["total"]["fvm"] is not None


def test_classification_of_design_columns():
    kinds = classify_predictors(DATA[["x", "x_w", "x_b", "w"]].assign(one=1.0).to_numpy(),
                                DATA["id"].to_numpy(), ["x", "x_w", "x_b", "w", "one"])
    assert kinds == {"x": "mixed", "x_w": "within", "x_b": "between", "w": "between",
                     "one": "intercept"}


def test_closed_form_random_intercept():
    """Balanced toy data: every moment by hand (sample variances, n - 1)."""
    groups = np.repeat([0, 1, 2], 2)
    xw = np.array([-1.0, 1.0, -2.0, 2.0, -0.5, 0.5])
    xb = np.array([1.0, 1.0, 2.0, 2.0, 4.0, 4.0])
    X = np.column_stack([np.ones(6), xw, xb])
    beta = np.array([0.3, 0.5, 2.0])
    tau, s2 = np.array([[0.7]]), 1.3
    res = r2_from_parts(X=X, Z=np.ones((6, 1)), groups=groups, beta=beta, tau=tau, sigma2=s2,
                        fixed_names=["Intercept", "xw", "xb"], random_names=["(Intercept)"])
    phi_w, phi_b = np.var(0.5 * xw, ddof=1), np.var(2.0 * xb, ddof=1)
    total = phi_w + phi_b + 0.7 + s2
    assert res["total.f1"] == pytest.approx(phi_w / total, rel=1e-12)
    assert res["total.f2"] == pytest.approx(phi_b / total, rel=1e-12)
    assert res["total.m"] == pytest.approx(0.7 / total, rel=1e-12)
    assert res["within.f1"] == pytest.approx(phi_w / (phi_w + s2), rel=1e-12)
    assert res["between.f2"] == pytest.approx(phi_b / (phi_b + 0.7), rel=1e-12)
    assert res.marginal == pytest.approx((phi_w + phi_b) / total, rel=1e-12)
    assert res.conditional == pytest.approx((total - s2) / total, rel=1e-12)


def test_result_views():
    result = r2(_fake_fit(REFERENCE["models"]["rs"]))
    frame = result.to_frame()
    assert list(frame.columns) == ["measure", "estimate"]
    assert list(frame["measure"]) == list(MEASURES)
    js = result.to_json()
    assert set(js) == {"marginal", "conditional", "rights_sterba"}
    assert set(js["rights_sterba"]["between"]) == {"f2", "m"}
    with_ci = result.with_ci({"total.f1": (0.01, 0.1)}, level=0.95)
    assert list(with_ci.to_frame().columns) == ["measure", "estimate", "conf_low", "conf_high"]
    assert "total.f1" in with_ci.summary() and "<table" in with_ci._repr_html_()
    assert isinstance(with_ci, R2Result)
    with pytest.raises(KeyError, match="unknown R² measure"):
        result["total.zz"]


def test_bad_input_is_named():
    fit = _fake_fit(REFERENCE["models"]["ri"])
    with pytest.raises(UsageError, match="fixed effects"):
        r2_from_parts(X=fit.X[:, :2], Z=fit.Z, groups=fit.groups, beta=[1, 2, 3, 4], tau=[[1]],
                      sigma2=1.0, fixed_names=fit.fixed_names)
    with pytest.raises(UsageError, match="LMMResult"):
        r2(object())
    a = r2(fit)
    b = r2_from_parts(X=fit.X[:10], Z=fit.Z[:10], groups=fit.groups[:10], beta=fit.params,
                      tau=[[0.5]], sigma2=1.0, fixed_names=fit.fixed_names)
    with pytest.raises(UsageError, match="different observations"):
        r2_difference(a, b)


_FITS = {"ri": ("y ~ x_w + x_b + w", "1"), "rs": ("y ~ x_w + z_w + x_b + w", "1 + x_w"),
         "mixed": ("y ~ x + w", "1"), "mixed_rs": ("y ~ x + z + w", "1 + x"),
         "null": ("y ~ 1", "1")}


@pytest.mark.parametrize("name", sorted(_FITS))
def test_fit_lmm_r2_end_to_end(name):
    """fit_lmm's own estimates (which match lme4 to ~1e-5) give r2mlm's values to 1e-4."""
    from youthtransitions.models import fit_lmm

    formula, random = _FITS[name]
    model = REFERENCE["models"][name]
    result = fit_lmm(formula, DATA, group="id", random=random).r2()
    assert result.marginal == pytest.approx(model["nakagawa"]["marginal"], abs=TOL)
    assert result.conditional == pytest.approx(model["nakagawa"]["conditional"], abs=TOL)
    for measure, value in _expected(model["r2mlm"]).items():
        if value is not None:
            assert result[measure] == pytest.approx(value, abs=TOL), measure


def test_random_names_must_match_z():
    fit = _fake_fit(REFERENCE["models"]["ri"])
    with pytest.raises(UsageError, match="2 random-effect names for Z's 1 column"):
        r2_from_parts(X=fit.X, Z=fit.Z, groups=fit.groups, beta=fit.params, tau=[[0.5]],
                      sigma2=1.0, fixed_names=fit.fixed_names,
                      random_names=["(Intercept)", "x"])
