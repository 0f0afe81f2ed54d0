"""Formula transforms in fit_lmm: formulaic's stateful transforms (``poly``, ``scale``,
``center``, ``bs``) build the columns R builds, and errors are plain text.

References: R's ``poly(x, 2)``, ``scale(x)`` and ``splines::bs(x, df = 3)`` on the complete rows and lme4's REML fixed
effects of the same models (tests/reference/formula/transforms.R, with its output), and the
closed forms of centring and standardising.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm
from youthtransitions.models.formula import build_design

REF = Path(__file__).resolve().parents[1] / "reference" / "formula"
FITS = json.loads((REF / "fits.json").read_text())
#: the same columns through two routes: only floating-point rounding differs
EXACT = 1e-10
#: our REML optimum against lme4's (as tests/models/test_lmm_reference.py)
REL_FIXED = 1e-5


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF / "data.csv")


@pytest.fixture(scope="module")
def kept(data):
    """The complete rows with R's transformed columns beside them."""
    rows = data.dropna().reset_index(drop=True)
    return pd.concat([rows, pd.read_csv(REF / "poly.csv")], axis=1)


def test_poly_is_rs_orthogonal_polynomial(data, kept):
    design = build_design("y ~ poly(x, 2)", data, group="g")
    assert design.fixed_names == ["(Intercept)", "poly(x, 2)[1]", "poly(x, 2)[2]"]
    assert design.n_dropped == 1
    np.testing.assert_allclose(design.X[:, 1:], kept[["poly1", "poly2"]], rtol=0, atol=EXACT)


def test_scale_and_center_are_the_standardised_and_centred_column(data, kept):
    x = kept["x"].to_numpy()
    scaled = build_design("y ~ scale(x)", data, group="g").X[:, 1]
    np.testing.assert_allclose(scaled, (x - x.mean()) / x.std(ddof=1), rtol=0, atol=EXACT)
    np.testing.assert_allclose(scaled, kept["scale"], rtol=0, atol=EXACT)
    centred = build_design("y ~ center(x)", data, group="g").X[:, 1]
    np.testing.assert_allclose(centred, x - x.mean(), rtol=0, atol=EXACT)
    slope = build_design("y ~ x", data, group="g", random="1 + scale(x)")
    np.testing.assert_allclose(slope.Z[:, 1], kept["scale"], rtol=0, atol=EXACT)


@pytest.mark.parametrize("formula, columns", [
    ("y ~ poly(x, 2)", ["poly1", "poly2"]),
    ("y ~ scale(x)", ["scale"]),
    ("y ~ center(x)", ["centred"]),
])
def test_fit_equals_the_fit_on_explicit_columns(data, kept, formula, columns):
    explicit = kept.assign(centred=kept["x"] - kept["x"].mean())
    got = fit_lmm(formula, data, group="g").params.to_numpy()
    want = fit_lmm(f"y ~ {' + '.join(columns)}", explicit, group="g").params.to_numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=EXACT)


@pytest.mark.parametrize("name, formula", [("poly", "y ~ poly(x, 2)"),
                                           ("scale", "y ~ scale(x)")])
def test_fixed_effects_match_lme4(data, name, formula):
    fit = fit_lmm(formula, data, group="g")
    np.testing.assert_allclose(fit.params.to_numpy(), FITS[name]["estimate"],
                               rtol=REL_FIXED)


def test_bs_is_rs_b_spline_basis(data, kept):
    design = build_design("y ~ bs(x, df=3)", data, group="g")
    np.testing.assert_allclose(design.X[:, 1:], kept[["bs1", "bs2", "bs3"]], rtol=0,
                               atol=EXACT)
    got = fit_lmm("y ~ bs(x, df=3)", data, group="g").params.to_numpy()
    want = fit_lmm("y ~ bs1 + bs2 + bs3", kept, group="g").params.to_numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=EXACT)


def test_unknown_column_inside_a_transform_is_named(data):
    with pytest.raises(UsageError, match=r"uses 'q', not a column of the data") as err:
        fit_lmm("y ~ poly(q, 2)", data, group="g")
    assert "NameError" not in str(err.value)


def test_parse_errors_are_plain_text(data):
    with pytest.raises(UsageError, match="cannot parse the formula 'y ~ x \\+'") as err:
        fit_lmm("y ~ x +", data, group="g")
    assert "\x1b" not in str(err.value)
