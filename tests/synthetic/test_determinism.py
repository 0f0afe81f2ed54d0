"""One seed, byte-identical files; the shipped study is the default seed's draw."""

from __future__ import annotations

import dataclasses
import json

import pyarrow.parquet as pq
import pytest

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.synthetic import (
    DEFAULT_SEED,
    SHIPPED_STUDY,
    load_truth,
    synthesize,
    write_study,
)
from youthtransitions.synthetic.io import check_target

FILES = ["youth.parquet", "waves.parquet", "pmk.parquet", "scales.parquet", "codes.parquet",
         "study.json", "data_dictionary.md", "truth.json"]


@pytest.fixture(scope="module")
def written(study, tmp_path_factory):
    first = write_study(study, tmp_path_factory.mktemp("a") / "study")
    second = write_study(synthesize(DEFAULT_SEED), tmp_path_factory.mktemp("b") / "study")
    return first, second


def test_two_runs_byte_identical(written):
    first, second = written
    assert sorted(p.name for p in first.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_shipped_study_is_the_default_draw(written):
    assert (SHIPPED_STUDY / "study.json").is_file(), "synthetic_data/ is missing"
    for name in FILES:
        assert (written[0] / name).read_bytes() == (SHIPPED_STUDY / name).read_bytes(), (
            f"{name} differs: regenerate with `yt synth --out synthetic_data`")


def test_marked_synthetic_everywhere(written):
    folder = written[0]
    info = json.loads((folder / "study.json").read_text())
    assert info["synthetic"] is True and info["seed"] == DEFAULT_SEED
    for name in FILES[:5]:
        meta = pq.read_schema(folder / name).metadata
        marker = json.loads(meta[b"youthtransitions"])
        assert marker == {"synthetic": True, "seed": DEFAULT_SEED,
                          "generator": info["generator"]}
    assert load_truth(folder)["seed"] == DEFAULT_SEED


def test_other_seed_differs(study):
    frozen = json.dumps(study.metadata["truth"]["estimands"], sort_keys=True)
    study.metadata["truth"]["estimands"]["pmk"]["value"]["slope"] = -1.0  # a careless user
    other = synthesize(1)
    study.metadata["truth"]["estimands"] = json.loads(frozen)
    assert json.dumps(other.metadata["truth"]["estimands"], sort_keys=True) == frozen
    assert not other.waves["rq_01"].equals(study.waves["rq_01"])
    assert other.metadata["truth"]["estimands"] == study.metadata["truth"]["estimands"]


def test_refuses_foreign_folder(study, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty and holds no study"):
        write_study(study, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    write_study(study, tmp_path, force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "truth.json").is_file()


def test_rewrite_removes_tables_and_truth_not_written(study, tmp_path):
    """Rewriting a study folder leaves exactly the new study's tables (any old format)."""
    out = write_study(study, tmp_path / "s")
    (out / "youth.csv").write_text("youth_id\nYT0001\n")  # an old table in another format
    (out / "codes.qdpx").write_bytes(b"old project")
    (out / "notes.txt").write_text("mine")
    smaller = dataclasses.replace(study, codes=None,
                                  metadata={k: v for k, v in study.metadata.items()
                                            if k != "truth"})
    write_study(smaller, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["youth.parquet", "waves.parquet", "pmk.parquet", "scales.parquet", "study.json",
         "data_dictionary.md", "notes.txt"])
    assert yt.validate_study(out) == []


def test_force_into_foreign_folder_removes_nothing(study, tmp_path):
    """Without a study.json the folder held no study: its files are never deleted."""
    (tmp_path / "youth.csv").write_text("youth_id\nYT0001\n")
    (tmp_path / "truth.json").write_text("{}")
    smaller = dataclasses.replace(study, metadata={k: v for k, v in study.metadata.items()
                                                   if k != "truth"})
    write_study(smaller, tmp_path, force=True)
    assert (tmp_path / "youth.csv").is_file() and (tmp_path / "truth.json").read_text() == "{}"


def test_check_target_fails_fast(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is not a folder"):
        check_target(tmp_path / "file")
    with pytest.raises(UsageError, match="not empty and holds no study"):
        check_target(tmp_path)
    assert check_target(tmp_path, force=True) == tmp_path
    assert check_target(tmp_path / "new") == tmp_path / "new"
    assert not (tmp_path / "new").exists()


def test_bad_arguments():
    with pytest.raises(UsageError, match="seed"):
        synthesize(-1)
    with pytest.raises(UsageError, match="unknown synthetic-study parameter"):
        synthesize(1, n_yuoth=10)
    with pytest.raises(UsageError, match="no truth.json"):
        load_truth(SHIPPED_STUDY.parent / "no-such-study")
