"""``yt describe``: printing, --json, --out, --no-output-rules, bad folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from youthtransitions.cli import main

_FIXTURES = str(Path(__file__).resolve().parents[1] / "report")
if _FIXTURES not in sys.path:
    sys.path.insert(0, _FIXTURES)
from report_fixture import make_study  # noqa: E402  (the reporting tests' fixture study)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory) -> Path:
    """The reporting fixture study written as CSV (a real, not synthetic, study)."""
    folder = tmp_path_factory.mktemp("study")
    study = make_study()
    for name in ("youth", "waves", "pmk", "scales"):
        getattr(study, name).to_csv(folder / f"{name}.csv", index=False)
    return folder


def _json(capsys, argv) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_json_applies_output_rules_to_real_data(study_dir, capsys):
    payload = _json(capsys, ["describe", str(study_dir), "--json"])
    assert payload["output_rules"] is True and payload["synthetic"] is False
    assert payload["note"].startswith("Output rules applied")
    counts = [r for r in payload["rows"] if r["statistic"] == "n"]
    shown = np.array([r["value"] for r in counts if not r["value_suppressed"]])
    assert (np.mod(shown, 3) == 0).all() and not ((shown >= 1) & (shown <= 5)).any()
    assert any(r["value_suppressed"] for r in counts)


def test_no_output_rules_gives_exact_counts(study_dir, capsys):
    payload = _json(capsys, ["describe", str(study_dir), "--json", "--no-output-rules"])
    assert payload["output_rules"] is False
    rows = {(r["section"], r["variable"], r["level"], r["group"], r["statistic"]): r["value"]
            for r in payload["rows"]}
    assert rows[("sample", "youth", "", "all", "n")] == 60
    youth = make_study().youth
    for level in ("female", "male", "another"):
        assert rows[("demographics", "gender", level, "all", "n")] == (youth["gender"] == level).sum()


def test_text_and_out(study_dir, tmp_path, capsys):
    out = tmp_path / "tables"
    assert main(["describe", str(study_dir), "--out", str(out), "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "Table 1. Sample description" in text and "Table 3. Scale reliability" in text
    assert "Output rules applied" in text and f"Wrote 7 files to {out}" in text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["describe.csv", "reliability.csv", "reliability.md", "sample.csv",
                     "sample.md", "subsample_profile.csv", "subsample_profile.md"]
    assert (out / "sample.md").read_text().startswith("**Table 1**")
    first = (out / "describe.csv").read_text()
    assert main(["describe", str(study_dir), "--out", str(out), "--seed", "3"]) == 0
    assert (out / "describe.csv").read_text() == first  # same seed, same files


@pytest.mark.parametrize("make_bad, message", [
    (lambda tmp: tmp / "missing", "does not exist"),
    (lambda tmp: (tmp / "f.txt").write_text("x") and tmp / "f.txt", "is not a folder"),
    (lambda tmp: tmp, "required table is missing"),
])
def test_bad_dir_exits_2(tmp_path, capsys, make_bad, message):
    bad = make_bad(tmp_path)
    assert main(["describe", str(bad)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert "Traceback" not in captured.err


def test_out_must_be_a_folder(study_dir, tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["describe", str(study_dir), "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.slow
def test_default_is_the_shipped_synthetic_study(capsys):
    pytest.importorskip("youthtransitions.synthetic")
    payload = _json(capsys, ["describe", "--json"])
    assert payload["synthetic"] is True and payload["output_rules"] is False
    assert "synthetic" in payload["note"]
    rows = {(r["section"], r["variable"], r["group"], r["statistic"]): r["value"]
            for r in payload["rows"] if r["level"] == ""}
    assert rows[("sample", "youth", "all", "n")] == 1366
    assert rows[("sample", "msu", "all", "n")] == 506
