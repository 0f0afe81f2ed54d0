"""Scale reliability against R psych 2.2.9: omega(nfactors = 1) with flip TRUE and FALSE and
alpha(check.keys) on the bfi agreeableness items (tests/reference/psych_omega/make.R), and
the study-style items of tests/reference/psych/reliability.R.

Tolerances (absolute): alpha and its Feldt CI 1e-9 (the same closed form; observed 1e-12);
omega total and the one-factor loadings 1e-6 (psych's L-BFGS-B stops earlier than our
polished fixed point; observed below 1e-8); item keys and counts exact; the flip identity
1e-12.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import youthtransitions as yt
from youthtransitions.stats import reliability as rel
from youthtransitions.stats.reliability import cronbach_alpha, omega_total

REF = Path(__file__).parents[1] / "reference"
ALPHA_TOL, OMEGA_TOL = 1e-9, 1e-6
ITEMS = ["A1", "A2", "A3", "A4", "A5"]


@pytest.fixture(scope="module")
def bfi():
    """bfi A1-A5 as psych reads them; ``complete`` drops rows with a missing item."""
    items = pd.read_csv(REF / "r_datasets" / "bfi_agreeableness.csv")[ITEMS]
    return {"pairwise": items, "complete": items.dropna()}


OMEGA = pd.read_csv(REF / "psych_omega" / "omega.csv")
LOADINGS = pd.read_csv(REF / "psych_omega" / "omega_loadings.csv")
ALPHA = pd.read_csv(REF / "psych_omega" / "alpha.csv")


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("data", ["pairwise", "complete"])
def test_omega_matches_psych(bfi, data, flip):
    ref = OMEGA[(OMEGA["data"] == data) & (OMEGA["flip"] == flip)].iloc[0]
    result = yt.omega(bfi[data], flip=flip)
    assert result.n == ref["n"] and result.n_items == 5
    assert result.omega_total == pytest.approx(ref["omega_tot"], abs=OMEGA_TOL)
    assert float(result) == result.omega_total
    want = LOADINGS[(LOADINGS["data"] == data) & (LOADINGS["flip"] == flip)]
    got = result.loadings
    assert list(got["item"]) == list(want["item"])
    np.testing.assert_array_equal(got["key"], want["key"])
    for col in ("loading", "h2", "u2"):
        np.testing.assert_allclose(got[col], want[col], rtol=0, atol=OMEGA_TOL)
    assert result.to_frame()["n_reversed"].iloc[0] == int((want["key"] < 0).sum())


@pytest.mark.parametrize("check_keys", [True, False])
@pytest.mark.parametrize("data", ["pairwise", "complete"])
def test_alpha_matches_psych(bfi, data, check_keys):
    ref = ALPHA[(ALPHA["data"] == data) & (ALPHA["check_keys"] == check_keys)].iloc[0]
    items = bfi[data]
    if check_keys:  # psych reverses the items of its "-" keys (A1); reflect them here
        reversed_items = [k[1:] for k in ref["keys"].split(";") if k.startswith("-")]
        items = items.assign(**{c: 7 - items[c] for c in reversed_items})
    result = yt.alpha(items)
    assert result.n == ref["n"] and result.n_items == 5
    assert result.alpha == pytest.approx(ref["raw_alpha"], abs=ALPHA_TOL)
    low, high = result.conf_low, result.conf_high
    assert low < result.alpha < high
    assert (low, high) == pytest.approx(cronbach_alpha(items.to_numpy(float))[1:], abs=1e-15)


def test_flip_is_omega_of_the_reflected_items(bfi):
    """omega(flip=True) equals omega(flip=False) of the items with A1 reversed (1e-12)."""
    items = bfi["pairwise"]
    reflected = items.assign(A1=7 - items["A1"])
    assert yt.omega(items).omega_total == pytest.approx(
        yt.omega(reflected, flip=False).omega_total, abs=1e-12)
    assert yt.omega(reflected).omega_total == pytest.approx(
        yt.omega(reflected, flip=False).omega_total, abs=1e-12)


@pytest.fixture(scope="module")
def study_items():
    """tests/reference/psych/items.csv with it_06 reflected (reverse-keyed on 1..5)."""
    values = pd.read_csv(REF / "psych" / "items.csv").to_numpy(dtype=float)
    values[:, 5] = 1 + 5 - values[:, 5]
    return values


@pytest.mark.parametrize("data", ["pairwise", "complete"])
def test_array_estimators_match_psych(study_items, data):
    ref = pd.read_csv(REF / "psych" / "reliability.csv").set_index("data").loc[data]
    values = study_items
    if data == "complete":
        values = values[~np.isnan(values).any(axis=1)]
    assert values.shape == (ref["n"], ref["n_items"])
    estimate, low, high = cronbach_alpha(values)
    assert estimate == pytest.approx(ref["alpha"], abs=ALPHA_TOL)
    assert low == pytest.approx(ref["alpha_low"], abs=ALPHA_TOL)
    assert high == pytest.approx(ref["alpha_high"], abs=ALPHA_TOL)
    assert omega_total(values) == pytest.approx(ref["omega"], abs=OMEGA_TOL)


def test_alpha_matches_pingouin(study_items):
    estimate, low, high = cronbach_alpha(study_items)
    pg_alpha, pg_ci = pg.cronbach_alpha(pd.DataFrame(study_items))
    assert estimate == pytest.approx(pg_alpha, abs=1e-12)
    np.testing.assert_allclose([low, high], pg_ci, atol=5e-4)  # pingouin rounds to 3 places


def test_omega_closed_form_for_exact_one_factor_matrix():
    """For R = l l' + diag(1 - l^2), omega = (sum l)^2 / sum(R) exactly (1e-8)."""
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    rng = np.random.default_rng(3)
    chol = np.linalg.cholesky(corr)
    z = rng.standard_normal((4000, 4))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T  # exact identity
    values = z @ chol.T
    expected = loadings.sum() ** 2 / corr.sum()
    assert omega_total(values) == pytest.approx(expected, abs=1e-8)
    frame = pd.DataFrame(values, columns=list("abcd"))
    assert yt.omega(frame).omega_total == pytest.approx(expected, abs=1e-8)
    np.testing.assert_allclose(yt.omega(frame).loadings["loading"], loadings, atol=1e-6)


def test_bad_items_are_refused():
    good = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]})
    with pytest.raises(yt.UsageError, match="'c' is not numeric"):
        yt.alpha(good.assign(c=list("wxyz")))
    with pytest.raises(yt.UsageError, match="at least 2 items"):
        yt.omega(good[["a"]])
    with pytest.raises(yt.UsageError, match="DataFrame"):
        yt.alpha([1, 2, 3])
    with pytest.raises(yt.UsageError, match="flip"):
        yt.omega(good, flip="yes")
    with pytest.raises(yt.UsageError, match="level"):
        yt.alpha(good, level=95)
    with pytest.raises(yt.UsageError, match="undefined"):
        yt.omega(good.assign(c=1.0))
    with pytest.raises(yt.UsageError, match="3 rows"):
        yt.alpha(good.iloc[:2])


def test_docstring_examples():
    assert doctest.testmod(rel, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
