"""Cohen's kappa and Krippendorff's alpha against published values and R irr 0.84.1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from youthtransitions.errors import UsageError
from youthtransitions.qual.agreement import (
    alpha_batch,
    alpha_from_counts,
    cohen_kappa,
    krippendorff_alpha,
    unit_counts,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "irr"

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers x 12 units with missing values
N = np.nan
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]])
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_alpha_published_example(level):
    # the paper reports three decimals: tolerance half a unit in the third
    assert krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(
        PUBLISHED[level], abs=5e-4)


def test_alpha_matches_irr():
    ref = pd.read_csv(REFERENCE / "krippendorff_example.csv")
    for method, value in zip(ref["method"], ref["alpha"], strict=True):
        assert krippendorff_alpha(KRIPPENDORFF_2011, level=method) == pytest.approx(
            value, abs=1e-12)


def test_kappa_matches_irr_and_statsmodels():
    data = pd.read_csv(REFERENCE / "anxiety.csv")
    ref = pd.read_csv(REFERENCE / "kappa_anxiety.csv").set_index("weight")["kappa"]
    r1, r2 = data["rater1"].to_numpy(), data["rater2"].to_numpy()
    assert cohen_kappa(r1, r2) == pytest.approx(ref["unweighted"], abs=1e-12)
    assert cohen_kappa(r1, r2, weights="linear") == pytest.approx(ref["equal"], abs=1e-12)
    assert cohen_kappa(r1, r2, weights="quadratic") == pytest.approx(ref["squared"], abs=1e-12)
    cats = sorted(set(r1) | set(r2))
    table = pd.crosstab(pd.Categorical(r1, cats), pd.Categorical(r2, cats), dropna=False)
    assert cohen_kappa(r1, r2) == pytest.approx(cohens_kappa(table.to_numpy()).kappa,
                                                abs=1e-12)


def test_kappa_closed_form_and_edge_cases():
    # 2x2 table [[20, 5], [10, 15]]: po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa 0.4
    a = [1] * 25 + [0] * 25
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    assert cohen_kappa(a + [None], b + [1]) == pytest.approx(0.4, abs=1e-12)  # missing dropped
    assert np.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]))  # no variation: undefined
    with pytest.raises(UsageError):
        cohen_kappa([1, 2], [1, 2, 3])
    with pytest.raises(UsageError, match="weights"):
        cohen_kappa(a, b, weights="cubic")


def test_alpha_perfect_and_undefined():
    assert krippendorff_alpha([[1, 2, 3, 1], [1, 2, 3, 1]]) == pytest.approx(1.0)
    assert np.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # no pairable unit
    with pytest.raises(UsageError, match="level"):
        krippendorff_alpha(KRIPPENDORFF_2011, level="circular")


def test_alpha_batch_weights_equal_duplicated_units():
    counts, values = unit_counts(KRIPPENDORFF_2011)
    w = np.array([2, 0, 1, 1, 3, 1, 1, 0, 1, 2, 1, 1], dtype=float)
    repeated = np.repeat(KRIPPENDORFF_2011, w.astype(int), axis=1)
    for level in PUBLISHED:
        got = alpha_batch(counts, values, w[None, :], level=level)[0]
        assert got == pytest.approx(krippendorff_alpha(repeated, level=level), abs=1e-12)


def test_kappa_on_two_items_closed_form():
    """Two items is the smallest sample with a kappa: p_o = 1 (or 0) and p_e = 1/2 give
    kappa = 1 (or -1); one item has none."""
    assert cohen_kappa(["a", "b"], ["a", "b"]) == pytest.approx(1.0, abs=1e-15)
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0, abs=1e-15)
    assert np.isnan(cohen_kappa(["a"], ["a"]))


def test_alpha_defaults_to_nominal():
    """Nominal is the default level, also when alpha is taken from unit counts (Krippendorff
    2011's published nominal value, 0.743)."""
    counts, values = unit_counts(KRIPPENDORFF_2011)
    assert alpha_from_counts(counts, values) == pytest.approx(PUBLISHED["nominal"], abs=5e-4)
    assert krippendorff_alpha(KRIPPENDORFF_2011) == alpha_from_counts(counts, values)
