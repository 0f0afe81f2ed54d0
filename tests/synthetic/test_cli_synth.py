"""``yt synth`` and the shipped-study helpers."""

from __future__ import annotations

import json

import pytest

from youthtransitions.cli import main
from youthtransitions.synthetic import SHIPPED_STUDY, shipped, shipped_study_path


def test_synth_writes_study(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["synth", "--seed", "5", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["seed"] == 5 and summary["rows"]["youth"] == 1366
    assert json.loads((out / "study.json").read_text())["seed"] == 5
    # a study folder may be overwritten; the same seed gives the same bytes
    before = (out / "waves.parquet").read_bytes()
    assert main(["synth", "--seed", "5", "--out", str(out)]) == 0
    assert (out / "waves.parquet").read_bytes() == before
    assert "wrote synthetic study (seed 5)" in capsys.readouterr().out


def test_synth_refuses_foreign_folder(tmp_path, capsys):
    (tmp_path / "data.csv").write_text("x\n1\n")
    assert main(["synth", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not empty and holds no study" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_synth_checks_out_before_drawing(tmp_path, capsys, monkeypatch):
    """A bad --out fails fast: nothing is drawn."""
    import youthtransitions.synthetic as synthetic

    def no_draw(*args, **kwargs):
        raise AssertionError("synthesize called for a bad --out")

    monkeypatch.setattr(synthetic, "synthesize", no_draw)
    (tmp_path / "file").write_text("x")
    assert main(["synth", "--out", str(tmp_path / "file")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["synth", "--out", str(tmp_path)]) == 2
    assert "not empty and holds no study" in capsys.readouterr().err


def test_synth_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--seed", "abc", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["synth", "--seed", "-3", "--out", str(tmp_path / "x")]) == 2
    assert "seed must be a whole number of at least 0" in capsys.readouterr().err


def test_shipped_path_regenerates_into_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "SHIPPED_STUDY", tmp_path / "absent")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = shipped_study_path()
    assert path.is_relative_to(tmp_path / "cache")
    if (SHIPPED_STUDY / "study.json").is_file():
        for name in ("youth.parquet", "codes.parquet", "truth.json"):
            assert (path / name).read_bytes() == (SHIPPED_STUDY / name).read_bytes()
