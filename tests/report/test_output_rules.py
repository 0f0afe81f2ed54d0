"""Output rules: RR3 keeps expectations, suppression of 1-5, secondary suppression.

References: the RR3 distribution is checked by simulation against its closed form (round up
with probability r/3 for remainder r); secondary suppression is checked by an independent
linear-algebra test of exact recoverability (a suppressed cell is recoverable from the
published cells and totals iff its unit vector lies in the row space of the constraints).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.output_rules import (
    apply_output_rules,
    output_rules_note,
    random_round,
    resolve_output_rules,
    secondary_suppression,
)


def recoverable_cells(values: np.ndarray, sup: np.ndarray, totals: str) -> list[tuple]:
    """Suppressed cells whose value follows exactly from published cells and totals."""
    cells = [tuple(c) for c in np.argwhere(sup)]
    if not cells:
        return []
    n_rows, n_cols = sup.shape
    lines = []
    if totals in ("both", "rows") and n_cols > 1:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if totals in ("both", "columns") and n_rows > 1:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    index = {c: k for k, c in enumerate(cells)}
    a = np.array([[1.0 if c in line else 0.0 for c in cells] for line in lines]
                 or np.zeros((0, len(cells))))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    out = []
    for c in cells:
        e = np.zeros(len(cells))
        e[index[c]] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(c)
    return out


# --- random rounding --------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 2, 4, 5, 7, 8, 17, 100])
def test_rr3_keeps_expectation(count):
    n = 20000
    out = random_round(np.full(n, count), seed=count)
    r = count % 3
    p_up = r / 3
    # closed form: variance 9 p (1-p); tolerance 4 standard errors of the mean
    tol = 4 * np.sqrt(9 * p_up * (1 - p_up) / n)
    assert abs(out.mean() - count) <= tol
    # only the two neighbouring multiples occur, the nearer with probability 2/3
    assert set(np.unique(out)) == {count - r, count - r + 3}
    share_up = np.mean(out == count - r + 3)
    assert abs(share_up - p_up) <= 4 * np.sqrt(p_up * (1 - p_up) / n)


def test_rr3_multiples_zero_nan_and_determinism():
    x = np.array([0, 3, 6, 1, 2, 10, 11, np.nan, 1366])
    a = random_round(x, seed=5)
    b = random_round(x, seed=5)
    np.testing.assert_array_equal(a, b)
    assert np.all(np.mod(a[~np.isnan(a)], 3) == 0)
    assert a[0] == 0 and a[1] == 3 and a[2] == 6 and np.isnan(a[7])
    many = np.array([random_round(x, seed=s) for s in range(30)])
    assert len({tuple(np.nan_to_num(r)) for r in many}) > 1  # the seed matters
    assert np.all(np.abs(a[~np.isnan(a)] - x[~np.isnan(x)]) < 3)


@pytest.mark.parametrize("bad", [[-1.0], [2.5]])
def test_rr3_rejects_non_counts(bad):
    with pytest.raises(UsageError, match="non-negative whole counts"):
        random_round(bad, seed=1)


def test_rr3_seed_required_and_checked():
    with pytest.raises(UsageError, match="seed"):
        random_round([1, 2], seed=None)
    with pytest.raises(UsageError, match="base"):
        random_round([1, 2], seed=1, base=1)


# --- primary and secondary suppression ----------------------------------------------------
def test_single_column_with_total_suppresses_next_smallest():
    t = pd.DataFrame({"level": list("abcd"), "n": [10, 3, 20, 7]})
    out = apply_output_rules(t, seed=1, totals="columns")
    assert out["n_suppressed"].tolist() == [False, True, False, True]
    assert out["n"].isna().tolist() == [False, True, False, True]
    assert out.attrs["output_rules"]["n_secondary"] == 1
    assert recoverable_cells(t[["n"]].to_numpy(float), out[["n_suppressed"]].to_numpy(),
                             "columns") == []


def test_zero_is_published_and_preferred_last_as_complement():
    t = pd.DataFrame({"n": [0, 2, 9, 40]})
    out = apply_output_rules(t, seed=1, totals="columns")
    assert out["n_suppressed"].tolist() == [False, True, True, False]
    assert out["n"].iloc[0] == 0


def test_hand_made_cross_table_both_margins():
    values = np.array([[10, 2, 15], [12, 20, 30], [8, 9, 40]])
    sup = secondary_suppression(values, values < 6, totals="both")
    expected = np.array([[True, True, False], [False, False, False], [True, True, False]])
    np.testing.assert_array_equal(sup, expected)
    assert recoverable_cells(values, sup, "both") == []
    # the primary pattern alone would be recoverable
    assert recoverable_cells(values, values < 6, "both") == [(0, 1)]


def test_bridge_between_two_cycles_is_closed():
    values = np.full((4, 4), 50)
    small = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]
    for c in small:
        values[c] = 2
    primary = values < 6
    assert (0, 2) in recoverable_cells(values, primary, "both")  # the bridge
    values[3, 0] = 11  # the cheapest cell closing a 4-cycle through (0, 2)
    sup = secondary_suppression(values, primary, totals="both")
    assert recoverable_cells(values, sup, "both") == []
    assert sup.sum() == primary.sum() + 1 and sup[3, 0]


@pytest.mark.parametrize("totals", ["both", "rows", "columns"])
def test_random_tables_nothing_recoverable(totals):
    rng = np.random.default_rng(2024)
    for _ in range(40):
        shape = tuple(rng.integers(2, 6, size=2))
        values = rng.choice([0, 1, 2, 3, 4, 5, 7, 9, 14, 30, 60], size=shape)
        t = pd.DataFrame(values, columns=[f"c{j}" for j in range(shape[1])])
        out = apply_output_rules(t, seed=int(rng.integers(1e6)), totals=totals)
        sup = out[[f"c{j}_suppressed" for j in range(shape[1])]].to_numpy()
        assert recoverable_cells(values, sup, totals) == []
        published = out[list(t.columns)].to_numpy()
        assert not np.any(sup & ~np.isnan(published))
        shown = published[~np.isnan(published)]
        assert np.all(np.mod(shown, 3) == 0)
        # no cell from 1 to 5 survives (its suppression flag is set)
        assert np.all(sup[(values >= 1) & (values <= 5)])


def test_rounded_counts_never_below_threshold_unless_zero():
    t = pd.DataFrame({"n": np.arange(0, 40)})
    for seed in range(20):
        out = apply_output_rules(t, seed=seed, totals="none")
        shown = out["n"].dropna()
        assert ((shown == 0) | (shown >= 6)).all()
        assert out.loc[t["n"].between(1, 5), "n_suppressed"].all()
        assert not out.loc[~t["n"].between(1, 5), "n_suppressed"].any()  # no totals: no secondary


def test_determinism_and_derived_columns():
    t = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "n": [4, 10, 16, 20, 21],
                      "pct": [13.3, 33.3, 53.3, 48.8, 51.2], "mean_age": [17.0, 16.0, 18, 17, 17]})
    one = apply_output_rules(t, count_columns=["n"], seed=9, by=["g"], totals="columns",
                             derived={"pct": "n", "mean_age": "n"})
    two = apply_output_rules(t, count_columns=["n"], seed=9, by=["g"], totals="columns",
                             derived={"pct": "n", "mean_age": "n"})
    pd.testing.assert_frame_equal(one, two)
    assert one["n_suppressed"].tolist() == [True, True, False, False, False]
    assert one.loc[one["n_suppressed"], ["pct", "mean_age"]].isna().all().all()
    assert one.loc[~one["n_suppressed"], "pct"].notna().all()


def test_total_rows_and_columns_are_ruled_but_not_interior():
    t = pd.DataFrame({"a": [2, 10, 12], "b": [9, 7, 16], "total": [11, 17, 28]},
                     index=["x", "y", "Total"])
    out = apply_output_rules(t, seed=3, totals="both", total_rows=["Total"],
                             total_columns=["total"])
    sup = out[["a_suppressed", "b_suppressed"]].to_numpy()
    # interior 2x2 with one small cell: all four interior cells must go
    assert sup[:2].all()
    assert not out.loc["Total", ["a_suppressed", "b_suppressed", "total_suppressed"]].any()
    assert recoverable_cells(t.loc[["x", "y"], ["a", "b"]].to_numpy(), sup[:2], "both") == []


def test_nullable_counts_and_missing_cells():
    t = pd.DataFrame({"n": pd.array([4, None, 30, 12], dtype="Int64")})
    out = apply_output_rules(t, seed=4, totals="columns")
    assert out["n_suppressed"].tolist() == [True, False, False, True]
    assert out["n"].isna().tolist() == [True, True, False, True]
    assert out["n"].iloc[2] % 3 == 0


def test_bad_input_is_named():
    t = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(UsageError, match="count column"):
        apply_output_rules(t, count_columns=["m"], seed=1)
    with pytest.raises(UsageError, match="row 2"):
        apply_output_rules(pd.DataFrame({"n": [1, -2]}), count_columns=["n"], seed=1)
    with pytest.raises(UsageError, match="totals"):
        apply_output_rules(t, seed=1, totals="diagonal")
    with pytest.raises(UsageError, match="no integer count columns"):
        apply_output_rules(pd.DataFrame({"x": ["a"]}), seed=1)
    with pytest.raises(UsageError, match="by column"):
        apply_output_rules(t, seed=1, by=["nope"])
    with pytest.raises(TypeError):
        apply_output_rules(t, 1)  # seed is keyword-only


def test_resolve_and_note():
    assert resolve_output_rules(False) is True
    assert resolve_output_rules(True) is False
    assert resolve_output_rules(True, True) is True
    assert resolve_output_rules(False, False) is False
    with pytest.raises(UsageError):
        resolve_output_rules(False, "yes")
    assert "base 3" in output_rules_note(True) and "from 1 to 5" in output_rules_note(True)
    assert output_rules_note(False, synthetic=True).startswith("Output rules not applied")
