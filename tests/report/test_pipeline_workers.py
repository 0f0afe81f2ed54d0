"""``yt replicate`` on a study that names no workers: nothing about workers, and it runs."""

from __future__ import annotations

import json
import shutil

import pandas as pd

import youthtransitions as yt

TINY = {"m": 2, "B": 2, "n_perm": 1}


def test_a_study_without_workers_gets_no_worker_outputs(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(yt.shipped_study_path(), study)
    waves = pd.read_parquet(study / "waves.parquet")
    waves.drop(columns=["worker_id", "positive_change"]).to_parquet(study / "waves.parquet",
                                                                     index=False)
    out = tmp_path / "results"
    result = yt.replicate(study, out=out, options=TINY, seed=5, progress=False)
    assert result.manifest["complete"] and (out / "replication.csv").exists()
    assert not [p.name for p in out.iterdir() if "worker" in p.name]
    for name in ("manifest.json", "disclosure.json", "report.html"):
        text = (out / name).read_text()
        assert "worker_share" not in text and "workers.json" not in text, name
    steps = json.loads((out / "manifest.json").read_text())["steps"]
    assert "02_headline" in steps and "07_replication" in steps
