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


@pytest.fixture(autouse=True)
def _private_secret(tmp_path_factory, monkeypatch):
    """The rounding secret of these tests lives in a temporary folder, never the user's."""
    from youthtransitions.report.gate import SECRET_ENV

    monkeypatch.setenv(SECRET_ENV, str(tmp_path_factory.getbasetemp() / "yt-secret"))


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
    assert main(["describe", str(study_dir), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Table 1. Sample description" in text and "Table 3. Scale reliability" in text
    assert "Output rules applied" in text and f"Wrote 8 files to {out}" in text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["describe.csv", "disclosure.json", "reliability.csv", "reliability.md",
                     "sample.csv", "sample.md", "subsample_profile.csv",
                     "subsample_profile.md"]
    assert (out / "sample.md").read_text().startswith("**Table 1**")
    log = json.loads((out / "disclosure.json").read_text())
    listed = {f for r in log["results"].values() for f in r["files"]}
    assert listed == set(names) and log["rules"]["applied"] is True
    first = (out / "describe.csv").read_text()
    # the seed is deprecated and changes nothing: the rounding is consistent per study
    assert main(["describe", str(study_dir), "--out", str(out), "--seed", "3"]) == 0
    assert "--seed is ignored" in capsys.readouterr().err
    assert (out / "describe.csv").read_text() == first


def test_json_prints_no_seed_and_one_count_one_value(study_dir, capsys):
    from youthtransitions.report.gate import gate_for_study, secret_path
    from youthtransitions.study import load_study

    text = _json_text(capsys, ["describe", str(study_dir), "--json"])
    payload = json.loads(text)
    assert payload["seed"] is None
    assert secret_path().read_bytes().hex() not in text
    # every published count of the youth is the gate's one value of that count
    gate = gate_for_study(load_study(study_dir))
    youth = make_study().youth
    rows = {(r["section"], r["variable"], r["level"], r["group"], r["statistic"]): r
            for r in payload["rows"]}
    expected = gate.value(len(youth), "count", unit="youth").value
    assert rows[("sample", "youth", "", "all", "n")]["value"] == expected
    assert rows[("subsample_profile", "youth", "", "msu", "n")]["value"] == \
        gate.value(int(youth["msu"].sum()), "count", unit="youth").value


def _json_text(capsys, argv) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


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
