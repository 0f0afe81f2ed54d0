"""Joint display: table, Markdown, HTML and figure on the synthetic study."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from matplotlib.figure import Figure

from youthtransitions.errors import UsageError
from youthtransitions.qual import integrate, joint_display
from youthtransitions.qual.joint_display import JOINT_COLUMNS


@pytest.fixture(scope="module")
def display(synthetic_study):
    result = integrate(synthetic_study, seed=1, n_perm=200, B=50)
    return joint_display(synthetic_study, result)


def test_table(display):
    frame = display.to_frame()
    assert list(frame.columns) == JOINT_COLUMNS
    assert list(frame["mechanism"]) == ["power", "recognition", "responsiveness", "mutuality",
                                        "power trap", "all four (synergy)"]
    table = display.integration.to_frame()
    conv = table[(table["family"] == "convergence")
                 & table["hypothesis"].str.contains("recognition ")].iloc[0]
    row = frame[frame["mechanism"] == "recognition"].iloc[0]
    assert row["convergence"].startswith(f"{conv['estimate']:+.2f} [")
    assert row["convergence_reading"] == conv["reading"]
    assert row["share_active"] == pytest.approx(
        display.integration.data["recognition_active"].mean())
    trap = frame[frame["mechanism"] == "power trap"].iloc[0]
    assert trap["change_reading"] == "confirms"


def test_exemplars_come_from_the_codes(display, synthetic_study):
    codes = synthetic_study.codes
    frame = display.to_frame().set_index("mechanism")
    for mech in ("power", "recognition", "responsiveness", "mutuality"):
        for inst in ("confirmatory", "counterfactual"):
            text = frame.loc[mech, f"{inst}_excerpt"]
            pool = codes.loc[(codes["mechanism"] == mech) & (codes["instance"] == inst),
                             "excerpt"]
            assert text in set(pool)


def test_markdown_and_html(display):
    md = display.to_markdown()
    lines = md.splitlines()
    assert lines[0].startswith("| mechanism | share_active |")
    assert len(lines) == 2 + 6
    assert all(line.count(" | ") == len(JOINT_COLUMNS) - 1 for line in lines[2:])
    html = display.to_html()
    assert html.count("<tr") == 7 and "<h3>" in html


def test_figure(display):
    fig = display.figure()
    assert isinstance(fig, Figure)
    heat = fig.axes[0]
    assert [t.get_text() for t in heat.get_yticklabels()] == [
        "power", "recognition", "responsiveness", "mutuality"]
    assert len(heat.texts) == 8  # one annotation per mechanism and family


def test_needs_an_integration_result(synthetic_study):
    with pytest.raises(UsageError, match="IntegrationResult"):
        joint_display(synthetic_study, None)


def test_rows_are_found_by_mechanism_not_by_their_wording(display, synthetic_study):
    """Rewording every hypothesis leaves the display as it was: rows are keyed by mechanism."""
    result = display.integration
    reworded = dataclasses.replace(
        result, table=result.table.assign(hypothesis=[f"claim {k}" for k in
                                                      range(len(result.table))]))
    again = joint_display(synthetic_study, reworded)
    pd.testing.assert_frame_equal(again.to_frame(), display.to_frame())
    row = result.row("mechanism_change", "mutuality")
    assert row["hypothesis"].startswith("mutuality active") and "mechanism" not in row.index
    assert result.row("power_trap")["family"] == "power_trap"
    assert result.row("convergence", "no such mechanism") is None
