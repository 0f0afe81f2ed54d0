"""A study folder written by study.folder.write_study reads back as the same study, and
truth.json is read in one place."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.study.folder import read_truth, write_study


def test_written_folder_loads_as_the_same_study(study_dir, tmp_path):
    study = yt.load_study(study_dir)
    out = write_study(study, tmp_path / "copy")
    assert sorted(p.name for p in out.iterdir()) == [
        "codes.parquet", "pmk.parquet", "scales.parquet", "study.json", "waves.parquet",
        "youth.parquet"]
    assert "description" not in json.loads((out / "study.json").read_text())
    again = yt.load_study(out)
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(study, name))


def test_read_truth(tmp_path):
    with pytest.raises(UsageError, match="no truth.json"):
        read_truth(tmp_path)
    (tmp_path / "truth.json").write_text("[1, 2]")
    with pytest.raises(UsageError, match="must hold a JSON object, not a JSON list"):
        read_truth(tmp_path)
    (tmp_path / "truth.json").write_text("{oops")
    with pytest.raises(UsageError, match="not valid JSON"):
        read_truth(tmp_path / "truth.json")
    (tmp_path / "truth.json").write_text('{"seed": 3}')
    assert read_truth(tmp_path) == {"seed": 3} == yt.load_truth(tmp_path)
