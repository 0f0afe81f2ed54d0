"""apply_output_rules: what it records in ``attrs`` and the edges of its input checks.

Expected patterns are worked by hand from the rules (docs/output-rules.md): a line whose sum is
published may not hold exactly one suppressed cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# the independent rank test of exact recoverability (tests/report is on the path through its
# conftest)
from test_output_rules import recoverable_cells  # noqa: E402

from youthtransitions.errors import UsageError
from youthtransitions.report.output_rules import apply_output_rules, secondary_suppression


def test_record_in_attrs_names_what_was_done():
    t = pd.DataFrame({"n": [10, 3, 20, 7]})
    out = apply_output_rules(t, seed=1, threshold=4, totals="columns")
    # 3 is small (1 to 3); 7, the smallest other cell of the column, protects it
    assert out["n_suppressed"].tolist() == [False, True, False, True]
    record = out.attrs["output_rules"]
    assert record == {"applied": True, "base": 3, "threshold": 4, "totals": "columns",
                      "n_suppressed": 2, "n_secondary": 1, "note": record["note"]}
    assert "counts from 1 to 3 suppressed" in record["note"]


def test_a_named_count_column_may_hold_zeros():
    out = apply_output_rules(pd.DataFrame({"n": [0, 30]}), count_columns=["n"], seed=1,
                             totals="none")
    assert out["n"].tolist()[0] == 0 and not out["n_suppressed"].any()


def test_a_one_row_group_with_a_row_total_protects_its_small_cell():
    # group b is one row: its row sum is published, so 4 alone would be 34 - 30
    t = pd.DataFrame({"g": ["a", "a", "b"], "women": [12, 15, 4], "men": [20, 18, 30]})
    out = apply_output_rules(t, count_columns=["women", "men"], by=["g"], seed=1,
                             totals="rows")
    assert out["women_suppressed"].tolist() == [False, False, True]
    assert out["men_suppressed"].tolist() == [False, False, True]


def test_total_rows_and_columns_must_be_in_the_table():
    t = pd.DataFrame({"a": [10, 20], "b": [30, 40]})
    with pytest.raises(UsageError, match="total column.s. not among the count columns: c$"):
        apply_output_rules(t, seed=1, total_columns=["c"])
    with pytest.raises(UsageError, match="total row.s. not in the table index: Total$"):
        apply_output_rules(t, seed=1, total_rows=["Total"])


def test_every_bridge_is_closed_not_only_the_first():
    # two small cells whose lines are protected, after which the suppressed cells still hold
    # more than one bridge: closing the first must not end the search
    values = np.array([[8, 34, 21, 15, 18], [2, 21, 38, 13, 23], [31, 15, 10, 17, 18],
                       [36, 23, 7, 35, 2], [37, 28, 10, 33, 12]])
    primary = (values >= 1) & (values < 6)
    sup = secondary_suppression(values, primary, totals="both")
    assert recoverable_cells(values.astype(float), sup, "both") == []
