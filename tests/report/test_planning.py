"""``yt.design``: the grid, the Monte Carlo errors, worker independence and resuming.

References: the synthetic truth (truth.json) for the tiny grids and the published
generator parameters for the levers (the Monte Carlo errors are checked by hand in
tests/synthetic/test_planning.py). Power itself is
checked against a closed form and lme4 in test_planning_reference.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.report.planning import ESTIMANDS, plan
from youthtransitions.report.planning.levers import PUBLISHED, cell_overrides, grid_cells
from youthtransitions.synthetic.params import SynthParams

COLUMNS = ["n", "share", "estimand", "power", "power_mcse", "median_width", "width_mcse",
           "bias", "bias_mcse", "rmse", "rmse_mcse", "coverage", "coverage_mcse", "reps",
           "truth"]


def test_levers_map_to_generator_parameters():
    cells, shown = grid_cells({"n": [300, 1366], "share": 0.14, "attrition": [0.1]})
    assert shown == ["n", "share", "attrition"] and len(cells) == 2
    published = cell_overrides({**cells[1], "attrition": PUBLISHED["attrition"]}, {})
    default = SynthParams()
    # the published cell is the shipped generator's parameters
    for name in ("n_youth", "n_msu", "b_between", "n_qual", "n_qual_pmk_nominated",
                 "n_qual_pmk_interviewed", "pmk_wave_response"):
        assert published[name] == getattr(default, name)
    assert published["dropout_intercept"] == pytest.approx(default.dropout_intercept)
    assert published["nominate_intercept"] == pytest.approx(default.nominate_intercept)
    small = cell_overrides(cells[0], {})
    assert small["n_msu"] == round(300 * 506 / 1366)
    assert 1 / (1 + np.exp(-small["dropout_intercept"])) == pytest.approx(0.1)


def test_bad_grids_are_refused():
    with pytest.raises(UsageError, match="share must lie strictly between 0 and 1"):
        yt.design(n=300, share=1.4, reps=1)
    with pytest.raises(UsageError, match="set by the 'n' lever"):
        yt.design(n=300, share=0.14, reps=1, n_youth=10)
    with pytest.raises(UsageError, match="pmk_method"):
        yt.design(n=300, share=0.14, reps=1, pmk_method="mice")
    with pytest.raises(UsageError, match="fewer than"):
        yt.design(n=300, share=0.14, reps=1, n_qual=200)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("design")
    return out, yt.design(n=[300, 600], share=0.14, reps=3, seed=5, progress=False, out=out)


def test_grid_shape_and_columns(tiny):
    _, result = tiny
    frame = result.to_frame()
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 2 * len(ESTIMANDS)
    assert list(frame["estimand"][:len(ESTIMANDS)]) == list(ESTIMANDS)
    assert (frame["reps"] == 3).all()
    truth = yt.load_truth()["estimands"]
    headline = frame[frame["estimand"] == "headline_r2"]["truth"]
    assert headline.tolist() == [truth["headline_r2"]["value"]] * 2
    # every replicate of every cell has its six estimands
    assert len(result.replicates) == 2 * 3 * len(ESTIMANDS)
    assert set(result.to_json()) == {"rows", "settings"}
    assert "power" in result.summary() and "<table" in result._repr_html_()


def test_resume_skips_finished_cells(tiny, monkeypatch):
    out, first = tiny
    assert len(list((out / "cells").glob("*.json"))) == 2

    def refuse(*args, **kwargs):
        raise AssertionError("a finished cell was run again")

    monkeypatch.setattr(plan, "one_replicate", refuse)
    again = yt.design(n=[300, 600], share=0.14, reps=3, seed=5, progress=False, out=out)
    pd.testing.assert_frame_equal(again.to_frame(), first.to_frame())
    assert again.to_json() == first.to_json()
    with pytest.raises(AssertionError, match="run again"):  # another seed is another cell
        yt.design(n=300, share=0.14, reps=3, seed=6, progress=False, out=out)


@pytest.mark.slow
def test_same_numbers_whatever_the_workers(tiny):
    _, serial = tiny
    parallel = yt.design(n=[300, 600], share=0.14, reps=3, seed=5, progress=False, workers=2)
    pd.testing.assert_frame_equal(parallel.to_frame(), serial.to_frame())


def test_figure_has_a_panel_per_estimand(tiny):
    _, result = tiny
    fig = result.plot()
    assert sum(ax.get_visible() for ax in fig.axes) == len(ESTIMANDS)
    import matplotlib.pyplot as plt

    plt.close(fig)
