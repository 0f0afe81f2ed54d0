"""One gate per run: fingerprints name the same data however they arrive."""

import json
import shutil

import pytest

import youthtransitions as yt
from youthtransitions.report.gate import (
    file_fingerprint,
    gate_for_file,
    gate_for_study,
    study_fingerprint,
)


@pytest.fixture(scope="module")
def real_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real") / "study"
    shutil.copytree(yt.SHIPPED_STUDY, folder)
    meta = json.loads((folder / "study.json").read_text())
    meta["synthetic"] = False
    (folder / "study.json").write_text(json.dumps(meta))
    return folder


def test_loose_file_in_a_study_folder_shares_the_study_fingerprint(real_copy):
    study = yt.load_study(real_copy)
    assert file_fingerprint(real_copy / "codes.parquet") == study_fingerprint(study)


def test_loose_file_elsewhere_is_fingerprinted_by_its_bytes(real_copy, tmp_path):
    loose = tmp_path / "codes.parquet"
    shutil.copy(real_copy / "codes.parquet", loose)
    assert file_fingerprint(loose) != file_fingerprint(real_copy / "codes.parquet")
    (tmp_path / "other.parquet").write_bytes(loose.read_bytes() + b"x")
    assert file_fingerprint(tmp_path / "other.parquet") != file_fingerprint(loose)


def test_fingerprint_changes_with_content(real_copy, tmp_path):
    other = tmp_path / "study"
    shutil.copytree(real_copy, other)
    before = study_fingerprint(yt.load_study(other))
    (other / "study.json").write_text((other / "study.json").read_text() + " ")
    assert study_fingerprint(yt.load_study(other)) != before


def test_in_memory_study_fingerprint_from_tables(real_copy):
    study = yt.load_study(real_copy)
    moved = yt.Study(youth=study.youth, waves=study.waves, pmk=study.pmk,
                     scales=study.scales, codes=study.codes, synthetic=False)
    first = study_fingerprint(moved)
    assert first == study_fingerprint(moved)
    changed = yt.Study(youth=study.youth.iloc[1:], waves=study.waves, pmk=study.pmk,
                       scales=study.scales, codes=study.codes, synthetic=False)
    assert study_fingerprint(changed) != first


def test_rules_follow_the_marker(real_copy):
    assert gate_for_study(yt.load_study(real_copy)).applied
    assert not gate_for_study(yt.load_study(yt.SHIPPED_STUDY)).applied
    assert not gate_for_study(yt.load_study(real_copy), output_rules=False).applied
    # a loose file carries no synthetic marker, even one taken from the synthetic study
    assert gate_for_file(yt.SHIPPED_STUDY / "codes.parquet").applied
