"""The shipped raw-import examples: every ``docs/examples/**/*mapping*.toml`` imports a
complete, valid study; the example exports (synthetic) import back into the shipped study's
tables for the youth they hold; and the imported folder replicates."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.study.contract import TABLES

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
MAPPINGS = sorted(EXAMPLES.glob("**/*mapping*.toml"))
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
from make_raw_examples import N_YOUTH, subset  # noqa: E402


def test_examples_are_shipped():
    assert [m.name for m in MAPPINGS] == ["youth_mapping.toml"]


@pytest.mark.parametrize("mapping", MAPPINGS, ids=lambda p: p.name)
def test_every_example_mapping_imports_a_complete_valid_study(mapping, tmp_path):
    result = yt.import_study(mapping, tmp_path / "study")
    loaded = yt.load_study(tmp_path / "study")
    assert all(getattr(loaded, name) is not None for name in TABLES)
    assert loaded.synthetic  # made from the synthetic study and marked so
    assert result.path == tmp_path / "study" and result.study.n_youth == loaded.n_youth


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("imported") / "study"
    return yt.import_study(EXAMPLES / "youth_mapping.toml", out)


def test_raw_example_round_trips_to_the_shipped_tables(imported):
    shipped = subset(yt.load_study(yt.shipped_study_path()))
    study = imported.study
    assert study.n_youth == N_YOUTH
    for name in ("youth", "waves", "pmk", "scales"):
        pd.testing.assert_frame_equal(getattr(study, name), shipped[name])
    # a QDA project orders its segments by source document: the same rows, in another order
    key = ["segment_id", "coder"]
    pd.testing.assert_frame_equal(study.codes.sort_values(key).reset_index(drop=True),
                                  shipped["codes"].sort_values(key).reset_index(drop=True))


def test_example_report_lists_what_the_mapping_left_out(imported):
    report = imported.report
    assert report.msu == "derived"
    assert report.codebook.left_out == ["Memo: follow up"]
    assert len(report.codebook.mapped) == 26
    assert report.tables["waves"].wide == "{name}_T{wave}"
    assert report.tables["youth"].labelled[:1] == ["svc_welfare"]
    assert all(cols == [] for cols in report.left_out.values())


@pytest.mark.slow
def test_imported_example_replicates(imported, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = yt.replicate(imported.path, out=tmp_path / "results",
                              options={"m": 2, "B": 2, "n_perm": 10}, progress=False)
    assert (tmp_path / "results" / "report.html").is_file()
    assert (tmp_path / "results" / "manifest.json").is_file()
    assert len(result.to_frame()) > 0
