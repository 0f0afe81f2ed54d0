"""``yt replicate`` end to end on the shipped synthetic study (small B, m, n_perm).

One run is shared by the tests (module fixture): every replication row passes, every output
is there, a second run with the same seed gives identical tables, a rerun resumes, and an
interrupted run resumes from the completed steps.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.cli import main
from youthtransitions.errors import UsageError
from youthtransitions.report.replication import PUBLISHED

SMALL = {"m": 3, "B": 30, "n_perm": 199}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    result = yt.replicate(out=out, options=SMALL, seed=7, progress=False)
    return result, out


def test_every_replication_row_passes(run):
    result, out = run
    table = pd.read_csv(out / "replication.csv")
    assert list(table["figure"]) == list(PUBLISHED)
    assert (table["status"] == "pass").all(), table[table["status"] != "pass"]
    assert result.all_pass


def test_outputs_tables_figures_report_manifest(run):
    _, out = run
    for stem in ("sample", "headline_model", "variance_explained", "pmk_methods",
                 "integration", "qca_truth_table", "replication"):
        for ext in ("csv", "md", "html"):
            assert (out / f"{stem}.{ext}").stat().st_size > 0
    for stem in ("trajectories", "variance_decomposition", "pmk_sensitivity",
                 "power_quadrant", "joint_display", "qca_truth_table"):
        assert (out / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml")
    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64,") >= 6 and "Replication" in report
    assert "http://" not in report.replace("http://www.w3.org", "")  # self-contained
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["options"] == SMALL
    assert set(manifest["input_files"]) >= {"youth.parquet", "waves.parquet", "truth.json"}
    assert all(s["status"] == "ok" and s["seconds"] >= 0 for s in manifest["steps"].values())
    assert manifest["versions"]["numpy"]


def test_same_seed_same_outputs_whatever_the_workers(run, tmp_path):
    _, out = run
    again = tmp_path / "again"
    yt.replicate(out=again, options=SMALL, seed=7, progress=False, workers=2)
    names = sorted(p.name for p in out.iterdir()
                   if p.suffix in (".csv", ".md", ".html", ".svg", ".png", ".json")
                   and p.name != "manifest.json")
    assert len(names) > 50
    for name in names:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_rerun_resumes_every_step(run, capsys):
    _, out = run
    before = json.loads((out / "manifest.json").read_text())["steps"]
    yt.replicate(out=out, options=SMALL, seed=7, progress=True)
    err = capsys.readouterr().err
    assert err.count("unchanged, resumed") == len(before)


def test_interrupted_run_resumes_from_completed_steps(tmp_path, monkeypatch, capsys):
    out = tmp_path / "interrupted"
    original = yt.pmk.compare_methods

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(yt.pmk, "compare_methods", boom)
    with pytest.raises(KeyboardInterrupt):
        yt.replicate(out=out, options=SMALL, seed=7, progress=False, until="04")
    steps = json.loads((out / "manifest.json").read_text())["steps"]
    assert list(steps) == ["01_sample", "02_headline", "03_panel"]
    assert not (out / "pmk_methods.csv").exists()  # nothing of the failed step was written
    monkeypatch.setattr(yt.pmk, "compare_methods", original)
    yt.replicate(out=out, options=SMALL, seed=7, progress=True, until="04")
    err = capsys.readouterr().err
    assert err.count("unchanged, resumed") == 3 and "04_pmk: done" in err
    assert (out / "pmk_methods.csv").exists()


def test_bad_options_and_folders_are_clear_errors(tmp_path):
    with pytest.raises(UsageError, match="option must be one of m, B, n_perm"):
        yt.replicate(out=tmp_path, options={"k": 3})
    with pytest.raises(UsageError, match="does not exist"):
        yt.replicate(tmp_path / "nowhere", out=tmp_path)
    assert main(["replicate", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        yt.replicate(out=tmp_path / "afile")
    with pytest.raises(UsageError, match="seed must be"):
        yt.replicate(out=tmp_path, seed=-1)


def test_standalone_script_runs_its_step(tmp_path):
    import runpy
    import sys

    script = Path(__file__).resolve().parents[2] / "analyses" / "01_sample.py"
    argv = sys.argv
    sys.argv = [str(script), "--out", str(tmp_path / "alone")]
    try:
        with pytest.raises(SystemExit) as stop:
            runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    assert stop.value.code == 0
    assert (tmp_path / "alone" / "sample.md").exists()


def test_output_rules_apply_when_asked(tmp_path):
    out = tmp_path / "ruled"
    yt.replicate(out=out, options=SMALL, seed=7, progress=False, output_rules=True,
                 until="01")
    sample = pd.read_csv(out / "sample.csv", dtype=str)
    youth = sample.loc[sample["characteristic"] == "Youth", "all"].iloc[0]
    count = int(youth.replace(",", ""))
    assert count % 3 == 0 and abs(count - 1366) <= 2
    assert "Output rules applied" in (out / "sample.md").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["output_rules"] is True
    # the replication figures are the published (rounded) counts, never the exact ones
    counts = json.loads((out / "sample_counts.json").read_text())
    assert counts["n_youth"] == count
    for key in ("n_msu", "n_subsample", "youth_interviews", "pmk_interviews",
                "case_summaries"):
        assert counts[key] % 3 == 0, key
